"""A validated spec tree -> the :class:`Script` the SQL reader gives for the equivalent SQL.

Values are judged by the checks of :mod:`redshift_iam.values` (same codes and messages as in
SQL, prefixed with the spec path) and the exclusions of :mod:`redshift_iam.options` (the
Redshift reference's tables, shared with the SQL parser). Locations point at the spec: a
statement at its ``copy:``/``unload:``/``create_library:`` key, a value at its first
character. One bad operation does not hide the others: each gives its own diagnostic.
"""

from __future__ import annotations

from redshift_iam.core.aws_names import (
    CLIENT_SIDE_WARNING,
    DYNAMO_SOURCE,
    EMR_SOURCE,
    JSONPATHS_WORDS,
    check_jsonpaths,
    check_region,
    check_s3,
    copy_source_scheme,
    key_warnings,
    placeholder,
    split_s3,
)
from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.exclusions import CONFLICTS, UNSUPPORTED_BY_SOURCE
from redshift_iam.core.source import Source
from redshift_iam.core.statements import (
    Copy,
    CopyMode,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    S3Path,
    Script,
    Statement,
    Text,
    Unload,
)
from redshift_iam.spec.loader import Entry, Node, diagnostic, load
from redshift_iam.spec.principals import authorization
from redshift_iam.spec.validate import validate

# SQL option -> how a spec says it (for the shared exclusion messages).
_SPEC_WORDS = {"IAM_ROLE": "role", "MASTER_SYMMETRIC_KEY": "encrypted: client"}
_KEY_OPTIONS = {"role": "IAM_ROLE", "partition_by": "PARTITION"}  # where not key.upper()
_NOT_OPTIONS = frozenset({"table", "from", "to", "query", "name", "language"})


def read_spec(source: Source) -> Script:
    """Load, validate and read one spec. Syntax and schema errors leave no statements."""
    try:
        tree = load(source)
    except InputError as exc:
        return Script((), 0, (exc.diagnostic,), (source,))
    problems = validate(tree, source)
    if problems:
        return Script((), 0, tuple(problems), (source,))
    top = tree.value
    statements: list[Statement] = []
    diagnostics: list[Diagnostic] = []
    for index, item in enumerate(top["operations"].value.value):
        (kind, entry), = item.value.items()
        op = Operation(source, f"operations[{index}].{kind}", entry, top, diagnostics)
        try:
            statements.append(_READERS[kind](op))
        except InputError as exc:
            diagnostics.append(exc.diagnostic)
    return Script(tuple(statements), 0, tuple(diagnostics), (source,))


class Operation:
    """One operation's members, with the top-level defaults, and how to point into them."""

    def __init__(self, source: Source, path: str, entry: Entry, top: dict[str, Entry],
                 warnings: list[Diagnostic]) -> None:
        self.source, self.path, self.key_offset = source, path, entry.key_offset
        self.members: dict[str, Entry] = entry.value.value
        self.top, self.warnings = top, warnings

    @property
    def loc(self) -> Location:
        return self.source.location(self.key_offset)

    def get(self, key: str) -> object:
        """The value of ``key``; None when absent (and false booleans count as absent)."""
        entry = self.members.get(key)
        return None if entry is None or entry.value.value is False else entry.value.value

    def node(self, key: str, inherit: bool = False) -> tuple[str, Node] | None:
        """(path, node) of ``key``, from the top level when ``inherit`` and absent here."""
        if key in self.members:
            return f"{self.path}.{key}", self.members[key].value
        if inherit and key in self.top:
            return key, self.top[key].value
        return None

    def error(self, code: str, message: str, offset: int, redact_from: int | None = None
              ) -> InputError:
        return InputError(diagnostic(self.source, code, message, offset, redact_from))

    def problem(self, problem: tuple[str, str, int], path: str, node: Node, start: int = 0
                ) -> InputError:
        code, message, offset = problem
        return self.error(code, f"{path}: {message}", node.text_offset + start + offset)

    def warn(self, code: str, message: str, offset: int) -> None:
        self.warnings.append(diagnostic(self.source, code, message, offset))

    def present(self) -> dict[str, int]:
        """SQL option -> offset of its key, for the keys given here (as the SQL would show)."""
        found = {_KEY_OPTIONS.get(k, k.upper()): e.key_offset for k, e in self.members.items()
                 if e.value.value is not False and k not in _NOT_OPTIONS}
        if self.get("encrypted") == "client":
            found["MASTER_SYMMETRIC_KEY"] = self.members["encrypted"].key_offset
        return found

    def check_exclusions(self, source_kind: str | None) -> None:
        """The reference's forbidden pairs and per-source options (options.py's tables)."""
        seen = self.present()
        for first, second, message in CONFLICTS:
            if first in seen and second in seen:
                raise self.error("RI113", f"{self.path}: {_spec_words(message)}",
                                 max(seen[first], seen[second]))
        for name in sorted(UNSUPPORTED_BY_SOURCE.get(source_kind or "", ())):
            if name in seen:
                raise self.error("RI114", f"{self.path}: {_spec_words(name)} can't be used with "
                                          f"COPY from {source_kind}", seen[name])


def _spec_words(message: str) -> str:
    return " ".join(_SPEC_WORDS.get(word, word.lower() if word.isupper() and len(word) > 1
                                    else word) for word in message.split(" "))


def s3_path(op: Operation, key: str) -> S3Path:
    """An s3:// value, checked and warned about as the SQL parser does."""
    path, node = op.node(key)
    problem = check_s3(node.value)
    if problem:
        raise op.problem(problem, path, node)
    bucket, prefix = split_s3(node.value)
    for code, message, _ in key_warnings(prefix):
        op.warn(code, message, node.offset)
    return S3Path(bucket, prefix, op.source.location(node.text_offset))


def region(op: Operation, allowed: bool = True) -> Text | None:
    """The operation's region, else the top-level one (when the operation takes a REGION)."""
    found = op.node("region", inherit=allowed)
    if found is None:
        return None
    path, node = found
    problem = placeholder(node.value) or check_region(node.value)
    if problem:
        raise op.problem(problem, path, node)
    return Text(node.value, op.source.location(node.text_offset))


def read_copy(op: Operation) -> Copy:
    path, node = op.node("from")
    scheme, problem = copy_source_scheme(node.value)
    if problem:
        raise op.problem(problem, path, node)
    source, mode = _copy_source(op, scheme, node)
    op.check_exclusions(mode.value if mode is not CopyMode.PREFIX else "s3")
    data_format, jsonpaths = _copy_format(op)
    if op.get("encrypted"):
        op.warn("RW205", CLIENT_SIDE_WARNING, op.members["encrypted"].key_offset)
    return Copy(
        loc=op.loc, table=op.get("table") or op.path.rsplit(".", 1)[0], source=source, mode=mode,
        auth=authorization(op, "COPY"), data_format=data_format, jsonpaths=jsonpaths,
        region=region(op, mode is not CopyMode.EMR), encrypted=bool(op.get("encrypted")),
        options=tuple(op.present()), job=op.get("job") or "",
    )


def _copy_source(op: Operation, scheme: str, node: Node
                 ) -> tuple[S3Path | DynamoTable | EmrCluster, CopyMode]:
    loc = op.source.location(node.text_offset)
    if scheme == "dynamodb":
        return DynamoTable(DYNAMO_SOURCE.match(node.value).group("name"), loc), CopyMode.DYNAMODB
    if scheme == "emr":
        match = EMR_SOURCE.match(node.value)
        return EmrCluster(match.group("id"), match.group("path") or "", loc), CopyMode.EMR
    mode = CopyMode.SSH if op.get("ssh") else (
        CopyMode.MANIFEST if op.get("manifest") else CopyMode.PREFIX)
    return s3_path(op, "from"), mode


def _copy_format(op: Operation) -> tuple[str, S3Path | None]:
    """FORMAT, and the JSONPaths file of ``json``/``avro`` (which imply that format)."""
    data_format = str(op.get("format") or "text").upper()
    jsonpaths = None
    for key in ("json", "avro"):
        if op.get(key) is None:
            continue
        if data_format not in ("TEXT", key.upper()):
            raise op.error("RI113", f"{op.path}: {key} conflicts with format "
                                    f"{data_format.lower()}", op.members[key].key_offset)
        data_format = key.upper()
        path, node = op.node(key)
        problem = check_jsonpaths(node.value)
        if problem:
            raise op.problem(problem, path, node)
        if node.value.lower() not in JSONPATHS_WORDS:
            jsonpaths = s3_path(op, key)
    return data_format, jsonpaths


def read_unload(op: Operation) -> Unload:
    target = s3_path(op, "to")
    op.check_exclusions(None)
    encrypted = op.get("encrypted")
    kms = op.node("kms_key_id")
    if encrypted == "auto" and kms:
        raise op.error("RI113", f"{op.path}: encrypted: auto can't be used with kms_key_id",
                       op.members["kms_key_id"].key_offset)
    if kms and encrypted is not True:
        raise op.error("RI115", f"{op.path}: kms_key_id needs encrypted: true",
                       op.members["kms_key_id"].key_offset)
    if encrypted is True and not kms:
        raise op.error("RI115", f"{op.path}: encrypted: true needs kms_key_id (or encrypted: "
                                "auto): nothing says which key encrypts",
                       op.members["encrypted"].key_offset)
    if encrypted == "client":
        op.warn("RW205", CLIENT_SIDE_WARNING, op.members["encrypted"].key_offset)
    return Unload(
        loc=op.loc, target=target, auth=authorization(op, "UNLOAD"), region=region(op),
        encrypted=encrypted is not None, encrypted_auto=encrypted == "auto",
        kms_key=Text(kms[1].value, op.source.location(kms[1].text_offset)) if kms else None,
        client_key=encrypted == "client", cleanpath=bool(op.get("cleanpath")),
        partition_by=tuple(n.value for n in op.get("partition_by") or ()),
        options=tuple(op.present()),
    )


def read_library(op: Operation) -> CreateLibrary:
    path, node = op.node("from")
    name = op.get("name") or op.path.rsplit(".", 1)[0]
    if node.value[:8].lower() == "https://":
        return CreateLibrary(op.loc, name, None, node.value,
                             authorization(op, "CREATE LIBRARY", needed=False), region(op))
    return CreateLibrary(op.loc, name, s3_path(op, "from"), node.value,
                         authorization(op, "CREATE LIBRARY"), region(op))


_READERS = {"copy": read_copy, "unload": read_unload, "create_library": read_library}

"""A validated spec tree -> the :class:`Script` the SQL reader gives for the equivalent SQL.

Values are judged by the checks of :mod:`redshift_iam.core.aws_names` (same codes and messages as in
SQL, prefixed with the spec path) and the exclusions of :mod:`redshift_iam.core.exclusions` (the
Redshift reference's tables, shared with the SQL parser). Locations point at the spec: a
statement at its ``copy:``/``unload:``/``create_library:`` key, a value at its first
character. One bad operation does not hide the others: each gives its own diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from redshift_iam.core.diagnostics import Diagnostic, InputError, Location, Severity
from redshift_iam.core.exclusions import CONFLICTS, UNSUPPORTED_BY_SOURCE
from redshift_iam.core.placeholders import has_sentinel, provenance
from redshift_iam.core.slots import open_copy_source, open_location
from redshift_iam.core.source import Render, Source
from redshift_iam.core.statements import (
    Copy,
    CopyMode,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    Open,
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


def read_spec(source: Source, render: Render | None = None) -> Script:
    """Load, validate and read one spec. Syntax and schema errors leave no statements.
    ``render`` renders a template value (see ``spec.templated``); without it a placeholder
    in a value is RI121, as in SQL that was not rendered."""
    try:
        tree = load(source)
    except InputError as exc:
        return Script((), 0, (exc.diagnostic,), (source,))
    templated = False
    diagnostics: list[Diagnostic] = []
    if render is not None:
        from redshift_iam.spec.templated import render_tree

        tree, templated, notes = render_tree(tree, source, render)
        diagnostics += notes
        if any(d.severity is Severity.ERROR for d in notes):
            return Script((), 0, tuple(diagnostics), (source,))
    problems = validate(tree, source, templated)
    if problems:
        return Script((), 0, tuple(diagnostics + problems), (source,))
    top = tree.value
    statements: list[Statement] = []
    for index, item in enumerate(top["operations"].value.value):
        (kind, entry), = item.value.items()
        op = Operation(source, f"operations[{index}].{kind}", entry, top, diagnostics, templated)
        try:
            statements.append(_read(op, kind))
        except InputError as exc:
            diagnostics.append(exc.diagnostic)
    return Script(tuple(statements), 0, tuple(diagnostics), (source,))


def _read(op: Operation, kind: str) -> Statement:
    """One operation; of a templated spec, with its placeholders and its readings per value
    of each open option slot (``spec.templated``)."""
    if not op.templated:
        return _READERS[kind](op)
    from redshift_iam.spec.templated import templated_statement

    return templated_statement(op, kind, _READERS[kind])


class Operation:
    """One operation's members, with the top-level defaults, and how to point into them."""

    def __init__(self, source: Source, path: str, entry: Entry, top: dict[str, Entry],
                 warnings: list[Diagnostic], templated: bool = False) -> None:
        self.source, self.path, self.key_offset = source, path, entry.key_offset
        self.members: dict[str, Entry] = entry.value.value
        self.top, self.warnings, self.templated = top, warnings, templated
        self.open: dict[str, Entry] = {}  # option slots an unresolved placeholder leaves open
        if templated:
            from redshift_iam.spec.templated import open_slots

            self.open = open_slots(path.rsplit(".", 1)[-1], self.members)

    def at(self, node: Node, start: int = 0) -> Location:
        """Where character ``start`` of a string value stands (in the spec)."""
        return (node.rendered or self.source).location(node.text_offset + start)

    def is_open(self, node: Node) -> bool:
        """Whether a string value holds an unresolved placeholder."""
        return self.templated and isinstance(node.value, str) and has_sentinel(node.value)

    @property
    def loc(self) -> Location:
        return self.source.location(self.key_offset)

    def get(self, key: str) -> Any:
        """The value of ``key``; None when absent (and false booleans count as absent)."""
        entry = self.members.get(key)
        if entry is None or entry.value.value is False or key in self.open:
            return None
        return entry.value.value

    def node(self, key: str, inherit: bool = False) -> tuple[str, Node] | None:
        """(path, node) of ``key``, from the top level when ``inherit`` and absent here."""
        if key in self.members:
            return f"{self.path}.{key}", self.members[key].value
        if inherit and key in self.top:
            return key, self.top[key].value
        return None

    def required(self, key: str) -> tuple[str, Node]:
        """(path, node) of a ``key`` the schema requires, or that the caller found present."""
        found = self.node(key)
        assert found is not None, f"{self.path}.{key}"
        return found

    def error(self, code: str, message: str, offset: int, redact_from: int | None = None
              ) -> InputError:
        return InputError(diagnostic(self.source, code, message, offset, redact_from))

    def problem(self, problem: tuple[str, str, int], path: str, node: Node, start: int = 0
                ) -> InputError:
        code, message, offset = problem
        at = node.text_offset + start + offset
        return InputError(diagnostic(node.rendered or self.source, code,
                                     f"{path}: {message}{self.provenance(node, at)}", at))

    def provenance(self, node: Node, offset: int) -> str:
        """For text of a rendered value that came from a template value: where from."""
        if node.rendered is None:
            return ""
        where = node.rendered.location(offset)
        return provenance(next((p for p in node.placeholders
                                if p.resolved and p.location == where), None))

    def warn(self, code: str, message: str, offset: int) -> None:
        self.warnings.append(diagnostic(self.source, code, message, offset))

    def present(self) -> dict[str, int]:
        """SQL option -> offset of its key, for the keys given here (as the SQL would show)."""
        found = {_KEY_OPTIONS.get(k, k.upper()): e.key_offset for k, e in self.members.items()
                 if e.value.value is not False and k not in _NOT_OPTIONS and k not in self.open}
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


def s3_path(op: Operation, key: str) -> S3Path | Open:
    """An s3:// value, checked and warned about as the SQL parser does; holding an
    unresolved placeholder, what ``core.slots`` makes of it (the SQL parser's ``_s3``)."""
    path, node = op.required(key)
    if op.is_open(node):
        found = open_location(node.value, op.at(node))
        if isinstance(found, Open):
            return found
        problem = placeholder(node.value, False) or check_s3(f"s3://{found.bucket}/", False)
        if problem:
            raise op.problem(problem, path, node)
        return found
    problem = check_s3(node.value, not op.templated)
    if problem:
        raise op.problem(problem, path, node)
    parts = split_s3(node.value)
    assert parts is not None  # check_s3 accepted it: an s3:// URI
    bucket, prefix = parts
    for code, message, _ in key_warnings(prefix):
        op.warn(code, message, node.offset)
    return S3Path(bucket, prefix, op.at(node))


def region(op: Operation, allowed: bool = True) -> Text | None:
    """The operation's region, else the top-level one (when the operation takes a REGION)."""
    found = op.node("region", inherit=allowed)
    if found is None:
        return None
    path, node = found
    if op.is_open(node):  # derive decides whether a grant needs it (RI147)
        return Text(node.value, op.at(node))
    problem = placeholder(node.value, not op.templated) or check_region(node.value)
    if problem:
        raise op.problem(problem, path, node)
    return Text(node.value, op.at(node))


def read_copy(op: Operation) -> Copy:
    path, node = op.required("from")
    scheme = ""
    if not op.is_open(node):
        scheme, problem = copy_source_scheme(node.value, not op.templated)
        if problem:
            raise op.problem(problem, path, node)
    source, mode = _copy_source(op, scheme, node)
    op.check_exclusions(None if isinstance(source, Open) else
                        mode.value if mode is not CopyMode.PREFIX else "s3")
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
                 ) -> tuple[S3Path | DynamoTable | EmrCluster | Open, CopyMode]:
    loc = op.at(node)
    if op.is_open(node):
        found = open_copy_source(node.value, loc)
        if isinstance(found, DynamoTable):
            return found, CopyMode.DYNAMODB
        if isinstance(found, EmrCluster):
            return found, CopyMode.EMR
        scheme = "s3"
    if scheme == "dynamodb":
        dynamo = DYNAMO_SOURCE.match(node.value)
        assert dynamo is not None  # copy_source_scheme accepted it as dynamodb://
        return DynamoTable(dynamo.group("name"), loc), CopyMode.DYNAMODB
    if scheme == "emr":
        match = EMR_SOURCE.match(node.value)
        assert match is not None  # copy_source_scheme accepted it as emr://
        return EmrCluster(match.group("id"), match.group("path") or "", loc), CopyMode.EMR
    mode = CopyMode.SSH if op.get("ssh") else (
        CopyMode.MANIFEST if op.get("manifest") else CopyMode.PREFIX)
    return s3_path(op, "from"), mode


def _copy_format(op: Operation) -> tuple[str, S3Path | Open | None]:
    """FORMAT, and the JSONPaths file of ``json``/``avro`` (which imply that format)."""
    data_format = str(op.get("format") or "text").upper()
    jsonpaths: S3Path | Open | None = None
    for key in ("json", "avro"):
        if op.get(key) is None:
            continue
        if data_format not in ("TEXT", key.upper()):
            raise op.error("RI113", f"{op.path}: {key} conflicts with format "
                                    f"{data_format.lower()}", op.members[key].key_offset)
        data_format = key.upper()
        path, node = op.required(key)
        if op.is_open(node):
            jsonpaths = s3_path(op, key)
            continue
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
    if kms and encrypted is not True and "encrypted" not in op.open:
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
        kms_key=Text(kms[1].value, op.at(kms[1])) if kms else None,
        client_key=encrypted == "client", cleanpath=bool(op.get("cleanpath")),
        partition_by=tuple(n.value for n in op.get("partition_by") or ()),
        options=tuple(op.present()),
    )


def read_library(op: Operation) -> CreateLibrary:
    path, node = op.required("from")
    name = op.get("name") or op.path.rsplit(".", 1)[0]
    if node.value[:8].lower() == "https://":
        return CreateLibrary(op.loc, name, None, node.value,
                             authorization(op, "CREATE LIBRARY", needed=False), region(op))
    return CreateLibrary(op.loc, name, s3_path(op, "from"), node.value,
                         authorization(op, "CREATE LIBRARY"), region(op))


Reader = Callable[[Operation], Copy | Unload | CreateLibrary]  # one operation kind's reader
_READERS: dict[str, Reader] = {"copy": read_copy, "unload": read_unload,
                               "create_library": read_library}

"""A shortcut for the common COPY and UNLOAD: the same statement values without tokens.

Most COPY and UNLOAD statements in real scripts are plain: single spaces or newlines between
words, simple quoted strings, one role, and options that only describe the data. For those,
:func:`read_fast` reads the statement with a few C-level regex matches instead of the token
stream, and returns exactly the value :mod:`parser` would (locations included).

Its option knowledge is the option table's (:mod:`redshift_iam.sql.grammar.option_table`):
it reads the options whose row is not marked parser-only, each by a pattern derived from the
row's shape (:data:`FAST_ARGS`), and declines what ``CONFLICTS`` and ``UNSUPPORTED_BY_SOURCE``
forbid and what :func:`~redshift_iam.core.aws_names.key_warnings` would warn about.

It declines (returns None) at the first thing outside that plain subset - a comment, an
escape, a placeholder, a column list, a role chain, a parser-only option (a secret, one that
changes who or what is accessed: ENCRYPTED, KMS_KEY_ID, CREDENTIALS, keys, SSH, JOB,
SHAPEFILE ..., or one that parses differently inside another: CSV's QUOTE), a JSONPaths
file, anything that would warn or fail, an option given twice - and the caller then runs the
full parser, which reports whatever is wrong. Declining is always safe; accepting must give
the parser's exact value, which ``tests/test_fastpath.py`` checks.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right

from redshift_iam.core.aws_names import (
    ACCOUNT,
    JSONPATHS_WORDS,
    check_region,
    check_role_arn,
    check_s3,
    key_warnings,
    placeholder,
    role_arn_parts,
)
from redshift_iam.core.diagnostics import Location
from redshift_iam.core.source import Source
from redshift_iam.core.sqllex import STRING_BODY
from redshift_iam.core.statements import (
    AuthKind,
    Authorization,
    Copy,
    CopyMode,
    S3Path,
    Text,
    Unload,
)
from redshift_iam.sql.grammar.option_table import (
    CONFLICTS,
    DATA_FORMATS,
    OPTIONS,
    SWITCH_VALUES,
    UNSUPPORTED_BY_SOURCE,
    Option,
)

_W = r"[ \t\n]"
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_STR = r"'[^'\\]*'"  # a quoted string with no escapes: its value is its text
_ANY_STR = f"'{STRING_BODY}'"  # any quoted string (core.sqllex)
_COPY = re.compile(rf"copy{_W}+(?P<table>{_IDENT}(?:\.{_IDENT}){{0,2}}){_W}+from{_W}+"
                   rf"(?P<src>{_STR})", re.I | re.A)
_UNLOAD = re.compile(rf"unload{_W}*\({_W}*'[^'\\]*(?:''[^'\\]*)*'{_W}*\){_W}*to{_W}+"
                     rf"(?P<src>{_STR})", re.I | re.A)
_AS = rf"(?:{_W}+as(?={_W}))?"
_SWITCH = "|".join(sorted(SWITCH_VALUES)).lower()
_JSONPATHS = "|".join(map(re.escape, JSONPATHS_WORDS))  # a file: the parser checks it
# The arguments of each shape of the option table (see Option), as far as the shortcut reads
# them: every fast-readable row's shape must be here (tests/test_option_table.py). CSV is
# read bare: its QUOTE is NESTED, so the shortcut declines at it. FORMAT is in _scanner.
FAST_ARGS = {
    "flag": "", "csv": "", "number": rf"{_AS}{_W}+\d+",
    "size": rf"{_AS}{_W}+\d+(?:{_W}+(?:mb|gb))?", "switch": rf"(?:{_W}+(?:{_SWITCH}))?",
    "word": rf"{_AS}{_W}+(?!as(?:{_W}|\Z))(?:{_IDENT}|{_ANY_STR})",
    "string": rf"{_AS}{_W}+{_ANY_STR}", "string?": rf"(?:{_AS}{_W}+{_ANY_STR})?",
    "region": rf"{_AS}{_W}+'(?P<region>[^'\\]*)'",
    "jsonpaths": rf"(?:{_AS}{_W}+'(?:{_JSONPATHS})')?", "verbose": rf"(?:{_W}+verbose)?",
    "null_as": rf"{_W}+as{_W}+{_ANY_STR}", "null": rf"{_AS}{_W}+{_ANY_STR}",
    "iam_role": rf"{_W}+(?:(?P<default>default)|'(?P<arn>[^'\\,\s]*)')",
    "partition": rf"{_W}+by{_W}*\({_W}*(?P<columns>{_IDENT}(?:{_W}*,{_W}*{_IDENT})*){_W}*\)"
                 rf"(?:{_W}+include)?",
}


def fast_options(command: str) -> dict[str, Option]:
    """The options of ``command`` the shortcut reads: every row not marked parser-only."""
    return {name: option for name, option in OPTIONS.items()
            if command in option.commands and not option.parser_only}


@functools.cache
def _scanner(command: str) -> re.Pattern[str]:
    """One option per match: ``kw`` is its keyword as written, and ``junk`` is set instead
    when the text there is no option this shortcut reads (the caller then declines)."""
    readable = fast_options(command)
    formats = "|".join(sorted(DATA_FORMATS.intersection(readable)))
    alternatives = []
    for name, option in readable.items():
        shape = option.shapes[command]
        args = rf"{_AS}(?={_W}+(?:{formats})\b)" if shape == "format" else FAST_ARGS[shape]
        alternatives.append(f"{name.lower()}{args}")
    return re.compile(rf"{_W}+(?=(?P<kw>\w+))(?:{'|'.join(alternatives)})(?={_W}|\Z)"
                      r"|(?P<junk>.)", re.I | re.A | re.S)


@functools.cache
def _conflicts(command: str) -> tuple[tuple[str, str], ...]:
    """The pairs of CONFLICTS the shortcut could read both of (the parser rejects them)."""
    readable = fast_options(command)
    return tuple((first, second) for first, second, _ in CONFLICTS
                 if first in readable and second in readable)


@functools.cache
def _unsupported(kind: str) -> frozenset[str]:
    """The fast-readable options the reference forbids with a COPY from ``kind`` ("s3" or
    "manifest"; the parser rejects them)."""
    return UNSUPPORTED_BY_SOURCE[kind].intersection(fast_options("COPY"))


class _Decline(Exception):
    """Not the plain subset: the full parser must read this statement."""


class _Read:
    """What the options said."""

    __slots__ = ("names", "auth", "region", "partition_by")

    def __init__(self, names: tuple[str, ...], auth: Authorization, region: Text | None,
                 partition_by: tuple[str, ...]) -> None:
        self.names, self.auth, self.region, self.partition_by = (names, auth, region,
                                                                  partition_by)


class _Where:
    """Offsets to locations in one source (its line starts fetched once per statement)."""

    __slots__ = ("name", "starts")

    def __init__(self, source: Source) -> None:
        self.name, self.starts = source.name, source.line_starts()

    def at(self, offset: int) -> Location:
        line = bisect_right(self.starts, offset)
        return Location(self.name, line, offset - self.starts[line - 1] + 1)


def read_fast(source: Source, start: int, end: int) -> Copy | Unload | None:
    """The statement in ``source.text[start:end]`` (``start`` is its first word), or None
    when it is not in the plain subset described in the module docstring."""
    text = source.text
    try:
        if text[start] in "cC":
            head = _COPY.match(text, start, end)
            return _copy(source, head, end) if head else None
        head = _UNLOAD.match(text, start, end)
        return _unload(source, head, end) if head else None
    except _Decline:
        return None


def _copy(source: Source, head: re.Match[str], end: int) -> Copy:
    where = _Where(source)
    read = _options(source, where, head, end, "COPY")
    formats = [name for name in read.names if name in DATA_FORMATS]  # at most one
    kind = "manifest" if "MANIFEST" in read.names else "s3"
    if not _unsupported(kind).isdisjoint(read.names):
        raise _Decline  # RI114 (none today: SSH and READRATIO are parser-only)
    mode = CopyMode.MANIFEST if kind == "manifest" else CopyMode.PREFIX
    return Copy(where.at(head.start()), head["table"], _s3(where, head), mode, read.auth,
                formats[0] if formats else "TEXT", None, read.region, False, read.names, "")


def _unload(source: Source, head: re.Match[str], end: int) -> Unload:
    where = _Where(source)
    read = _options(source, where, head, end, "UNLOAD")
    return Unload(where.at(head.start()), _s3(where, head), read.auth, read.region,
                  False, False, None, False, "CLEANPATH" in read.names, read.partition_by,
                  read.names)


def _options(source: Source, where: _Where, head: re.Match[str], end: int, command: str
             ) -> _Read:
    """The options after the head, each read once; declines on anything outside the subset,
    an option given twice, two data formats, or no IAM_ROLE."""
    text, pos = source.text, head.end()
    end = pos + len(text[pos:end].rstrip(" \t\n"))
    matches = []
    for match in _scanner(command).finditer(text, pos, end):
        if match[1] is None:  # group 1 is the keyword; None where it is junk
            raise _Decline  # at the first junk: the rest may be megabytes of it
        matches.append(match)
    names = [m[1].upper() for m in matches]
    if (len(set(names)) != len(names) or "IAM_ROLE" not in names
            or len(DATA_FORMATS.intersection(names)) > 1):
        raise _Decline
    for first, second in _conflicts(command):
        if first in names and second in names:
            raise _Decline  # RI113
    role = matches[names.index("IAM_ROLE")]
    region = matches[names.index("REGION")] if "REGION" in names else None
    partition = matches[names.index("PARTITION")]["columns"] if "PARTITION" in names else ""
    return _Read(tuple(names), _role(where, role), region and _region(where, region),
                 tuple(c.strip(" \t\n") for c in partition.split(",")) if partition else ())


def _role(where: _Where, match: re.Match[str]) -> Authorization:
    loc = where.at(match.start(1))
    if match["default"]:
        return Authorization(AuthKind.DEFAULT_ROLE, loc)
    arn = match["arn"]
    if not _plain_role(arn):
        raise _Decline  # the parser reports it, or warns (RW201)
    return Authorization(AuthKind.ROLE, loc, roles=(Text(arn, where.at(match.start("arn"))),))


@functools.lru_cache(maxsize=1024)
def _plain_role(arn: str) -> bool:
    """A valid role ARN of a 12-digit account: the parser would neither fail nor warn."""
    parts = None if check_role_arn(arn) else role_arn_parts(arn)
    return parts is not None and bool(ACCOUNT.match(parts.group("account")))


def _region(where: _Where, match: re.Match[str]) -> Text:
    value = match["region"]
    if not _plain_region(value):
        raise _Decline
    return Text(value, where.at(match.start("region") - 1))  # at the quote


@functools.lru_cache(maxsize=1024)
def _plain_region(value: str) -> bool:
    return not placeholder(value) and not check_region(value)


def _s3(where: _Where, head: re.Match[str]) -> S3Path:
    """The FROM/TO location, unless the parser would reject it or warn about it."""
    value = head["src"][1:-1]
    if value[:5].lower() != "s3://" or check_s3(value):
        raise _Decline
    bucket, _, key = value[5:].partition("/")
    if key_warnings(key):
        raise _Decline  # RW206, RW207: the parser warns
    return S3Path(bucket, key, where.at(head.start("src")))



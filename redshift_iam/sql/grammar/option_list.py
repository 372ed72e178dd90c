"""Reads the option list that follows COPY ... FROM, UNLOAD ... TO and CREATE LIBRARY ... FROM.

Arguments are read by the shape the option table gives for the command (the shortcut in
:mod:`redshift_iam.sql.fastpath` derives its patterns from the same shapes); what an option
means for IAM is kept in :class:`ReadOptions` for the statement parsers to check and assemble.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from redshift_iam.core.statements import Authorization, Open
from redshift_iam.sql.cursor import Cursor
from redshift_iam.sql.grammar import authorization as auth
from redshift_iam.sql.grammar import open_slots
from redshift_iam.sql.grammar.idents import column_names, escaping_block
from redshift_iam.sql.grammar.option_table import DATA_FORMATS, OPTIONS, SWITCH_VALUES
from redshift_iam.sql.tokens import Token


@dataclass
class ReadOptions:
    """What the option list said. Mutable while reading; the parsers copy it into frozen
    statements."""

    command: str
    seen: dict[str, Token] = field(default_factory=dict)
    strings: dict[str, Token] = field(default_factory=dict)
    auth: Authorization | None = None
    data_format: str = "TEXT"
    flags: set[str] = field(default_factory=set)  # VERBOSE, AUTO (ENCRYPTED AUTO), INCLUDE
    partition_by: tuple[str, ...] = ()
    job: str = ""
    open_options: list[Open] = field(default_factory=list)  # template slots options may fill


def read_options(cursor: Cursor, command: str) -> ReadOptions:
    """Consume options to the end of the statement. Unknown words are errors (RI111)."""
    read = ReadOptions(command)
    while cursor.peek() is not None:
        if _open_slot(cursor, read):  # {copy_options}: options unknown
            continue
        token = cursor.next("an option")
        if token.text == ",":
            continue  # the reference's "[ parameter [ argument ] [, ... ] ]"
        _read_one(cursor, read, token)
    return read


def _lookup(cursor: Cursor, command: str, token: Token) -> str:
    if token.kind == "placeholder" and not cursor.templated:
        raise cursor.error("RI121", f"placeholder {token.text!r} where an option was expected",
                           token)
    option = OPTIONS.get(token.upper) if token.kind == "word" else None
    if option is None:  # what follows an unknown word may be its secret value: hide it
        raise cursor.error("RI111", f"unknown {command} option {cursor.shown(token)}"
                           f"{_did_you_mean(command, token)}", token,
                           redact_from=token.end if cursor.peek() is not None else None)
    shape = option.shapes.get(command)
    if shape is None:
        raise cursor.error("RI111", f"{option.name} is not a {command} option", token)
    return shape


def _did_you_mean(command: str, token: Token) -> str:
    """`` (did you mean PARALLEL?)`` for a word close to an option of ``command``."""
    import difflib

    if token.kind != "word":
        return ""
    names = sorted(name for name, row in OPTIONS.items() if command in row.shapes)
    close = difflib.get_close_matches(token.upper, names, n=1, cutoff=0.8)
    return f" (did you mean {close[0]}?)" if close else ""


def _read_one(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    name, shape = token.upper, _lookup(cursor, read.command, token)
    if shape == "with":  # WITH CREDENTIALS is CREDENTIALS
        if _open_slot(cursor, read):  # WITH {opts}: what follows WITH is unknown
            return
        token = cursor.expect_word("CREDENTIALS")
        name, shape = "CREDENTIALS", OPTIONS["CREDENTIALS"].shapes[read.command]
    if name in read.seen:
        raise cursor.error("RI112", f"{name} is given twice", token)
    read.seen[name] = token
    handler = _SPECIAL.get(shape)
    if handler:
        handler(cursor, read, token)
    else:
        _read_plain(cursor, read, name, shape)


# The shapes _read_plain reads; the others have a handler in _SPECIAL.
PLAIN_SHAPES = frozenset({"flag", "string", "region", "string?", "jsonpaths", "number", "word",
                          "size", "secret", "switch"})


def _read_plain(cursor: Cursor, read: ReadOptions, name: str, shape: str) -> None:
    """Arguments of the PLAIN_SHAPES; only string values are kept."""
    if shape in ("string", "region", "string?", "jsonpaths", "number", "word", "size"):
        cursor.accept_word("AS")
    if shape in ("string", "region"):
        read.strings[name] = cursor.expect_string(f"the {name} value")
    elif shape == "secret":
        cursor.accept_word("AS")
        cursor.expect_string(f"the {name} value", secret=True)  # read past; never kept
    elif shape in ("string?", "jsonpaths"):
        ahead = cursor.peek()
        if ahead is not None and (ahead.kind == "string" or (
                shape == "jsonpaths" and ahead.kind == "sentinel" and cursor.templated
                and not open_slots.has_branches(cursor, ahead))):
            read.strings[name] = cursor.next("")  # JSON {path}: as JSON '{path}'
    elif shape in ("number", "size"):
        _expect_number(cursor, name)
        if shape == "size":
            cursor.accept_word("MB", "GB")
    elif shape == "word":
        value = cursor.next(f"the {name} value")
        if value.kind not in ("word", "string", "sentinel"):
            raise cursor.error("RI110", f"expected a value after {name}", value)
    elif shape == "switch":
        cursor.accept_word(*SWITCH_VALUES)
    if name in DATA_FORMATS:
        _set_format(cursor, read, name)


def _open_slot(cursor: Cursor, read: ReadOptions) -> bool:
    """Consume a sentinel that stands where options may (RI148); False if none is next."""
    ahead = cursor.peek()
    if ahead is None or ahead.kind != "sentinel" or not cursor.templated:
        return False
    read.open_options.append(open_slots.options_slot(cursor, cursor.next("")))
    return True


def _expect_number(cursor: Cursor, name: str) -> None:
    value = cursor.next(f"a number after {name}")
    if value.kind not in ("number", "sentinel"):  # a placeholder number needs no permission
        raise cursor.error("RI110", f"expected a number after {name}", value)


def _set_format(cursor: Cursor, read: ReadOptions, name: str) -> None:
    if read.data_format != "TEXT" and read.data_format != name:
        raise cursor.error("RI113", f"{name} conflicts with {read.data_format}",
                           read.seen.get(name) or cursor.tokens[cursor.pos - 1])
    read.data_format = name


def _format(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    cursor.accept_word("AS")
    fmt = cursor.next("a data format")
    if fmt.kind == "sentinel":  # FORMAT AS {fmt}: SHAPEFILE or a JSONPaths file may hide there
        read.open_options.append(open_slots.options_slot(cursor, fmt))
        return
    allowed = DATA_FORMATS | FORMAT_WORDS.get(read.command, frozenset())
    if fmt.kind != "word" or fmt.upper not in allowed:
        raise cursor.error("RI110", f"expected a data format ({', '.join(sorted(allowed))})"
                           f" after FORMAT", fmt)
    if read.command not in OPTIONS[fmt.upper].commands:
        raise cursor.error("RI111", f"{fmt.upper} is not a {read.command} format", fmt)
    _read_one(cursor, read, fmt)


# The other data-format parameters FORMAT [AS] may introduce, per command: the COPY reference
# lists DELIMITER among them (https://docs.aws.amazon.com/redshift/latest/dg/
# copy-parameters-data-format.html: "FORMAT [AS] ... DELIMITER [ AS ] ['delimiter_char']").
FORMAT_WORDS = {"COPY": frozenset({"DELIMITER"})}


def _csv(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    _set_format(cursor, read, "CSV")
    if cursor.accept_word("QUOTE"):
        cursor.accept_word("AS")
        cursor.expect_string("the QUOTE character")


def _shapefile(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    _set_format(cursor, read, "SHAPEFILE")
    if cursor.accept_word("SIMPLIFY"):
        cursor.accept_word("AUTO")
        nxt = cursor.peek()
        if nxt is not None and nxt.kind in ("number", "string"):
            cursor.next("")


def _partition(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    cursor.expect_word("BY")
    inside = cursor.skip_parens()
    read.partition_by = column_names(cursor, inside)
    if (block := escaping_block(cursor, inside)) is not None:  # its branches may add options
        read.open_options.append(open_slots.options_slot(cursor, block))
    if not read.partition_by:
        raise cursor.error("RI110", "PARTITION BY needs at least one column", token)
    if cursor.accept_word("INCLUDE"):
        read.flags.add("INCLUDE")


def _verbose(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    if cursor.accept_word("VERBOSE"):
        read.flags.add("VERBOSE")


def _auto(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    if cursor.accept_word("AUTO"):
        read.flags.add("AUTO")


def _null_as(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    cursor.expect_word("AS")
    cursor.expect_string("the NULL string")


def _null(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    cursor.accept_word("AS")
    cursor.expect_string("the NULL string")


def _iam_role(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    read.auth = auth.from_iam_role(cursor, token)


def _credentials(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    cursor.accept_word("AS")
    value = cursor.expect_string("the credentials string")
    read.auth = auth.from_credentials(cursor, token, value)


def _job(cursor: Cursor, read: ReadOptions, token: Token) -> None:
    cursor.expect_word("CREATE")
    name = cursor.next("the job name")
    if name.kind not in ("word", "qident"):
        raise cursor.error("RI110", "expected the job name after JOB CREATE", name)
    read.job = name.value
    if cursor.accept_word("AUTO"):
        cursor.expect_word("ON", "OFF")


_SPECIAL = {
    "format": _format, "csv": _csv, "shapefile": _shapefile, "partition": _partition,
    "verbose": _verbose, "auto": _auto, "null_as": _null_as, "null": _null,
    "iam_role": _iam_role, "credentials": _credentials, "job": _job,
}

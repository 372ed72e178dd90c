"""Names in the grammar's name slots (the table, its columns, PARTITION BY's columns), where a
template may glue placeholders to text.

A name needs no permission, so a placeholder in it changes nothing: ``stage_{{ batch }}``,
``<params.T>_STAGING`` and ``t_{x}_2`` are one name each (the tokens written together with a
sentinel among them), and a placeholder in a column list stands for any columns. A Jinja block
in a column list (a ``for`` over unknown columns) is such a placeholder too, unless one of its
recorded branches would close the list (an unbalanced parenthesis): then what follows it may be
options, and the caller leaves the option set open instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from redshift_iam.core.placeholders import indices
from redshift_iam.core.statements import Open
from redshift_iam.sql.cursor import Cursor
from redshift_iam.sql.grammar import open_slots
from redshift_iam.sql.tokens import Token

# Token kinds a placeholder may be glued to in a name.
_GLUE = frozenset({"word", "qident", "sentinel", "number"})
_NAME_KINDS = frozenset({"word", "qident", "sentinel", "placeholder"})


def glued(tokens: Sequence[Token], at: int) -> int:
    """The index past the tokens from ``at`` written together (no space between them) with a
    sentinel in each glued pair: ``stage_`` + sentinel, sentinel + ``_STAGING``."""
    end = at + 1
    while (end < len(tokens) and tokens[end].start == tokens[end - 1].end
           and tokens[end].kind in _GLUE and tokens[at].kind in _GLUE
           and "sentinel" in (tokens[end].kind, tokens[end - 1].kind)):
        end += 1
    return end


def next_name(cursor: Cursor, what: str) -> list[Token]:
    """Consume one name part: a token, and in a template the tokens glued to it."""
    start = cursor.pos
    cursor.next(what)
    if cursor.templated:
        cursor.pos = glued(cursor.tokens, start)
    return cursor.tokens[start:cursor.pos]


def name_text(run: Sequence[Token]) -> str:
    """A name part's text (a quoted identifier's value, without its quotes)."""
    return "".join(token.value for token in run)


def table_name(cursor: Cursor) -> str:
    """``[schema.]table``; in a template each part may be text glued to placeholders."""
    parts = [next_name(cursor, "the table name")]
    while (ahead := cursor.peek()) is not None and ahead.text == ".":
        cursor.next("")
        parts.append(next_name(cursor, "the table name"))
    for run in parts:
        for part in run:
            if part.text == "<" and not cursor.templated:
                raise cursor.error("RI121", "placeholder '<...>' instead of a table name", part)
            if part.kind not in _NAME_KINDS and not (part.kind == "number" and len(run) > 1):
                raise cursor.error("RI110", "expected a table name", part)
    return ".".join(name_text(run) for run in parts)


def column_list(cursor: Cursor) -> Open | None:
    """COPY's optional ``(column, ...)``; in a template a placeholder right before FROM
    stands for it (``COPY {t} {cols} FROM``). Column names need no permission; the open
    option slot of a Jinja block in the list whose branch would close it is returned."""
    ahead = cursor.peek()
    if ahead is not None and ahead.text == "(":
        block = escaping_block(cursor, cursor.skip_parens())
        return None if block is None else open_slots.options_slot(cursor, block)
    if (ahead is not None and ahead.kind == "sentinel" and cursor.templated
            and (after := cursor.peek(glued(cursor.tokens, cursor.pos) - cursor.pos))
            is not None and after.kind == "word" and after.upper == "FROM"):
        block = escaping_block(cursor, next_name(cursor, "the column list"), whole=True)
        return None if block is None else open_slots.options_slot(cursor, block)
    return None


def column_names(cursor: Cursor, inside: Sequence[Token]) -> tuple[str, ...]:
    """The names in a column list's tokens (``inside`` its parentheses), placeholders glued
    to text read as one name."""
    names, at = [], 0
    while at < len(inside):
        token = inside[at]
        end = glued(inside, at) if cursor.templated else at + 1
        if token.kind in ("word", "qident") or (token.kind == "sentinel" and cursor.templated):
            names.append(name_text(inside[at:end]))
        at = end
    return tuple(names)


def escaping_block(cursor: Cursor, inside: Sequence[Token], whole: bool = False
                   ) -> Token | None:
    """A sentinel in a column list whose Jinja block has a branch that would close the list
    (its parentheses do not balance), or None. With ``whole`` the sentinels stand for the
    whole list (``COPY t {% if c %}(a, b){% endif %} FROM``): each branch must be empty or
    one parenthesised list."""
    origin = cursor.source.origin
    branches = getattr(origin, "branches", None) or {}
    for token in inside:
        if token.kind != "sentinel":
            continue
        for index in indices(token.text):
            if any(not _fits(branch, whole) for branch in branches.get(index, ())):
                return token
    return None


def _fits(branch: str, whole: bool) -> bool:
    text = branch.strip()
    if whole and text and not (text[0] == "(" and text[-1] == ")"
                               and _balanced(text[1:-1])):
        return False
    return _balanced(text)


# A quoted identifier that closes; what else could hide a parenthesis from the count (a
# comment, a string, a dollar body) makes a branch unfit whatever its parentheses.
_QUOTED_NAME = re.compile(r'"(?:[^"]|"")*"')
_HIDES = re.compile(r"--|/\*|\*/|['\"$]")


def _balanced(text: str) -> bool:
    if _HIDES.search(_QUOTED_NAME.sub("x", text)):
        return False
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0

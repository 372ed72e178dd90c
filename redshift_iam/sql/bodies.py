"""Statements inside function and procedure bodies: ``CREATE PROCEDURE p() AS $$ BEGIN COPY
...; END; $$`` runs its COPY with the cluster's roles when called, so the COPY, UNLOAD and
CREATE LIBRARY statements written out in a dollar-quoted body (``$$``, ``$body$``) are read
at their own positions, as if the script held them.

https://docs.aws.amazon.com/redshift/latest/dg/c_PLpgSQL-statements.html

A statement of the body starts the body or follows ``;``, ``BEGIN``, ``THEN``, ``ELSE`` or
``LOOP`` (white space and comments between), and ends at the next ``;`` outside strings,
quoted identifiers and comments (or at the body's end). Dynamic SQL (``EXECUTE 'COPY ...' ||
r``, ``EXECUTE format(...)``) has no text to read: when the body still runs a COPY, UNLOAD or
CREATE LIBRARY with a role outside the statements read, the caller keeps it unmapped (RI130).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.source import Source
from redshift_iam.core.sqllex import FLAT_BLOCK, GAP, LINE_COMMENT, QIDENT, STRING
from redshift_iam.core.statement_kinds import ROLE_KINDS
from redshift_iam.sql.lexer import Segment
from redshift_iam.sql.tokens import tokens

_HEADS = "|".join(dict.fromkeys(r"\s+(?:OR\s+REPLACE\s+)?".join(kind.words[:2])
                                for kind in ROLE_KINDS if kind.mapped))
# Where a body statement may start: the offset of its first word is group "word".
_START = LazyRegex(rf"(?:\A|;|\b(?:BEGIN|THEN|ELSE|LOOP)\b)(?:{GAP})*(?P<word>(?:{_HEADS})\b)",
                   re.I | re.S)
# A statement's text up to its ``;``: what can hide one is stepped over whole.
_UNTIL_SEMI = LazyRegex(rf"(?:[^;'\"/-]++|{STRING}'|{QIDENT}\"|{LINE_COMMENT}|{FLAT_BLOCK}|[/-])*",
                        re.S)


class Body(NamedTuple):
    """The statements written out in a body, and the body's text without them."""

    statements: list[tuple[Segment, int]]  # each with the offset of its first word
    rest: str


def body_statements(source: Source, segment: Segment) -> list[Body]:
    """The dollar-quoted bodies of the statement at ``segment``, each with its COPY, UNLOAD
    and CREATE LIBRARY statements (offsets in ``source``)."""
    bodies = []
    for token in tokens(source, segment):
        if token.kind != "dollar":
            continue
        start = token.start + token.text.index("$", 1) + 1
        if source.text[start:start + len(token.value)] != token.value:
            continue  # not the source's own text: nothing to place
        bodies.append(_body(token.value, start))
    return bodies


def _body(text: str, offset: int) -> Body:
    """The statements of one body whose text starts at ``offset``."""
    found, rest, last = [], [], 0
    for match in _START.finditer(text):
        word = match.start("word")
        if word < last:
            continue
        end = _UNTIL_SEMI.match(text, word).end()  # type: ignore[union-attr]
        found.append((Segment(offset + word, offset + end), offset + word))
        rest.append(text[last:word])
        last = end
    rest.append(text[last:])
    return Body(found, "".join(rest))

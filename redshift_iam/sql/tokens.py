"""The statement reader's second stage: tokenize one statement, each token with its offset,
line and column.

Template placeholders (Jinja ``{{ x }}``, ``{% %}``, ``${VAR}``, ``{name}``, ``%s``,
``%(name)s``, psql ``:var``) are tokens of their own kind, so later stages can treat them as
typed values with positions instead of as syntax errors. In a rendered template, an
unresolved placeholder is a sentinel (``core.placeholders``): bare it is a ``sentinel`` token;
inside a string literal it stays in the string's value, where the parser classifies it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from redshift_iam.core.placeholders import PLACEHOLDER, SENTINEL_CLOSE, SENTINEL_OPEN
from redshift_iam.core.source import Source
from redshift_iam.sql.comments import nested_end
from redshift_iam.sql.lexer import (
    BLOCK_PATTERN,
    DOLLAR_PATTERN,
    QIDENT_PATTERN,
    STRING_PATTERN,
    UNTERMINATED,
    Segment,
    check_closed,
)

_TOKEN_PATTERN = (
    "|".join([
        r"(?P<ws>\s+)",
        r"(?P<comment>--[^\n]*)",
        f"(?P<block>{BLOCK_PATTERN.format('b_end')})",
        f"(?P<string>{STRING_PATTERN.format('s_end')})",
        f"(?P<qident>{QIDENT_PATTERN.format('q_end')})",
        f"(?P<dollar>{DOLLAR_PATTERN.format('d_')})",
        r"(?P<op>::)",
        f"(?P<sentinel>{SENTINEL_OPEN}[0-9]+{SENTINEL_CLOSE})",
        f"(?P<placeholder>{PLACEHOLDER})",
        r"(?P<word>#?[^\W\d][\w$]*)",  # $ may follow the first character; # starts a temp table
        r"(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)",
        r"(?P<punct>[(),;.\[\]])",
        r"(?P<op2><=|>=|<>|!=|\|\||[-+*/%<>=~!@#^&|`?:$\\{}])",
        r"(?P<other>.)",
    ])
)


@functools.cache
def _token_regex() -> re.Pattern[str]:
    """Compiled on first use: scripts of plain statements never tokenize."""
    return re.compile(_TOKEN_PATTERN, re.S)


class Token(NamedTuple):
    """One lexical token. ``value`` is the unescaped text for strings and quoted identifiers.

    A NamedTuple rather than a dataclass: it is immutable and typed, and it is the one value
    created per token, so its cheap construction matters."""

    kind: str  # word, string, qident, dollar, number, punct, op, placeholder, sentinel
    text: str
    value: str
    start: int
    line: int
    col: int

    @property
    def upper(self) -> str:
        return self.text.upper()

    @property
    def end(self) -> int:
        return self.start + len(self.text)



def _unescape_string(raw: str) -> str:
    body = raw[1:-1] if raw[0] == "'" else raw[2:-1]
    if "'" not in body and "\\" not in body:
        return body
    return re.sub(r"''|\\(['\\])", lambda m: m.group(1) or "'", body)


def _value(kind: str, raw: str) -> str:
    if kind == "string":
        return _unescape_string(raw)
    if kind == "qident":
        return raw[1:-1].replace('""', '"')
    if kind == "dollar":
        return raw[raw.index("$", 1) + 1: raw.rindex("$", 0, len(raw) - 1)]
    return raw


def tokens(source: Source, segment: Segment) -> Iterator[Token]:
    """Tokenize one statement lazily; whitespace and comments are dropped.

    Line and column are tracked as the scan goes (one bisect per statement, not per token),
    so this stays linear in the statement. A rendered template (``source.origin``) maps each
    token to the template's line and column instead.
    """
    if source.origin is not None:
        return _mapped(source, segment)
    return _tokens(source, segment)


def _mapped(source: Source, segment: Segment) -> Iterator[Token]:
    for token in _tokens(source, segment):
        where = source.location(token.start)
        yield token._replace(line=where.line, col=where.col)


def _tokens(source: Source, segment: Segment) -> Iterator[Token]:
    text = source.text
    pos: int | None = segment.start
    first = source.location(segment.start)
    line, line_start = first.line, segment.start - first.col + 1
    while pos is not None:
        resume, pos = pos, None
        for match in _token_regex().finditer(text, resume, segment.end):
            kind, start = match.lastgroup or "", match.start()  # every branch is a named group
            raw = match.group()
            if kind not in ("ws", "comment"):
                if kind == "block" and not match.group("b_end"):  # nested: step over it whole
                    pos = nested_end(source, start, segment.end, segment.start)
                    raw = text[start:pos]
                elif kind in UNTERMINATED or kind == "dollar":
                    check_closed(source, match, kind)
                if kind != "block":
                    kind = "op" if kind == "op2" else kind
                    yield Token(kind, raw, _value(kind, raw), start, line, start - line_start + 1)
            if "\n" in raw:
                line += raw.count("\n")
                line_start = start + raw.rindex("\n") + 1
            if pos is not None:
                break

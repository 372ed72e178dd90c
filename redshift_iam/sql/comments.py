"""Block comments nest, as in PostgreSQL and psql: ``/* a /* b */ c */`` is one comment.

https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-COMMENTS

Python's ``re`` cannot match nesting. The lexer's regexes match ``core.sqllex.FLAT_BLOCK``, a
comment with no ``/*`` inside (the common case, in C), and stop at any other;
``core.sqllex.block_end`` then counts openers and closers, and :class:`Joined` stands for a
statement matched in parts. This module holds the reader's side: the error of a comment that
never closes, and the statement value matched in parts.
"""

from __future__ import annotations

from typing import NoReturn

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.secrets import secret_start
from redshift_iam.core.source import Source
from redshift_iam.core.sqllex import block_end


def raise_open_comment(source: Source, opener: int, statement: int) -> NoReturn:
    """RI103 at the outermost opener of a comment that never closes; the snippet hides what
    follows the statement's first secret-bearing option (``statement`` is where it starts)."""
    secret = secret_start(source.text, statement, opener)
    raise InputError(source.diagnostic("RI103", "unterminated block comment", opener, secret))


class Joined:
    """A statement the regex matched in parts, around nested block comments: the parts of
    ``re.Match`` that the lexer's statement loop hands its callers (``lastindex``, ``[group]``,
    ``start(group)``, ``end(group)``), for the groups it was given."""

    __slots__ = ("lastindex", "_groups", "_starts", "_ends")

    def __init__(self, lastindex: int | None, groups: dict, starts: dict, ends: dict) -> None:
        self.lastindex, self._groups, self._starts, self._ends = lastindex, groups, starts, ends

    def __getitem__(self, group: int | str) -> str | None:
        return self._groups[group]

    def start(self, group: int | str = 0) -> int:
        return self._starts[group]

    def end(self, group: int | str = 0) -> int:
        return self._ends[group]


def nested_end(source: Source, opener: int, end: int, statement: int) -> int:
    """Past the nested block comment at ``opener``; RI103 when it does not close by ``end``."""
    stop = block_end(source.text, opener, end)
    if stop is None:
        raise_open_comment(source, opener, statement)
    return stop

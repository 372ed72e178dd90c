"""What a statement is, from its first words, by the table of statement kinds
(``core.statement_kinds``): COPY, UNLOAD, LIBRARY (CREATE [OR REPLACE] LIBRARY), the name of a
role-using statement the tool does not map yet (CREATE EXTERNAL ..., CREATE MODEL, COPY JOB
RUN), or None. Comments (nested ones too) may stand between the words. A statement that starts
like a kind but is another database's SQL (``core.statement_kinds.NOT_REDSHIFT``) is named by
:func:`foreign`."""

from __future__ import annotations

import re

from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.source import Source
from redshift_iam.core.sqllex import GAP, GAPS, skip_gap
from redshift_iam.core.statement_kinds import KINDS, NOT_REDSHIFT, VERBS, Foreign
from redshift_iam.sql.lexer import Segment

__all__ = ["VERBS", "foreign", "statement_kind"]

# The first five words of a statement, stepping over comments; where they stop at a nested
# comment, _words_slowly() reads on.
_HEAD = LazyRegex(rf"{GAP}*(\w+)" + rf"(?:{GAP}+(\w+))?" * 4, re.S)
_WORD = LazyRegex(r"\w+")
_HEAD_WORDS = 5
# Longest first: COPY JOB RUN before COPY.
_ROWS = sorted(KINDS, key=lambda kind: -len(kind.words))
_FOREIGN = LazyRegex("|".join(f"(?P<f{index}>{row.pattern})"
                              for index, row in enumerate(NOT_REDSHIFT)), re.I | re.S)


def statement_kind(source: Source, segment: Segment) -> str | None:
    """What the statement is, from its first words."""
    words = _head_words(source.text, segment.start, segment.end)
    if not words or words[0] not in VERBS:
        return None
    return _classify(words)


def foreign(source: Source, word: int, end: int) -> Foreign | None:
    """The row of ``NOT_REDSHIFT`` the statement whose first word stands at ``word`` matches,
    or None."""
    found = _FOREIGN.match(source.text, word, end)
    return NOT_REDSHIFT[int(found.lastgroup[1:])] if found else None  # type: ignore[index]


def _head_words(text: str, start: int, end: int) -> list[str]:
    """The first five words of ``text[start:end]`` (upper-cased), with nothing but white
    space and comments between them: one regex match unless a nested comment stops it."""
    head = _HEAD.match(text, start, end)
    words = [w.upper() for w in head.groups() if w] if head else []
    stop = head.end() if head else start
    if len(words) < _HEAD_WORDS and text.startswith(
            "/*", GAPS.match(text, stop, end).end()):  # type: ignore[union-attr]
        words += _words_slowly(text, stop, end, _HEAD_WORDS - len(words))
    return words


def _words_slowly(text: str, pos: int, end: int, count: int) -> list[str]:
    """Up to ``count`` words from ``pos``, each after white space and comments (nested ones
    included); stops at anything else."""
    words: list[str] = []
    while len(words) < count:
        gap = skip_gap(text, pos, end)
        word = _WORD.match(text, gap, end)
        if word is None or (gap == pos and words):
            break
        words.append(word.group().upper())
        pos = word.end()
    return words


def _classify(words: list[str]) -> str | None:
    """The kind whose words start the statement (the longest), named as the table says."""
    if words[:3] == ["CREATE", "OR", "REPLACE"]:
        words = ["CREATE", *words[3:]]
    for kind in _ROWS:
        size = len(kind.words)
        if tuple(words[:size]) == kind.words:
            if kind.name is None:
                return None
            return kind.name.format(words[size] if len(words) > size else "").strip()
    return None

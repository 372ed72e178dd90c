"""What a statement is, from its first words: COPY, UNLOAD, LIBRARY (CREATE [OR REPLACE]
LIBRARY), the name of a role-using statement the tool does not map yet (CREATE EXTERNAL ...,
CREATE MODEL, COPY JOB RUN), or None. Comments (nested ones too) may stand between the words."""

from __future__ import annotations

import re

from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.source import Source
from redshift_iam.sql.comments import FLAT_BLOCK, block_end
from redshift_iam.sql.lexer import Segment

# One white-space character or one whole comment without a nested one: no two ways to match
# the same text, so the repeated groups below cannot backtrack exponentially.
_GAP = rf"(?:\s|--[^\n]*(?![^\n])|{FLAT_BLOCK})"
# The first five words of a statement, stepping over comments; where they stop at a nested
# comment, _words_slowly() reads on.
_HEAD = LazyRegex(rf"{_GAP}*(\w+)" + rf"(?:{_GAP}+(\w+))?" * 4, re.S)
_GAPS = LazyRegex(rf"{_GAP}*", re.S)
_WORD = LazyRegex(r"\w+")
_HEAD_WORDS = 5
VERBS = frozenset({"COPY", "UNLOAD", "CREATE"})
_JOB_VERBS = frozenset({"RUN", "LIST", "SHOW", "DROP", "ALTER"})
_UNMAPPED_HEADS = {"EXTERNAL": "CREATE EXTERNAL {0}", "MODEL": "CREATE MODEL"}


def statement_kind(source: Source, segment: Segment) -> str | None:
    """What the statement is, from its first words."""
    words = _head_words(source.text, segment.start, segment.end)
    if not words or words[0] not in VERBS:
        return None
    return _classify(words)


def _head_words(text: str, start: int, end: int) -> list[str]:
    """The first five words of ``text[start:end]`` (upper-cased), with nothing but white
    space and comments between them: one regex match unless a nested comment stops it."""
    head = _HEAD.match(text, start, end)
    words = [w.upper() for w in head.groups() if w] if head else []
    stop = head.end() if head else start
    if len(words) < _HEAD_WORDS and text.startswith("/*", _GAPS.match(text, stop, end).end()):
        words += _words_slowly(text, stop, end, _HEAD_WORDS - len(words))
    return words


def _words_slowly(text: str, pos: int, end: int, count: int) -> list[str]:
    """Up to ``count`` words from ``pos``, each after white space and comments (nested ones
    included); stops at anything else."""
    words: list[str] = []
    while len(words) < count:
        gap = _GAPS.match(text, pos, end).end()
        while text.startswith("/*", gap) and (after := block_end(text, gap, end)) is not None:
            gap = _GAPS.match(text, after, end).end()
        word = _WORD.match(text, gap, end)
        if word is None or (gap == pos and words):
            break
        words.append(word.group().upper())
        pos = word.end()
    return words


def _classify(words: list[str]) -> str | None:
    """COPY, UNLOAD, LIBRARY, the name of an unmapped role-using statement, or None."""
    if not words:
        return None
    if words[0] == "COPY":
        if words[1:2] == ["JOB"] and words[2:3] and words[2] in _JOB_VERBS:
            # RUN replays a stored COPY that this script may not show: not mappable here.
            return "COPY JOB RUN" if words[2] == "RUN" else None
        return "COPY"
    if words[0] == "UNLOAD":
        return "UNLOAD"
    if words[0] != "CREATE":
        return None
    rest = words[3:] if words[1:3] == ["OR", "REPLACE"] else words[1:]
    if rest[:1] == ["LIBRARY"]:
        return "LIBRARY"
    if rest[:1] and rest[0] in _UNMAPPED_HEADS:
        return _UNMAPPED_HEADS[rest[0]].format(rest[1] if len(rest) > 1 else "").strip()
    return None

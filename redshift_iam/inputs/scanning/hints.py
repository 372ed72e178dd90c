"""Where SQL may stand in source code: cheap byte-level hints that decide what ``ast`` parses.

``import copy``, ``x.copy()``, "unload the cache" and "copy of the list" are common in code, so a
source file is parsed only where a keyword stands as SQL would (``RULES``, one row per word,
checked on the lower-cased bytes at each occurrence; ``data`` keeps the case):

| word | a hint when |
|---|---|
| copy | after ``redshift.`` (awswrangler's ``copy``, ``copy_from_files``); or a word, and
  upper-case ``COPY`` before white space, or ``FROM`` and a quote, backslash or placeholder
  follow within 400 bytes (no ``;`` between) |
| unload | after ``redshift.``; or a word, and ``(`` follows, or upper-case ``UNLOAD`` |
| library, external, model | a word after ``create [or replace]`` (each kind of
  ``core.statement_kinds`` that starts with CREATE) |
| s3toredshift, redshifttos3 | always (Airflow's transfer operators) |
"""

from __future__ import annotations

import re
from collections.abc import Callable

from redshift_iam.core.statement_kinds import ROLE_KINDS

_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")
_SPACE = frozenset(b" \t\r\n\f\v")
_COPY_SHAPE = re.compile(rb"\s[^;]{0,400}?\bfrom\s*['\"{%$:<#\\]")
_UNLOAD_SHAPE = re.compile(rb"\s*\(")
_CREATE_BEFORE = re.compile(rb"create\s+(?:or\s+replace\s+)?\Z")


def _word(lowered: bytes, index: int, size: int) -> bool:
    before = index == 0 or lowered[index - 1] not in _WORD
    end = index + size
    return before and (end >= len(lowered) or lowered[end] not in _WORD)


def _called(lowered: bytes, index: int) -> bool:
    return lowered[max(0, index - 9):index] == b"redshift."


def _copy(data: bytes, lowered: bytes, index: int) -> bool:
    if _called(lowered, index):
        return True
    if not _word(lowered, index, 4):
        return False
    upper = data[index:index + 4] == b"COPY" and data[index + 4:index + 5] in (
        b" ", b"\t", b"\n", b"\r")
    return upper or _COPY_SHAPE.match(lowered, index + 4) is not None


def _unload(data: bytes, lowered: bytes, index: int) -> bool:
    if _called(lowered, index):
        return True
    if not _word(lowered, index, 6):
        return False
    return data[index:index + 6] == b"UNLOAD" or _UNLOAD_SHAPE.match(lowered, index + 6) is not None


def _after_create(size: int) -> Callable[[bytes, bytes, int], bool]:
    """The rule of a word that follows CREATE [OR REPLACE] (LIBRARY, EXTERNAL, MODEL)."""
    def rule(data: bytes, lowered: bytes, index: int) -> bool:
        return _word(lowered, index, size) and _CREATE_BEFORE.search(
            lowered, max(0, index - 40), index) is not None
    return rule


RULES: dict[bytes, Callable[[bytes, bytes, int], bool]] = {
    b"copy": _copy,
    b"unload": _unload,
    **{word: _after_create(len(word)) for word in (
        kind.words[1].lower().encode() for kind in ROLE_KINDS if kind.words[0] == "CREATE")},
    b"s3toredshift": lambda data, lowered, index: True,
    b"redshifttos3": lambda data, lowered, index: True,
}


def hint_lines(data: bytes, lowered: bytes) -> list[int]:
    """The 1-based lines (sorted, distinct) where a hint stands; empty: nothing to parse."""
    offsets = []
    for word, rule in RULES.items():
        index = lowered.find(word)
        while index >= 0:
            if rule(data, lowered, index):
                offsets.append(index)
            index = lowered.find(word, index + 1)
    lines, line, last = [], 1, 0
    for offset in sorted(offsets):
        line += lowered.count(b"\n", last, offset)
        last = offset
        lines.append(line)
    return sorted(set(lines))

"""Regexes compiled on first use: a one-statement run should not pay for patterns it never
needs (compiling costs 0.1-1 ms each; start-up is a benchmark target)."""

from __future__ import annotations

import re
from collections.abc import Iterator


class LazyRegex:
    """The subset of ``re.Pattern`` this package uses, compiling the pattern on first call."""

    __slots__ = ("_pattern", "_flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern, self._flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return self._compiled

    def match(self, text: str, *span: int) -> re.Match[str] | None:
        return self.compiled().match(text, *span)

    def search(self, text: str, *span: int) -> re.Match[str] | None:
        return self.compiled().search(text, *span)

    def fullmatch(self, text: str, *span: int) -> re.Match[str] | None:
        return self.compiled().fullmatch(text, *span)

    def finditer(self, text: str, *span: int) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(text, *span)

    def sub(self, replacement, text: str, count: int = 0) -> str:
        return self.compiled().sub(replacement, text, count)

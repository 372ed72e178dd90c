"""Where a placeholder that opens a bracket ends: ``$(...)``, ``{...}``, ``%{...}``, backticks.

Brackets nest, quoted text is skipped and a backslash escapes the next character (in the
shell's ``'...'`` it does not). One :class:`Brackets` serves one template and counts the
characters its scans read: a template whose openings never close (``{[{[{[...``, repeated
``$(``) would make every scan read to the end, so past :data:`BUDGET` the scans stop with
:class:`TooMuchScanning` (the engine reports it) instead of running for minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

BUDGET = 2_000_000  # characters scanned per template, beyond 10 per character of it
_STOPS = re.compile(r"[\\'\"()\[\]{}\n]")
_FIELD_STOPS = re.compile(r"[\\'\"()\[\]{}!:]")
_TICK_STOPS = {True: re.compile(r"[\\`]"), False: re.compile(r"[\\`\n]")}


class TooMuchScanning(Exception):
    """The template's openings do not close: scanning them would take too long."""


def top_level(text: str, start: int, stops: re.Pattern[str] = _STOPS,
              shell: bool = False) -> Iterator[tuple[int, str, int]]:
    """Each character of ``text`` from ``start`` that ``stops`` finds outside quotes and is
    no opening bracket or backslash escape (a closing bracket, a newline, ``!``, ``:``), with
    the depth of the brackets open before it. In the shell's ``'...'`` (``shell``) a
    backslash escapes nothing."""
    depth, quote, index = 0, "", start
    while (found := stops.search(text, index)) is not None:
        index, char = found.start(), found.group()
        if char == "\\" and not (quote == "'" and shell):
            index += 2
            continue
        if char == "\n":
            yield index, char, depth
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        else:
            yield index, char, depth
            if char in ")]}":
                depth -= 1
        index += 1


class Brackets:
    """Balanced-bracket scans over ``text`` (across lines when ``multiline``)."""

    def __init__(self, text: str, multiline: bool) -> None:
        self.text, self.multiline = text, multiline
        self.left = BUDGET + 10 * len(text)

    def end(self, start: int, close: str) -> int:
        """The offset after the ``close`` that balances an opening just before ``start``,
        or -1 when there is none (on its line, unless multiline)."""
        if close == "`":
            return self._tick(start)
        last = start
        for index, char, depth in top_level(self.text, start, shell=close == ")"):
            self._spend(index - last)
            last = index
            if char == "\n" and not self.multiline:
                return -1
            if char != "\n" and depth == 0:
                return index + 1 if char == close else -1
        self._spend(len(self.text) - last)
        return -1

    def _tick(self, start: int) -> int:
        text, stops, index = self.text, _TICK_STOPS[self.multiline], start
        while (found := stops.search(text, index)) is not None:
            self._spend(found.start() - index + 1)
            if found.group() == "`":
                return found.end()
            if found.group() == "\n":
                return -1
            index = found.end() + 1
        return -1

    def _spend(self, count: int) -> None:
        self.left -= count + 1
        if self.left < 0:
            raise TooMuchScanning("the template opens brackets ({, $(, %{, `) that do not "
                                  "close; reading it would take too long")


def field_parts(body: str) -> tuple[int, str]:
    """Where the name of a format field body ends (-1: it is all name) and the character
    there: the first ``!`` (not ``!=``) or ``:`` outside brackets and quotes."""
    for index, char, depth in top_level(body, 0, _FIELD_STOPS):
        if depth == 0 and (char == ":" or (char == "!" and body[index + 1: index + 2] != "=")):
            return index, char
    return -1, ""

"""Where a placeholder that opens a bracket ends: ``$(...)``, ``{...}``, ``%{...}``, backticks.

Brackets nest, quoted text is skipped and a backslash escapes the next character (in the
shell's ``'...'`` it does not). One :class:`Brackets` serves one template and counts the
characters its scans read: a template whose openings never close (``{[{[{[...``, repeated
``$(``) would make every scan read to the end, so past :data:`BUDGET` the scans stop with
:class:`TooMuchScanning` (the engine reports it) instead of running for minutes.
"""

from __future__ import annotations

import re

BUDGET = 2_000_000  # characters scanned per template, beyond 10 per character of it
_STOPS = {True: re.compile(r"[\\'\"()\[\]{}]"), False: re.compile(r"[\\'\"()\[\]{}\n]")}
_TICK_STOPS = {True: re.compile(r"[\\`]"), False: re.compile(r"[\\`\n]")}


class TooMuchScanning(Exception):
    """The template's openings do not close: scanning them would take too long."""


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
        text, stops = self.text, _STOPS[self.multiline]
        depth, quote, index = 0, "", start
        while (found := stops.search(text, index)) is not None:
            index, char = found.start(), found.group()
            self._spend(index - start)
            start = index
            if char == "\n":
                return -1
            if char == "\\" and not (quote == "'" and close == ")"):  # shell '...': no escapes
                index += 2
                continue
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "([{":
                depth += 1
            elif depth == 0:
                return index + 1 if char == close else -1
            else:
                depth -= 1
            index += 1
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

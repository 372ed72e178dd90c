"""Input text with positions: reading files safely and turning offsets into line:col snippets."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, Location

_NEWLINE = re.compile(r"\n")
REDACTED = "****"
_SNIPPET_WIDTH = 100


@functools.lru_cache(maxsize=16)
def _line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` starts (cached: every location needs them)."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


class Source(NamedTuple):
    """One named input text. Offsets are 0-based; locations are 1-based."""

    name: str
    text: str

    def line_starts(self) -> list[int]:
        """Offsets at which each line starts, computed once per text."""
        return _line_starts(self.text)

    def location(self, offset: int) -> Location:
        starts = self.line_starts()
        line = bisect_right(starts, offset)
        return Location(self.name, line, offset - starts[line - 1] + 1)

    def snippet(self, offset: int, redact_from: int | None = None) -> str:
        """The line holding ``offset`` with a caret under it; text from ``redact_from`` on hidden.

        Very long lines are cut to a window around the caret, so a 5 MB literal never floods
        the terminal.
        """
        starts = self.line_starts()
        line = bisect_right(starts, offset)
        begin = starts[line - 1]
        end = self.text.find("\n", begin)
        end = len(self.text) if end < 0 else end
        text = self.text[begin:end].rstrip("\r")
        col = offset - begin
        if redact_from is not None and redact_from < begin + len(text):
            cut = max(redact_from - begin, 0)
            text, col = text[:cut] + REDACTED, min(col, cut)
        lead = ""
        if col > _SNIPPET_WIDTH:
            lead, text, col = "...", text[col - _SNIPPET_WIDTH // 2:], _SNIPPET_WIDTH // 2 + 3
        if len(text) > 2 * _SNIPPET_WIDTH:
            text = text[: 2 * _SNIPPET_WIDTH] + "..."
        gutter = f"{line:>5} | "
        caret_pad = "".join("\t" if ch == "\t" else " " for ch in (lead + text)[:col])
        return f"{gutter}{lead}{text}\n{' ' * 5} | {caret_pad}^"

    def diagnostic(self, code: str, message: str, offset: int, redact_from: int | None = None
                   ) -> Diagnostic:
        """A diagnostic pointing at ``offset`` in this source, with its redacted snippet."""
        return Diagnostic(code, message, self.location(offset), self.snippet(offset, redact_from))








STDIN = "<stdin>"


class IncludeError(Exception):
    """An include that cannot be read; the reader locates it at the include's line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# (file name as written, relative to the including script?, the chain of sources from the
# top-level script to the including one) -> the included Source; raises IncludeError.
Loader = Callable[[str, bool, tuple[Source, ...]], Source]



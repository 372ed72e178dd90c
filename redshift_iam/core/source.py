"""Input text with positions: reading files safely and turning offsets into line:col snippets."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.secrets import masked_line

_NEWLINE = re.compile(r"\n")
_SURROGATES = re.compile("[\ud800-\udfff]")
_SNIPPET_WIDTH = 100


@functools.lru_cache(maxsize=16)
def _line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` starts (cached: every location needs them)."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


if TYPE_CHECKING:  # a typing.Protocol costs a millisecond of start-up to define
    class Origin(Protocol):
        """Where the text of a rendered Source comes from (a template, see
        ``redshift_iam.inputs.templating.Templated``): every offset of the rendering maps to
        the template's file:line:col, text that came from a value to its placeholder's
        position. ``placeholders`` are the template's (index = sentinel number);
        ``branches`` the plain-text alternatives of a ``jinja-block`` placeholder."""

        @property
        def placeholders(self) -> tuple[Any, ...]: ...

        @property
        def branches(self) -> Mapping[int, tuple[str, ...]]: ...

        def location(self, offset: int) -> Location: ...

        def snippet(self, offset: int, redact_from: int | None = None) -> str: ...

        def template_offset(self, offset: int) -> int: ...


class Source(NamedTuple):
    """One named input text. Offsets are 0-based; locations are 1-based. ``origin`` is set
    for a rendered template: its locations and snippets are then the template's."""

    name: str
    text: str
    origin: Origin | None = None  # see Origin (TYPE_CHECKING above)

    def line_starts(self) -> list[int]:
        """Offsets at which each line starts, computed once per text."""
        return _line_starts(self.text)

    def location(self, offset: int) -> Location:
        if self.origin is not None:
            return self.origin.location(offset)
        starts = self.line_starts()
        line = bisect_right(starts, offset)
        return Location(self.name, line, offset - starts[line - 1] + 1)

    def snippet(self, offset: int, redact_from: int | None = None) -> str:
        """The line holding ``offset`` with a caret under it; text from ``redact_from`` on
        hidden, and every secret span of the text that the line overlaps (whatever statement
        it belongs to) written as ``****`` (``core.secrets.masked_line``). A lone surrogate
        shows as U+FFFD, never raw.

        Very long lines are cut to a window around the caret, so a 5 MB literal never floods
        the terminal.
        """
        if self.origin is not None:
            return self.origin.snippet(offset, redact_from)
        starts = self.line_starts()
        line = bisect_right(starts, offset)
        begin = starts[line - 1]
        end = self.text.find("\n", begin)
        end = len(self.text) if end < 0 else end
        end -= self.text[end - 1:end] == "\r" and end > begin
        text, col = masked_line(self.text, begin, end, min(offset, end), redact_from)
        lead = ""
        if col > _SNIPPET_WIDTH:
            lead, text, col = "...", text[col - _SNIPPET_WIDTH // 2:], _SNIPPET_WIDTH // 2 + 3
        if len(text) > 2 * _SNIPPET_WIDTH:
            text = text[: 2 * _SNIPPET_WIDTH] + "..."
        text = _SURROGATES.sub("\ufffd", text)
        gutter = f"{line:>5} | "
        caret_pad = "".join("\t" if ch == "\t" else " " for ch in (lead + text)[:col])
        return f"{gutter}{lead}{text}\n{' ' * 5} | {caret_pad}^"

    def diagnostic(self, code: str, message: str, offset: int, redact_from: int | None = None
                   ) -> Diagnostic:
        """A diagnostic pointing at ``offset`` in this source, with its redacted snippet."""
        return Diagnostic(code, message, self.location(offset), self.snippet(offset, redact_from))


class Verbatim:
    """The origin of a script read with ``--template-style none``: its own text, every
    character literal (``{x}`` in a key is part of the key). (Plain classes here: a
    NamedTuple costs start-up to define, and these are rare.)"""

    __slots__ = ("plain",)
    placeholders: tuple[Any, ...] = ()
    branches: Mapping[int, tuple[str, ...]] = MappingProxyType({})

    def __init__(self, plain: Source) -> None:
        self.plain = plain

    def location(self, offset: int) -> Location:
        return self.plain.location(offset)

    def snippet(self, offset: int, redact_from: int | None = None) -> str:
        return self.plain.snippet(offset, redact_from)

    def template_offset(self, offset: int) -> int:
        return offset


class Hosted:
    """The origin of a text that stands inside another file (SQL found in a string literal
    of source code by ``scan``): ``locate`` maps each offset of ``plain`` (the text itself,
    without origin) to the host file's file:line:col. A snippet shows the text's own line
    (the literal's value, its caret in that value) numbered with the host line. Rendering
    ``Source(name, text, Hosted(...))`` as a template composes the two maps: positions are
    the host's."""

    __slots__ = ("plain", "locate")
    placeholders: tuple[Any, ...] = ()
    branches: Mapping[int, tuple[str, ...]] = MappingProxyType({})

    def __init__(self, plain: Source, locate: Callable[[int], Location]) -> None:
        self.plain, self.locate = plain, locate

    def location(self, offset: int) -> Location:
        return self.locate(min(max(offset, 0), max(len(self.plain.text) - 1, 0)))

    def snippet(self, offset: int, redact_from: int | None = None) -> str:
        own = self.plain.snippet(offset, redact_from)
        return f"{self.location(offset).line:>5}{own[5:]}"

    def template_offset(self, offset: int) -> int:
        return offset


class Respliced:
    """The origin of a rendering in which the text ``[at, at + old)`` of ``base`` was
    replaced by ``new`` characters (one branch of a Jinja block read in place of its
    sentinel): the new characters map to ``at``, the text after them shifts back."""

    __slots__ = ("base", "at", "old", "new")

    def __init__(self, base: Source, at: int, old: int, new: int) -> None:
        self.base, self.at, self.old, self.new = base, at, old, new

    @property
    def placeholders(self) -> tuple[Any, ...]:
        return self.base.origin.placeholders if self.base.origin else ()

    @property
    def branches(self) -> Mapping[int, tuple[str, ...]]:
        return self.base.origin.branches if self.base.origin else MappingProxyType({})

    def _base(self, offset: int) -> int:
        if offset < self.at:
            return offset
        if offset < self.at + self.new:
            return self.at
        return offset - self.new + self.old

    def location(self, offset: int) -> Location:
        return self.base.location(self._base(offset))

    def snippet(self, offset: int, redact_from: int | None = None) -> str:
        return self.base.snippet(self._base(offset),
                                 None if redact_from is None else self._base(redact_from))

    def template_offset(self, offset: int) -> int:
        base = self._base(offset)
        return self.base.origin.template_offset(base) if self.base.origin else base


STDIN = "<stdin>"


class IncludeError(Exception):
    """An include that cannot be read; the reader locates it at the include's line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# (file name as written, relative to the including script?, the chain of sources from the
# top-level script to the including one) -> the included Source; raises IncludeError.
Loader = Callable[[str, bool, tuple[Source, ...]], Source]



# (a value's text, the document it stands in) -> (the Source to read: the value itself, or
# its rendering with an origin that maps back to it; the templating warnings); raises
# InputError. The CLI passes the templating stage's ``render_source`` (with the --var
# values) to the spec reader this way.
Render = Callable[[Source, Source], tuple[Source, tuple[Diagnostic, ...]]]

"""A rendered template and the map from its offsets back to the template's.

The rendering is cut into :class:`Segment` runs. A *literal* run is template text copied as it
stands: its characters map 1:1 to the template. Any other run (a spliced value, a sentinel,
the output of a Jinja ``{{ expr }}``, a block's sentinel) maps every character to the start of
the placeholder that produced it. Text from an ``{% include %}``-d file maps 1:1 into that file
for :meth:`Templated.location`, and to the include tag for :meth:`Templated.template_offset`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.placeholders import Placeholder
from redshift_iam.core.source import Source


class Segment(NamedTuple):
    """A run of the rendering starting at rendered offset ``start``."""

    start: int
    source: Source  # the file its text comes from (the template, or an included file)
    offset: int  # where it starts in ``source``
    size: int  # template characters it copies 1:1; 0: every character maps to ``offset``
    anchor: int  # where it stands in the main template (``offset`` for the main file)


class Templated(NamedTuple):
    """The rendered SQL, its placeholders (index = position) and the offset map."""

    text: str
    placeholders: tuple[Placeholder, ...]
    segments: tuple[Segment, ...]
    source: Source  # the template as read
    warnings: tuple[Diagnostic, ...] = ()
    # jinja-block placeholder index -> the text of each of its branches ('' when the if has no
    # else), recorded when every branch is plain text: phase 2 may read the statement once per
    # branch and ignore the block when all give the same grants
    branches: Mapping[int, tuple[str, ...]] = MappingProxyType({})

    def _segment(self, rendered: int) -> tuple[Segment, int]:
        """The segment holding ``rendered`` and the offset inside it (clamped to its size)."""
        starts = [segment.start for segment in self.segments]
        segment = self.segments[max(bisect_right(starts, rendered) - 1, 0)]
        return segment, min(max(rendered - segment.start, 0), segment.size)

    def template_offset(self, rendered: int) -> int:
        """The offset in the main template that rendered offset ``rendered`` comes from (the
        end of the rendering maps to the end of the template)."""
        if not self.segments or rendered >= len(self.text):
            return len(self.source.text) if self.segments else 0
        segment, delta = self._segment(rendered)
        if segment.source.name != self.source.name:
            return segment.anchor
        return segment.offset + delta

    def location(self, rendered: int) -> Location:
        """file:line:col (in the template, or in an included file) of a rendered offset."""
        if not self.segments or rendered >= len(self.text):
            return self.source.location(self.template_offset(rendered))
        segment, delta = self._segment(rendered)
        return segment.source.location(segment.offset + delta)

    def snippet(self, rendered: int, redact_from: int | None = None) -> str:
        """The template's line at rendered offset ``rendered`` with its caret, hidden from
        ``redact_from`` (a rendered offset) on. Text that came from a value is never shown:
        the template holds its placeholder instead."""
        if self.segments and rendered < len(self.text):
            segment, delta = self._segment(rendered)
            if segment.source.name != self.source.name:  # an included file
                hide = None if redact_from is None or redact_from > rendered else 0
                return segment.source.snippet(segment.offset + delta, hide)
        redact = None if redact_from is None else self.template_offset(redact_from)
        return self.source.snippet(self.template_offset(rendered), redact)

    def value_at(self, rendered: int) -> Placeholder | None:
        """The resolved placeholder whose value holds rendered offset ``rendered``."""
        if not self.segments or rendered >= len(self.text):
            return None
        segment, _ = self._segment(rendered)
        if segment.size:
            return None
        where = self.location(rendered)
        return next((p for p in self.placeholders if p.resolved and p.location == where), None)


class Builder:
    """Collects the rendering and its segments in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.segments: list[Segment] = []
        self.size = 0

    def add(self, text: str, source: Source, offset: int, size: int = 0,
            anchor: int | None = None) -> None:
        """Append ``text``: its first ``size`` characters map 1:1 from ``offset`` in
        ``source`` (0: all of it maps to ``offset``)."""
        if not text:
            return
        self.segments.append(Segment(self.size, source, offset, size,
                                     offset if anchor is None else anchor))
        self.parts.append(text)
        self.size += len(text)

    def text(self) -> str:
        return "".join(self.parts)

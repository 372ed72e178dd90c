"""Snippets for diagnostics made away from the text (the derive stage works on statements):
the line and caret of the statement that holds them, redacted as the reader redacts."""

from __future__ import annotations

from bisect import bisect_right

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.secrets import secret_start
from redshift_iam.core.source import Source
from redshift_iam.sql.lexer import Segment, split


def attach_snippets(diagnostics: tuple[Diagnostic, ...], sources: tuple[Source, ...]
                    ) -> tuple[Diagnostic, ...]:
    """Give every located diagnostic without a snippet (the derive stage makes them from
    statements, not text) the line and caret of its source, hidden from the statement's first
    secret-bearing option on, exactly as the reader hides it. A location in a text that is
    not among ``sources`` keeps no snippet. A rendered template's diagnostics point into the
    template, so its snippet is the template's line."""
    by_name = {source.name: _as_written(source) for source in sources}
    segments: dict[str, tuple[list[int], list[Segment]]] = {}
    done = []
    for diagnostic in diagnostics:
        where = diagnostic.location
        source = by_name.get(where.file) if where else None
        if diagnostic.snippet or source is None or where is None:
            done.append(diagnostic)
            continue
        if source.name not in segments:  # split once per source, and only when needed
            found = _statements(source)
            segments[source.name] = ([segment.start for segment in found], found)
        snippet = _snippet(source, *segments[source.name], where)
        done.append(diagnostic._replace(snippet=snippet))
    return tuple(done)


def _as_written(source: Source) -> Source:
    """The text the user wrote: a rendered template's template, else the source itself."""
    if source.origin is None:
        return source
    written = getattr(source.origin, "source", None) or getattr(source.origin, "plain", None)
    return written if isinstance(written, Source) else source


def _statements(source: Source) -> list[Segment]:
    """The statements of ``source``; a template that does not split as SQL (its placeholders
    may hide quotes) is one statement, so its snippets are hidden from its first secret."""
    try:
        return list(split(source))
    except InputError:
        return [Segment(0, len(source.text))]


def _snippet(source: Source, starts: list[int], segments: list[Segment],
             location: Location) -> str:
    """The snippet at ``location``, redacted from the secret of the statement holding it."""
    lines = source.line_starts()
    offset = min(lines[location.line - 1] + location.col - 1, len(source.text))
    index = bisect_right(starts, offset) - 1
    redact = None
    if index >= 0 and offset <= segments[index].end:
        segment = segments[index]
        redact = secret_start(source.text, segment.start, segment.end)
    return source.snippet(offset, redact)

"""Snippets of ``scan``'s diagnostics as the host file shows them: the line of the file the
location names (a Python, Scala, shell... line, not the SQL text the literal holds) with the
caret under the location's column, every secret span of the file masked
(``Source.snippet``), and the rest of the line from the caret when the reader hid the rest
of its own snippet. The scanner keeps no copy of a host file, so the files that have
located diagnostics are read again, once each, under the scan's read limits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.localfiles import FileReader, NotRead
from redshift_iam.core.reports import Analysis
from redshift_iam.core.secrets import REDACTED
from redshift_iam.core.source import Source

WHOLE_FILE_HOSTS = frozenset({"sql", "jinja-sql"})  # the fragment is the file's own text


def host_snippets(diagnostics: Sequence[Diagnostic], hosts: Mapping[str, str],
                  reader: FileReader) -> tuple[Diagnostic, ...]:
    """``diagnostics`` with the host file's snippet: every located diagnostic in a file
    whose kind (``hosts``: path -> ``Fragment.host``) is not a whole-file SQL text gets
    it in place of its own; one in a SQL file gets it only when it has none (the reader's
    snippets of a SQL file are its lines already). A file that cannot be read again, or a
    location past its end, leaves the diagnostic as it was."""
    wanted = {d.location.file for d in diagnostics if _wants(d, hosts)}  # type: ignore[union-attr]
    texts = {path: _text(path, reader) for path in sorted(wanted)}
    return tuple(_with_snippet(d, texts) if _wants(d, hosts) else d for d in diagnostics)


def analysis_snippets(analysis: Analysis, hosts: Mapping[str, str], reader: FileReader
                      ) -> Analysis:
    """``analysis`` with :func:`host_snippets` applied to each part of its diagnostics."""
    def fix(found: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
        return host_snippets(found, hosts, reader)

    return analysis._replace(
        inputs=fix(analysis.inputs), sizing=fix(analysis.sizing),
        script=analysis.script._replace(diagnostics=fix(analysis.script.diagnostics)),
        derivation=analysis.derivation._replace(
            diagnostics=fix(analysis.derivation.diagnostics)))


def _wants(diagnostic: Diagnostic, hosts: Mapping[str, str]) -> bool:
    where = diagnostic.location
    if where is None or where.file not in hosts or where.line < 1:
        return False
    return hosts[where.file] not in WHOLE_FILE_HOSTS or not diagnostic.snippet


def _with_snippet(diagnostic: Diagnostic, texts: Mapping[str, Source | None]) -> Diagnostic:
    where = diagnostic.location
    assert where is not None  # _wants keeps located diagnostics only
    source = texts.get(where.file)
    if source is None:
        return diagnostic
    starts = source.line_starts()
    if where.line > len(starts):
        return diagnostic
    begin = starts[where.line - 1]
    end = source.text.find("\n", begin)
    end = len(source.text) if end < 0 else end
    at = min(begin + where.col - 1, end)
    return diagnostic._replace(snippet=source.snippet(at, at if _hid_rest(diagnostic) else None))


def _hid_rest(diagnostic: Diagnostic) -> bool:
    """Whether the reader's own snippet hid the rest of its line (a secret in the wrong slot,
    a quoted secret that never closes): the host line then hides the rest from the caret."""
    first = diagnostic.snippet.split("\n", 1)[0]
    return first.endswith(REDACTED)


def _text(path: str, reader: FileReader) -> Source | None:
    """The host file's text as the scanner read it (UTF-8, a BOM dropped, CRLF as LF). A
    link is not followed: the file may have changed since the scan read it, and a snippet
    never shows a line of a file outside the tree (a link's file keeps its own snippet)."""
    try:
        text = reader.read(path, follow=False).decode("utf-8-sig")
    except (NotRead, OSError, UnicodeDecodeError):
        return None
    return Source(path, text.replace("\r\n", "\n"))


def fragment_hosts(fragments: Iterable[object]) -> dict[str, str]:
    """Each scanned path that gave a fragment -> its host kind (``Fragment.host``)."""
    return {fragment.path: fragment.host for fragment in fragments}  # type: ignore[attr-defined]

"""The library's front door: sources and settings in, per-principal documents out.

The CLI calls :func:`analyze`, then picks what to print. Everything here is pure: no I/O.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.grants import Principal
from redshift_iam.core.reports import Analysis, PrincipalReport
from redshift_iam.core.settings import Limits, Settings, TrustOptions
from redshift_iam.core.source import Loader, Source
from redshift_iam.core.statements import AuthKind, Script
from redshift_iam.derive.derive import derive
from redshift_iam.documents.build import DEFAULT_LIMITS, _report
from redshift_iam.sql.lexer import Segment, split
from redshift_iam.sql.reader import read_script
from redshift_iam.sql.secrets import secret_start


def with_snippets(diagnostics: tuple[Diagnostic, ...], sources: tuple[Source, ...]
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
        source = by_name.get(diagnostic.location.file) if diagnostic.location else None
        if diagnostic.snippet or source is None:
            done.append(diagnostic)
            continue
        if source.name not in segments:  # split once per source, and only when needed
            found = _statements(source)
            segments[source.name] = ([segment.start for segment in found], found)
        snippet = _snippet(source, *segments[source.name], diagnostic.location)
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




def read_inputs(sources: Iterable[Source], input_format: str = "auto",
                loader: Loader | None = None) -> Script:
    """SQL scripts and specs (:func:`redshift_iam.spec.is_spec`) -> one Script, statements
    in input order. Runs of SQL sources are read together, as before specs existed."""
    from redshift_iam.spec import is_spec

    parts: list[Script] = []
    run: list[Source] = []
    for source in sources:
        if not is_spec(source.name, input_format):
            run.append(source)
            continue
        from redshift_iam.spec.reader import read_spec
        parts += [read_script(run, loader)] if run else []
        parts.append(read_spec(source))
        run = []
    if run or not parts:
        parts.append(read_script(run, loader))
    if len(parts) == 1:
        return parts[0]
    return Script(tuple(s for p in parts for s in p.statements), sum(p.skipped for p in parts),
                  tuple(d for p in parts for d in p.diagnostics))


def analyze(sources: Iterable[Source], settings: Settings, trust: TrustOptions,
            limits: Limits = DEFAULT_LIMITS, loader: Loader | None = None,
            input_format: str = "auto") -> Analysis:
    """Read (SQL and specs), derive and build every principal's permissions and trust
    policies; ``loader`` reads the files psql includes name (see
    :func:`~redshift_iam.sql.reader.read_script`)."""
    sources = tuple(sources)
    script = read_inputs(sources, input_format, loader)
    derivation = derive(script, settings)
    derivation = derivation._replace(
        diagnostics=with_snippets(derivation.diagnostics, sources))
    reports, sizing = [], []
    for principal in derivation.principals():
        report, found = _report(principal, derivation, trust, limits)
        reports.append(report)
        sizing += found
    return Analysis(script, derivation, tuple(reports), tuple(sizing))


class SelectionError(Exception):
    """``--role`` matched no principal, or several principals and no ``--role``."""


def select(reports: tuple[PrincipalReport, ...], role: str | None) -> PrincipalReport:
    """The one report ``--role`` names, or the only one when ``role`` is None. ``role`` is a
    role ARN, a role's name or path/name (``EtlLoader``, ``etl/EtlLoader``), ``default``,
    ``user`` (the one key pair) or ``user:<key id>``. Naming several principals is an error
    listing them."""
    if role is None:
        if len(reports) == 1:
            return reports[0]
        raise SelectionError("the input uses several principals; pick one with --role: "
                             + ", ".join(r.principal.name for r in reports))
    matches = [r for r in reports if _matches(r.principal, role)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        names = ", ".join(r.principal.name for r in reports) or "none"
        raise SelectionError(f"--role {role} matches no principal of the input ({names})")
    names = ", ".join(r.principal.name for r in matches)
    if role == "user":
        raise SelectionError(f"--role user matches several principals; use user:<access key "
                             f"id> ({names})")
    raise SelectionError(f"--role {role} matches several principals; give the ARN of one: "
                         f"{names}")


def _matches(principal: Principal, role: str) -> bool:
    """``role`` is the principal's name, or (for a role ARN) its path/name or name."""
    if role == "user":
        return principal.kind is AuthKind.KEYS
    if principal.name == role:
        return True
    if principal.kind is not AuthKind.ROLE or role.startswith(("arn:", "user:")):
        return False
    path_name = principal.name.partition(":role/")[2]
    if "/" in role:  # path/name, with or without IAM's leading slash
        return path_name == role.lstrip("/")
    return path_name.rsplit("/", 1)[-1] == role

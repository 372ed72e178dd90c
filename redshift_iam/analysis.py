"""The library's front door: sources and settings in, per-principal documents out.

:func:`analyze` composes the stages, each through its one door: the SQL reader (or the spec
reader) -> derive -> documents. The CLI calls it (or :func:`read_inputs`,
:func:`standard_trust`, :func:`select`) and picks what to print. Everything here is pure:
no I/O but through the include ``loader`` the caller passes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError, Severity
from redshift_iam.core.grants import Principal
from redshift_iam.core.localfiles import SCAN_READ_LIMITS, ReadLimits
from redshift_iam.core.policy import PolicyDocument
from redshift_iam.core.reports import Analysis, PrincipalReport
from redshift_iam.core.settings import Limits, Settings, TrustOptions
from redshift_iam.core.source import Hosted, IncludeError, Loader, Render, Source
from redshift_iam.core.statements import AuthKind, Script
from redshift_iam.derive import derive
from redshift_iam.documents import DEFAULT_LIMITS, build_reports
from redshift_iam.documents import standard_trust as _standard_trust
from redshift_iam.sql import attach_snippets, read_script


def read_inputs(sources: Iterable[Source], input_format: str = "auto",
                loader: Loader | None = None, render: Render | None = None) -> Script:
    """SQL scripts and specs (:func:`redshift_iam.spec.is_spec`) -> one Script, statements
    in input order. Runs of SQL sources are read together, as before specs existed.
    ``render`` renders the template placeholders of spec values (``spec.templated``); SQL
    sources come rendered already (``inputs.render_source``)."""
    from redshift_iam.spec import is_spec

    parts: list[Script] = []
    run: list[Source] = []
    for source in sources:
        if not is_spec(source.name, input_format):
            run.append(source)
            continue
        from redshift_iam.spec import read_spec  # loads the spec reader only for a spec
        parts += [read_script(run, loader)] if run else []
        parts.append(read_spec(source, render))
        run = []
    if run or not parts:
        parts.append(read_script(run, loader))
    if len(parts) == 1:
        return parts[0]
    return Script(tuple(s for p in parts for s in p.statements), sum(p.skipped for p in parts),
                  tuple(d for p in parts for d in p.diagnostics),
                  tuple(t for p in parts for t in p.texts))


def analyze(sources: Iterable[Source], settings: Settings, trust: TrustOptions,
            limits: Limits = DEFAULT_LIMITS, loader: Loader | None = None,
            input_format: str = "auto", render: Render | None = None) -> Analysis:
    """Read (SQL and specs), derive and build every principal's permissions and trust
    policies; ``loader`` reads the files psql includes name (see
    :func:`redshift_iam.sql.read_script`), ``render`` the placeholders of spec values."""
    script = read_inputs(tuple(sources), input_format, loader, render)
    derivation = derive(script, settings)
    derivation = derivation._replace(
        diagnostics=attach_snippets(derivation.diagnostics, script.texts))
    reports, sizing = build_reports(derivation, trust, limits)
    return Analysis(script, derivation, reports, sizing)


class ScanReport(NamedTuple):
    """What :func:`scan_paths` found: the analysis of every statement read, the places not
    read (``inputs.scanning.Skipped``: the scanner's, then each located error: a statement
    that could not be rendered, read or derived), the templating diagnostics (warnings and
    errors) and how many files were opened."""

    analysis: Analysis
    skipped: tuple[Any, ...]
    rendering: tuple[Diagnostic, ...]
    files_read: int

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Everything to tell the user, templating first."""
        return self.rendering + self.analysis.diagnostics

    @property
    def unresolved(self) -> tuple[Diagnostic, ...]:
        """The unresolved needs, sorted by place (file, line, column, code)."""
        return tuple(sorted((d for d in self.diagnostics if d.severity is Severity.UNRESOLVED),
                            key=_place))

    def clean(self, allow_unresolved: bool = False) -> bool:
        """True when everything found was read, derived and (unless ``allow_unresolved``)
        resolved: ``scan`` exits 0."""
        fatal = {Severity.ERROR} | (set() if allow_unresolved else {Severity.UNRESOLVED})
        return not self.skipped and not any(d.severity in fatal for d in self.diagnostics)


def _place(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    where = diagnostic.location
    return (where.file, where.line, where.col, diagnostic.code) if where else (
        "", 0, 0, diagnostic.code)


def scan_paths(paths: Sequence[str], settings: Settings, trust: TrustOptions,
               limits: Limits = DEFAULT_LIMITS, values: Mapping[str, Any] | None = None,
               style: str | None = None, template_path: str | None = None,
               read_limits: ReadLimits = SCAN_READ_LIMITS) -> ScanReport:
    """Find the statements under ``paths`` (``inputs.scan``), render each fragment as the
    template its host implies (``style`` overrides; its module-level bindings, then
    ``values``, fill its placeholders, its positional slots take the names of the arguments
    passed for them), read, derive and build, as :func:`analyze`. Every position is the host
    file's. The one function here that touches the file system (it walks ``paths``, reading
    under ``read_limits``)."""
    from redshift_iam.inputs import scan

    found = scan(list(paths), read_limits)
    sources, rendering = [], []
    for fragment in found.fragments:
        source, notes = _render_fragment(fragment, values or {}, style, template_path)
        rendering += notes
        if source is not None:
            sources.append(source)
    analysis = analyze(sources, settings, trust, limits, _ScanIncludes(paths),
                       input_format="sql")
    errors = [d for d in (*rendering, *analysis.diagnostics)
              if d.severity is Severity.ERROR and d.location is not None]
    skipped = [*found.skipped, *map(_not_read, errors)]
    return ScanReport(analysis, tuple(skipped), tuple(rendering), found.files_read)


def _render_fragment(fragment: Any, values: Mapping[str, Any], style: str | None,
                     template_path: str | None) -> tuple[Source | None, list[Diagnostic]]:
    """The fragment as a Source located in its host file, rendered with its bindings (whose
    origin is ``path:line``) and then ``values``; (None, [error]) when it cannot be rendered."""
    from redshift_iam.inputs import Value, render_source

    first = fragment.offsets[0]
    plain = Source(f"{fragment.path}:{first.line}:{first.col}", fragment.text)
    hosted = Source(plain.name, plain.text, Hosted(plain, fragment.location))
    own = {name: Value(b.value, b.value, b.origin) for name, b in fragment.bindings.items()}
    try:
        source, warnings = render_source(hosted, {**own, **values}, style or fragment.style,
                                         template_path, positional_names=fragment.positional)
    except InputError as exc:
        return None, [exc.diagnostic]
    return source, list(warnings)


class _ScanIncludes:
    """The include loader of a scan: scan reads every .sql file under the paths on its own,
    so a psql include (``\\i``, ``\\ir``) of a file under them reads as nothing (its
    statements are reported at their own place, once); an include of a file outside them is
    RI100, a place not read."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.roots = [os.path.realpath(path) for path in paths]

    def __call__(self, name: str, relative: bool, chain: tuple[Source, ...]) -> Source:
        host = chain[-1].name.rsplit(":", 2)[0] if chain else ""
        base = os.path.dirname(host) if relative else os.getcwd()
        target = os.path.realpath(os.path.join(base, name))
        if not os.path.isfile(target):
            where = "the including file" if relative else "the working directory, as psql does"
            raise IncludeError("RI100", f"cannot include {name}: no such file (relative to "
                                        f"{where})")
        if any(target == root or target.startswith(root + os.sep) for root in self.roots):
            return Source(name, "")
        raise IncludeError("RI100", f"cannot include {name}: scan follows no psql include "
                                    "outside the paths scanned (add its folder as a PATH)")


def _not_read(diagnostic: Diagnostic) -> Any:
    """A located error as a place not read."""
    from redshift_iam.inputs import Skipped

    where = diagnostic.location
    return Skipped(where.file, where.line, where.col,
                   f"{diagnostic.code} {diagnostic.message}; {diagnostic.hint}")


def standard_trust(trust: TrustOptions) -> PolicyDocument:
    """The trust policy of a role attached to a cluster or workgroup, with no SQL at all."""
    return _standard_trust(trust)


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

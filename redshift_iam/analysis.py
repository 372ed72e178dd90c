"""The library's front door: sources and settings in, per-principal documents out.

:func:`analyze` composes the stages, each through its one door: the SQL reader (or the spec
reader) -> derive -> documents. The CLI calls it (or :func:`read_inputs`,
:func:`standard_trust`, :func:`select`) and picks what to print. Everything here is pure:
no I/O but through the include ``loader`` the caller passes.
"""

from __future__ import annotations

from collections.abc import Iterable

from redshift_iam.core.grants import Principal
from redshift_iam.core.policy import PolicyDocument
from redshift_iam.core.reports import Analysis, PrincipalReport
from redshift_iam.core.settings import Limits, Settings, TrustOptions
from redshift_iam.core.source import Loader, Render, Source
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

"""The library's front door: sources and settings in, per-principal documents out.

The CLI calls :func:`analyze`, then picks what to print. Everything here is pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from redshift_iam.derive import derive
from redshift_iam.diagnostics import Diagnostic, Severity
from redshift_iam.model import Derivation, Principal, Settings
from redshift_iam.parser import read_script
from redshift_iam.policy import PolicyDocument, build_policy
from redshift_iam.source import Source
from redshift_iam.statements import AuthKind, Script
from redshift_iam.trust import TrustOptions, build_trust


@dataclass(frozen=True)
class PrincipalReport:
    """One principal's documents and the statements (``file:line``) that need them."""

    principal: Principal
    policy: PolicyDocument | None
    trust: PolicyDocument | None
    statements: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    script: Script
    derivation: Derivation
    reports: tuple[PrincipalReport, ...]

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.script.diagnostics + self.derivation.diagnostics

    def failures(self, allow_unresolved: bool) -> tuple[Diagnostic, ...]:
        """The diagnostics that make the run exit 1."""
        fatal = {Severity.ERROR} | (set() if allow_unresolved else {Severity.UNRESOLVED})
        return tuple(d for d in self.diagnostics if d.severity in fatal)


def analyze(sources: Iterable[Source], settings: Settings, trust: TrustOptions) -> Analysis:
    """Read, derive and build every principal's permissions and trust policy."""
    script = read_script(sources)
    derivation = derive(script, settings)
    reports = []
    for principal in derivation.principals():
        grants = [g for g in derivation.grants if g.principal == principal]
        links = [t for t in derivation.trust_links if t.principal == principal]
        where = {(g.location.file, g.location.line) for g in grants}
        where |= {(t.location.file, t.location.line) for t in links}
        reports.append(PrincipalReport(
            principal,
            build_policy(grants) if grants else None,
            build_trust(links, trust),
            tuple(f"{file}:{line}" for file, line in sorted(where)),
        ))
    return Analysis(script, derivation, tuple(reports))


class SelectionError(Exception):
    """``--role`` matched no principal, or several principals and no ``--role``."""


def select(reports: tuple[PrincipalReport, ...], role: str | None) -> PrincipalReport:
    """The one report ``--role`` names (ARN, ``default``, ``user``, ``user:<key id>``), or
    the only one when ``role`` is None."""
    if role is None:
        if len(reports) == 1:
            return reports[0]
        raise SelectionError("the input uses several principals; pick one with --role: "
                             + ", ".join(r.principal.name for r in reports))
    matches = [r for r in reports if _matches(r.principal, role)]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(r.principal.name for r in reports) or "none"
    if not matches:
        raise SelectionError(f"--role {role} matches no principal of the input ({names})")
    raise SelectionError(f"--role {role} matches several principals; use user:<access key id> "
                         f"({names})")


def _matches(principal: Principal, role: str) -> bool:
    if role == "user":
        return principal.kind is AuthKind.KEYS
    return principal.name == role

"""The values the analysis returns: per-principal reports and folds."""

from __future__ import annotations

from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, Severity
from redshift_iam.core.grants import Derivation, Principal
from redshift_iam.core.options import Setting
from redshift_iam.core.policy import PolicyDocument
from redshift_iam.core.statements import Script


class Fold(NamedTuple):
    """``replaced`` keys of ``bucket`` became ``pattern`` for ``actions``."""

    principal: Principal
    bucket: str
    pattern: str
    replaced: tuple[str, ...]
    actions: tuple[str, ...]
    scope: str = ""

    def message(self) -> str:
        shown = ", ".join(self.replaced[:3]) + (", ..." if len(self.replaced) > 3 else "")
        return (f"{self.principal.name}: folded {len(self.replaced)} keys of s3://{self.bucket}/"
                f" ({shown}) into {self.pattern} for {', '.join(self.actions)}; this also "
                f"allows other keys matching {self.pattern}, which the SQL does not name")


class PrincipalReport(NamedTuple):
    """One principal's documents, the folds made to fit them, and the statements
    (``file:line``) that need them. ``policies`` is empty when nothing could be granted."""

    principal: Principal
    policies: tuple[PolicyDocument, ...]
    trust: PolicyDocument | None
    statements: tuple[str, ...]
    folds: tuple[Fold, ...] = ()


class Analysis(NamedTuple):
    """What the front door's ``analyze`` returns: the statements read, the grants derived,
    every principal's documents, and every diagnostic, in the order they arose."""

    script: Script
    derivation: Derivation
    reports: tuple[PrincipalReport, ...]
    sizing: tuple[Diagnostic, ...] = ()  # folds made, and documents that do not fit
    inputs: tuple[Diagnostic, ...] = ()  # reading and rendering the inputs (before the SQL's)
    # Where each option came from, when a project config was read (explain shows them).
    settings: tuple[Setting, ...] = ()

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.inputs + self.script.diagnostics + self.derivation.diagnostics + self.sizing

    def failures(self, allow_unresolved: bool) -> tuple[Diagnostic, ...]:
        """The diagnostics that make the run exit 1."""
        fatal = {Severity.ERROR} | (set() if allow_unresolved else {Severity.UNRESOLVED})
        return tuple(d for d in self.diagnostics if d.severity in fatal)

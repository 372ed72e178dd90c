"""``--role``: the one principal's report a command prints."""

from __future__ import annotations

from redshift_iam.core.grants import Principal
from redshift_iam.core.reports import PrincipalReport
from redshift_iam.core.statements import AuthKind


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

"""``check --from-role``: a role's permissions policies, read from IAM with boto3.

:func:`read_role_policies` returns the role's inline policies (ListRolePolicies,
GetRolePolicy), its attached managed policies at their default version
(ListAttachedRolePolicies, GetPolicy, GetPolicyVersion; AWS managed policies too) and its
permissions boundary (GetRole's ``PermissionsBoundary``, read the same way; it limits the
others). The trust policy is not a permissions policy and is not read. Lists are paginated.

boto3 is imported only when this runs (see :mod:`redshift_iam.aws.session`). A failure is an
:class:`~redshift_iam.core.diagnostics.InputError` (RC409) saying which call failed and why,
never with a secret.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError

# What the credentials need, for the hint of a denied call.
ACTIONS = ("iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy",
           "iam:ListAttachedRolePolicies", "iam:GetPolicy", "iam:GetPolicyVersion")


class RolePolicy(NamedTuple):
    """One permissions policy of a role: ``name`` says which (``ROLE inline NAME``, or a
    managed policy's ARN and version, as ``get-account-authorization-details`` files are
    named), ``document`` the parsed JSON, ``boundary`` marks the permissions boundary."""

    name: str
    document: Any
    boundary: bool = False


def role_name(role: str) -> str:
    """The RoleName of a name or a role ARN (``arn:aws:iam::1:role/path/Name`` -> ``Name``)."""
    if role.startswith("arn:") and ":role/" in role:
        return role.rsplit("/", 1)[-1]
    return role


def read_role_policies(role: str, session: Any = None) -> tuple[RolePolicy, ...]:
    """Every permissions policy of ``role`` (a name or an ARN), in this order: inline
    policies by name, attached policies by ARN, then the boundary. ``session``: a boto3
    Session (default: the default credential chain). Raises InputError (RC409)."""
    from redshift_iam.aws.session import Clients, make_session

    name = role_name(role)
    try:
        iam = Clients(session if session is not None else make_session())["iam"]
        detail = iam.get_role(RoleName=name)["Role"]
        found = [_inline(iam, name, policy) for policy in sorted(_pages(
            iam, "list_role_policies", "PolicyNames", name))]
        arns = sorted(p["PolicyArn"] for p in _pages(iam, "list_attached_role_policies",
                                                     "AttachedPolicies", name))
        found += [_managed(iam, arn, False) for arn in arns]
        boundary = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            found.append(_managed(iam, boundary, True))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - _failed raises again what is not AWS's
        raise _failed(name, exc) from None
    return tuple(found)


def _pages(iam: Any, operation: str, key: str, name: str) -> list[Any]:
    items: list[Any] = []
    for page in iam.get_paginator(operation).paginate(RoleName=name):
        items += page.get(key, [])
    return items


def _inline(iam: Any, role: str, policy: str) -> RolePolicy:
    answer = iam.get_role_policy(RoleName=role, PolicyName=policy)
    return RolePolicy(f"{role} inline {policy}", _document(answer["PolicyDocument"], policy))


def _managed(iam: Any, arn: str, boundary: bool) -> RolePolicy:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    answer = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
    return RolePolicy(f"{arn} {version}", _document(answer["Document"], arn), boundary)


def _document(value: Any, what: str) -> Any:
    """botocore decodes IAM's URL-encoded documents; text is decoded here otherwise."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(urllib.parse.unquote(value))
    except ValueError:
        raise InputError(Diagnostic("RC409", f"--from-role: the document of {what} is not "
                                             "JSON")) from None


def _failed(name: str, exc: BaseException) -> InputError:
    """An AWS or botocore failure as RC409 (anything else is a bug and is raised again)."""
    from redshift_iam.aws.session import error_code, failure_of
    from redshift_iam.core.lookups import REASONS

    failure = failure_of(exc)
    if error_code(exc) == "NoSuchEntity":
        return InputError(Diagnostic("RC409", f"--from-role {name}: no such role or policy in "
                                              f"the account ({failure.message})",
                                     fix="check the role's name (or give its ARN)"))
    reason = REASONS[failure.reason]
    fix = (f"give your credentials {', '.join(ACTIONS)}, or pass the role's policies with "
           "--policy" if failure.reason == "denied" else reason.remedy)
    return InputError(Diagnostic("RC409", f"--from-role {name}: {reason.says}: "
                                          f"{failure.message}", fix=fix))

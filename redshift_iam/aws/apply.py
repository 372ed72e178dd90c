"""``apply``: put the reports' roles, trust and permissions policies in place, and the first
role of each chain on a cluster or a Redshift Serverless namespace.

:func:`plan_apply` reads the account and returns a :class:`~redshift_iam.aws.plan.Plan`;
``aws.execute.execute_plan`` makes its calls in order; :func:`apply_reports` does both (or only the
first, on a dry run). For each role, in chain order (a role a trust policy names exists
before that policy is put):

1. create the role (its path kept, tagged ``managed-by=redshift-iam``) or update its trust;
2. for each of its documents, create ``<role>-redshift-iam[-N]`` (tagged) or, when the
   document changed, delete its oldest versions as IAM's limit of 5 requires and put a new
   default version; attach it;
3. detach and delete the policies apply made earlier for the role that are no longer needed
   (their other versions first, as IAM requires);

then add the first roles of the chains to the cluster (ModifyClusterIamRoles) or namespace
(UpdateNamespace with the roles and default role it has, plus the new ones). Permissions are
put before old ones go, so a role is never left with less than either run grants. Every step
is found again from the account's state (policies by name and tag, not by attachment), so a
run that stops half-way leaves a state the next run completes; a run whose state matches
makes no call that changes anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from redshift_iam.aws.execute import execute_plan
from redshift_iam.aws.plan import (
    SUFFIX,
    ApplyError,
    ApplyOptions,
    Change,
    Outcome,
    Plan,
    Skip,
    compact,
    policy_name,
    split_arn,
)
from redshift_iam.aws.session import Clients, apply_session, failure_of, stopped
from redshift_iam.aws.state import (
    PolicyState,
    RoleState,
    apply_policies,
    cluster_roles,
    namespace_roles,
    read_role,
)
from redshift_iam.core.aws_names import role_arn_parts
from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.policy import PolicyDocument
from redshift_iam.core.reports import PrincipalReport
from redshift_iam.core.settings import MANAGED_LIMIT
from redshift_iam.core.statements import AuthKind

MAX_VERSIONS = 5  # IAM keeps at most five versions of a managed policy
SKIP_REASONS = {
    AuthKind.KEYS: "an IAM user behind access keys: apply creates roles only; attach the "
                   "user's policy yourself (generate prints it)",
    AuthKind.DEFAULT_ROLE: "IAM_ROLE default is whichever role the cluster has as its "
                           "default: apply cannot know it; attach the policy generate prints "
                           "to that role",
}


def apply_reports(reports: Iterable[PrincipalReport], options: ApplyOptions,
                  session: Any = None) -> Outcome:
    """Plan, then (unless ``options.dry_run``) execute. Raises :class:`ApplyError`."""
    session = apply_session(session)
    plan = plan_apply(reports, options, session)
    if options.dry_run or not plan.changes:
        return Outcome(plan, (), options.dry_run)
    return execute_plan(plan, session)


def plan_apply(reports: Iterable[PrincipalReport], options: ApplyOptions,
               session: Any = None) -> Plan:
    """The changes that make the account hold ``reports`` (module docstring); reads only.
    Raises :class:`ApplyError` for a role of another account (RI196), IAM quotas (RI197), an
    AWS error (RI198) or a role or policy name apply does not own (RI199)."""
    if options.cluster and options.namespace:
        raise ValueError("give a cluster or a namespace, not both")
    aws = Clients(apply_session(session))
    try:
        return _plan(tuple(reports), options, aws)
    except ApplyError:
        raise
    except Exception as exc:  # noqa: BLE001 - failure_of raises again what is not AWS's
        raise stopped("apply could not read the account", failure_of(exc)) from None


def _plan(reports: tuple[PrincipalReport, ...], options: ApplyOptions, aws: Clients) -> Plan:
    identity = aws["sts"].get_caller_identity()
    account, partition = identity["Account"], identity["Arn"].split(":")[1]
    roles = _chain_order([r for r in reports if r.principal.kind is AuthKind.ROLE])
    skipped = tuple(Skip(r.principal.name, SKIP_REASONS[r.principal.kind])
                    for r in reports if r.principal.kind is not AuthKind.ROLE)
    for report in roles:
        _check_role(report, account)
    owned = apply_policies(aws["iam"], (split_arn(r.principal.name)[1] for r in roles))
    changes: list[Change] = []
    unchanged = []
    for report in roles:
        found = _role_changes(aws["iam"], report, owned, f"arn:{partition}:iam::{account}",
                              options.max_policies)
        changes += found
        if not found:
            unchanged.append(report.principal.name)
    changes += _attachment(aws, options, [r.principal.name for r in roles if _first(r)])
    return Plan(account, tuple(changes), skipped, tuple(unchanged))


def _check_role(report: PrincipalReport, account: str) -> None:
    """The role is in the credentials' account, and its documents fit IAM's size quota."""
    arn = report.principal.name
    parts = role_arn_parts(arn)
    if parts is None or parts["account"] != account:
        raise ApplyError(Diagnostic("RI196", f"role {arn} is not in account {account}, the "
                                             "account of your credentials: apply cannot "
                                             "create or change it"))
    for index, document in enumerate(report.policies, 1):
        if document.size > MANAGED_LIMIT:
            raise ApplyError(Diagnostic(
                "RI197", f"policy {index} of {arn} has {document.size} characters; a managed "
                         f"policy has at most {MANAGED_LIMIT}",
                fix="build the documents for managed policies (not --inline)"))


def _too_many(arn: str, needed: int, others: int, limit: int) -> ApplyError:
    theirs = f", besides {others} attached that apply did not make" if others else ""
    return ApplyError(Diagnostic("RI197", f"role {arn} needs {needed} managed policies{theirs}:"
                                          f" over the quota of {limit}",
                                 fix="raise --max-policies if your account's quota is higher "
                                     "(IAM allows 20 on request), or split the role"))


def _role_changes(iam: Any, report: PrincipalReport, owned: Mapping[str, PolicyState],
                  base: str, limit: int) -> list[Change]:
    """One role's changes, in order: the role and its trust, its policies, the stale ones."""
    arn = report.principal.name
    path, name = split_arn(arn)
    state = read_role(iam, name)
    if state.arn and state.arn != arn:
        raise ApplyError(Diagnostic("RI199", f"role {name} exists as {state.arn}, not {arn}: "
                                             "role names are unique in an account",
                                    fix="write the role's ARN as IAM has it, or rename one"))
    changes = _trust_changes(report, state)
    mine = {index: owned[policy] for policy in owned
            if (index := _index(name, policy)) and owned[policy].managed}
    others = [a for a in state.attached if a not in {p.arn for p in mine.values()}]
    if len(others) + len(report.policies) > limit:
        raise _too_many(arn, len(report.policies), len(others), limit)
    for index, document in enumerate(report.policies, 1):
        wanted = policy_name(name, index)
        if wanted in owned and not owned[wanted].managed:
            raise ApplyError(Diagnostic("RI199", f"policy {wanted} exists but was not made by "
                                                 "redshift-iam (no managed-by tag)"))
        changes += _policy_changes(arn, mine.get(index), f"{base}:policy{path}{wanted}",
                                   compact(document.as_json()), state)
    for index in sorted(i for i in mine if i > len(report.policies)):
        changes += _stale(arn, mine[index], state)
    return changes


def _trust_changes(report: PrincipalReport, state: RoleState) -> list[Change]:
    arn, trust = report.principal.name, _trust(report).as_json()
    if not state.arn:
        return [Change("create-role", arn, document=compact(trust))]
    if state.trust != trust:
        return [Change("update-trust", arn, document=compact(trust))]
    return []


def _policy_changes(role: str, found: PolicyState | None, new_arn: str, document: str,
                    state: RoleState) -> list[Change]:
    """Create the policy, or give it a new default version when its document changed
    (deleting the oldest versions first, within IAM's five); attach it."""
    if found is None:
        changes = [Change("create-policy", role, new_arn, document)]
    elif found.document != json.loads(document):
        excess = max(0, len(found.old_versions) + 2 - MAX_VERSIONS)
        changes = [Change("delete-policy-version", role, found.arn, version=version)
                   for version in found.old_versions[:excess]]
        changes.append(Change("create-policy-version", role, found.arn, document))
    else:
        changes = []
    arn = found.arn if found else new_arn
    if arn not in state.attached:
        changes.append(Change("attach-policy", role, arn))
    return changes


def _stale(role: str, policy: PolicyState, state: RoleState) -> list[Change]:
    """A policy apply made for the role that is no longer needed: detached, its other
    versions deleted, then itself."""
    changes = [Change("detach-policy", role, policy.arn)] if policy.arn in state.attached \
        else []
    changes += [Change("delete-policy-version", role, policy.arn, version=version)
                for version in policy.old_versions]
    return changes + [Change("delete-policy", role, policy.arn)]


def _attachment(aws: Clients, options: ApplyOptions, first: list[str]) -> list[Change]:
    """The first roles of the chains that the cluster or namespace does not have yet."""
    if options.cluster and first:
        have = cluster_roles(aws["redshift"], options.cluster)
        missing = tuple(role for role in first if role not in have)
        return [Change("attach-to-cluster", target=options.cluster, roles=missing)] \
            if missing else []
    if options.namespace and first:
        have, default = namespace_roles(aws["redshift-serverless"], options.namespace)
        missing = tuple(role for role in first if role not in have)
        return [Change("attach-to-namespace", target=options.namespace,
                       roles=have + missing, default=default)] if missing else []
    return []


def _index(role_name: str, policy: str) -> int:
    """The 1-based index of ``policy`` among ``role_name``'s apply policies; 0 if not one."""
    match = re.fullmatch(re.escape(role_name + SUFFIX) + r"(?:-([1-9][0-9]*))?", policy)
    return (int(match.group(1) or 1)) if match else 0


def _trust(report: PrincipalReport) -> PolicyDocument:
    """A role's trust policy (every role in a chain has a trust link; only the IAM users of
    access keys, which apply skips, have no trust policy)."""
    assert report.trust is not None, report.principal.name
    return report.trust


def _first(report: PrincipalReport) -> bool:
    """The role trusts Redshift itself (it starts a chain): it goes on the cluster."""
    return any(kind == "Service" for statement in _trust(report).statements
               for kind, _ in statement.principals)


def _chain_order(reports: list[PrincipalReport]) -> list[PrincipalReport]:
    """Roles a trust policy names first (IAM refuses a trust naming a role that does not
    exist); otherwise by ARN. Roles in a cycle keep ARN order."""
    pending = {r.principal.name: r for r in sorted(reports, key=lambda r: r.principal.name)}
    trusts = {name: {v for s in _trust(r).statements for kind, values in s.principals
                     if kind == "AWS" for v in values} & set(pending)
              for name, r in pending.items()}
    ordered: list[PrincipalReport] = []
    while pending:
        ready = [n for n in pending if not trusts[n] & set(pending)] or list(pending)[:1]
        for name in ready:
            ordered.append(pending.pop(name))
    return ordered

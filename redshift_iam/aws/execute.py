"""Executing an apply plan: one row of :data:`ACTIONS` per kind of change, the boto3 call it
makes. Calls are made in the plan's order; the first failure stops the run (see
``aws.apply`` for why the next run completes it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from redshift_iam.aws.plan import TAG, Change, Outcome, Plan, split_arn
from redshift_iam.aws.session import Clients, apply_session, failure_of, stopped

DESCRIPTION = "Made by redshift-iam from the SQL that uses this role; apply replaces it"


def execute_plan(plan: Plan, session: Any = None) -> Outcome:
    """Make the plan's calls in order (``session``: any object with boto3's ``client``; the
    default credential chain when None). A failure raises
    :class:`~redshift_iam.aws.plan.ApplyError` (RI198) carrying the changes made before it;
    running apply again continues from there."""
    aws = Clients(apply_session(session))
    done: list[Change] = []
    for change in plan.changes:
        try:
            ACTIONS[change.action](aws, change)
        except Exception as exc:  # noqa: BLE001 - failure_of raises again what is not AWS's
            raise stopped(f"apply stopped at: {change.summary()} ({len(done)} of "
                          f"{len(plan.changes)} changes made)", failure_of(exc),
                          tuple(done)) from None
        done.append(change)
    return Outcome(plan, tuple(done))


def _call(service: str, method: str, arguments: Callable[[Change], dict[str, Any]]
          ) -> Callable[[Clients, Change], None]:
    """A change made by ``service``'s ``method`` with the arguments built from it."""
    def run(aws: Clients, change: Change) -> None:
        getattr(aws[service], method)(**arguments(change))
    return run


def _role(change: Change) -> str:
    return split_arn(change.role)[1]


def _create_role(change: Change) -> dict[str, Any]:
    return {"RoleName": _role(change), "Path": split_arn(change.role)[0],
            "AssumeRolePolicyDocument": change.document, "Description": DESCRIPTION,
            "Tags": [TAG]}


def _create_policy(change: Change) -> dict[str, Any]:
    path, name = split_arn(change.target)
    return {"PolicyName": name, "Path": path, "PolicyDocument": change.document,
            "Description": DESCRIPTION, "Tags": [TAG]}


def _namespace(change: Change) -> dict[str, Any]:
    """UpdateNamespace takes the whole list of roles; the default role stays what it was
    (the API documents the two as updated together)."""
    found: dict[str, Any] = {"namespaceName": change.target, "iamRoles": list(change.roles)}
    if change.default:
        found["defaultIamRoleArn"] = change.default
    return found


# Change.action -> the call that makes it
ACTIONS: Mapping[str, Callable[[Clients, Change], None]] = {
    "create-role": _call("iam", "create_role", _create_role),
    "update-trust": _call("iam", "update_assume_role_policy", lambda c: {
        "RoleName": _role(c), "PolicyDocument": c.document}),
    "create-policy": _call("iam", "create_policy", _create_policy),
    "delete-policy-version": _call("iam", "delete_policy_version", lambda c: {
        "PolicyArn": c.target, "VersionId": c.version}),
    "create-policy-version": _call("iam", "create_policy_version", lambda c: {
        "PolicyArn": c.target, "PolicyDocument": c.document, "SetAsDefault": True}),
    "attach-policy": _call("iam", "attach_role_policy", lambda c: {
        "RoleName": _role(c), "PolicyArn": c.target}),
    "detach-policy": _call("iam", "detach_role_policy", lambda c: {
        "RoleName": _role(c), "PolicyArn": c.target}),
    "delete-policy": _call("iam", "delete_policy", lambda c: {"PolicyArn": c.target}),
    "attach-to-cluster": _call("redshift", "modify_cluster_iam_roles", lambda c: {
        "ClusterIdentifier": c.target, "AddIamRoles": list(c.roles)}),
    "attach-to-namespace": _call("redshift-serverless", "update_namespace", _namespace),
}

"""What the account holds now, read with boto3 for ``apply``'s plan: a role, the policies apply
made for it (by name and tag), their versions, what is attached, and the roles of a cluster or
a Redshift Serverless namespace. Read only: nothing here changes the account."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from redshift_iam.aws.plan import SUFFIX, TAG
from redshift_iam.aws.session import error_code


class RoleState(NamedTuple):
    """A role as IAM has it: its ARN ('' when it does not exist), its trust policy and the
    ARNs of its attached managed policies."""

    arn: str
    trust: dict[str, Any] | None
    attached: tuple[str, ...]


class PolicyState(NamedTuple):
    """A customer-managed policy named like apply's: whether apply made it (its tag), its
    default version's document, and its other versions, oldest first."""

    arn: str
    managed: bool
    document: dict[str, Any] | None
    old_versions: tuple[str, ...]


def read_role(iam: Any, name: str) -> RoleState:
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except Exception as exc:
        if error_code(exc) == "NoSuchEntity":
            return RoleState("", None, ())
        raise
    attached = [policy["PolicyArn"] for page in iam.get_paginator(
        "list_attached_role_policies").paginate(RoleName=name)
        for policy in page["AttachedPolicies"]]
    return RoleState(role["Arn"], _document(role["AssumeRolePolicyDocument"]), tuple(attached))


def apply_policies(iam: Any, role_names: Iterable[str]) -> dict[str, PolicyState]:
    """Every customer-managed policy whose name is apply's for one of ``role_names``
    (``R-redshift-iam``, ``R-redshift-iam-N``), by name: one pass over the account's
    policies (names are unique in an account, whatever their path)."""
    names = sorted(set(role_names))
    if not names:
        return {}
    pattern = re.compile("(?:" + "|".join(map(re.escape, names)) + ")" + re.escape(SUFFIX)
                         + r"(?:-[1-9][0-9]*)?\Z")
    found = {}
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for policy in page["Policies"]:
            if pattern.match(policy["PolicyName"]):
                found[policy["PolicyName"]] = _policy(iam, policy["Arn"],
                                                      policy["DefaultVersionId"])
    return found


def _policy(iam: Any, arn: str, default: str) -> PolicyState:
    tags = iam.list_policy_tags(PolicyArn=arn).get("Tags", [])
    if TAG not in tags:
        return PolicyState(arn, False, None, ())
    version = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    old = sorted((v for v in versions if not v["IsDefaultVersion"]),
                 key=lambda v: (v["CreateDate"], v["VersionId"]))
    return PolicyState(arn, True, _document(version["Document"]),
                       tuple(v["VersionId"] for v in old))


def _document(document: str | dict[str, Any]) -> dict[str, Any]:
    """boto3 decodes IAM's URL-encoded documents into dicts; a string is parsed."""
    return json.loads(document) if isinstance(document, str) else document


def cluster_roles(redshift: Any, cluster: str) -> tuple[str, ...]:
    """The role ARNs associated with a provisioned cluster."""
    found = redshift.describe_clusters(ClusterIdentifier=cluster)["Clusters"][0]
    return tuple(role["IamRoleArn"] for role in found.get("IamRoles", []))


_SERVERLESS_ROLE = re.compile(r"iamRoleArn=([^,)\s]+)")


def namespace_roles(serverless: Any, namespace: str) -> tuple[tuple[str, ...], str]:
    """The role ARNs of a Redshift Serverless namespace and its default role ('' none).
    GetNamespace has been seen returning each role as ``IamRole(applyStatus=in-sync,
    iamRoleArn=ARN)`` rather than the bare ARN: both are read."""
    found = serverless.get_namespace(namespaceName=namespace)["namespace"]
    roles = []
    for text in found.get("iamRoles", []):
        match = _SERVERLESS_ROLE.search(text)
        roles.append(match.group(1) if match else text.strip())
    return tuple(roles), found.get("defaultIamRoleArn", "") or ""

"""Policy files -> the named policy documents of one role.

:func:`read_policies` reads a file (or standard input's text) in any of these forms, told
apart by their keys (:data:`FORMS`, first match wins):

- a policy document (``{"Version": ..., "Statement": [...]}``);
- ``aws iam get-role-policy`` (``PolicyDocument``: an object, or the URL-encoded JSON text the
  API returns) and ``aws iam get-policy-version`` (``PolicyVersion.Document``);
- ``aws iam get-account-authorization-details``: one role's inline policies, its attached
  managed policies (their default version, from the file's ``Policies``) and its permissions
  boundary; ``role`` picks the role by name or ARN (required when the file holds several);
- ``terraform show -json`` of a plan (or state): see :mod:`redshift_iam.audit.terraform_plan`;
- a CloudFormation template, JSON or YAML: see :mod:`redshift_iam.audit.cloudformation_template`.

Malformed input raises :class:`~redshift_iam.core.diagnostics.InputError` (RC403, RC406) at
file:line:col; what cannot be known (an attached policy the file does not hold, a value
known only after apply) is an RC405 diagnostic in :attr:`PolicyInput.diagnostics`, and that
document is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from redshift_iam.audit.decisions import PolicyDoc
from redshift_iam.audit.locate import error, load_json, load_yaml, where
from redshift_iam.audit.policy_input import PolicyInput, choose, decode_document  # noqa: F401
from redshift_iam.core.diagnostics import Location
from redshift_iam.core.source import Source


def parse(source: Source) -> Any:
    """The file's JSON (when it starts with ``{`` or ``[``) or YAML, positions kept."""
    head = source.text.lstrip()[:1]
    return load_json(source) if head in ("{", "[") else load_yaml(source)


def read_policies(source: Source, role: str | None = None) -> PolicyInput:
    """The documents ``source`` holds for ``role`` (see the module docstring)."""
    body = parse(source)
    start = where(body) or Location(source.name, 1, 1)
    if isinstance(body, Mapping):
        for _, test, reader in FORMS:
            if test(body):
                return reader(source, body, role)
    raise error(f"{source.name} is none of the forms check reads (a policy document, an aws "
                "iam get-role-policy, get-policy-version or get-account-authorization-details "
                "response, a terraform show -json plan, a CloudFormation template)", start)


def _plain(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    return PolicyInput("policy", (PolicyDoc(source.name, body, where(body)),))


def _role_policy(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    name = f"{body.get('RoleName', '?')} inline {body.get('PolicyName', '?')}"
    document = decode_document(body["PolicyDocument"], where(body), "PolicyDocument")
    return PolicyInput("get-role-policy", (PolicyDoc(name, document, where(body)),),
                       (str(body.get("RoleName", "")),) if body.get("RoleName") else ())


def _policy_version(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    version = body["PolicyVersion"]
    if not isinstance(version, Mapping) or "Document" not in version:
        raise error("PolicyVersion has no Document", where(body))
    name = f"{source.name} {version.get('VersionId', '')}".strip()
    document = decode_document(version["Document"], where(version), "PolicyVersion.Document")
    return PolicyInput("get-policy-version", (PolicyDoc(name, document, where(version)),))


def _authorization(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    from redshift_iam.audit.account import read_account
    return read_account(source, body, role)


def _terraform(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    from redshift_iam.audit.terraform_plan import read_plan
    return read_plan(source, body, role)


def _cloudformation(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    from redshift_iam.audit.cloudformation_template import read_template
    return read_template(source, body, role)


def _is_template(body: Mapping) -> bool:
    resources = body.get("Resources")
    return "AWSTemplateFormatVersion" in body or isinstance(resources, Mapping) and any(
        isinstance(r, Mapping) and str(r.get("Type", "")).startswith("AWS::")
        for r in resources.values())


Reader = Callable[[Source, Mapping, "str | None"], PolicyInput]
# (form, how to tell it, reader): one row per form, first match wins.
FORMS: tuple[tuple[str, Callable[[Mapping], bool], Reader], ...] = (
    ("policy", lambda b: "Statement" in b, _plain),
    ("get-role-policy", lambda b: "PolicyDocument" in b, _role_policy),
    ("get-policy-version", lambda b: "PolicyVersion" in b, _policy_version),
    ("account-authorization-details", lambda b: "RoleDetailList" in b, _authorization),
    ("terraform-plan", lambda b: "format_version" in b and (
        "planned_values" in b or "values" in b or "resource_changes" in b), _terraform),
    ("cloudformation", _is_template, _cloudformation),
)

"""``aws iam get-account-authorization-details`` -> one role's documents.

The role (``RoleDetailList[]``, chosen by name or ARN) brings its inline policies
(``RolePolicyList``), its attached managed policies (``AttachedManagedPolicies``, each joined
by ARN to the file's ``Policies`` entry and read at its default version) and its permissions
boundary (``PermissionsBoundary``, joined the same way; it limits the others). The trust
policy (``AssumeRolePolicyDocument``) is not a permissions policy and is not read. An
attached policy the file does not hold (AWS managed policies are listed only with
``--filter AWSManagedPolicy``) is an RC405 note.
"""

from __future__ import annotations

from collections.abc import Mapping

from redshift_iam.audit.decisions import PolicyDoc
from redshift_iam.audit.locate import error, where
from redshift_iam.audit.policy_input import PolicyInput, choose, decode_document
from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.source import Source


def _list(body: Mapping, key: str) -> list:
    value = body.get(key) or []
    if not isinstance(value, list):
        raise error(f"{key} must be a list", where(body))
    return value


def read_account(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    roles = [r for r in _list(body, "RoleDetailList") if isinstance(r, Mapping)]
    names = [str(r.get("RoleName", "")) for r in roles]
    aliases = {str(r.get("Arn", "")): str(r.get("RoleName", "")) for r in roles}
    start = where(body) or Location(source.name, 1, 1)
    chosen = choose(names, role, source.name, start, aliases)
    detail = roles[names.index(chosen)]
    managed = _managed(body)
    documents = [_inline(chosen, entry) for entry in _list(detail, "RolePolicyList")]
    notes: list[Diagnostic] = []
    for attached in _list(detail, "AttachedManagedPolicies"):
        arn = str(attached.get("PolicyArn", "")) if isinstance(attached, Mapping) else ""
        _join(managed, arn, where(attached) or where(detail), False, documents, notes)
    boundary = detail.get("PermissionsBoundary")
    if isinstance(boundary, Mapping) and boundary.get("PermissionsBoundaryArn"):
        _join(managed, str(boundary["PermissionsBoundaryArn"]), where(boundary) or where(detail),
              True, documents, notes)
    return PolicyInput("account-authorization-details", tuple(documents), tuple(sorted(names)),
                       tuple(notes))


def _inline(role: str, entry: object) -> PolicyDoc:
    if not isinstance(entry, Mapping) or "PolicyDocument" not in entry:
        raise error(f"a RolePolicyList entry of {role} has no PolicyDocument", where(entry))
    name = f"{role} inline {entry.get('PolicyName', '?')}"
    return PolicyDoc(name, decode_document(entry["PolicyDocument"], where(entry), name),
                     where(entry))


def _managed(body: Mapping) -> dict[str, Mapping]:
    """Policy ARN -> its ``Policies`` entry."""
    return {str(p.get("Arn", "")): p for p in _list(body, "Policies") if isinstance(p, Mapping)}


def _join(managed: Mapping[str, Mapping], arn: str, at: Location | None, boundary: bool,
          documents: list[PolicyDoc], notes: list[Diagnostic]) -> None:
    what = "permissions boundary" if boundary else "attached policy"
    entry = managed.get(arn)
    if entry is None:
        notes.append(Diagnostic("RC405", f"the {what} {arn} is not in the file's Policies (AWS "
                                         "managed policies are listed only with --filter "
                                         "AWSManagedPolicy): its statements are not checked",
                                at))
        return
    default = entry.get("DefaultVersionId")
    versions = [v for v in _list(entry, "PolicyVersionList") if isinstance(v, Mapping)]
    chosen = [v for v in versions if v.get("IsDefaultVersion") or v.get("VersionId") == default]
    if not chosen or "Document" not in chosen[0]:
        raise error(f"the {what} {arn} has no default version document in the file",
                    where(entry))
    name = f"{arn} {chosen[0].get('VersionId', '')}".strip()
    document = decode_document(chosen[0]["Document"], where(chosen[0]), name)
    documents.append(PolicyDoc(name, document, where(chosen[0]), boundary))

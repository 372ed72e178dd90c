"""What a statement's ARNs need beyond the SQL: its Region, its account and its KMS keys.

A key id (from KMS_KEY_ID or a --kms-key flag) becomes an ARN here, per statement: in the
statement's Region (REGION, else --region; SSE-KMS keys live in the bucket's Region) and
account (the data role's, else --account-id). An alias ARN names its account and Region, and
the key it maps to must be in both. What cannot be settled raises :class:`Unresolved` with
the RI14x diagnostic and a hint carrying the exact value to pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redshift_iam.core.aws_names import (
    arn_partition,
    kms_arn_parts,
    kms_kind,
    partition_of_region,
    shown,
)
from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.grants import KeyMatch, S3Access
from redshift_iam.core.placeholders import has_marker, has_sentinel
from redshift_iam.core.settings import KmsTarget
from redshift_iam.core.statements import AuthKind, Text

if TYPE_CHECKING:
    from redshift_iam.derive.collector import Collector


class Unresolved(Exception):
    """A value the flags did not supply; carries the RI14x diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def region_of(out: Collector, region: Text | None, loc: Location, *,
              clause: bool = True) -> str:
    """The statement's REGION, else --region; its partition must match --partition. A
    REGION that is a template placeholder is unresolved here, where a grant needs it.
    ``clause`` is False where the statement may not carry REGION (COPY from EMR): the fix
    then names --region only."""
    if region and has_sentinel(region.value):
        from redshift_iam.derive.unresolved import unresolved
        raise Unresolved(unresolved("region", region.value, out.places, out.kind,
                                    region.loc)[0])
    value = region.value if region else out.settings.region
    if has_marker(value):  # a variable of the IaC file (derive.variables)
        return value
    if not value:
        where = f" or add REGION 'REGION' to this {out.kind}" if clause else ""
        raise Unresolved(Diagnostic("RI141", "this ARN needs the cluster's Region", loc,
                                    fix=f"pass --region REGION (the cluster's Region){where}"))
    if partition_of_region(value) != out.settings.partition:
        raise Unresolved(Diagnostic("RI125", f"Region {value} is in partition "
                                             f"{partition_of_region(value)}, not "
                                             f"{out.settings.partition}", loc))
    return value


def account_of(out: Collector, loc: Location) -> str:
    """The account of the credentials: the data role's own account, else --account-id."""
    value = out.account or out.settings.account_id
    if not value:
        principal = out.principal
        whose = {AuthKind.DEFAULT_ROLE: "the cluster's default role",
                 AuthKind.KEYS: f"the IAM user of access key {principal.name[5:]}"}.get(
                     principal.kind, principal.name)
        raise Unresolved(Diagnostic("RI140", f"this ARN needs the account of {principal.name}"
                                             " (it is not in the SQL)", loc,
                                    fix=f"pass --account-id ACCOUNT (the 12-digit account of "
                                        f"{whose})"))
    return value


def key_ref_arn(out: Collector, ref: str, region: Text | None, loc: Location) -> str:
    """A key ARN as is; a key id as an ARN in the statement's Region and account."""
    if kms_kind(ref) != "id":
        return ref
    return (f"arn:{out.settings.partition}:kms:{region_of(out, region, loc)}:"
            f"{account_of(out, loc)}:key/{ref}")


def kms_arn(out: Collector, key: Text, region: Text | None) -> str:
    """The ARN of UNLOAD's KMS_KEY_ID: a key ARN, a key id, or an alias (by name or ARN)
    resolved through --kms-key."""
    if has_marker(key.value):  # a variable of the IaC file holds the key ARN
        return key.value
    kind = kms_kind(key.value)
    if kind in ("arn", "alias-arn"):
        partition = arn_partition(key.value)
        if partition != out.settings.partition:
            raise Unresolved(Diagnostic("RI125", f"KMS key {key.value} is in partition "
                                                 f"{partition}, not {out.settings.partition}",
                                        key.loc))
    if kind == "arn":
        return key.value
    if kind in ("alias", "alias-arn"):
        return _alias_key(out, key, region)
    if kind == "id":
        return key_ref_arn(out, key.value, region, key.loc)
    raise Unresolved(Diagnostic("RI124", f"{shown(key.value, 80)} is not a KMS key id, key "
                                         "ARN or alias", key.loc))


def _alias_key(out: Collector, key: Text, region: Text | None) -> str:
    """An alias's key: the --kms-key mapping of its ARN, else of its alias/NAME. An alias ARN's
    key must be in the alias's account and Region (a key id is made an ARN there)."""
    name = "alias/" + key.value.split("alias/", 1)[1]
    aliases = out.settings.kms_aliases
    ref = aliases.get(key.value) or aliases.get(name)
    if ref is None:
        raise Unresolved(Diagnostic("RI143", f"KMS alias {key.value} must be resolved to its key "
                                             "ARN", key.loc,
                                    fix=f"pass --kms-key {key.value}=KEY_ARN"))
    alias = kms_arn_parts(key.value)
    if alias is None:  # alias/NAME: the statement's Region and account
        return key_ref_arn(out, ref, region, key.loc)
    if kms_kind(ref) == "id":
        return f"arn:{alias['partition']}:kms:{alias['region']}:{alias['account']}:key/{ref}"
    mapped = kms_arn_parts(ref)
    assert mapped is not None, ref  # --kms-key maps an alias to a key ARN or a key id (above)
    if (mapped["region"], mapped["account"]) != (alias["region"], alias["account"]):
        raise Unresolved(Diagnostic(
            "RI124", f"KMS alias {key.value} names a key of account {alias['account']} in "
                     f"{alias['region']}, but --kms-key maps it to {ref}", key.loc,
            fix=f"pass --kms-key {key.value}=KEY_ARN with the key of account "
                f"{alias['account']} in {alias['region']} the alias points to"))
    return ref


def under(access: S3Access, target: KmsTarget) -> bool:
    """Whether the objects of ``access`` may be in ``target``: an exact key when it starts
    with the target's prefix; a key prefix when either of the two is a prefix of the other. A
    key with a ``*`` (a template placeholder's wildcard, ``sales/*/``, or one IAM reads as
    such, RW206) stands for every key it matches: it is read as the prefix before it."""
    if access.bucket != target.bucket:
        return False
    key, match = access.key, access.match
    if "*" in key:
        key, match = key[:key.index("*")], KeyMatch.PREFIX
    if key.startswith(target.prefix):
        return True
    return match is KeyMatch.PREFIX and target.prefix.startswith(key)


def sse_kms(out: Collector, region: Text | None, own_key: bool) -> list[Diagnostic]:
    """The KMS grants of the statement's recorded object accesses under --kms-key targets:
    kms:Decrypt for a read; kms:GenerateDataKey + kms:Decrypt for a write, unless the
    statement names its own KMS_KEY_ID (``own_key``), which alone encrypts what it writes."""
    needed: dict[tuple[KmsTarget, str], None] = {}
    for target in out.settings.kms_targets:
        if not target.key:  # --kms-key s3://...=none: no customer key, no KMS permission
            continue
        for access in out.accesses:
            if (not (access.write and own_key)) and under(access, target):
                needed[target, "unload-bucket-key" if access.write else "copy-sse-kms"] = None
    found: list[Diagnostic] = []
    for target, rule in needed:
        try:
            out.arn(rule, key_ref_arn(out, target.key, region, out.loc))
        except Unresolved as exc:
            found.append(exc.diagnostic)
    return found

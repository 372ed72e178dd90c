"""What one statement's derivation collects: its grants, the objects it reads or writes (for
SSE-KMS), and its notes; and the grants of a rule whose resource is a prebuilt ARN."""

from __future__ import annotations

from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.grants import Grant, Principal, S3Access
from redshift_iam.core.placeholders import SENTINEL_OPEN, wildcard
from redshift_iam.core.settings import Settings
from redshift_iam.core.statements import S3Path
from redshift_iam.derive.rules import RULES, condition, object_access, resource


def unresolved_module():  # noqa: ANN202 -- the module; only templated input needs it
    """``derive.unresolved``, imported on first use: plain SQL never needs it."""
    from redshift_iam.derive import unresolved

    return unresolved


NO_PLACES: dict = {}  # a plain statement's placeholders (never written to)


class Collector:
    """Accumulates one statement's output (internal to the derive stage). ``account`` is the data
    principal's account, or '' when only --account-id can tell; ``accesses`` are the objects
    the statement's rules read or write (recorded only when there are --kms-key targets)."""

    __slots__ = ("settings", "principal", "account", "loc", "scope", "kind", "grants",
                 "accesses", "places", "notes")

    def __init__(self, settings: Settings, principal: Principal, account: str, loc: Location,
                 scope: str = "", kind: str = "statement", places: dict = NO_PLACES
                 ) -> None:
        self.settings, self.principal, self.account, self.loc = settings, principal, account, loc
        self.scope, self.kind = scope, kind
        self.grants: list[Grant] = []
        self.accesses: list[S3Access] = []
        self.places = places  # the statement's template placeholders by index
        self.notes: list[Diagnostic] = []  # RW221: placeholders in keys

    def s3(self, rule_id: str, path: S3Path | None = None, bucket: str = "", key: str = "") -> None:
        bucket, key = (path.bucket, path.key) if path else (bucket, key)
        if SENTINEL_OPEN in key:  # any text in its place: '*' there (a whole-key one: the bucket)
            self.notes += unresolved_module().key_warnings(bucket, key, self.places)
            key = wildcard(key)
            key = "" if key == "*" and rule_id in _PREFIX_RULES else key
        rule = RULES[rule_id]
        for perm in rule.permissions:
            arn = resource(perm.resource, self.settings.partition, bucket, key)
            cond = condition(perm.condition, key)
            self.grants.extend(Grant(self.principal, action, arn, cond, rule_id, self.loc,
                                     self.scope) for action in perm.actions)
        access = object_access(rule, bucket, key) if self.settings.kms_targets else None
        if access:
            self.accesses.append(access)

    def arn(self, rule_id: str, arn: str) -> None:
        self.grants.extend(arn_grants(rule_id, self.principal, arn, self.loc, self.scope))


def arn_grants(rule_id: str, principal: Principal, arn: str, loc: Location, scope: str = ""
               ) -> list[Grant]:
    """The grants of a rule whose resource is a prebuilt ARN (table, cluster, key, role)."""
    return [Grant(principal, action, arn, None, rule_id, loc, scope)
            for perm in RULES[rule_id].permissions for action in perm.actions]


# Rules whose key is a prefix (read from the rules table): a key that is all placeholder
# grants the whole bucket. Rules on the bucket alone ignore the key either way.
_PREFIX_RULES = frozenset(rule.id for rule in RULES.values() if any(
    perm.resource in ("object-prefix", "object-stem") for perm in rule.permissions))

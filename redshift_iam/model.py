"""The derivation stage's values: principals, grants, trust links, and the settings that
supply what the SQL cannot (account, Region, partition, manifests, keys)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.diagnostics import Diagnostic, Location
from redshift_iam.statements import AuthKind


class Principal(NamedTuple):
    """Who needs the permissions: a role ARN, the cluster's ``default`` role, or the IAM user
    behind an access key (``user:<access key id>``)."""

    kind: AuthKind
    name: str

    @property
    def slug(self) -> str:
        """A file-name-safe short name: the role name, ``default-role`` or ``user-KEYID``."""
        if self.kind is AuthKind.ROLE:
            return self.name.rsplit("/", 1)[-1]
        if self.kind is AuthKind.DEFAULT_ROLE:
            return "default-role"
        return self.name.replace(":", "-")


class Condition(NamedTuple):
    """One condition value; the policy builder merges values that share operator and key."""

    operator: str
    key: str
    value: str


class Grant(NamedTuple):
    """One allowed action on one resource, and why: the rule and the statement that need it."""

    principal: Principal
    action: str
    resource: str
    condition: Condition | None
    rule: str
    location: Location
    scope: str = ""  # what a fold may group it with: "copy:<table>" for COPY grants


class TrustLink(NamedTuple):
    """``principal`` must trust ``trusted``: ``"service"`` (Redshift) or the ARN of the role
    before it in a chain."""

    principal: Principal
    trusted: str
    location: Location


class ManifestEntry(NamedTuple):
    bucket: str
    key: str


class KmsTarget(NamedTuple):
    """``--kms-key s3://bucket[/prefix]=KEY``: objects under the prefix use KEY."""

    bucket: str
    prefix: str
    key_arn: str


class Settings(NamedTuple):
    """What the flags supply. ``account_id``/``region`` may be empty (then ARNs that need them
    are unresolved); ``kms_aliases`` maps ``alias/NAME`` to a key ARN."""

    partition: str = "aws"
    account_id: str = ""
    region: str = ""
    manifests: Mapping[str, tuple[ManifestEntry, ...]] = MappingProxyType({})
    kms_targets: tuple[KmsTarget, ...] = ()
    kms_aliases: Mapping[str, str] = MappingProxyType({})


class Derivation(NamedTuple):
    """Every grant and trust link the script needs, plus the diagnostics of deriving them."""

    grants: tuple[Grant, ...]
    trust_links: tuple[TrustLink, ...]
    diagnostics: tuple[Diagnostic, ...]
    skipped: int

    def principals(self) -> tuple[Principal, ...]:
        found = {g.principal for g in self.grants} | {t.principal for t in self.trust_links}
        return tuple(sorted(found))

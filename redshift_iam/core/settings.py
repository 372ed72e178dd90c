"""What the flags supply: the settings every stage reads."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic


class ManifestEntry(NamedTuple):
    bucket: str
    key: str


class KmsTarget(NamedTuple):
    """``--kms-key s3://bucket[/prefix]=KEY``: objects under the prefix use KEY, a key ARN or
    a key id (made an ARN per statement, in its Region and account)."""

    bucket: str
    prefix: str
    key: str


class Settings(NamedTuple):
    """What the flags supply. ``account_id``/``region`` may be empty (then ARNs that need them
    are unresolved); ``kms_aliases`` maps ``alias/NAME`` or an alias ARN to a key ARN or key
    id; ``notes`` are the warnings found in the flag values (and the manifests they name).
    ``variables``: a named template placeholder left unresolved where a grant needs a value
    becomes a variable marker (``core.placeholders``) in the grants, for the Terraform and
    CloudFormation renderers, instead of an unresolved need."""

    partition: str = "aws"
    account_id: str = ""
    region: str = ""
    manifests: Mapping[str, tuple[ManifestEntry, ...]] = MappingProxyType({})
    kms_targets: tuple[KmsTarget, ...] = ()
    kms_aliases: Mapping[str, str] = MappingProxyType({})
    notes: tuple[Diagnostic, ...] = ()
    variables: bool = False


MANAGED_LIMIT = 6144  # characters per managed policy, white space not counted


INLINE_LIMIT = 10240  # characters of all inline policies of a role together


TRUST_LIMIT = 2048  # characters of a role trust policy (default quota)


MAX_MANAGED = 10  # managed policies attached to a role (default quota; 20 on request)


class Limits(NamedTuple):
    """How many documents of what size one principal may have, and whether folding may widen
    prefixes to fit (see :mod:`fold`)."""

    max_policies: int = MAX_MANAGED
    inline: bool = False
    fold: bool = True

    @property
    def size(self) -> int:
        return INLINE_LIMIT if self.inline else MANAGED_LIMIT

    @property
    def max_documents(self) -> int:
        return 1 if self.inline else self.max_policies


class TrustOptions(NamedTuple):
    """``serverless`` adds redshift-serverless.amazonaws.com; ``regions`` replaces the global
    principal with ``redshift.<region>.amazonaws.com``; ``db_users`` adds an sts:ExternalId
    condition with those dbuser ARNs."""

    serverless: bool = False
    regions: tuple[str, ...] = ()
    db_users: tuple[str, ...] = ()

    def services(self) -> tuple[str, ...]:
        if self.regions:
            return tuple(sorted(f"redshift.{r}.amazonaws.com" for r in set(self.regions)))
        if self.serverless:
            return ("redshift-serverless.amazonaws.com", "redshift.amazonaws.com")
        return ("redshift.amazonaws.com",)

"""Statements -> grants and trust links, by the rules table.

This module decides *which* rules a statement triggers and on what subject; the rules table
says what each grants. Anything the SQL does not settle (an account, a Region, a manifest's
entries, a key) becomes an RI14x "unresolved" diagnostic naming the flag that supplies it;
the grant it would have produced is left out, never guessed.
"""

from __future__ import annotations

import functools

from redshift_iam.diagnostics import Diagnostic, Location
from redshift_iam.model import Derivation, Grant, Principal, Settings, TrustLink
from redshift_iam.rules import RULES, condition, resource
from redshift_iam.statements import (
    AuthKind,
    Authorization,
    Copy,
    CopyMode,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    S3Path,
    Script,
    Text,
    Unload,
    Unmapped,
)
from redshift_iam.values import arn_partition, kms_kind, partition_of_region, role_account


class Unresolved(Exception):
    """A value the flags did not supply; carries the RI14x diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Collector:
    """Accumulates one statement's output. Internal to this module. ``account`` is the data
    principal's account, or '' when only --account-id can tell."""

    __slots__ = ("settings", "principal", "account", "loc", "scope", "grants")

    def __init__(self, settings: Settings, principal: Principal, account: str, loc: Location,
                 scope: str = "") -> None:
        self.settings, self.principal, self.account, self.loc = settings, principal, account, loc
        self.scope = scope
        self.grants: list[Grant] = []

    def s3(self, rule_id: str, path: S3Path | None = None, bucket: str = "", key: str = "") -> None:
        bucket, key = (path.bucket, path.key) if path else (bucket, key)
        for perm in RULES[rule_id].permissions:
            arn = resource(perm.resource, self.settings.partition, bucket, key)
            cond = condition(perm.condition, key)
            self.grants.extend(Grant(self.principal, action, arn, cond, rule_id, self.loc,
                                     self.scope) for action in perm.actions)

    def arn(self, rule_id: str, arn: str) -> None:
        self.grants.extend(arn_grants(rule_id, self.principal, arn, self.loc, self.scope))


def arn_grants(rule_id: str, principal: Principal, arn: str, loc: Location, scope: str = ""
               ) -> list[Grant]:
    """The grants of a rule whose resource is a prebuilt ARN (table, cluster, key, role)."""
    return [Grant(principal, action, arn, None, rule_id, loc, scope)
            for perm in RULES[rule_id].permissions for action in perm.actions]


def derive(script: Script, settings: Settings) -> Derivation:
    """Every grant and trust link the script's statements need (see module docstring)."""
    grants: list[Grant] = []
    links: list[TrustLink] = []
    diagnostics: list[Diagnostic] = []
    for statement in script.statements:
        if isinstance(statement, Unmapped):
            diagnostics.append(Diagnostic("RI130", f"{statement.what} is not mapped to IAM "
                                                   "permissions yet", statement.loc))
            continue
        if statement.auth is None:  # CREATE LIBRARY from https://: no AWS access
            continue
        collector = None
        try:
            principal, account, chain, chain_links = _principals(statement.auth, settings,
                                                                 statement.loc)
            grants.extend(chain)
            links.extend(chain_links)
            scope = f"copy:{statement.table}" if isinstance(statement, Copy) else ""
            collector = _Collector(settings, principal, account, statement.loc, scope)
            diagnostics.extend(_statement(collector, statement))
        except Unresolved as exc:
            diagnostics.append(exc.diagnostic)
        if collector is not None:  # what is known is kept, for --allow-unresolved
            grants.extend(collector.grants)
    return Derivation(tuple(grants), tuple(links), tuple(diagnostics), script.skipped)


def _principals(authz: Authorization, settings: Settings, loc: Location
                ) -> tuple[Principal, str, list[Grant], list[TrustLink]]:
    """The data principal, its account, and the chain's AssumeRole grants and trust links
    (located at the statement ``loc``)."""
    if authz.kind is AuthKind.DEFAULT_ROLE:
        principal = Principal(AuthKind.DEFAULT_ROLE, "default")
        return principal, "", [], [TrustLink(principal, "service", loc)]
    if authz.kind is AuthKind.KEYS:
        return Principal(AuthKind.KEYS, f"user:{authz.access_key_id}"), "", [], []
    grants, links, previous = [], [], None
    for role in authz.roles:
        _check_partition(role, settings)
        current = _role_principal(role.value)
        links.append(TrustLink(current, previous.name if previous else "service", loc))
        if previous:
            grants += arn_grants("role-chain", previous, role.value, loc)
        previous = current
    return previous, role_account(previous.name), grants, links


@functools.lru_cache(maxsize=1024)  # one value per role, not one per statement
def _role_principal(arn: str) -> Principal:
    return Principal(AuthKind.ROLE, arn)


def _check_partition(role: Text, settings: Settings) -> None:
    partition = arn_partition(role.value)
    if partition != settings.partition:
        raise Unresolved(Diagnostic("RI125", f"role {role.value} is in partition {partition}, "
                                             f"but the policy is for {settings.partition}; pass "
                                             f"--partition {partition}", role.loc))


def _statement(out: _Collector, statement: Copy | Unload | CreateLibrary) -> list[Diagnostic]:
    if statement.region:
        _region(out, statement.region, statement.region.loc)  # its partition must match
    if isinstance(statement, Copy):
        return _copy(out, statement)
    if isinstance(statement, Unload):
        return _unload(out, statement)
    if isinstance(statement, CreateLibrary) and statement.source is not None:
        out.s3("library-s3", statement.source)
        _sse_reads(out, [statement.source])
    return []


def _copy(out: _Collector, copy: Copy) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    reads: list[S3Path] = []
    if copy.jsonpaths:
        out.s3("copy-jsonpaths", copy.jsonpaths)
        reads.append(copy.jsonpaths)
    if isinstance(copy.source, DynamoTable):
        region, account = _region(out, copy.region, copy.source.loc), _account(out, copy.loc)
        arn = f"arn:{out.settings.partition}:dynamodb:{region}:{account}:table/{copy.source.name}"
        out.arn("copy-dynamodb", arn)
    elif isinstance(copy.source, EmrCluster):
        region, account = _region(out, None, copy.source.loc), _account(out, copy.loc)
        out.arn("copy-emr", f"arn:{out.settings.partition}:elasticmapreduce:{region}:{account}:"
                            f"cluster/{copy.source.cluster_id}")
    elif copy.mode is CopyMode.SSH:
        out.s3("copy-ssh-manifest", copy.source)
    elif copy.mode is CopyMode.MANIFEST:
        out.s3("copy-manifest", copy.source)
        found.extend(_manifest_entries(out, copy.source, reads))
    else:
        out.s3("copy-shapefile" if copy.data_format == "SHAPEFILE" else "copy-s3-prefix",
               copy.source)
        reads.append(copy.source)
    _sse_reads(out, reads)
    return found


def _manifest_entries(out: _Collector, manifest: S3Path, reads: list[S3Path]) -> list[Diagnostic]:
    entries = out.settings.manifests.get(manifest.uri)
    if entries is None:
        return [Diagnostic("RI142", f"the data files of manifest {manifest.uri} are unknown",
                           manifest.loc)]
    for entry in entries:
        out.s3("copy-manifest-entry", bucket=entry.bucket, key=entry.key)
        reads.append(S3Path(entry.bucket, entry.key, manifest.loc))
    return []


def _sse_reads(out: _Collector, reads: list[S3Path]) -> None:
    """kms:Decrypt for every read that overlaps a --kms-key s3:// target."""
    for target in out.settings.kms_targets:
        if any(_overlaps(target.bucket, target.prefix, path) for path in reads):
            out.arn("copy-sse-kms", target.key_arn)


def _overlaps(bucket: str, prefix: str, path: S3Path) -> bool:
    return bucket == path.bucket and (path.key.startswith(prefix) or prefix.startswith(path.key))


def _unload(out: _Collector, unload: Unload) -> list[Diagnostic]:
    target = unload.target
    out.s3("unload", target)
    if unload.cleanpath:
        out.s3("unload-cleanpath", target)
    region = unload.region
    found: list[Diagnostic] = []
    if unload.kms_key:
        try:
            out.arn("unload-kms", _kms_arn(out, unload.kms_key, region))
        except Unresolved as exc:
            found.append(exc.diagnostic)
    for key_target in out.settings.kms_targets:
        if _overlaps(key_target.bucket, key_target.prefix, target):
            out.arn("unload-bucket-key", key_target.key_arn)
    if unload.encrypted_auto:
        out.s3("unload-encrypted-auto", target)
        if not any(t.bucket == target.bucket and target.key.startswith(t.prefix)
                   for t in out.settings.kms_targets):
            found.append(Diagnostic("RI144", f"ENCRYPTED AUTO uses the default KMS key of "
                                             f"bucket {target.bucket}, which is unknown",
                                    unload.loc))
    return found


def _kms_arn(out: _Collector, key: Text, region: Text | None) -> str:
    kind = kms_kind(key.value)
    if kind == "arn":
        partition = arn_partition(key.value)
        if partition != out.settings.partition:
            raise Unresolved(Diagnostic("RI125", f"KMS key {key.value} is in partition "
                                                 f"{partition}, not {out.settings.partition}",
                                        key.loc))
        return key.value
    if kind in ("alias", "alias-arn"):
        alias = "alias/" + key.value.split("alias/", 1)[1]
        if alias in out.settings.kms_aliases:
            return out.settings.kms_aliases[alias]
        raise Unresolved(Diagnostic("RI143", f"KMS alias {alias} must be resolved to its key "
                                             "ARN", key.loc))
    if kind == "id":
        resolved_region, account = _region(out, region, key.loc), _account(out, key.loc)
        return f"arn:{out.settings.partition}:kms:{resolved_region}:{account}:key/{key.value}"
    raise Unresolved(Diagnostic("RI124", f"{key.value[:80]!r} is not a KMS key id, key ARN or "
                                         "alias", key.loc))


def _region(out: _Collector, region: Text | None, loc: Location) -> str:
    """The statement's REGION, else --region; its partition must match --partition."""
    value = region.value if region else out.settings.region
    if not value:
        raise Unresolved(Diagnostic("RI141", "this ARN needs the cluster's Region", loc))
    if partition_of_region(value) != out.settings.partition:
        raise Unresolved(Diagnostic("RI125", f"Region {value} is in partition "
                                             f"{partition_of_region(value)}, not "
                                             f"{out.settings.partition}", loc))
    return value


def _account(out: _Collector, loc: Location) -> str:
    """The account of the credentials: the data role's own account, else --account-id."""
    value = out.account or out.settings.account_id
    if not value:
        raise Unresolved(Diagnostic("RI140", f"this ARN needs the account of {out.principal.name}"
                                             " (it is not in the SQL)", loc))
    return value

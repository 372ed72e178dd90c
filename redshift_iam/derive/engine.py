"""Statements -> grants and trust links, by the rules table.

This module decides *which* rules a statement triggers and on what subject; the rules table
says what each grants. Anything the SQL does not settle (an account, a Region, a manifest's
entries, a key) becomes an RI14x "unresolved" diagnostic naming the flag that supplies it;
the grant it would have produced is left out, never guessed (see :mod:`arns`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

from redshift_iam.core.aws_names import arn_partition, role_account
from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.grants import Derivation, Grant, Principal, S3Access, TrustLink
from redshift_iam.core.placeholders import SENTINEL_OPEN, has_sentinel, wildcard
from redshift_iam.core.settings import Settings
from redshift_iam.core.statements import (
    AuthKind,
    Authorization,
    Copy,
    CopyMode,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    Open,
    S3Path,
    Script,
    Statement,
    Text,
    Unload,
    Unmapped,
)
from redshift_iam.derive.arns import Unresolved, account_of, kms_arn, region_of, sse_kms
from redshift_iam.derive.rules import RULE_DOCS, RULES, condition, object_access, resource


def _templated():  # noqa: ANN202 -- the module; only templated input needs it
    """``derive.templated``, imported on first use: plain SQL never needs it."""
    from redshift_iam.derive import templated

    return templated


_NO_PLACES: dict = {}  # a plain statement's placeholders (never written to)


class _Collector:
    """Accumulates one statement's output. Internal to this module. ``account`` is the data
    principal's account, or '' when only --account-id can tell; ``accesses`` are the objects
    the statement's rules read or write (recorded only when there are --kms-key targets)."""

    __slots__ = ("settings", "principal", "account", "loc", "scope", "kind", "grants",
                 "accesses", "places", "notes")

    def __init__(self, settings: Settings, principal: Principal, account: str, loc: Location,
                 scope: str = "", kind: str = "statement", places: dict = _NO_PLACES
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
            self.notes += _templated().key_warnings(bucket, key, self.places)
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


def derive(script: Script, settings: Settings) -> Derivation:
    """Every grant and trust link the script's statements need (see module docstring). The
    diagnostics start with the settings' own notes (warnings about flag values)."""
    grants: list[Grant] = []
    links: list[TrustLink] = []
    diagnostics: list[Diagnostic] = list(settings.notes)
    for statement in script.statements:
        kind = DERIVERS[type(statement)]
        if kind.grants is None:
            diagnostics.append(Diagnostic("RI130", f"{statement.what} is not mapped to IAM "
                                                   "permissions yet", statement.loc))
        elif not _needs_nothing(statement):
            diagnostics.extend(_derive_one(statement, kind, settings, grants, links))
    return Derivation(tuple(grants), tuple(links), tuple(diagnostics), script.skipped,
                      RULE_DOCS)


def _derive_one(statement: Copy | Unload | CreateLibrary, kind: Deriver, settings: Settings,
                grants: list[Grant], links: list[TrustLink]) -> list[Diagnostic]:
    """Append one statement's grants and trust links; return its diagnostics. What is known
    is kept (for --allow-unresolved). A statement that needs no AWS access (CREATE LIBRARY
    from https://, with any authorization) names no principal: no chain grant, no trust."""
    places = _templated().table(statement) if statement.placeholders else _NO_PLACES
    if statement.auth is not None and statement.auth.kind is AuthKind.OPEN:
        return _templated().open_slots(statement, places, kind.name)
    if statement.open_options:
        settled = _settled(statement, kind, settings, grants, links)
        if settled is not None:
            return settled
    try:
        principal, account, chain, chain_links = _principals(statement.auth, settings,
                                                             statement.loc)
    except Unresolved as exc:
        return [exc.diagnostic]
    scope = f"copy:{statement.table}" if isinstance(statement, Copy) else ""
    out = _Collector(settings, principal, account, statement.loc, scope, kind.name, places)
    found = _statement(out, statement, kind)
    for slot in statement.open_options:
        found += _templated().unresolved("options", slot.text, places, kind.name, slot.loc)
    if out.grants or found:
        grants.extend(chain)
        grants.extend(out.grants)
        links.extend(chain_links)
    return found


# Rules whose key is a prefix: a key that is all placeholder grants the whole bucket.
_PREFIX_RULES = frozenset({"copy-s3-prefix", "copy-shapefile", "unload", "unload-cleanpath",
                           "unload-encrypted-auto"})


def _needs_nothing(statement: Copy | Unload | CreateLibrary) -> bool:
    """CREATE LIBRARY from https:// reads nothing from AWS: its authorization (if any) is not
    used, so it is not checked either."""
    return isinstance(statement, CreateLibrary) and statement.source is None


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


def _statement(out: _Collector, statement: Copy | Unload | CreateLibrary, kind: Deriver
               ) -> list[Diagnostic]:
    """The statement's grants by kind, then the SSE-KMS grants of every object it reads or
    writes (so no read kind can miss them); each distinct diagnostic once."""
    found: list[Diagnostic] = []
    try:
        if statement.region and not has_sentinel(statement.region.value):
            region_of(out, statement.region, statement.region.loc)  # its partition must match
        found += kind.grants(out, statement)
    except Unresolved as exc:
        found.append(exc.diagnostic)
    own_key = isinstance(statement, Unload) and statement.kms_key is not None
    found += sse_kms(out, statement.region, own_key)
    return list(dict.fromkeys(out.notes + found if out.notes else found))


def _open(out: _Collector, slot: Open) -> list[Diagnostic]:
    """The diagnostics of an open slot (its grants are left out)."""
    return _templated().unresolved(slot.what, slot.text, out.places, out.kind, slot.loc)


def _copy(out: _Collector, copy: Copy) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if isinstance(copy.jsonpaths, Open):
        found += _open(out, copy.jsonpaths._replace(what="jsonpaths"))
    elif copy.jsonpaths:
        out.s3("copy-jsonpaths", copy.jsonpaths)
    return found + _copy_source(out, copy)


def _copy_source(out: _Collector, copy: Copy) -> list[Diagnostic]:
    if isinstance(copy.source, Open):
        return _open(out, copy.source)
    if isinstance(copy.source, (DynamoTable, EmrCluster)):
        name = copy.source.name if isinstance(copy.source, DynamoTable) \
            else copy.source.cluster_id
        if has_sentinel(name):
            slot = "table" if isinstance(copy.source, DynamoTable) else "cluster"
            return _templated().unresolved(slot, name, out.places, out.kind, copy.source.loc)
    if isinstance(copy.source, DynamoTable):
        region, account = region_of(out, copy.region, copy.source.loc), account_of(out, copy.loc)
        arn = f"arn:{out.settings.partition}:dynamodb:{region}:{account}:table/{copy.source.name}"
        out.arn("copy-dynamodb", arn)
    elif isinstance(copy.source, EmrCluster):
        region, account = region_of(out, None, copy.source.loc), account_of(out, copy.loc)
        out.arn("copy-emr", f"arn:{out.settings.partition}:elasticmapreduce:{region}:{account}:"
                            f"cluster/{copy.source.cluster_id}")
    elif copy.mode is CopyMode.SSH:
        out.s3("copy-ssh-manifest", copy.source)
    elif copy.mode is CopyMode.MANIFEST:
        out.s3("copy-manifest", copy.source)
        return _manifest_entries(out, copy.source)
    else:
        out.s3("copy-shapefile" if copy.data_format == "SHAPEFILE" else "copy-s3-prefix",
               copy.source)
    return []


def _manifest_entries(out: _Collector, manifest: S3Path) -> list[Diagnostic]:
    entries = out.settings.manifests.get(manifest.uri)
    if entries is None:
        return [Diagnostic("RI142", f"the data files of manifest {manifest.uri} are unknown",
                           manifest.loc, fix=f"pass --manifest {manifest.uri}=FILE (a local "
                                             "copy of the manifest)")]
    for entry in entries:
        out.s3("copy-manifest-entry", bucket=entry.bucket, key=entry.key)
    return []


def _unload(out: _Collector, unload: Unload) -> list[Diagnostic]:
    target = unload.target
    if isinstance(target, Open):
        return _open(out, target) + _unload_key(out, unload)
    out.s3("unload", target)
    if unload.cleanpath:
        out.s3("unload-cleanpath", target)
    found = _unload_key(out, unload)
    if unload.encrypted_auto:
        out.s3("unload-encrypted-auto", target)
        if not any(t.bucket == target.bucket and target.key.startswith(t.prefix)
                   for t in out.settings.kms_targets):
            found.append(Diagnostic("RI144", f"ENCRYPTED AUTO uses the default KMS key of "
                                             f"bucket {target.bucket}, which is unknown",
                                    unload.loc, fix=f"pass --kms-key s3://{target.bucket}="
                                                    "KEY_ARN (the bucket's default key)"))
    return found


def _library(out: _Collector, library: CreateLibrary) -> list[Diagnostic]:
    if isinstance(library.source, Open):
        return _open(out, library.source)
    if library.source is not None:
        out.s3("library-s3", library.source)
    return []


def _unload_key(out: _Collector, unload: Unload) -> list[Diagnostic]:
    """The grant of UNLOAD's KMS_KEY_ID (a placeholder there is unresolved)."""
    if not unload.kms_key:
        return []
    if has_sentinel(unload.kms_key.value):
        return _templated().unresolved("key", unload.kms_key.value, out.places, out.kind,
                                    unload.kms_key.loc)
    try:
        out.arn("unload-kms", kms_arn(out, unload.kms_key, unload.region))
    except Unresolved as exc:
        return [exc.diagnostic]
    return []


def _settled(statement: Copy | Unload | CreateLibrary, kind: Deriver, settings: Settings,
             grants: list[Grant], links: list[TrustLink]) -> list[Diagnostic] | None:
    """A statement whose open option slots are Jinja blocks read once per branch: when every
    reading gives the same grants, the blocks do not matter and the first reading stands;
    None when they differ (or were not read)."""
    if not statement.alternatives:
        return None
    readings = []
    for alternative in statement.alternatives:
        found_grants, found_links = [], []
        found = _derive_one(alternative, kind, settings, found_grants, found_links)
        readings.append((found_grants, found_links, found))
    shapes = {frozenset((g.principal, g.action, g.resource, g.condition) for g in reading[0])
              for reading in readings}
    if len(shapes) != 1:
        return None
    first_grants, first_links, first_found = readings[0]
    grants.extend(first_grants)
    links.extend(first_links)
    return first_found


class Deriver(NamedTuple):
    """How this stage handles one statement kind: its name in messages, and the function
    that adds the statement's own grants (None: not mapped yet, RI130)."""

    name: str
    grants: Callable[[_Collector, Statement], list[Diagnostic]] | None


# One row per statement kind of core.statements.Statement (a test holds it complete).
DERIVERS: dict[type, Deriver] = {
    Copy: Deriver("COPY", _copy),
    Unload: Deriver("UNLOAD", _unload),
    CreateLibrary: Deriver("CREATE LIBRARY", _library),
    Unmapped: Deriver("UNMAPPED", None),
}

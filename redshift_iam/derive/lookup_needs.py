"""Which lookups ``--resolve`` makes for a script: one :class:`~redshift_iam.core.lookups.Need`
per statement and question, from the statements, the settings known so far and the answers
already had (a manifest's entries name more buckets; a bucket's default key given as a key id
needs the bucket's Region). Pure: nothing here calls AWS.

What is looked up (docs/aws.md has the table):

- the account and the Region, where a grant needs them and the flags did not give them
  (the derive stage's RI140/RI141 say where);
- each MANIFEST not given with --manifest (its entries become exact grants);
- every bucket a statement reads or writes: its default encryption (SSE-KMS adds the KMS
  grants; for ENCRYPTED AUTO the policy depends on it) and its Region (another Region than
  the statement's is a warning);
- a KMS alias in KMS_KEY_ID (to its key ARN), and whether a named key exists;
- whether an SSH manifest, JSONPaths file, library file, DynamoDB table or EMR cluster
  exists (warnings only: the policy is exact either way).
"""

from __future__ import annotations

from collections.abc import Mapping

from redshift_iam.core.aws_names import kms_arn_parts, kms_kind, role_account
from redshift_iam.core.diagnostics import Location
from redshift_iam.core.lookups import Answer, Fact, Lookup, Need
from redshift_iam.core.placeholders import has_marker, has_sentinel
from redshift_iam.core.settings import Settings
from redshift_iam.core.statements import (
    AuthKind,
    Copy,
    CopyMode,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    S3Path,
    Script,
    Statement,
    Unload,
)
from redshift_iam.derive.derivers import DERIVERS

# The derive stage's "unresolved" codes that an account-wide lookup answers.
_GLOBAL = {"RI140": ("account", "pass --account-id ACCOUNT"),
           "RI141": ("region", "pass --region REGION (the cluster's Region)")}


def needs_for(script: Script, settings: Settings, facts: Mapping[Lookup, Answer]
              ) -> list[Need]:
    """Every need of ``script`` given what ``settings`` and ``facts`` already tell, in
    statement order (the same inputs give the same list)."""
    found = _global_needs(script, settings)
    for statement in script.statements:
        for reading in (statement, *getattr(statement, "alternatives", ())):
            found += _StatementNeeds(reading, settings, facts).needs()
    return list(dict.fromkeys(found))


def _global_needs(script: Script, settings: Settings) -> list[Need]:
    """The account and Region, where the derive stage finds a grant that needs them; the
    Region also (as a check) to compare the buckets' Regions with."""
    if settings.account_id and settings.region:
        return []
    from redshift_iam.derive.derivation import derive

    found = []
    for diagnostic in derive(script, settings).diagnostics:
        if diagnostic.code in _GLOBAL:
            kind, instead = _GLOBAL[diagnostic.code]
            found.append(Need(Lookup(kind), diagnostic.location, kind, True, instead))
    if not settings.region and script.statements:
        found.append(Need(Lookup("region"), None, "region", False))
    return found


class _StatementNeeds:
    """The needs of one statement (a helper of :func:`needs_for`)."""

    def __init__(self, statement: Statement, settings: Settings,
                 facts: Mapping[Lookup, Answer]) -> None:
        self.statement, self.settings, self.facts = statement, settings, facts
        self.found: list[Need] = []
        self.buckets: set[str] = set()  # each bucket's needs once per statement
        auth = getattr(statement, "auth", None)
        last = auth.roles[-1].value if auth and auth.kind is AuthKind.ROLE else ""
        self.account = role_account(last) if last else ""
        written = getattr(statement, "region", None)
        self.written = written.value if written and _plain(written.value) else ""
        self.kind = DERIVERS[type(statement)].name

    @property
    def region(self) -> str:
        """Where the statement's regional resources are: REGION, else the cluster's."""
        return self.written or self.settings.region

    def needs(self) -> list[Need]:
        statement = self.statement
        if isinstance(statement, Copy):
            self._copy(statement)
        elif isinstance(statement, Unload):
            self._unload(statement)
        elif isinstance(statement, CreateLibrary) and isinstance(statement.source, S3Path):
            self._object(statement.source)
        return self.found

    def _add(self, lookup: Lookup, loc: Location | None, purpose: str, required: bool,
             instead: str = "", about: str = "") -> None:
        self.found.append(Need(lookup, loc, purpose, required, instead, self.account, about))

    def _copy(self, copy: Copy) -> None:
        if isinstance(copy.jsonpaths, S3Path):
            self._object(copy.jsonpaths)
        source = copy.source
        if isinstance(source, DynamoTable) and _plain(source.name) and self.region:
            self._add(Lookup("table", source.name, self.region), source.loc, "exists", False)
        elif isinstance(source, EmrCluster) and _plain(source.cluster_id) and \
                self.settings.region:
            self._add(Lookup("emr-cluster", source.cluster_id, self.settings.region),
                      source.loc, "exists", False)
        elif isinstance(source, S3Path) and copy.mode is CopyMode.MANIFEST:
            self._manifest(source)
        elif isinstance(source, S3Path) and copy.mode is CopyMode.SSH:
            self._object(source)
        elif isinstance(source, S3Path):
            self._bucket(source.bucket, source.loc)

    def _manifest(self, manifest: S3Path) -> None:
        """The manifest itself (read) and the buckets of its entries, once known."""
        self._bucket(manifest.bucket, manifest.loc)
        if not _plain(manifest.key):
            return
        entries = self.settings.manifests.get(manifest.uri)
        if entries is None:
            self._add(Lookup("manifest", manifest.uri), manifest.loc, "manifest", True,
                      f"pass --manifest {manifest.uri}=LOCALFILE (a local copy)")
            return
        for bucket in dict.fromkeys(entry.bucket for entry in entries):
            self._bucket(bucket, manifest.loc)

    def _object(self, path: S3Path) -> None:
        """An exact object the statement reads: it should exist; its bucket's encryption."""
        self._bucket(path.bucket, path.loc)
        if _plain(path.key) and path.key:
            self._add(Lookup("object", path.uri), path.loc, "exists", False)

    def _unload(self, unload: Unload) -> None:
        if isinstance(unload.target, S3Path):
            bucket, key = unload.target.bucket, unload.target.key
            auto = unload.encrypted_auto and not any(  # as derive.kinds decides RI144
                t.bucket == bucket and key.startswith(t.prefix)
                for t in self.settings.kms_targets)
            self._bucket(bucket, unload.target.loc, required=auto,
                         instead=f"pass --kms-key s3://{bucket}=KEY_ARN (the bucket's default "
                                 "key)" if auto else "")
        if unload.kms_key and _plain(unload.kms_key.value):
            self._key(unload.kms_key.value, unload.kms_key.loc)

    def _key(self, key: str, loc: Location) -> None:
        """KMS_KEY_ID: an alias is resolved to its key (the policy depends on it); a key ARN
        or id is checked."""
        kind = kms_kind(key)
        parts = kms_arn_parts(key) if kind in ("arn", "alias-arn") else None
        region = parts["region"] if parts else self.region
        alias = kind in ("alias", "alias-arn")
        if alias and (key in self.settings.kms_aliases or "alias/" + key.split("alias/", 1)[1]
                      in self.settings.kms_aliases):
            return  # given with --kms-key
        if not kind or not region:
            if kind and alias:
                self._add(Lookup("region"), loc, "region", True,
                          "pass --region REGION (the cluster's Region)")
            return
        if alias:
            self._add(Lookup("kms-key", key, region), loc, "kms-alias", True,
                      f"pass --kms-key {key}=KEY_ARN", about=key)
        else:
            self._add(Lookup("kms-key", key, region), loc, "exists", False)

    def _bucket(self, bucket: str, loc: Location, required: bool = False,
                instead: str = "") -> None:
        """A bucket the statement reads or writes: its default encryption (SSE-KMS adds KMS
        grants; unless --kms-key names its key for the whole bucket) and its Region."""
        if not _plain(bucket) or bucket in self.buckets:
            return
        self.buckets.add(bucket)
        self._add(Lookup("bucket-region", bucket), loc, "bucket-region", False,
                  about=f"{self.kind}|{self.written}")
        if self._covered(bucket):
            return
        instead = instead or (f"if its default encryption is SSE-KMS, pass --kms-key "
                              f"s3://{bucket}=KEY_ARN (the role needs that key)")
        encryption = Lookup("bucket-encryption", bucket)
        self._add(encryption, loc, "bucket-encryption", required, instead, about=bucket)
        key = self._bucket_key(encryption)
        if key:
            self._add(key, loc, "bucket-key", required, instead, about=bucket)

    def _bucket_key(self, encryption: Lookup) -> Lookup | None:
        """A bucket default key given as a key id or alias: DescribeKey in the bucket's
        Region (else the cluster's) gives its ARN."""
        fact = self.facts.get(encryption)
        if not isinstance(fact, Fact) or not fact.value or kms_kind(fact.value) == "arn":
            return None
        located = self.facts.get(Lookup("bucket-region", encryption.name))
        region = located.value if isinstance(located, Fact) and located.value else \
            self.settings.region
        return Lookup("kms-key", fact.value, region) if region else None

    def _covered(self, bucket: str) -> bool:
        """--kms-key names the key of the whole bucket."""
        return any(t.bucket == bucket and not t.prefix for t in self.settings.kms_targets)


def _plain(value: str) -> bool:
    """A value the SQL settles: no template sentinel, no IaC variable marker."""
    return not has_sentinel(value) and not has_marker(value)

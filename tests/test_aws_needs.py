"""--resolve without AWS: which lookups a script needs (derive.lookups) and what the answers
make of the settings and diagnostics (derive.facts), with a fake resolver. The grants that
result are judged with the IAM evaluator; each message is checked exactly."""

from __future__ import annotations

import json

from redshift_iam.core.lookups import Fact, Failure, Lookup
from redshift_iam.core.settings import KmsTarget, ManifestEntry, Settings
from redshift_iam.core.source import Source
from redshift_iam.derive import derive, needs_for, resolve_settings
from redshift_iam.sql import read_script
from tests.iam_eval import allowed

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Loader"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KNOWN = Settings(account_id=ACCOUNT, region="us-east-1")


class FakeResolver:
    """Answers from a table (else a plain "it is there" by kind); records what was asked."""

    def __init__(self, answers: dict | None = None) -> None:
        self.answers = answers or {}
        self.asked: list[tuple[Lookup, ...]] = []

    def resolve(self, lookups):
        self.asked.append(tuple(lookups))
        return {lookup: self.answers.get(lookup, _default(lookup)) for lookup in lookups}


def _default(lookup: Lookup):
    return {"account": Fact(ACCOUNT), "region": Fact("us-east-1"),
            "bucket-region": Fact("us-east-1")}.get(lookup.kind, Fact())


def script_of(sql: str):
    return read_script([Source("etl.sql", sql)])


def copy(source: str, options: str = "") -> str:
    return f"COPY t FROM '{source}' IAM_ROLE '{ROLE}' {options};\n"


def unload(target: str, options: str = "") -> str:
    return f"UNLOAD ('select 1') TO '{target}' IAM_ROLE '{ROLE}' {options};\n"


def rendered(diagnostics) -> list[str]:
    return [f"{d.location.short if d.location else '-'} {d.code} {d.message} | {d.hint}"
            for d in diagnostics]


# which lookups ------------------------------------------------------------------------------

def test_the_needs_of_a_script_are_exact():
    script = script_of(copy("s3://in-a/m.json", "MANIFEST")
                       + unload("s3://out-b/x/", "ENCRYPTED AUTO")
                       + copy("dynamodb://Movies", "READRATIO 50 REGION 'eu-west-1'")
                       + unload("s3://out-c/y/", "KMS_KEY_ID 'alias/etl' ENCRYPTED")
                       + copy("s3://in-a/p.json", "JSON 's3://in-a/paths.json'")
                       + copy("emr://j-ABC123/part-*"))
    found = [(n.lookup, n.purpose, n.required, n.loc.line if n.loc else 0)
             for n in needs_for(script, Settings(), {})]
    assert found == [
        (Lookup("region"), "region", True, 6),  # the EMR cluster's ARN (derive's RI141)
        (Lookup("region"), "region", False, 0),  # to compare the buckets' Regions with
        (Lookup("bucket-region", "in-a"), "bucket-region", False, 1),
        (Lookup("bucket-encryption", "in-a"), "bucket-encryption", False, 1),
        (Lookup("manifest", "s3://in-a/m.json"), "manifest", True, 1),
        (Lookup("bucket-region", "out-b"), "bucket-region", False, 2),
        (Lookup("bucket-encryption", "out-b"), "bucket-encryption", True, 2),
        (Lookup("table", "Movies", "eu-west-1"), "exists", False, 3),
        (Lookup("bucket-region", "out-c"), "bucket-region", False, 4),
        (Lookup("bucket-encryption", "out-c"), "bucket-encryption", False, 4),
        (Lookup("region"), "region", True, 4),  # alias/etl is looked up in the Region
        (Lookup("bucket-region", "in-a"), "bucket-region", False, 5),
        (Lookup("bucket-encryption", "in-a"), "bucket-encryption", False, 5),
        (Lookup("object", "s3://in-a/paths.json"), "exists", False, 5),
    ]


def test_given_flags_leave_nothing_to_look_up_for_them():
    """--manifest, --kms-key for the whole bucket and for the alias, --account-id and
    --region: only the checks remain."""
    settings = KNOWN._replace(
        manifests={"s3://in-a/m.json": (ManifestEntry("in-a", "d1"),)},
        kms_targets=(KmsTarget("out-b", "", KEY),), kms_aliases={"alias/etl": KEY})
    script = script_of(copy("s3://in-a/m.json", "MANIFEST")
                       + unload("s3://out-b/x/", "ENCRYPTED AUTO")
                       + unload("s3://out-b/y/", "KMS_KEY_ID 'alias/etl' ENCRYPTED"))
    found = {(n.lookup, n.required) for n in needs_for(script, settings, {})}
    assert found == {(Lookup("bucket-region", "in-a"), False),
                     (Lookup("bucket-encryption", "in-a"), False),
                     (Lookup("bucket-region", "out-b"), False)}


def test_each_distinct_lookup_is_asked_once_and_entries_buckets_come_next():
    manifest = json.dumps({"entries": [{"url": "s3://in-a/d1"}, {"url": "s3://in-b/d2"}]})
    resolver = FakeResolver({Lookup("manifest", "s3://in-a/m.json"): Fact(manifest)})
    script = script_of(copy("s3://in-a/m.json", "MANIFEST") * 3 + copy("s3://in-a/x/"))
    resolution = resolve_settings(script, KNOWN, resolver)
    assert resolver.asked == [
        (Lookup("bucket-region", "in-a"), Lookup("bucket-encryption", "in-a"),
         Lookup("manifest", "s3://in-a/m.json")),
        (Lookup("bucket-region", "in-b"), Lookup("bucket-encryption", "in-b")),
    ]
    assert resolution.settings.manifests == {
        "s3://in-a/m.json": (ManifestEntry("in-a", "d1"), ManifestEntry("in-b", "d2"))}
    assert resolution.diagnostics == ()


# what the answers make ----------------------------------------------------------------------

def test_account_region_manifest_and_bucket_keys_give_the_exact_grants():
    """The issue's example, offline: a manifest with entries in two buckets, a DynamoDB
    table, an ENCRYPTED AUTO bucket with a KMS default key; nothing given by flags."""
    manifest = json.dumps({"entries": [{"url": "s3://in-a/d1.gz"}, {"url": "s3://in-b/d2.gz"}]})
    resolver = FakeResolver({
        Lookup("manifest", "s3://in-a/m.json"): Fact(manifest),
        Lookup("bucket-encryption", "out-b"): Fact(KEY, detail="aws:kms"),
        Lookup("bucket-encryption", "in-b"): Fact("", detail="AES256"),
    })
    script = script_of(copy("s3://in-a/m.json", "MANIFEST")
                       + "COPY d FROM 'dynamodb://Movies' IAM_ROLE default READRATIO 50;\n"
                       + unload("s3://out-b/x/", "ENCRYPTED AUTO"))
    resolution = resolve_settings(script, Settings(), resolver)
    assert resolution.diagnostics == ()
    assert resolution.settings._replace(manifests={}) == Settings(
        account_id=ACCOUNT, region="us-east-1", manifests={},
        # in-a has no default encryption (no answer), in-b SSE-S3: no customer key
        kms_targets=(KmsTarget("in-a", "", ""), KmsTarget("in-b", "", ""),
                     KmsTarget("out-b", "", KEY)))
    derivation = derive(script, resolution.settings)
    assert [d.code for d in derivation.diagnostics] == []
    loader = [g for g in derivation.grants if g.principal.name == ROLE]
    docs = [{"Statement": [{"Effect": "Allow", "Action": g.action, "Resource": g.resource,
                            **({"Condition": {g.condition.operator: {
                                g.condition.key: g.condition.value}}} if g.condition else {})}
                           for g in loader]}]
    for action, resource, context in [
            ("s3:GetObject", "arn:aws:s3:::in-a/m.json", {}),
            ("s3:GetObject", "arn:aws:s3:::in-a/d1.gz", {}),
            ("s3:GetObject", "arn:aws:s3:::in-b/d2.gz", {}),
            ("s3:PutObject", "arn:aws:s3:::out-b/x/0000_part_00", {}),
            ("s3:GetEncryptionConfiguration", "arn:aws:s3:::out-b", {}),
            ("kms:GenerateDataKey", KEY, {}), ("kms:Decrypt", KEY, {})]:
        assert allowed(docs, action, resource, context), (action, resource)
    for action, resource in [("s3:GetObject", "arn:aws:s3:::in-b/d3.gz"),
                             ("s3:GetObject", "arn:aws:s3:::in-a/d1"),
                             ("kms:Decrypt", OTHER_KEY)]:
        assert not allowed(docs, action, resource), (action, resource)
    default = {(g.action, g.resource) for g in derivation.grants if g.principal.name == "default"}
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Movies"
    assert default == {("dynamodb:DescribeTable", table), ("dynamodb:Scan", table)}


def test_sse_s3_and_the_aws_managed_key_add_no_kms_grant():
    for answer in (Fact("", detail="AES256"), Fact("", detail="aws:kms"), Fact()):
        resolver = FakeResolver({Lookup("bucket-encryption", "out-b"): answer})
        script = script_of(unload("s3://out-b/x/", "ENCRYPTED AUTO"))
        resolution = resolve_settings(script, KNOWN, resolver)
        # known to use no customer key: ENCRYPTED AUTO is settled (no RI144), no KMS grant
        assert resolution.settings.kms_targets == (KmsTarget("out-b", "", ""),)
        derivation = derive(script, resolution.settings)
        assert derivation.diagnostics == ()
        assert not [g for g in derivation.grants if g.action.startswith("kms:")]


def test_a_default_key_given_as_an_id_is_described_in_the_buckets_region():
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    eu_key = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}"
    resolver = FakeResolver({
        Lookup("bucket-encryption", "in-eu"): Fact(key_id, detail="aws:kms"),
        Lookup("bucket-region", "in-eu"): Fact("eu-west-1"),
        Lookup("kms-key", key_id, "eu-west-1"): Fact(eu_key, detail="Enabled"),
    })
    script = script_of(copy("s3://in-eu/x/", "REGION 'eu-west-1'"))
    resolution = resolve_settings(script, KNOWN, resolver)
    assert resolution.settings.kms_targets == (KmsTarget("in-eu", "", eu_key),)
    assert resolution.diagnostics == ()
    grants = {(g.action, g.resource) for g in derive(script, resolution.settings).grants}
    assert ("kms:Decrypt", eu_key) in grants


def test_an_alias_becomes_its_key():
    resolver = FakeResolver({Lookup("kms-key", "alias/etl", "us-east-1"):
                             Fact(KEY, detail="Enabled")})
    script = script_of(unload("s3://out-b/x/", "KMS_KEY_ID 'alias/etl' ENCRYPTED"))
    resolution = resolve_settings(script, KNOWN, resolver)
    assert dict(resolution.settings.kms_aliases) == {"alias/etl": KEY}
    grants = {(g.action, g.resource) for g in derive(script, resolution.settings).grants}
    assert {("kms:GenerateDataKey", KEY), ("kms:Decrypt", KEY)} <= grants


# messages -----------------------------------------------------------------------------------

MANIFEST = Lookup("manifest", "s3://in-a/m.json")


def test_a_denied_manifest_is_one_error_naming_the_statement_and_the_flag():
    resolver = FakeResolver({MANIFEST: Failure("denied", "AccessDenied: Access Denied")})
    script = script_of(copy("s3://in-a/m.json", "MANIFEST") * 2)
    assert rendered(resolve_settings(script, KNOWN, resolver).diagnostics) == [
        "etl.sql:1 RI190 --resolve could not get manifest s3://in-a/m.json (S3 GetObject): "
        "access denied: AccessDenied: Access Denied; 1 more statement(s) need it too | give "
        "your credentials s3:GetObject or pass --manifest s3://in-a/m.json=LOCALFILE (a local "
        "copy)"]


def test_a_missing_manifest_is_an_error():
    resolver = FakeResolver({MANIFEST: Fact(exists=False, detail="NoSuchKey")})
    script = script_of(copy("s3://in-a/m.json", "MANIFEST"))
    assert rendered(resolve_settings(script, KNOWN, resolver).diagnostics) == [
        "etl.sql:1 RI191 --resolve: manifest s3://in-a/m.json does not exist (NoSuchKey) | "
        "check the name, or pass --manifest s3://in-a/m.json=LOCALFILE (a local copy)"]


def test_a_manifest_that_is_not_one_names_its_s3_uri():
    cases = [("{\"entries\": [", "s3://in-a/m.json:1:14 RI150 manifest is not JSON: expected "
                                 "a value"),
             ("{\"entries\": [], \"entries\": []}",
              "s3://in-a/m.json:1:17 RI150 manifest: key 'entries' is given twice"),
             ("{\"files\": []}", "s3://in-a/m.json:1:1 RI150 manifest has no \"entries\" list"),
             ("{\"entries\": [{\"url\": \"s3://in-a/\"}]}",
              "s3://in-a/m.json:1:23 RI150 entry 1: 's3://in-a/' names no object")]
    for text, expected in cases:
        resolver = FakeResolver({MANIFEST: Fact(text)})
        found = resolve_settings(script_of(copy("s3://in-a/m.json", "MANIFEST")), KNOWN,
                                 resolver).diagnostics
        assert [f"{d.location} {d.code} {d.message}" for d in found] == [expected]
        assert found[0].hint == ("fix the manifest in S3, or pass --manifest "
                                 "s3://in-a/m.json=LOCALFILE (a local copy)")


def test_no_credentials_is_one_error_per_needed_value_and_one_warning_for_the_checks():
    failure = Failure("no-credentials", "Unable to locate credentials")
    resolver = FakeResolver()
    resolver.resolve = lambda lookups: {  # the Region is configuration, not a call
        lookup: Fact("us-east-1") if lookup.kind == "region" else failure for lookup in lookups}
    script = script_of(copy("s3://in-a/m.json", "MANIFEST")
                       + "COPY d FROM 'dynamodb://Movies' IAM_ROLE default;\n")
    assert rendered(resolve_settings(script, Settings(), resolver).diagnostics) == [
        "etl.sql:2 RI192 --resolve could not get the account of your credentials (STS "
        "GetCallerIdentity): no AWS credentials: Unable to locate credentials | configure "
        "credentials (AWS_PROFILE, the environment, aws configure) or pass --account-id ACCOUNT",
        "etl.sql:1 RI192 --resolve could not get manifest s3://in-a/m.json (S3 GetObject): no "
        "AWS credentials: Unable to locate credentials | configure credentials (AWS_PROFILE, "
        "the environment, aws configure) or pass --manifest s3://in-a/m.json=LOCALFILE (a "
        "local copy)",
        "- RW240 --resolve could not make 3 check(s): no AWS credentials: Unable to locate "
        "credentials | configure credentials (AWS_PROFILE, the environment, aws configure)"]


def test_a_failed_check_is_a_warning():
    resolver = FakeResolver({Lookup("bucket-encryption", "in-a"):
                             Failure("denied", "AccessDenied: Access Denied")})
    script = script_of(copy("s3://in-a/x/"))
    assert rendered(resolve_settings(script, KNOWN, resolver).diagnostics) == [
        "etl.sql:1 RW240 --resolve could not check the default encryption of bucket in-a (S3 "
        "GetBucketEncryption): access denied: AccessDenied: Access Denied | give your "
        "credentials s3:GetEncryptionConfiguration; if its default encryption is SSE-KMS, pass "
        "--kms-key s3://in-a=KEY_ARN (the role needs that key)"]


def test_a_failed_existence_check_says_the_policy_does_not_depend_on_it():
    resolver = FakeResolver({Lookup("table", "Movies", "us-east-1"):
                             Failure("denied", "AccessDeniedException: no")})
    script = script_of(copy("dynamodb://Movies", "READRATIO 5"))
    assert rendered(resolve_settings(script, KNOWN, resolver).diagnostics) == [
        "etl.sql:1 RW240 --resolve could not check DynamoDB table Movies in us-east-1 (DynamoDB "
        "DescribeTable): access denied: AccessDeniedException: no | give your credentials "
        "dynamodb:DescribeTable; the policy does not depend on it"]


def test_network_and_throttling_failures_say_so():
    for failure, code, says in [
            (Failure("network", 'Could not connect to the endpoint URL: "http://127.0.0.1:9/"'),
             "RI193", "AWS could not be reached"),
            (Failure("throttled", "SlowDown: Please reduce your request rate."), "RI194",
             "throttled, still after retries")]:
        resolver = FakeResolver({MANIFEST: failure})
        found = resolve_settings(script_of(copy("s3://in-a/m.json", "MANIFEST")), KNOWN,
                                 resolver).diagnostics
        assert [(d.code, d.message) for d in found] == [
            (code, f"--resolve could not get manifest s3://in-a/m.json (S3 GetObject): {says}: "
                   f"{failure.message}")]


def test_an_alias_of_another_account_than_the_role_is_an_error():
    resolver = FakeResolver({Lookup("kms-key", "alias/etl", "us-east-1"): Fact(OTHER_KEY)})
    script = script_of(unload("s3://out-b/x/", "KMS_KEY_ID 'alias/etl' ENCRYPTED"))
    assert rendered(resolve_settings(script, KNOWN, resolver).diagnostics) == [
        f"etl.sql:1 RI195 KMS alias alias/etl names key {OTHER_KEY} in the account of your "
        f"credentials, but the statement's role is in account {ACCOUNT} | pass --kms-key "
        f"alias/etl=KEY_ARN with the key of account {ACCOUNT}"]


def test_bucket_regions_other_than_the_statements_are_warnings():
    resolver = FakeResolver({Lookup("bucket-region", "in-eu"): Fact("eu-west-1")})
    script = script_of(copy("s3://in-eu/x/") + copy("s3://in-eu/y/", "REGION 'us-west-2'")
                       + copy("s3://in-eu/z/", "REGION 'eu-west-1'"))
    assert rendered(resolve_settings(script, KNOWN, resolver).diagnostics) == [
        "etl.sql:1 RW242 bucket in-eu is in eu-west-1, not in the cluster's Region us-east-1: "
        "the COPY needs REGION 'eu-west-1' | add REGION 'eu-west-1' to the COPY (or pass "
        "--region if the cluster is there)",
        "etl.sql:2 RW242 bucket in-eu is in eu-west-1, but the COPY says REGION 'us-west-2' | "
        "write REGION 'eu-west-1'"]


def test_missing_things_are_warnings_naming_the_statement():
    resolver = FakeResolver({
        Lookup("bucket-region", "in-x"): Fact(exists=False, detail="NoSuchBucket"),
        Lookup("bucket-encryption", "in-x"): Fact(exists=False, detail="NoSuchBucket"),
        Lookup("table", "Movies", "us-east-1"): Fact(exists=False, account=ACCOUNT,
                                                     detail="ResourceNotFoundException"),
        Lookup("table", "Other", "us-east-1"): Fact(exists=False, account="210987654321"),
        Lookup("emr-cluster", "j-ABC", "us-east-1"): Fact(detail="TERMINATED",
                                                          account=ACCOUNT),
    })
    script = script_of(copy("s3://in-x/a/") + copy("dynamodb://Movies", "READRATIO 5")
                       + copy("dynamodb://Other", "READRATIO 5") + copy("emr://j-ABC/p"))
    assert rendered(resolve_settings(script, KNOWN, resolver).diagnostics) == [
        "etl.sql:1 RW241 bucket in-x does not exist (NoSuchBucket) | check the name in the "
        "SQL: the statement will fail on it",
        "etl.sql:2 RW241 DynamoDB table Movies in us-east-1 does not exist "
        "(ResourceNotFoundException) | check the name in the SQL: the statement will fail on it",
        "etl.sql:4 RW243 EMR cluster j-ABC is TERMINATED: COPY cannot read from it | Redshift "
        "cannot use a disabled or deleted key, or a terminated cluster"]


# through the front door ---------------------------------------------------------------------

def test_the_front_door_resolves_for_analyze_and_scan_with_the_resolver_given(tmp_path):
    """``Options(resolve=True)`` asks the resolver; without it nothing is asked and the gaps
    stay unresolved."""
    from redshift_iam.analysis import Options, analyze, scan

    sql = copy("s3://in-a/m.json", "MANIFEST") + unload("s3://out-b/x/", "ENCRYPTED AUTO")
    (tmp_path / "etl.sql").write_text(sql)
    manifest = json.dumps({"entries": [{"url": "s3://in-a/d1.gz"}]})
    answers = {Lookup("manifest", "s3://in-a/m.json"): Fact(manifest),
               Lookup("bucket-encryption", "out-b"): Fact(KEY, detail="aws:kms")}
    for run in (lambda options, resolver: analyze([str(tmp_path / "etl.sql")], options,
                                                  resolver=resolver),
                lambda options, resolver: scan([str(tmp_path)], options, resolver).analysis):
        resolver = FakeResolver(answers)
        unresolved = run(Options(), resolver)
        assert resolver.asked == []
        assert [d.code for d in unresolved.failures(False)] == ["RI142", "RI144"]
        resolved = run(Options(resolve=True), resolver)
        assert resolver.asked and resolved.failures(False) == ()
        grants = {(g.action, g.resource) for g in resolved.derivation.grants}
        assert ("s3:GetObject", "arn:aws:s3:::in-a/d1.gz") in grants
        assert ("kms:GenerateDataKey", KEY) in grants

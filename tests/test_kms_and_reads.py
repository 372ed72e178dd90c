"""SSE-KMS keys of every S3 read and write, KMS key ids and aliases, statements that need
nothing (issue 8, items 1, 2, 8, 9, 10). Policies are judged with the IAM evaluator: the
requests Redshift makes are allowed, their neighbours denied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from redshift_iam.core.grants import KeyMatch, S3Access
from redshift_iam.core.settings import KmsTarget
from redshift_iam.derive.arns import under
from redshift_iam.derive.rules import RULES, object_access
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/R"
R = f"IAM_ROLE '{ROLE}'"
ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = f"arn:aws:kms:us-east-1:123456789012:key/{ID}"
OTHER = "arn:aws:kms:us-east-1:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab"
DEEP = "arn:aws:kms:us-east-1:123456789012:key/22222222-12ab-34cd-56ef-1234567890ab"
DECRYPT, GENERATE = "kms:Decrypt", "kms:GenerateDataKey"


def invoke(tmp_path: Path, command: str, sql: str, *flags: str):
    path = tmp_path / "s.sql"
    path.write_text(sql)
    return CliRunner().invoke(main, [command, str(path), *flags])


def policy(tmp_path: Path, sql: str, *flags: str) -> list[dict]:
    """The one policy document of the input (exit 0 asserted)."""
    result = invoke(tmp_path, "policy", sql, *flags)
    assert result.exit_code == 0, result.stderr
    return [json.loads(result.stdout)]


def kms_allowed(docs: list[dict], action: str) -> set[str]:
    """Which of the test keys ``docs`` allow ``action`` on."""
    return {key for key in (KEY, OTHER, DEEP) if allowed(docs, action, key)}


def manifest(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"entries": [{"url": url} for url in urls]}, indent=1))
    return path


# item 1: every object Redshift reads under a --kms-key target needs kms:Decrypt


@pytest.mark.parametrize("sql", [
    f"COPY t FROM 's3://man-bkt/m/load.manifest' {R} MANIFEST",
    f"COPY t FROM 's3://man-bkt/m/hosts.manifest' {R} SSH",
    f"COPY t FROM 's3://data-bkt/d/' {R} JSON 's3://man-bkt/m/paths.json'",
    f"COPY t FROM 'emr://j-ABC/out' {R} JSON 's3://man-bkt/m/paths.json'",
    f"CREATE LIBRARY f LANGUAGE plpythonu FROM 's3://man-bkt/m/f.zip' {R}",
    f"COPY t FROM 's3://man-bkt/m/gis/roads.shp' {R} FORMAT SHAPEFILE",
], ids=["manifest", "ssh-manifest", "jsonpaths", "emr-jsonpaths", "library", "shapefile"])
def test_every_read_under_a_target_gets_decrypt_and_nothing_else(tmp_path, sql) -> None:
    entries = manifest(tmp_path, "s3://data-bkt/d/part-0")
    docs = policy(tmp_path, sql, "--kms-key", f"s3://man-bkt/m/={KEY}",
                  "--kms-key", f"s3://data-bkt/other/={OTHER}",
                  "--manifest", f"s3://man-bkt/m/load.manifest={entries}", "--region", "us-east-1")
    assert kms_allowed(docs, DECRYPT) == {KEY}
    assert kms_allowed(docs, GENERATE) == set()


def test_manifest_entries_get_the_key_of_their_own_bucket(tmp_path) -> None:
    entries = manifest(tmp_path, "s3://enc-bkt/d/part-0", "s3://plain-bkt/d/part-1")
    docs = policy(tmp_path, f"COPY t FROM 's3://man-bkt/load.manifest' {R} MANIFEST",
                  "--manifest", f"s3://man-bkt/load.manifest={entries}",
                  "--kms-key", f"s3://enc-bkt={KEY}", "--kms-key", f"s3://other-bkt={OTHER}")
    assert kms_allowed(docs, DECRYPT) == {KEY}
    assert allowed(docs, "s3:GetObject", "arn:aws:s3:::enc-bkt/d/part-0")
    assert not allowed(docs, "s3:GetObject", "arn:aws:s3:::enc-bkt/d/part-00")


def test_a_shapefile_reads_its_companions_under_their_target(tmp_path) -> None:
    """The .dbf loads with the .shp: a target holding only the .dbf still needs its key."""
    docs = policy(tmp_path, f"COPY t FROM 's3://gis/roads.shp' {R} FORMAT SHAPEFILE",
                  "--kms-key", f"s3://gis/roads.dbf={KEY}", "--kms-key", f"s3://gis/rivers.={OTHER}")
    assert kms_allowed(docs, DECRYPT) == {KEY}


def test_every_rule_that_reads_or_writes_objects_records_the_access() -> None:
    """The KMS logic walks the accesses the rules record: a rule that gets or puts objects
    without saying so would silently miss its keys."""
    for rule in RULES.values():
        touches = any(p.resource.startswith("object-") and
                      {"s3:GetObject", "s3:PutObject"} & set(p.actions) for p in rule.permissions)
        writes = any("s3:PutObject" in p.actions for p in rule.permissions)
        expected = ("write" if writes else "read") if touches else ""
        assert rule.access == expected, rule.id


def test_object_access_names_exact_keys_and_prefixes() -> None:
    assert object_access(RULES["copy-manifest"], "b", "m/x") == S3Access(
        "b", "m/x", KeyMatch.EXACT, False)
    assert object_access(RULES["copy-s3-prefix"], "b", "d/") == S3Access(
        "b", "d/", KeyMatch.PREFIX, False)
    assert object_access(RULES["copy-shapefile"], "b", "g/r.shp.gz") == S3Access(
        "b", "g/r.", KeyMatch.PREFIX, False)
    assert object_access(RULES["unload"], "b", "u/") == S3Access("b", "u/", KeyMatch.PREFIX, True)
    assert object_access(RULES["unload-cleanpath"], "b", "u/") is None


# item 9: an exact key is under a target only when it starts with the target's prefix


@pytest.mark.parametrize("access, prefix, expected", [
    (S3Access("b", "libs/f", KeyMatch.EXACT, False), "libs/f2/", False),
    (S3Access("b", "libs/f", KeyMatch.EXACT, False), "libs/", True),
    (S3Access("b", "libs/f", KeyMatch.EXACT, False), "libs/f", True),
    (S3Access("b", "libs/f", KeyMatch.EXACT, False), "", True),
    (S3Access("b", "libs/f", KeyMatch.PREFIX, False), "libs/f2/", True),
    (S3Access("b", "libs/f", KeyMatch.PREFIX, False), "libs/", True),
    (S3Access("b", "libs/f", KeyMatch.PREFIX, False), "libs/g", False),
    (S3Access("c", "libs/f", KeyMatch.PREFIX, False), "", False),
])
def test_under(access, prefix, expected) -> None:
    assert under(access, KmsTarget("b", prefix, KEY)) is expected


@pytest.mark.parametrize("sql", [
    f"CREATE LIBRARY f LANGUAGE plpythonu FROM 's3://lib-bkt/libs/f' {R}",
    f"COPY t FROM 's3://lib-bkt/libs/f' {R} MANIFEST",
    f"COPY t FROM 's3://lib-bkt/libs/f' {R} SSH",
    f"COPY t FROM 's3://data/d/' {R} JSON 's3://lib-bkt/libs/f'",
], ids=["library", "manifest", "ssh", "jsonpaths"])
def test_an_exact_key_does_not_get_a_deeper_targets_key(tmp_path, sql) -> None:
    entries = manifest(tmp_path, "s3://data/e/part-0")
    docs = policy(tmp_path, sql, "--kms-key", f"s3://lib-bkt/libs/f2/={DEEP}",
                  "--kms-key", f"s3://lib-bkt/libs/={KEY}",
                  "--manifest", f"s3://lib-bkt/libs/f={entries}")
    assert kms_allowed(docs, DECRYPT) == {KEY}


def test_a_manifest_entry_does_not_get_a_deeper_targets_key(tmp_path) -> None:
    entries = manifest(tmp_path, "s3://data/d/part-0", "s3://data/e/x")
    docs = policy(tmp_path, f"COPY t FROM 's3://man/m' {R} MANIFEST",
                  "--manifest", f"s3://man/m={entries}",
                  "--kms-key", f"s3://data/d/part-00/={DEEP}", "--kms-key", f"s3://data/e={KEY}")
    assert kms_allowed(docs, DECRYPT) == {KEY}


@pytest.mark.parametrize("sql, actions", [
    (f"COPY t FROM 's3://bkt/d' {R}", {DECRYPT}),
    (f"UNLOAD ('select 1') TO 's3://bkt/d' {R}", {DECRYPT, GENERATE}),
], ids=["copy", "unload"])
def test_a_prefix_overlaps_a_deeper_target_and_a_covering_one(tmp_path, sql, actions) -> None:
    docs = policy(tmp_path, sql, "--kms-key", f"s3://bkt/d/2024/={DEEP}",
                  "--kms-key", f"s3://bkt/={KEY}", "--kms-key", f"s3://bkt/e/={OTHER}")
    for action in (DECRYPT, GENERATE):
        assert kms_allowed(docs, action) == ({KEY, DEEP} if action in actions else set())


# item 10: an UNLOAD's own KMS_KEY_ID alone encrypts what it writes


@pytest.mark.parametrize("kms, flags", [
    (f"KMS_KEY_ID '{OTHER}'", ()),
    ("KMS_KEY_ID '99999999-12ab-34cd-56ef-1234567890ab'", ("--region", "us-east-1")),
    ("KMS_KEY_ID 'alias/etl'", ("--kms-key", f"alias/etl={OTHER}")),
], ids=["key-arn", "key-id", "alias"])
def test_an_explicit_kms_key_id_does_not_also_get_the_bucket_key(tmp_path, kms, flags) -> None:
    sql = f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} {kms} ENCRYPTED"
    docs = policy(tmp_path, sql, "--kms-key", f"s3://bkt={KEY}", *flags)
    assert kms_allowed(docs, GENERATE) == kms_allowed(docs, DECRYPT) == {OTHER}


def test_encrypted_auto_and_plain_unloads_use_the_bucket_key(tmp_path) -> None:
    for options in ("ENCRYPTED AUTO", ""):
        docs = policy(tmp_path, f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} {options}",
                      "--kms-key", f"s3://bkt={KEY}", "--kms-key", f"s3://else={OTHER}")
        assert kms_allowed(docs, GENERATE) == kms_allowed(docs, DECRYPT) == {KEY}


def test_an_explicit_key_leaves_the_bucket_key_to_the_reads_of_other_statements(tmp_path) -> None:
    sql = (f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} KMS_KEY_ID '{OTHER}' ENCRYPTED;\n"
           f"COPY t FROM 's3://bkt/in/' {R};")
    docs = policy(tmp_path, sql, "--kms-key", f"s3://bkt={KEY}")
    assert kms_allowed(docs, DECRYPT) == {KEY, OTHER}
    assert kms_allowed(docs, GENERATE) == {OTHER}


# item 2: a key id takes the statement's Region and account; an alias ARN's key is in its
# account and Region

EU_KEY = f"arn:aws:kms:eu-west-1:123456789012:key/{ID}"
US_KEY = KEY
ALIAS = "arn:aws:kms:eu-west-1:222222222222:alias/etl"
ALIAS_KEY = f"arn:aws:kms:eu-west-1:222222222222:key/{ID}"
WRONG_KEY = f"arn:aws:kms:us-east-1:111111111111:key/{ID}"
UNLOAD_ALIAS = f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} KMS_KEY_ID '{ALIAS}' ENCRYPTED"


def keys_allowed(docs: list[dict], action: str, *keys: str) -> set[str]:
    return {key for key in keys if allowed(docs, action, key)}


@pytest.mark.parametrize("sql", [
    f"COPY t FROM 's3://eu-bkt/d/' {R} REGION 'eu-west-1'",
    f"COPY t FROM 's3://eu-bkt/m' {R} MANIFEST REGION AS 'eu-west-1'",
    f"CREATE LIBRARY f LANGUAGE plpythonu FROM 's3://eu-bkt/f.zip' {R} REGION 'eu-west-1'",
], ids=["copy", "manifest", "library"])
def test_a_key_id_takes_the_statements_region(tmp_path, sql) -> None:
    entries = manifest(tmp_path, "s3://eu-bkt/d/part-0")
    docs = policy(tmp_path, sql, "--kms-key", f"s3://eu-bkt={ID}", "--region", "us-east-1",
                  "--account-id", "999999999999", "--manifest", f"s3://eu-bkt/m={entries}")
    wrong_account = f"arn:aws:kms:eu-west-1:999999999999:key/{ID}"
    assert keys_allowed(docs, DECRYPT, EU_KEY, US_KEY, wrong_account) == {EU_KEY}


def test_a_key_id_serves_each_statement_in_its_own_region(tmp_path) -> None:
    sql = (f"COPY t FROM 's3://bkt/a/' {R} REGION 'eu-west-1';\n"
           f"UNLOAD ('select 1') TO 's3://bkt/b/' {R};\n"
           f"COPY t FROM 'dynamodb://Movies' {R} READRATIO 5;")
    docs = policy(tmp_path, sql, "--kms-key", f"s3://bkt={ID}", "--region", "us-east-1")
    assert keys_allowed(docs, DECRYPT, EU_KEY, US_KEY) == {EU_KEY, US_KEY}
    assert keys_allowed(docs, GENERATE, EU_KEY, US_KEY) == {US_KEY}


def test_a_key_id_without_region_or_account_is_unresolved_with_the_flag_to_pass(tmp_path
                                                                                 ) -> None:
    result = invoke(tmp_path, "policy", "COPY t FROM 's3://bkt/d/' IAM_ROLE default;",
                    "--kms-key", f"s3://bkt={ID}")
    assert (result.exit_code, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert lines[0].endswith(":1:1: unresolved RI141: this ARN needs the cluster's Region")
    assert lines[1:4] == ["    1 | COPY t FROM 's3://bkt/d/' IAM_ROLE default;",
                          "      | ^",
                          "    hint: pass --region REGION (the cluster's Region) or add REGION "
                          "'REGION' to this COPY"]
    result = invoke(tmp_path, "policy", "COPY t FROM 's3://bkt/d/' IAM_ROLE default;",
                    "--kms-key", f"s3://bkt={ID}", "--region", "us-east-1")
    assert result.stderr.splitlines()[:4] == [
        f"{tmp_path / 's.sql'}:1:1: unresolved RI140: this ARN needs the account of default (it "
        "is not in the SQL)",
        "    1 | COPY t FROM 's3://bkt/d/' IAM_ROLE default;", "      | ^",
        "    hint: pass --account-id ACCOUNT (the 12-digit account of the cluster's default "
        "role)"]
    docs = policy(tmp_path, "COPY t FROM 's3://bkt/d/' IAM_ROLE default;",
                  "--kms-key", f"s3://bkt={ID}", "--region", "us-east-1",
                  "--account-id", "999999999999")
    assert allowed(docs, DECRYPT, f"arn:aws:kms:us-east-1:999999999999:key/{ID}")


def test_an_alias_arn_mapped_to_a_key_elsewhere_is_an_error_naming_both(tmp_path) -> None:
    result = invoke(tmp_path, "policy", UNLOAD_ALIAS, "--kms-key", f"alias/etl={WRONG_KEY}")
    assert (result.exit_code, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert lines[0] == (f"{tmp_path / 's.sql'}:1:93: error RI124: KMS alias {ALIAS} names a key "
                        f"of account 222222222222 in eu-west-1, but --kms-key maps it to "
                        f"{WRONG_KEY}")
    assert lines[1] == f"    1 | {UNLOAD_ALIAS}"
    assert lines[2] == "      | " + " " * 92 + "^"
    assert lines[3] == (f"    hint: pass --kms-key {ALIAS}=KEY_ARN with the key of account "
                        "222222222222 in eu-west-1 the alias points to")


@pytest.mark.parametrize("flags", [
    ("--kms-key", f"{ALIAS}={ALIAS_KEY}"),
    ("--kms-key", f"alias/etl={ALIAS_KEY}"),
    ("--kms-key", f"{ALIAS}={ID}"),
    ("--kms-key", f"alias/etl={ID}"),
    ("--kms-key", f"alias/etl={WRONG_KEY}", "--kms-key", f"{ALIAS}={ALIAS_KEY}"),
], ids=["arn-to-arn", "name-to-arn", "arn-to-id", "name-to-id", "arn-form-first"])
def test_an_alias_arn_resolves_to_a_key_of_its_account_and_region(tmp_path, flags) -> None:
    docs = policy(tmp_path, UNLOAD_ALIAS, "--region", "us-east-1", *flags)
    for action in (GENERATE, DECRYPT):
        assert keys_allowed(docs, action, ALIAS_KEY, WRONG_KEY, US_KEY) == {ALIAS_KEY}


def test_a_plain_alias_takes_a_key_id_in_the_statements_region(tmp_path) -> None:
    sql = (f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} KMS_KEY_ID 'alias/etl' ENCRYPTED "
           "REGION 'eu-west-1'")
    docs = policy(tmp_path, sql, "--kms-key", f"alias/etl={ID}", "--region", "us-east-1")
    assert keys_allowed(docs, GENERATE, EU_KEY, US_KEY) == {EU_KEY}


@pytest.mark.parametrize("flag, message", [
    (f"{ALIAS}={WRONG_KEY}", f"--kms-key {ALIAS}={WRONG_KEY}: the alias is in account "
                             "222222222222 and eu-west-1, so its key must be too"),
    (f"arn:aws-cn:kms:cn-north-1:222222222222:alias/etl={ID}",
     "--kms-key arn:aws-cn:kms:cn-north-1:222222222222:alias/etl: the alias is not in "
     "partition aws (--partition)"),
    (f"s3://bkt={ALIAS}", f"--kms-key ...={ALIAS}: expected a key ARN or key id"),
    (f"{KEY}={KEY}", f"--kms-key '{KEY}': expected s3://bucket[/prefix], alias/NAME or an "
                     "alias ARN"),
    (f"alias/etl={KEY}\0alias/etl={OTHER}", f"--kms-key alias/etl: given twice, with {KEY} and "
                                           f"{OTHER}; an alias points to one key"),
], ids=["alias-arn-to-key-elsewhere", "alias-arn-other-partition", "alias-as-key",
        "key-as-target", "alias-twice"])
def test_malformed_kms_key_flags_are_usage_errors(tmp_path, flag, message) -> None:
    flags = [arg for value in flag.split("\0") for arg in ("--kms-key", value)]
    result = invoke(tmp_path, "policy", UNLOAD_ALIAS, *flags)
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr


def test_an_alias_only_known_by_arn_leaves_a_plain_alias_unresolved(tmp_path) -> None:
    sql = f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} KMS_KEY_ID 'alias/etl' ENCRYPTED"
    result = invoke(tmp_path, "policy", sql, "--kms-key", f"{ALIAS}={ALIAS_KEY}")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:4] == [
        f"{tmp_path / 's.sql'}:1:93: unresolved RI143: KMS alias alias/etl must be resolved to "
        "its key ARN", f"    1 | {sql}", "      | " + " " * 92 + "^",
        "    hint: pass --kms-key alias/etl=KEY_ARN"]


def test_an_alias_arn_in_another_partition_is_refused(tmp_path) -> None:
    cn_alias = "arn:aws-cn:kms:cn-north-1:222222222222:alias/etl"
    sql = f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} KMS_KEY_ID '{cn_alias}' ENCRYPTED"
    result = invoke(tmp_path, "policy", sql, "--kms-key", f"alias/etl={ID}")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (f"{tmp_path / 's.sql'}:1:93: error RI125: KMS key "
                                             f"{cn_alias} is in partition aws-cn, not aws")


# item 8: a statement that needs no AWS access names no principal


HTTPS = "CREATE LIBRARY f LANGUAGE plpythonu FROM 'https://example.com/f.zip'"
A, B = "arn:aws:iam::111111111111:role/A", "arn:aws:iam::222222222222:role/B"


@pytest.mark.parametrize("auth", [
    f"IAM_ROLE '{A},{B}'", f"IAM_ROLE '{A}'", "IAM_ROLE default",
    f"CREDENTIALS 'aws_iam_role={A}'",
    "ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE' SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG'",
], ids=["chain", "role", "default", "credentials", "keys"])
def test_a_library_from_https_needs_nothing_whatever_the_authorization(tmp_path, auth) -> None:
    sql = f"{HTTPS} {auth};"
    for command in ("policy", "trust"):
        result = invoke(tmp_path, command, sql)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr.startswith("redshift-iam: nothing to grant: ")
    result = invoke(tmp_path, "generate", sql)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["principals"] == []


def test_a_chain_that_reads_nothing_adds_no_trust_to_a_role_that_does(tmp_path) -> None:
    sql = f"{HTTPS} IAM_ROLE '{A},{B}';\nCOPY t FROM 's3://bkt/d/' IAM_ROLE '{B}';"
    bundle = json.loads(invoke(tmp_path, "generate", sql).stdout)
    assert [p["principal"] for p in bundle["principals"]] == [B]
    trust = bundle["principals"][0]["trust"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "redshift.amazonaws.com"}]
    assert not allowed(bundle["principals"][0]["policies"], "sts:AssumeRole", B)


def test_a_library_from_https_does_not_check_the_role_it_does_not_use(tmp_path) -> None:
    sql = f"{HTTPS} IAM_ROLE 'arn:aws-cn:iam::123456789012:role/R' REGION 'cn-north-1';"
    result = invoke(tmp_path, "generate", sql)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["principals"] == []


def test_a_bucket_with_no_customer_key_settles_encrypted_auto(tmp_path: Path) -> None:
    """--kms-key s3://bucket=none: SSE-S3 or the AWS managed key, so ENCRYPTED AUTO needs no
    KMS permission (was RI144 with no way out but --allow-unresolved)."""
    sql = (f"UNLOAD ('select 1') TO 's3://out-b/x/' {R} ENCRYPTED AUTO;\n"
           f"COPY t FROM 's3://out-b/in/' {R};\n")
    result = invoke(tmp_path, "policy", sql, "--kms-key", "s3://out-b=none")
    assert (result.exit_code, result.stderr) == (0, "")
    docs = [json.loads(result.stdout)]
    assert allowed(docs, "s3:PutObject", "arn:aws:s3:::out-b/x/0000_part_00")
    assert allowed(docs, "s3:GetEncryptionConfiguration", "arn:aws:s3:::out-b")
    assert not any(allowed(docs, action, KEY) for action in (DECRYPT, GENERATE))
    assert "kms:" not in result.stdout
    # a key for another prefix still applies there, =none only where it is given
    mixed = policy(tmp_path, sql, "--kms-key", "s3://out-b/x/=none",
                   "--kms-key", f"s3://out-b/in/={KEY}")
    assert allowed(mixed, DECRYPT, KEY) and not allowed(mixed, GENERATE, KEY)


def test_none_is_a_key_only_for_a_bucket_target(tmp_path: Path) -> None:
    result = invoke(tmp_path, "policy", "SELECT 1;", "--kms-key", "alias/etl=none")
    assert result.exit_code == 2
    assert "--kms-key ...=none: expected a key ARN or key id" in result.stderr

"""Every action and resource the tool emits checked against real IAM catalogues.

The action catalogue is policyuniverse's copy of the AWS Service Authorization Reference:
``policyuniverse.all_permissions`` holds ``prefix:action`` lower-cased, and
``policyuniverse.service_data[SERVICE]["actions"]`` keeps the canonical AWS spelling together
with each action's condition keys; each service also has an ``arn_regex``.
"""

from __future__ import annotations

import re

import policyuniverse
import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from redshift_iam.derive.rules import RULES
from tests.validation_corpus import (
    CORPUS,
    CORPUS_IDS,
    explain_json,
    generate_bundle,
    partition_of,
    permission_policies,
    run_cli,
    trust_policies,
)

# "s3:getobject" -> "s3:GetObject", and each action's condition keys, from the catalogue.
CANONICAL: dict[str, str] = {}
CONDITION_KEYS: dict[str, frozenset[str]] = {}
ARN_REGEX: dict[str, str] = {}
for _service in policyuniverse.service_data.values():
    ARN_REGEX[_service["prefix"]] = _service["arn_regex"]
    for _name, _detail in _service["actions"].items():
        _action = f"{_service['prefix']}:{_name}"
        CANONICAL[_action.lower()] = _action
        CONDITION_KEYS[_action] = frozenset(_detail["condition_keys"])

# Every action the rules table grants (a role chain's sts:AssumeRole is rule "role-chain").
RULE_ACTIONS = sorted({action for rule in RULES.values() for perm in rule.permissions
                       for action in perm.actions})

REGION_OF_PARTITION = {
    "aws": r"(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d",
    "aws-cn": r"cn-[a-z]+-\d",
    "aws-us-gov": r"us-gov-[a-z]+-\d",
}
BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
ACCOUNT = r"\d{12}"


def resource_patterns(partition: str) -> dict[str, re.Pattern[str]]:
    """The ARN shape of each resource type the tool names, in one partition."""
    region = REGION_OF_PARTITION[partition]
    p = re.escape(partition)
    return {
        "bucket": re.compile(rf"^arn:{p}:s3:::{BUCKET}$"),
        "object": re.compile(rf"^arn:{p}:s3:::{BUCKET}/[^\x00-\x1f]*$"),
        "table": re.compile(rf"^arn:{p}:dynamodb:{region}:{ACCOUNT}:"
                            r"table/[A-Za-z0-9_.-]{3,255}$"),
        "cluster": re.compile(rf"^arn:{p}:elasticmapreduce:{region}:{ACCOUNT}:"
                              r"cluster/j-[A-Za-z0-9]+$"),
        "key": re.compile(rf"^arn:{p}:kms:{region}:{ACCOUNT}:key/"
                          r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                          r"|mrk-[0-9a-f]{32})$"),
        "role": re.compile(rf"^arn:{p}:iam::{ACCOUNT}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{{1,64}}$"),
    }


# The resource type each action the tool emits applies to (Service Authorization Reference).
RESOURCE_TYPE = {
    "s3:GetObject": "object",
    "s3:PutObject": "object",
    "s3:DeleteObject": "object",
    "s3:ListBucket": "bucket",
    "s3:GetEncryptionConfiguration": "bucket",
    "dynamodb:DescribeTable": "table",
    "dynamodb:Scan": "table",
    "elasticmapreduce:ListInstances": "cluster",
    "kms:Decrypt": "key",
    "kms:GenerateDataKey": "key",
    "sts:AssumeRole": "role",
}
SID = re.compile(r"^[A-Za-z0-9]+$")
FLAGS = {name: flags for name, _, flags in CORPUS}


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, dict]:
    """Every CORPUS item's ``generate`` bundle, generated once."""
    return {name: generate_bundle(sql, flags, tmp_path_factory.mktemp(name))
            for name, sql, flags in CORPUS}


# (a) the rules table against the catalogue ------------------------------------------------


def test_catalogue_is_loaded():
    """A sanity check that the catalogue is the one these tests rely on."""
    assert len(policyuniverse.all_permissions) > 10_000
    assert "s3:getobject" in policyuniverse.all_permissions
    assert CANONICAL["s3:getobject"] == "s3:GetObject"
    assert "s3:getobjectx" not in policyuniverse.all_permissions


def test_rules_name_actions():
    assert sorted(RESOURCE_TYPE) == RULE_ACTIONS, "a rule action without a resource type here"


@pytest.mark.parametrize("action", RULE_ACTIONS)
def test_rule_action_exists_with_canonical_spelling(action):
    assert action.lower() in policyuniverse.all_permissions
    assert CANONICAL[action.lower()] == action


def test_rule_conditions_use_catalogue_condition_keys():
    """The only condition the rules emit is s3:prefix on s3:ListBucket."""
    conditioned = {action for rule in RULES.values() for perm in rule.permissions
                   if perm.condition for action in perm.actions}
    assert conditioned == {"s3:ListBucket"}
    assert "s3:prefix" in CONDITION_KEYS["s3:ListBucket"]
    assert "sts:ExternalId" in CONDITION_KEYS["sts:AssumeRole"]


def test_rule_docs_are_aws_documentation():
    for rule in RULES.values():
        assert rule.doc.startswith("https://docs.aws.amazon.com/"), rule.id


def test_corpus_covers_every_rule(tmp_path):
    used: set[str] = set()
    for index, (_, sql, flags) in enumerate(CORPUS):
        work = tmp_path / str(index)
        work.mkdir()
        report = explain_json(sql, flags, work)
        used |= {grant["rule"] for row in report["statements"] for grant in row["grants"]}
    assert used == set(RULES)


# (b) every generated action against the catalogue ----------------------------------------


def all_statements(bundle: dict):
    """(kind, principal, statement) for every statement of every document of a bundle."""
    for principal, doc in permission_policies(bundle):
        for statement in doc["Statement"]:
            yield "policy", principal, statement
    for principal, doc in trust_policies(bundle):
        for statement in doc["Statement"]:
            yield "trust", principal, statement


@pytest.mark.parametrize("name", CORPUS_IDS)
def test_generated_actions_exist(bundles, name):
    bundle = bundles[name]
    assert bundle["principals"], "every corpus item needs a permission"
    for _, principal, statement in all_statements(bundle):
        for action in as_list(statement["Action"]):
            assert action.lower() in policyuniverse.all_permissions, (principal, action)
            assert CANONICAL[action.lower()] == action, (principal, action)


@pytest.mark.parametrize("name", CORPUS_IDS)
def test_generated_condition_keys_exist_for_their_actions(bundles, name):
    for _, principal, statement in all_statements(bundles[name]):
        for operator, keys in statement.get("Condition", {}).items():
            assert operator in ("StringLike", "StringEquals"), (principal, operator)
            for key in keys:
                for action in as_list(statement["Action"]):
                    assert key in CONDITION_KEYS[action], (principal, action, key)


# (c) resources, partitions and Sids -------------------------------------------------------


@pytest.mark.parametrize("name", CORPUS_IDS)
def test_permission_resources_are_valid_arns(bundles, name):
    partition = partition_of(FLAGS[name])
    patterns = resource_patterns(partition)
    checked = 0
    for principal, doc in permission_policies(bundles[name]):
        for statement in doc["Statement"]:
            assert statement["Effect"] == "Allow"
            assert "Principal" not in statement
            resources = as_list(statement["Resource"])
            assert resources == sorted(set(resources)), "Resource lists are sorted, no repeats"
            for action in as_list(statement["Action"]):
                pattern = patterns[RESOURCE_TYPE[action]]
                service = action.split(":")[0]
                catalogue_arn = re.compile(ARN_REGEX[service].replace("${Partition}",
                                                                      re.escape(partition)))
                for arn in resources:
                    assert pattern.match(arn), (principal, action, arn)
                    assert arn.split(":")[1] == partition
                    assert catalogue_arn.match(arn), (principal, action, arn)
                    checked += 1
    assert checked


@pytest.mark.parametrize("name", CORPUS_IDS)
def test_principals_are_in_the_flags_partition(bundles, name):
    partition = partition_of(FLAGS[name])
    role = resource_patterns(partition)["role"]
    for entry in bundles[name]["principals"]:
        if entry["kind"] == "role":
            assert role.match(entry["principal"]), entry["principal"]
        for statement in (entry["trust"] or {}).get("Statement", []):
            for kind, values in statement["Principal"].items():
                if kind == "AWS":
                    assert all(role.match(arn) for arn in as_list(values)), values
                else:
                    assert kind == "Service"
                    assert all(re.fullmatch(r"redshift(?:-serverless)?(?:\.[a-z0-9-]+)?"
                                            r"\.amazonaws\.com", value)
                               for value in as_list(values)), values


@pytest.mark.parametrize("name", CORPUS_IDS)
def test_sids_are_alphanumeric_and_unique(bundles, name):
    bundle = bundles[name]
    documents = [doc for _, doc in permission_policies(bundle) + trust_policies(bundle)]
    assert documents
    for doc in documents:
        assert doc["Version"] == "2012-10-17"
        sids = [statement["Sid"] for statement in doc["Statement"]]
        assert all(SID.match(sid) for sid in sids), sids
        assert len(sids) == len(set(sids)), sids


def test_sid_collisions_are_numbered(tmp_path):
    """Buckets whose names camel-case alike still get unique Sids."""
    role = "arn:aws:iam::123456789012:role/R"
    sql = "\n".join(f"COPY t FROM 's3://{bucket}/k/' IAM_ROLE '{role}';"
                    for bucket in ("example-data", "example.data", "example-data-2"))
    (_, doc), = permission_policies(generate_bundle(sql, (), tmp_path))
    sids = [statement["Sid"] for statement in doc["Statement"]]
    assert sids == ["S3GetObject", "S3ListBucketExampleData", "S3ListBucketExampleData2",
                    "S3ListBucketExampleData3"]
    listed = {statement["Sid"]: statement["Resource"] for statement in doc["Statement"]}
    assert listed["S3ListBucketExampleData"] == "arn:aws:s3:::example-data"
    assert listed["S3ListBucketExampleData2"] == "arn:aws:s3:::example-data-2"
    assert listed["S3ListBucketExampleData3"] == "arn:aws:s3:::example.data"


# Cross-partition values: a role and a Region in another partition are refused (RI125); the
# same must hold for a KMS key and for the trust flags, or the document names a resource or
# principal that the role's partition can never reach.

ROLE_ARN = "arn:aws:iam::123456789012:role/R"
CN_KEY = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GOV_KEY = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_a_role_in_another_partition_is_refused(tmp_path):
    """The behaviour the KMS and trust cases below should share."""
    sql = f"COPY t FROM 's3://example-data/in/' IAM_ROLE '{ROLE_ARN}';"
    result = run_cli("generate", sql, ("--partition", "aws-cn"), tmp_path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "RI125" in result.stderr and "partition" in result.stderr


def test_a_sql_kms_key_in_another_partition_is_refused(tmp_path):
    sql = (f"UNLOAD ('select 1') TO 's3://example-data/out/' IAM_ROLE '{ROLE_ARN}' "
           f"KMS_KEY_ID '{CN_KEY}' ENCRYPTED;")
    result = run_cli("generate", sql, (), tmp_path)
    assert (result.exit_code, result.stdout) == (1, "")
    assert f"error RI125: KMS key {CN_KEY} is in partition aws-cn, not aws" in result.stderr


@pytest.mark.parametrize(("sql", "target"), [
    (f"COPY t FROM 's3://example-data/in/' IAM_ROLE '{ROLE_ARN}';", "s3://example-data"),
    (f"UNLOAD ('select 1') TO 's3://example-data/out/' IAM_ROLE '{ROLE_ARN}' "
     "KMS_KEY_ID 'alias/etl' ENCRYPTED;", "alias/etl"),
], ids=["s3-target", "alias-target"])
def test_a_flag_kms_key_in_another_partition_is_refused(tmp_path, sql, target):
    result = run_cli("generate", sql, ("--kms-key", f"{target}={GOV_KEY}"), tmp_path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert f"--kms-key ...={GOV_KEY}: the key is not in partition aws" in result.stderr


@pytest.mark.parametrize("flags", [
    ["--partition", "aws-cn", "--db-user",
     "arn:aws:redshift:us-east-1:123456789012:dbuser:my-cluster/alice"],
    ["--partition", "aws-cn", "--trust-region", "us-east-1"],
    ["--trust-region", "cn-north-1"],
], ids=["db-user", "trust-region", "trust-region-default-partition"])
def test_trust_flags_in_another_partition_are_refused(flags):
    result = CliRunner().invoke(main, ["trust", *flags], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "is not in partition" in result.stderr

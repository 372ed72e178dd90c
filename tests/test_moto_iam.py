"""Every generated document is accepted by moto's IAM and stored unchanged.

moto validates permissions policies in ``create_policy`` (syntax, Version, Sid uniqueness,
resource ARN formats and partitions, condition operators, action prefixes). It does not
validate the trust document given to ``create_role``, but it does in
``update_assume_role_policy``, so trust documents go through both. No network: the
credentials are dummies and ``mock_aws`` intercepts every call.
"""

from __future__ import annotations

import json
import re

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner
from moto import mock_aws

from redshift_iam.cli.main import main
from tests.validation_corpus import (
    CORPUS,
    generate_bundle,
    permission_policies,
    run_cli,
    trust_policies,
)


@pytest.fixture
def iam(monkeypatch, tmp_path):
    """A boto3 IAM client on moto's in-memory IAM, with dummy credentials."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def store_policy(iam, name: str, doc: dict) -> dict:
    """create_policy, then the stored default version's document."""
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    stored = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
    return _as_dict(stored["Document"])


def store_trust(iam, name: str, doc: dict) -> dict:
    """create_role, update_assume_role_policy (moto validates there), then get_role."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(doc))
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(doc))
    return _as_dict(iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"])


def _as_dict(document: str | dict) -> dict:
    """boto3 decodes IAM's URL-encoded JSON documents into dicts; accept a string as well."""
    return json.loads(document) if isinstance(document, str) else document


@pytest.mark.parametrize(("name", "sql", "flags"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_documents_are_accepted_and_stored_unchanged(iam, tmp_path, name, sql, flags):
    bundle = generate_bundle(sql, flags, tmp_path)
    policies, trusts = permission_policies(bundle), trust_policies(bundle)
    assert policies
    for index, (_, doc) in enumerate(policies):
        assert store_policy(iam, f"{name}-{index}", doc) == doc
    for index, (_, doc) in enumerate(trusts):
        assert store_trust(iam, f"{name}-{index}", doc) == doc
    stored = {p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]}
    assert stored == {f"{name}-{index}" for index in range(len(policies))}
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert roles == {f"{name}-{index}" for index in range(len(trusts))}
    # every role (named or default) has a trust policy; an IAM user behind access keys has none
    assert len(trusts) == sum(entry["kind"] != "user" for entry in bundle["principals"])


# The validators are live: a broken document is refused (so the tests above can fail).


@pytest.mark.parametrize(("broken", "message"), [
    ({"Sid": "Dup"}, "Statement IDs (SID) in a single policy must be unique."),
    ({"Resource": "arn:aws-mars:s3:::example-data/*"}, 'Partition "aws-mars" is not valid'),
    ({"Resource": "example-data/*"}, "must be in ARN format"),
    ({"Condition": {"StringLikeish": {"s3:prefix": "a*"}}}, "Syntax errors in policy."),
])
def test_moto_refuses_broken_policies(iam, broken, message):
    good = {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::example-data/*"}
    doc = {"Version": "2012-10-17",
           "Statement": [{**good, "Sid": "Dup"}, {**good, **broken}]}
    with pytest.raises(ClientError) as caught:
        iam.create_policy(PolicyName="broken", PolicyDocument=json.dumps(doc))
    assert caught.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    assert message in caught.value.response["Error"]["Message"]


def test_moto_refuses_a_trust_policy_with_a_resource(iam):
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "redshift.amazonaws.com"},
        "Action": "sts:AssumeRole", "Resource": "*"}]}
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(doc))
    with pytest.raises(ClientError) as caught:
        iam.update_assume_role_policy(RoleName="r", PolicyDocument=json.dumps(doc))
    assert caught.value.response["Error"]["Message"] == "Has prohibited field Resource."


# `redshift-iam trust` without a script ------------------------------------------------------

DB_USER = "arn:aws:redshift:us-east-1:123456789012:dbuser:my-cluster/alice"

TRUST_CASES = [
    ("plain", [], {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "RedshiftAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "redshift.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    }),
    ("serverless", ["--serverless"], {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "RedshiftAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": ["redshift-serverless.amazonaws.com",
                                      "redshift.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }],
    }),
    ("regions", ["--trust-region", "us-east-1", "--trust-region", "eu-west-1"], {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "RedshiftAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": ["redshift.eu-west-1.amazonaws.com",
                                      "redshift.us-east-1.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }],
    }),
    ("db-user", ["--db-user", DB_USER], {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "RedshiftAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "redshift.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": DB_USER}},
        }],
    }),
]


@pytest.mark.parametrize(("case", "args", "expected"), TRUST_CASES,
                         ids=[c[0] for c in TRUST_CASES])
def test_trust_without_script(iam, case, args, expected):
    result = CliRunner().invoke(main, ["trust", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == json.dumps(expected, indent=2) + "\n"
    assert json.loads(result.stdout) == expected
    assert store_trust(iam, f"trust-{case}", expected) == expected


def test_trust_of_a_script_matches_the_bundle(iam, tmp_path):
    """`trust SCRIPT` prints the same document `generate` bundles for that role."""
    script = tmp_path / "etl.sql"
    script.write_text("COPY t FROM 's3://example-data/k/' IAM_ROLE "
                      "'arn:aws:iam::123456789012:role/R';\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["trust", "--serverless", str(script)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    expected = TRUST_CASES[1][2]
    assert json.loads(result.stdout) == expected
    assert store_trust(iam, "trust-of-script", expected) == expected


# The IAM API's own constraints on the text we print (botocore's model of the IAM API) --------

_DOCUMENT_SHAPE = botocore.session.get_session().get_service_model("iam").shape_for(
    "policyDocumentType")
# "[\u0009\u000A\u000D\u0020-\u00FF]+": tab, LF, CR and Latin-1 (moto does not check it).
DOCUMENT_TEXT = re.compile(_DOCUMENT_SHAPE.metadata["pattern"])
MANAGED_POLICY_QUOTA = 6144  # characters, whitespace not counted (IAM quotas)
TRUST_POLICY_QUOTA = 2048  # the default role trust policy length quota


def test_document_pattern_is_the_iam_one():
    assert _DOCUMENT_SHAPE.metadata["pattern"] == "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"
    assert DOCUMENT_TEXT.fullmatch('{"Resource": "arn:aws:s3:::b/donn\u00e9es/*"}\n')
    assert not DOCUMENT_TEXT.fullmatch('{"Resource": "arn:aws:s3:::b/\u65e5\u672c/*"}')


def printed_documents(sql, flags, tmp_path):
    """(principal, `policy --role` text, `trust --role` text or None) for every principal."""
    bundle = generate_bundle(sql, flags, tmp_path)
    for entry in bundle["principals"]:
        role = entry["principal"]
        policy = run_cli("policy", sql, flags, tmp_path, "--role", role)
        assert policy.exit_code == 0, policy.stderr
        assert [json.loads(policy.stdout)] == entry["policies"]
        trust = run_cli("trust", sql, flags, tmp_path, "--role", role)
        if entry["trust"] is None:
            assert trust.exit_code == 1 and trust.stdout == ""
            yield role, policy.stdout, None
        else:
            assert trust.exit_code == 0, trust.stderr
            assert json.loads(trust.stdout) == entry["trust"]
            yield role, policy.stdout, trust.stdout


@pytest.mark.parametrize(("name", "sql", "flags"), CORPUS, ids=[c[0] for c in CORPUS])
def test_printed_documents_fit_the_iam_api(tmp_path, name, sql, flags):
    printed = list(printed_documents(sql, flags, tmp_path))
    assert printed
    for role, policy, trust in printed:
        assert DOCUMENT_TEXT.fullmatch(policy), role
        assert len(re.sub(r"\s", "", policy)) <= MANAGED_POLICY_QUOTA, role
        if trust is not None:
            assert DOCUMENT_TEXT.fullmatch(trust), role
            assert len(re.sub(r"\s", "", trust)) <= TRUST_POLICY_QUOTA, role


def test_a_key_outside_latin1_is_printed_in_a_form_iam_accepts(tmp_path):
    sql = ("COPY t FROM 's3://example-data/\u65e5\u672c/' "
           "IAM_ROLE 'arn:aws:iam::123456789012:role/R';")
    (_, policy, _), = printed_documents(sql, (), tmp_path)
    assert json.loads(policy)["Statement"][0]["Resource"] == \
        "arn:aws:s3:::example-data/\u65e5\u672c/*"
    assert DOCUMENT_TEXT.fullmatch(policy)

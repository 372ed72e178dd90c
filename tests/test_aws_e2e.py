"""End to end on a moto server (ThreadedMotoServer on 127.0.0.1, a free port, reached through
AWS_ENDPOINT_URL): the issue's account (a manifest with entries in two buckets, a DynamoDB
table, an ENCRYPTED AUTO bucket whose default key is a KMS key, a cluster).

- --resolve (the library: ``derive.resolve_settings`` with ``aws.AwsResolver``) gives exactly
  the policy the flags give when the user types every value;
- the installed ``redshift-iam policy`` prints that policy, and the real ``aws`` CLI accepts it
  unchanged through ``file:///dev/stdin``;
- apply's dry run creates nothing; apply leaves one role trusting redshift.amazonaws.com, whose
  attached policy is what ``policy`` prints, on the cluster.

moto judges nothing about least privilege here (its access checks ignore conditions, and
assume_role fails on a trust whose only principal is a service); tests/iam_eval.py does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from redshift_iam.analysis import analyze_sources
from redshift_iam.aws import ApplyOptions, AwsResolver, apply_reports
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source
from redshift_iam.derive import resolve_settings
from redshift_iam.sql import read_script
from tests.aws_support import ACCOUNT, REGION, cluster_iam_roles, make_cluster, offline_env
from tests.iam_eval import allowed

BIN = Path(sys.executable).parent
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Loader"
SQL = f"""\
COPY sales FROM 's3://in-a/manifests/day.json' IAM_ROLE '{ROLE}' MANIFEST GZIP;
COPY movies FROM 'dynamodb://Movies' IAM_ROLE '{ROLE}' READRATIO 50;
UNLOAD ('select * from sales') TO 's3://out-kms/sales/' IAM_ROLE '{ROLE}' ENCRYPTED AUTO;
"""
MANIFEST = {"entries": [{"url": "s3://in-a/data/1.gz", "mandatory": True},
                        {"url": "s3://in-b/data/2.gz", "mandatory": True}]}


@pytest.fixture
def server(monkeypatch, tmp_path):
    """A moto server on 127.0.0.1 (a free port) that this process and its children reach
    through AWS_ENDPOINT_URL; the account of the issue's example in it."""
    offline_env(monkeypatch, tmp_path)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    # moto's backends live in this process and outlive a server: start from an empty account
    urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset",
                                                  method="POST"), timeout=30).close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    try:
        with cluster_iam_roles():
            yield _account()
    finally:
        moto.stop()


def _account() -> str:
    """Buckets, the manifest, the table, the KMS default key and the cluster; the key ARN."""
    s3, kms = boto3.client("s3"), boto3.client("kms")
    for bucket in ("in-a", "in-b", "out-kms"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="in-a", Key="manifests/day.json", Body=json.dumps(MANIFEST).encode())
    key = kms.create_key()["KeyMetadata"]["Arn"]
    s3.put_bucket_encryption(Bucket="out-kms", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": key}}]})
    boto3.client("dynamodb").create_table(
        TableName="Movies", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    make_cluster("etl")
    return key


def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / argv[0]), *argv[1:]], input=stdin, capture_output=True,
                          text=True, env=dict(os.environ), timeout=120)


def test_resolve_policy_aws_cli_and_apply_on_a_moto_server(server, tmp_path):
    key = server
    script = read_script([Source("etl.sql", SQL)])
    resolution = resolve_settings(script, Settings(), AwsResolver())
    assert resolution.diagnostics == ()
    resolved = analyze_sources([Source("etl.sql", SQL)], resolution.settings, TrustOptions())
    assert resolved.diagnostics == ()
    (loader,) = resolved.reports
    (document,) = (doc.as_json() for doc in loader.policies)

    # what the user would type by hand gives the same policy, byte for byte
    (tmp_path / "etl.sql").write_text(SQL)
    (tmp_path / "day.json").write_text(json.dumps(MANIFEST))
    printed = run("redshift-iam", "policy", str(tmp_path / "etl.sql"), "--account-id", ACCOUNT,
                  "--region", REGION, "--manifest",
                  f"s3://in-a/manifests/day.json={tmp_path / 'day.json'}",
                  "--kms-key", f"s3://out-kms={key}")
    assert (printed.returncode, printed.stderr) == (0, "")
    assert json.loads(printed.stdout) == document

    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Movies"
    for action, resource, context in [
            ("s3:GetObject", "arn:aws:s3:::in-a/manifests/day.json", {}),
            ("s3:GetObject", "arn:aws:s3:::in-a/data/1.gz", {}),
            ("s3:GetObject", "arn:aws:s3:::in-b/data/2.gz", {}),
            ("s3:ListBucket", "arn:aws:s3:::in-b", {"s3:prefix": "data/2.gz"}),
            ("dynamodb:Scan", table, {}), ("dynamodb:DescribeTable", table, {}),
            ("s3:PutObject", "arn:aws:s3:::out-kms/sales/0000_part_00", {}),
            ("s3:GetEncryptionConfiguration", "arn:aws:s3:::out-kms", {}),
            ("kms:GenerateDataKey", key, {}), ("kms:Decrypt", key, {})]:
        assert allowed([document], action, resource, context), (action, resource)
    for action, resource in [("s3:GetObject", "arn:aws:s3:::in-b/data/3.gz"),
                             ("s3:PutObject", "arn:aws:s3:::in-a/data/1.gz"),
                             ("dynamodb:Scan", table + "2")]:
        assert not allowed([document], action, resource), (action, resource)

    # the real AWS CLI takes the printed policy unchanged
    created = run("aws", "iam", "create-policy", "--policy-name", "Loader-by-hand",
                  "--policy-document", "file:///dev/stdin", stdin=printed.stdout)
    assert created.returncode == 0, created.stderr
    arn = json.loads(created.stdout)["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/Loader-by-hand"
    iam = boto3.client("iam")
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == document

    # apply: the dry run creates nothing; then one role, its policy, on the cluster
    dry = apply_reports(resolved.reports, ApplyOptions(cluster="etl", dry_run=True))
    assert [c.action for c in dry.plan.changes] == ["create-role", "create-policy",
                                                    "attach-policy", "attach-to-cluster"]
    assert iam.list_roles()["Roles"] == []
    apply_reports(resolved.reports, ApplyOptions(cluster="etl"))
    role = iam.get_role(RoleName="Loader")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [{
        "Sid": "RedshiftAssumeRole", "Effect": "Allow",
        "Principal": {"Service": "redshift.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    (attached,) = iam.list_attached_role_policies(RoleName="Loader")["AttachedPolicies"]
    version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
    assert iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)[
        "PolicyVersion"]["Document"] == json.loads(printed.stdout)
    cluster = boto3.client("redshift").describe_clusters(ClusterIdentifier="etl")["Clusters"][0]
    assert [r["IamRoleArn"] for r in cluster["IamRoles"]] == [ROLE]
    assert apply_reports(resolved.reports, ApplyOptions(cluster="etl")).plan.changes == ()


def test_the_cli_resolves_and_applies_on_a_moto_server(server, tmp_path):
    """The commands themselves, as a user runs them: ``policy --resolve`` prints the policy
    typing every value gives; ``apply --dry-run`` changes nothing; ``apply --cluster`` puts
    the role, its policy and the cluster attachment; a second ``apply`` changes nothing."""
    key = server
    (tmp_path / "etl.sql").write_text(SQL)
    (tmp_path / "day.json").write_text(json.dumps(MANIFEST))
    resolved = run("redshift-iam", "policy", "--resolve", str(tmp_path / "etl.sql"))
    assert (resolved.returncode, resolved.stderr) == (0, "")
    typed = run("redshift-iam", "policy", str(tmp_path / "etl.sql"), "--account-id", ACCOUNT,
                "--region", REGION, "--manifest",
                f"s3://in-a/manifests/day.json={tmp_path / 'day.json'}",
                "--kms-key", f"s3://out-kms={key}")
    assert resolved.stdout == typed.stdout

    iam = boto3.client("iam")
    dry = run("redshift-iam", "apply", str(tmp_path / "etl.sql"), "--cluster", "etl",
              "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert [c["action"] for c in json.loads(dry.stdout)["changes"]] == [
        "create-role", "create-policy", "attach-policy", "attach-to-cluster"]
    assert dry.stderr.splitlines()[0] == "dry run, nothing changed; apply would:"
    assert iam.list_roles()["Roles"] == []

    done = run("redshift-iam", "apply", str(tmp_path / "etl.sql"), "--cluster", "etl")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == "done:"
    (attached,) = iam.list_attached_role_policies(RoleName="Loader")["AttachedPolicies"]
    assert attached["PolicyName"] == "Loader-redshift-iam"
    version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
    assert iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)[
        "PolicyVersion"]["Document"] == json.loads(typed.stdout)
    cluster = boto3.client("redshift").describe_clusters(ClusterIdentifier="etl")["Clusters"][0]
    assert [r["IamRoleArn"] for r in cluster["IamRoles"]] == [ROLE]

    again = run("redshift-iam", "apply", str(tmp_path / "etl.sql"), "--cluster", "etl")
    assert (again.returncode, json.loads(again.stdout)["changes"]) == (0, [])
    assert again.stderr == (f"nothing to change: 1 role(s) in account {ACCOUNT} already "
                            "match\n")


def test_apply_refuses_inline_and_two_targets(tmp_path):
    (tmp_path / "etl.sql").write_text(SQL)
    for extra, message in ((["--inline"], "--inline is not for apply"),
                           (["--cluster", "a", "--namespace", "b"],
                            "give --cluster or --namespace, not both")):
        done = run("redshift-iam", "apply", str(tmp_path / "etl.sql"), "--account-id",
                   ACCOUNT, "--region", REGION, *extra)
        assert done.returncode == 2, done.stderr
        assert message in done.stderr

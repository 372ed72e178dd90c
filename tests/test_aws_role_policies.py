"""``check --from-role``'s reader: a role's inline policies, attached managed policies (their
default version; AWS managed ones too) and permissions boundary, from moto's IAM; failures as
RC409 without a traceback."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from redshift_iam.aws import RolePolicy, read_role_policies
from redshift_iam.core.diagnostics import InputError
from tests.aws_support import ACCOUNT, aws, offline_env  # noqa: F401 - aws: a fixture

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


def doc(action: str, resource: str, effect: str = "Allow") -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}


RAW = doc("s3:GetObject", "arn:aws:s3:::acme-raw/*")
LIST = doc("s3:ListBucket", "arn:aws:s3:::acme-raw")
OLD = doc("s3:*", "*")
NEW = doc("s3:PutObject", "arn:aws:s3:::acme-out/*")
FENCE = doc("s3:*", "arn:aws:s3:::acme-*")


@pytest.fixture
def managed_policies(monkeypatch):
    """moto loads the AWS managed policies (AmazonS3ReadOnlyAccess, ...) only when asked."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def make_role(iam, name: str = "EtlLoader", path: str = "/etl/") -> str:
    """A role with two inline policies, a customer managed policy at its second version, an
    AWS managed policy and a permissions boundary."""
    fence = iam.create_policy(PolicyName="Fence", PolicyDocument=json.dumps(FENCE))
    iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument="{}",
                    PermissionsBoundary=fence["Policy"]["Arn"])
    iam.put_role_policy(RoleName=name, PolicyName="Raw", PolicyDocument=json.dumps(RAW))
    iam.put_role_policy(RoleName=name, PolicyName="List", PolicyDocument=json.dumps(LIST))
    arn = iam.create_policy(PolicyName="Out", PolicyDocument=json.dumps(OLD))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(NEW),
                              SetAsDefault=True)
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    iam.attach_role_policy(RoleName=name, PolicyArn=S3_READ)
    return f"arn:aws:iam::{ACCOUNT}:role{path}{name}"


@pytest.mark.usefixtures("managed_policies", "aws")
@pytest.mark.parametrize("given", ["EtlLoader", f"arn:aws:iam::{ACCOUNT}:role/etl/EtlLoader"])
def test_every_policy_of_the_role(given: str) -> None:
    make_role(boto3.client("iam"))
    found = read_role_policies(given)
    read_only = boto3.client("iam").get_policy_version(
        PolicyArn=S3_READ, VersionId=boto3.client("iam").get_policy(
            PolicyArn=S3_READ)["Policy"]["DefaultVersionId"])["PolicyVersion"]
    assert found == (
        RolePolicy("EtlLoader inline List", LIST),
        RolePolicy("EtlLoader inline Raw", RAW),
        RolePolicy(f"arn:aws:iam::{ACCOUNT}:policy/Out v2", NEW),
        RolePolicy(f"{S3_READ} {read_only['VersionId']}", read_only["Document"]),
        RolePolicy(f"arn:aws:iam::{ACCOUNT}:policy/Fence v1", FENCE, boundary=True))
    assert read_only["Document"]["Statement"][0]["Action"] == ["s3:Get*", "s3:List*",
                                                                 "s3:Describe*",
                                                                 "s3-object-lambda:Get*",
                                                                 "s3-object-lambda:List*"]


@pytest.mark.usefixtures("aws")
def test_lists_are_read_past_their_first_page() -> None:
    iam = boto3.client("iam")
    iam.create_role(RoleName="Many", AssumeRolePolicyDocument="{}")
    names = [f"P{n:03}" for n in range(120)]  # IAM pages ListRolePolicies by 100
    for name in names:
        iam.put_role_policy(RoleName="Many", PolicyName=name, PolicyDocument=json.dumps(RAW))
    assert [p.name for p in read_role_policies("Many")] == [f"Many inline {n}" for n in names]


@pytest.mark.usefixtures("aws")
def test_no_such_role() -> None:
    with pytest.raises(InputError) as caught:
        read_role_policies("Nope")
    assert caught.value.diagnostic.render() == (
        "error RC409: --from-role Nope: no such role or policy in the account (NoSuchEntity: "
        "Role Nope not found)\n    hint: check the role's name (or give its ARN)")


class _Session:
    def __init__(self, iam) -> None:
        self.iam = iam

    def client(self, service, region_name=None, config=None):
        assert service == "iam"
        return self.iam


@pytest.mark.usefixtures("aws")
def test_access_denied_names_the_permissions_needed() -> None:
    iam = boto3.client("iam")
    with Stubber(iam) as stub, pytest.raises(InputError) as caught:
        stub.add_client_error("get_role", "AccessDenied", "not authorized to iam:GetRole", 403)
        read_role_policies("EtlLoader", _Session(iam))
    diagnostic = caught.value.diagnostic
    assert diagnostic.message == ("--from-role EtlLoader: access denied: AccessDenied: not "
                                  "authorized to iam:GetRole")
    assert diagnostic.hint == (
        "give your credentials iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, "
        "iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion, or pass the "
        "role's policies with --policy")


def test_no_credentials(monkeypatch, tmp_path) -> None:
    offline_env(monkeypatch, tmp_path)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(InputError) as caught:
        read_role_policies("EtlLoader")
    assert (caught.value.diagnostic.code, caught.value.diagnostic.message) == (
        "RC409", "--from-role EtlLoader: no AWS credentials: Unable to locate credentials")


def test_a_bug_is_not_taken_for_an_aws_failure() -> None:
    class Broken:
        def client(self, service, region_name=None, config=None):
            raise KeyError("a bug")

    with pytest.raises(KeyError):
        read_role_policies("EtlLoader", Broken())

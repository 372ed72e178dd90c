"""Policy files in every form check reads: what documents come out, named and located, and
clean errors (RC403, RC406) or notes (RC405) for what cannot be read or known."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from redshift_iam.audit.evaluator import Evaluator
from redshift_iam.audit.policies import read_policies
from redshift_iam.core.diagnostics import InputError, Location
from redshift_iam.core.source import Source

DOC = {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                      "Resource": "arn:aws:s3:::acme-data/*"}]}
ROLE = "arn:aws:iam::123456789012:role/Etl"


def read(name: str, body: object, role: str | None = None):
    text = body if isinstance(body, str) else json.dumps(body, indent=2)
    return read_policies(Source(name, text), role)


def shape(found) -> list[tuple[str, object, bool]]:
    """(name, location, boundary) of each document; and each compiles."""
    Evaluator(list(found.documents))
    return [(d.name, d.location, d.boundary) for d in found.documents]


def notes(found) -> list[str]:
    return [f"{d.location}: {d.code} {d.message}" for d in found.diagnostics]


def test_a_policy_document() -> None:
    found = read("p.json", DOC)
    assert (found.form, shape(found), found.roles) == (
        "policy", [("p.json", Location("p.json", 1, 1), False)], ())


def test_standard_input_is_a_name_like_any_other() -> None:
    found = read("<stdin>", DOC)
    assert shape(found) == [("<stdin>", Location("<stdin>", 1, 1), False)]


@pytest.mark.parametrize("document", [DOC, urllib.parse.quote(json.dumps(DOC)),
                                      json.dumps(DOC)], ids=["object", "url-encoded", "text"])
def test_get_role_policy(document: object) -> None:
    found = read("r.json", {"RoleName": "Etl", "PolicyName": "s3", "PolicyDocument": document})
    assert (found.form, shape(found), found.roles) == (
        "get-role-policy", [("Etl inline s3", Location("r.json", 1, 1), False)], ("Etl",))
    assert found.documents[0].document["Statement"] == DOC["Statement"]


def test_get_policy_version() -> None:
    found = read("v.json", {"PolicyVersion": {"Document": urllib.parse.quote(json.dumps(DOC)),
                                              "VersionId": "v3", "IsDefaultVersion": True}})
    assert (found.form, shape(found)) == (
        "get-policy-version", [("v.json v3", Location("v.json", 2, 20), False)])


def _details() -> dict:
    managed = "arn:aws:iam::123456789012:policy/EtlRead"
    return {
        "RoleDetailList": [
            {"RoleName": "Etl", "Arn": ROLE,
             "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                                                         "Principal": {"Service": "x"},
                                                         "Action": "sts:AssumeRole"}]},
             "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": DOC}],
             "AttachedManagedPolicies": [
                 {"PolicyName": "EtlRead", "PolicyArn": managed},
                 {"PolicyName": "AmazonS3ReadOnlyAccess",
                  "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}]},
            {"RoleName": "Other", "Arn": "arn:aws:iam::123456789012:role/Other",
             "RolePolicyList": [], "AttachedManagedPolicies": []}],
        "Policies": [{"PolicyName": "EtlRead", "Arn": managed, "DefaultVersionId": "v2",
                      "PolicyVersionList": [
                          {"VersionId": "v1", "IsDefaultVersion": False, "Document": {}},
                          {"VersionId": "v2", "IsDefaultVersion": True,
                           "Document": urllib.parse.quote(json.dumps(DOC))}]}]}


@pytest.mark.parametrize("role", ["Etl", ROLE])
def test_account_authorization_details_of_one_role(role: str) -> None:
    found = read("a.json", _details(), role)
    assert (found.form, found.roles) == ("account-authorization-details", ("Etl", "Other"))
    assert shape(found) == [
        ("Etl inline inline", Location("a.json", 18, 9), False),
        ("arn:aws:iam::123456789012:policy/EtlRead v2", Location("a.json", 61, 9), False)]
    assert notes(found) == [
        "a.json:37:9: RC405 the attached policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess "
        "is not in the file's Policies (AWS managed policies are listed only with --filter "
        "AWSManagedPolicy): its statements are not checked"]


def test_account_authorization_details_needs_a_role_when_it_holds_several() -> None:
    with pytest.raises(InputError) as raised:
        read("a.json", _details())
    assert raised.value.diagnostic.render().split("\n")[0] == (
        "a.json:1:1: error RC406: a.json holds 2 roles; choose one: Etl, Other")
    with pytest.raises(InputError) as raised:
        read("a.json", _details(), "Nope")
    assert raised.value.diagnostic.message == "a.json holds no role 'Nope'; it holds: Etl, Other"


PLAN = {
    "format_version": "1.2", "terraform_version": "1.7.0",
    "planned_values": {"root_module": {"resources": [
        {"address": "aws_iam_role.etl", "mode": "managed", "type": "aws_iam_role",
         "name": "etl", "values": {"name": "etl", "inline_policy": [
             {"name": "inline", "policy": json.dumps(DOC)}]}},
        {"address": "aws_iam_role_policy.extra", "mode": "managed",
         "type": "aws_iam_role_policy", "name": "extra",
         "values": {"name": "extra", "role": "etl", "policy": json.dumps(DOC)}},
        {"address": "aws_iam_policy.read", "mode": "managed", "type": "aws_iam_policy",
         "name": "read", "values": {"name": "read", "policy": json.dumps(DOC)}},
        {"address": "aws_iam_role_policy_attachment.read", "mode": "managed",
         "type": "aws_iam_role_policy_attachment", "name": "read", "values": {}},
        {"address": "aws_iam_role_policy_attachment.aws", "mode": "managed",
         "type": "aws_iam_role_policy_attachment", "name": "aws",
         "values": {"role": "etl",
                    "policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}},
        {"address": "aws_iam_role.other", "mode": "managed", "type": "aws_iam_role",
         "name": "other", "values": {"name": "other"}},
        {"address": "aws_iam_role_policy.late", "mode": "managed",
         "type": "aws_iam_role_policy", "name": "late", "values": {"role": "other"}},
    ]}},
    "resource_changes": [
        {"address": "aws_iam_role_policy_attachment.read",
         "change": {"actions": ["create"], "after_unknown": {"role": True, "policy_arn": True}}},
        {"address": "aws_iam_role_policy.late",
         "change": {"actions": ["create"], "after_unknown": {"policy": True}}}],
    "configuration": {"root_module": {"resources": [
        {"address": "aws_iam_role_policy_attachment.read", "expressions": {
            "role": {"references": ["aws_iam_role.etl.name", "aws_iam_role.etl"]},
            "policy_arn": {"references": ["aws_iam_policy.read.arn", "aws_iam_policy.read"]}}}
    ]}},
}


@pytest.mark.parametrize("role", ["etl", "aws_iam_role.etl"])
def test_a_terraform_plan(role: str) -> None:
    found = read("plan.json", PLAN, role)
    assert (found.form, found.roles) == ("terraform-plan", ("etl", "other"))
    assert shape(found) == [
        ("aws_iam_role.etl inline inline", Location("plan.json", 15, 15), False),
        ("aws_iam_role_policy.extra", Location("plan.json", 22, 9), False),
        ("aws_iam_policy.read", Location("plan.json", 33, 9), False)]
    assert notes(found) == [
        "plan.json:50:9: RC405 aws_iam_role_policy_attachment.aws attaches a policy "
        "(arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess) whose document is not in the plan: "
        "the plan holds no aws_iam_policy with it"]


def test_a_terraform_value_known_only_after_apply_is_a_note() -> None:
    found = read("plan.json", PLAN, "other")
    assert (shape(found), notes(found)) == ([], [
        "plan.json:69:9: RC405 aws_iam_role_policy.late.policy is known only after apply: its "
        "statements are not checked"])
    assert found.diagnostics[0].hint == (
        "check again after apply (terraform show -json of the state or a new plan)")


def test_a_terraform_plan_with_several_roles_needs_one() -> None:
    with pytest.raises(InputError) as raised:
        read("plan.json", PLAN)
    assert raised.value.diagnostic.message == "plan.json holds 2 roles; choose one: etl, other"


def test_a_terraform_plan_without_roles_reads_every_policy() -> None:
    resources = [r for r in PLAN["planned_values"]["root_module"]["resources"]
                 if r["type"] == "aws_iam_policy"]
    found = read("plan.json", {"format_version": "1.2",
                               "planned_values": {"root_module": {"resources": resources}}})
    assert [name for name, _, _ in shape(found)] == ["aws_iam_policy.read"]


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Bucket: {Type: String}
Mappings:
  Env: {prod: {Prefix: exports}}
Resources:
  EtlRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: etl
      ManagedPolicyArns:
        - !Ref ReadPolicy
        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub
                  - "arn:aws:s3:::${B}/${!aws:username}/*"
                  - {B: acme-data}
              - Effect: Allow
                Action: s3:PutObject
                Resource: !Join
                  - ""
                  - ["arn:aws:s3:::acme-data/", !FindInMap [Env, prod, Prefix], "/*"]
              - Effect: Allow
                Action: s3:ListBucket
                Resource: !Sub "arn:aws:s3:::${Bucket}"
  ReadPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref EtlRole]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: kms:Decrypt
            Resource: !GetAtt Key.Arn
  Maybe:
    Type: AWS::IAM::Policy
    Condition: IsProd
    Properties:
      PolicyName: maybe
      Roles: [etl]
      PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
"""


@pytest.mark.parametrize("role", ["etl", "EtlRole", None])
def test_a_cloudformation_template(role: str | None) -> None:
    found = read("t.yaml", TEMPLATE, role)
    assert (found.form, found.roles) == ("cloudformation", ("etl",))
    assert shape(found) == [("EtlRole inline inline", Location("t.yaml", 17, 13), False),
                            ("ReadPolicy", Location("t.yaml", 36, 9), False)]
    statements = found.documents[0].document["Statement"]
    assert [s["Resource"] for s in statements] == [
        "arn:aws:s3:::acme-data/${aws:username}/*", "arn:aws:s3:::acme-data/exports/*"]
    assert notes(found) == [
        "t.yaml:31:27: RC405 EtlRole inline inline: Fn::Sub ${Bucket} is not literal (a "
        "Parameter); that statement is not checked",
        "t.yaml:10:7: RC405 the managed policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess is "
        "not a managed policy of the template: its statements are not checked (give its "
        "document with another policy file)",
        "t.yaml:48:23: RC405 Extra (extra): Fn::GetAtt ['Key', 'Arn'] is not literal; that "
        "statement is not checked",
        "t.yaml:50:5: RC405 Maybe has Condition IsProd: whether it is created is not known; its "
        "statements are not checked"]


def test_a_cloudformation_template_in_json() -> None:
    body = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
        "Policies": [{"PolicyName": "p", "PolicyDocument": DOC}]}}}}
    found = read("t.json", body)
    assert (found.form, [n for n, _, _ in shape(found)]) == ("cloudformation", ["R inline p"])


def test_an_iam_variable_in_a_sub_must_be_escaped() -> None:
    template = TEMPLATE.replace("${!aws:username}", "${aws:username}")
    found = read("t.yaml", template, "etl")
    assert notes(found)[0] == (
        "t.yaml:21:27: RC405 EtlRole inline inline: Fn::Sub ${aws:username} is not literal "
        "(a resource) (write ${!aws:username} for the IAM policy variable); that statement is "
        "not checked")


MALFORMED = [
    ("x.json", "{", "x.json:1:2: error RC403: not valid JSON: Expecting property name enclosed "
                    "in double quotes"),
    ("x.yaml", "a: [", "x.yaml:1:5: error RC403: not valid YAML: expected the node content, "
                       "but found '<stream end>'"),
    ("x.json", "[]", "x.json:1:1: error RC403: x.json is none of the forms check reads (a "
                     "policy document, an aws iam get-role-policy, get-policy-version or "
                     "get-account-authorization-details response, a terraform show -json "
                     "plan, a CloudFormation template)"),
    ("x.json", '{"Foo": 1}', "x.json:1:1: error RC403: x.json is none of the forms check "
                             "reads (a policy document, an aws iam get-role-policy, "
                             "get-policy-version or get-account-authorization-details "
                             "response, a terraform show -json plan, a CloudFormation "
                             "template)"),
    ("x.json", '{"PolicyDocument": "%7Bnot json"}',
     "x.json:1:1: error RC403: PolicyDocument is text but not a JSON policy document "
     "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ("x.json", '{"PolicyVersion": {"VersionId": "v1"}}',
     "x.json:1:1: error RC403: PolicyVersion has no Document"),
    ("x.json", '{"Statement": [], "Statement": []}',
     "x.json:1:1: error RC403: key 'Statement' is given twice in one object"),
]


@pytest.mark.parametrize("name, text, first_line", MALFORMED, ids=[m[2][:60] for m in MALFORMED])
def test_malformed_files_are_clean_errors(name: str, text: str, first_line: str) -> None:
    with pytest.raises(InputError) as raised:
        read(name, text)
    assert raised.value.diagnostic.render().split("\n")[0] == first_line

"""check: needs from the SQL decided against policy documents, soundly, with the closest
statement for what is missing and the excess summarised."""

from __future__ import annotations

import json

import pytest

from redshift_iam.analysis import analyze_sources
from redshift_iam.audit.checker import check
from redshift_iam.audit.policies import read_policies
from redshift_iam.core.diagnostics import InputError, Location
from redshift_iam.core.grants import Principal
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source
from redshift_iam.core.statements import AuthKind

ROLE = "arn:aws:iam::123456789012:role/Etl"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
COPY = f"COPY t FROM 's3://acme-data/k' IAM_ROLE '{ROLE}';\n"
B = "arn:aws:s3:::acme-data"


def derivation(sql: str = COPY):
    return analyze_sources([Source("etl.sql", sql)], Settings(region="us-east-1"),
                   TrustOptions()).derivation


def policy(*statements: dict, name: str = "p.json"):
    body = {"Version": "2012-10-17", "Statement": list(statements)}
    return read_policies(Source(name, json.dumps(body, indent=1)))


def allow(action: object, resource: object, condition: dict | None = None, **more) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **more}
    return {**statement, "Condition": condition} if condition else statement


def deny(action: object, resource: object, condition: dict | None = None) -> dict:
    return {**allow(action, resource, condition), "Effect": "Deny"}


LIST_K = allow("s3:ListBucket", B, {"StringLike": {"s3:prefix": "k*"}})


def messages(result) -> list[str]:
    return [d.render().split("\n")[0] for d in result.diagnostics()]


def test_a_prefix_need_is_not_covered_by_a_narrower_allow() -> None:
    """The soundness example: COPY from b/k needs every key under b/k, and b/k/data* is
    only part of it."""
    result = check(derivation(), [policy(allow("s3:GetObject", f"{B}/k/data*"), LIST_K)])
    assert messages(result) == [
        f"etl.sql:1:1: error RC400: s3:GetObject on {B}/k* (rule copy-s3-prefix) is not "
        f"allowed; closest: p.json:4:3: p.json statement 1: its resource {B}/k/data* covers "
        f"only part of {B}/k*"]
    assert result.failures() == result.diagnostics()


@pytest.mark.parametrize("resource", [f"{B}/k*", f"{B}/*", "arn:aws:s3:::*", "*",
                                      [f"{B}/x", f"{B}/k*"]])
def test_a_prefix_need_is_covered_by_a_wider_or_equal_allow(resource: object) -> None:
    result = check(derivation(), [policy(allow("s3:GetObject", resource), LIST_K)])
    assert result.missing == ()
    assert result.needs == 2


@pytest.mark.parametrize("prefix, covered", [
    ("k*", True), ("*", True), ("k/*", False), ("k", False), ("?*", True), ("kx*", False)])
def test_a_listing_needs_every_prefix_the_grant_names(prefix: str, covered: bool) -> None:
    listing = allow("s3:ListBucket", B, {"StringLike": {"s3:prefix": prefix}})
    result = check(derivation(), [policy(allow("s3:GetObject", f"{B}/*"), listing)])
    assert (result.missing == ()) is covered


def test_a_listing_without_a_prefix_needs_an_unconditional_allow() -> None:
    sql = f"COPY t FROM 's3://acme-data/' IAM_ROLE '{ROLE}';"
    get = allow("s3:GetObject", f"{B}/*")
    assert check(derivation(sql), [policy(get, allow("s3:ListBucket", B))]).missing == ()
    starred = allow("s3:ListBucket", B, {"StringLike": {"s3:prefix": "*"}})
    (missing,) = check(derivation(sql), [policy(get, starred)]).missing
    assert missing.decision.closest.reason == (
        "its condition StringLike s3:prefix * depends on s3:prefix, which the request is not "
        "known to carry")


def test_an_overlapping_deny_makes_the_need_missing() -> None:
    documents = [policy(allow("s3:*", "*"), deny("s3:GetObject", f"{B}/k/secret*"),
                        name="p.json"), policy(LIST_K, name="q.json")]
    result = check(derivation(), documents)
    assert [d.render().split("\n")[0] for d in result.diagnostics() if d.code != "RC402"] == [
        f"etl.sql:1:1: error RC401: s3:GetObject on {B}/k* (rule copy-s3-prefix) may be "
        "denied by p.json:9:3: p.json statement 2"]


def test_a_covering_deny_denies() -> None:
    (missing,) = check(derivation(), [policy(allow("s3:*", "*"), deny("s3:Get*", f"{B}/*"))]
                       ).missing
    assert missing.diagnostic().message == (
        f"s3:GetObject on {B}/k* (rule copy-s3-prefix) is denied by p.json:9:3: p.json "
        "statement 2")


def test_a_deny_elsewhere_leaves_the_need_alone() -> None:
    result = check(derivation(), [policy(allow("s3:GetObject", f"{B}/*"), LIST_K,
                                         deny("s3:GetObject", f"{B}/j*"))])
    assert result.missing == ()


def test_a_condition_on_a_key_not_known_is_not_trusted() -> None:
    vpc = {"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}
    result = check(derivation(), [policy(allow("s3:GetObject", f"{B}/*", vpc), LIST_K)])
    (missing,) = result.missing
    assert missing.diagnostic().message == (
        f"s3:GetObject on {B}/k* (rule copy-s3-prefix) is not allowed; closest: p.json:4:3: "
        "p.json statement 1: its condition StringEquals aws:sourcevpc vpc-1a2b3c4d depends on "
        "aws:sourcevpc, which the request is not known to carry")
    # ...unless the caller says what it holds
    known = check(derivation(), [policy(allow("s3:GetObject", f"{B}/*", vpc), LIST_K)],
                  context={"aws:SourceVpc": "vpc-1a2b3c4d"})
    assert known.missing == ()


def test_a_deny_on_a_key_not_known_may_apply() -> None:
    insecure = {"Bool": {"aws:SecureTransport": "false"}}
    result = check(derivation(), [policy(allow("s3:*", "*"), deny("s3:*", "*", insecure))])
    assert {(m.need.action, m.decision.effect, m.decision.certain) for m in result.missing
            } == {("s3:GetObject", "deny", False), ("s3:ListBucket", "deny", False)}


def test_the_context_the_requests_are_known_to_carry() -> None:
    """The role's ARN and account; kms:ViaService for the KMS calls S3 makes (SSE-KMS)."""
    sql = (f"UNLOAD ('select 1') TO 's3://acme-data/out/' IAM_ROLE '{ROLE}' "
           f"KMS_KEY_ID '{KEY}' ENCRYPTED;")
    via = {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com",
                            "aws:PrincipalArn": ROLE, "aws:PrincipalAccount": "123456789012"}}
    documents = [policy(allow(["s3:GetObject", "s3:PutObject"], f"{B}/out/*"),
                        allow("s3:ListBucket", B, {"StringLike": {"s3:prefix": "out/*"}}),
                        allow(["kms:Decrypt", "kms:GenerateDataKey"], KEY, via))]
    result = check(derivation(sql), documents)
    assert (result.missing, result.excess) == ((), ())
    other = dict(via["StringEquals"], **{"kms:ViaService": "s3.eu-west-1.amazonaws.com"})
    documents[0] = policy(*json.loads(json.dumps(
        [*documents[0].documents[0].document["Statement"][:2],
         allow(["kms:Decrypt", "kms:GenerateDataKey"], KEY, {"StringEquals": other})])))
    assert {m.need.action for m in check(derivation(sql), documents).missing} == {
        "kms:Decrypt", "kms:GenerateDataKey"}


def test_excess_is_summarised_per_service_action_and_resource() -> None:
    documents = [policy(allow("s3:Get*", f"{B}/*"), LIST_K,
                        allow("kms:Decrypt", "*"))]
    result = check(derivation(), documents)
    assert result.missing == ()
    summary = result.summary()
    assert sorted(summary) == ["kms", "s3"]
    assert summary["kms"] == {"kms:Decrypt": ["*"]}
    assert summary["s3"]["s3:GetObject"] == [f"{B}/*"]
    assert all(resources == [f"{B}/*"] for resources in summary["s3"].values())
    assert len(summary["s3"]) > 20  # s3:Get* expanded with the catalogue
    assert [d.message for d in result.diagnostics() if "GetObject " in d.message] == [
        f"p.json statement 1 allows s3:GetObject on {B}/*: wider than the need ({B}/k*)"]
    assert result.failures() == ()
    assert {d.code for d in result.failures(strict=True)} == {"RC402"}


def test_excess_of_a_listing_prefix_and_what_a_deny_takes_away() -> None:
    documents = [policy(allow("s3:GetObject", f"{B}/k*"),
                        allow("s3:ListBucket", B, {"StringLike": {"s3:prefix": ["k*", "j*"]}}),
                        allow("s3:PutObject", f"{B}/*"), deny("s3:PutObject", "*"))]
    result = check(derivation(), documents)
    assert [e.message() for e in result.excess] == [
        f"p.json statement 2 allows s3:ListBucket on {B}: s3:prefix j* is beyond the needed k*"]


def test_excess_on_a_resource_no_need_touches_is_not_needed_there() -> None:
    documents = [policy(allow("s3:GetObject", [f"{B}/k*", f"{B}/*", "arn:aws:s3:::other/*"]),
                        LIST_K)]
    assert [e.message() for e in check(derivation(), documents).excess] == [
        f"p.json statement 1 allows s3:GetObject on {B}/*: wider than the need ({B}/k*)",
        "p.json statement 1 allows s3:GetObject on arn:aws:s3:::other/*: not needed on this "
        f"resource (needed on {B}/k*)"]


def test_not_action_and_not_resource_are_expanded() -> None:
    documents = [policy(allow("s3:GetObject", f"{B}/k*"), LIST_K,
                        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
                        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": f"{B}/x"})]
    result = check(derivation(), documents)
    services = {e.service for e in result.excess if e.statement.position == 2}
    assert "s3" not in services and {"ec2", "iam", "kms"} <= services
    (not_resource,) = [e for e in result.excess if e.statement.position == 3]
    assert (not_resource.actions, not_resource.resource, not_resource.reason) == (
        ("s3:GetObject",), f"everything but {B}/x", "wider than the need")


def test_a_permissions_boundary_is_applied() -> None:
    details = {"RoleDetailList": [{
        "RoleName": "Etl", "Arn": ROLE,
        "RolePolicyList": [{"PolicyName": "all", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [allow("s3:*", "*")]}}],
        "AttachedManagedPolicies": [],
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/b"}}],
        "Policies": [{"Arn": "arn:aws:iam::123456789012:policy/b", "DefaultVersionId": "v2",
                      "PolicyVersionList": [{"VersionId": "v2", "IsDefaultVersion": True,
                                             "Document": {"Version": "2012-10-17",
                                                          "Statement": [LIST_K]}}]}]}
    read = read_policies(Source("auth.json", json.dumps(details, indent=1)))
    (missing,) = check(derivation(), [read]).missing
    assert missing.diagnostic().message == (
        f"s3:GetObject on {B}/k* (rule copy-s3-prefix) is not allowed by the permissions "
        "boundary; no statement allows this action")
    assert missing.decision.boundary


def test_the_principal_must_be_clear() -> None:
    sql = COPY + "COPY t FROM 's3://acme-data/j' IAM_ROLE default;\n"
    with pytest.raises(InputError) as raised:
        check(derivation(sql), [policy(LIST_K)])
    assert (raised.value.diagnostic.code, raised.value.diagnostic.message) == (
        "RC407", f"the SQL needs permissions for 2 principals (default, {ROLE}); choose one")
    chosen = check(derivation(sql), [policy(LIST_K)], Principal(AuthKind.DEFAULT_ROLE,
                                                                  "default"))
    assert [m.grant.location for m in chosen.missing] == [Location("etl.sql", 2, 1)] * 2
    with pytest.raises(InputError) as raised:
        check(derivation(), [policy(LIST_K)], Principal(AuthKind.ROLE, ROLE + "x"))
    assert raised.value.diagnostic.message == (
        f"the SQL needs no permission for {ROLE}x (it names {ROLE})")


def test_each_statement_that_needs_a_denied_request_is_named_once_decided() -> None:
    sql = COPY + COPY.replace("COPY t", "COPY u")
    result = check(derivation(sql), [policy(LIST_K)])
    assert result.needs == 2
    assert [(m.grant.location.line, m.need.action) for m in result.missing] == [
        (1, "s3:GetObject"), (2, "s3:GetObject")]

"""apply (aws.apply, aws.execute) on moto's in-process IAM and Redshift: create, update,
idempotent re-run, dry run, stale policies, version pruning, cluster and namespace roles
(Redshift Serverless through botocore's Stubber: moto has no such service), a failure
injected between two calls then a clean re-run, and each error message."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from redshift_iam.aws import ApplyError, ApplyOptions, Change, apply_reports, plan_apply
from redshift_iam.core.grants import Principal
from redshift_iam.core.policy import PolicyDocument, PolicyStatement
from redshift_iam.core.reports import PrincipalReport
from redshift_iam.core.settings import TrustOptions
from redshift_iam.core.statements import AuthKind
from redshift_iam.documents import standard_trust
from tests.aws_support import ACCOUNT, analysis_of, aws, make_cluster  # noqa: F401

pytestmark = pytest.mark.usefixtures("aws")

ROLE = f"arn:aws:iam::{ACCOUNT}:role/etl/Loader"
POLICY = f"arn:aws:iam::{ACCOUNT}:policy/etl/Loader-redshift-iam"
TRUST = standard_trust(TrustOptions())
TAG = {"Key": "managed-by", "Value": "redshift-iam"}


def doc(*keys: str) -> PolicyDocument:
    return PolicyDocument(tuple(PolicyStatement(f"Read{i}", ("s3:GetObject",),
                                                (f"arn:aws:s3:::data-a/{key}*",))
                                for i, key in enumerate(keys)))


def report(*docs: PolicyDocument, role: str = ROLE, trust: PolicyDocument = TRUST
           ) -> PrincipalReport:
    return PrincipalReport(Principal(AuthKind.ROLE, role), docs, trust, ("etl.sql:1",))


def compact(document: PolicyDocument) -> str:
    return json.dumps(document.as_json(), separators=(",", ":"))


def stored(policy_arn: str) -> dict:
    iam = boto3.client("iam")
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"][
        "Document"]


def actions(plan) -> list[tuple[str, str]]:
    return [(c.action, c.version or c.target or c.role) for c in plan.changes]


def cluster_roles(name: str = "etl") -> list[str]:
    cluster = boto3.client("redshift").describe_clusters(ClusterIdentifier=name)["Clusters"][0]
    return [role["IamRoleArn"] for role in cluster["IamRoles"]]


# create, re-run, dry run --------------------------------------------------------------------

def test_create_then_a_second_run_changes_nothing():
    make_cluster()
    reports = [report(doc("p/"))]
    outcome = apply_reports(reports, ApplyOptions(cluster="etl"))
    assert outcome.done == (
        Change("create-role", ROLE, document=compact(TRUST)),
        Change("create-policy", ROLE, POLICY, compact(doc("p/"))),
        Change("attach-policy", ROLE, POLICY),
        Change("attach-to-cluster", target="etl", roles=(ROLE,)))
    iam = boto3.client("iam")
    role = iam.get_role(RoleName="Loader")["Role"]
    assert (role["Arn"], role["Path"], role["AssumeRolePolicyDocument"]) == (
        ROLE, "/etl/", TRUST.as_json())
    assert iam.list_role_tags(RoleName="Loader")["Tags"] == [TAG]
    assert iam.list_policy_tags(PolicyArn=POLICY)["Tags"] == [TAG]
    assert stored(POLICY) == doc("p/").as_json()
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(
        RoleName="Loader")["AttachedPolicies"]] == [POLICY]
    assert cluster_roles() == [ROLE]
    again = apply_reports(reports, ApplyOptions(cluster="etl"))
    assert (again.done, again.plan.changes, again.plan.unchanged) == ((), (), (ROLE,))
    assert again.summary() == f"nothing to change: 1 role(s) in account {ACCOUNT} already match"


def test_a_dry_run_writes_nothing_and_its_plan_is_stable():
    make_cluster()
    reports = [report(doc("p/"))]
    outcome = apply_reports(reports, ApplyOptions(cluster="etl", dry_run=True))
    assert outcome.done == ()
    assert actions(outcome.plan) == [("create-role", ROLE), ("create-policy", POLICY),
                                     ("attach-policy", POLICY), ("attach-to-cluster", "etl")]
    iam = boto3.client("iam")
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert cluster_roles() == []
    assert outcome.summary() == "\n".join([
        "dry run, nothing changed; apply would:",
        f"create role {ROLE}",
        f"create policy {POLICY} for {ROLE}",
        f"attach {POLICY} to {ROLE}",
        f"add {ROLE} to cluster etl"])
    text = outcome.plan.text()
    assert text == plan_apply(reports, ApplyOptions(cluster="etl")).text()
    assert json.loads(text)["changes"][0] == {"action": "create-role", "role": ROLE,
                                              "document": TRUST.as_json()}


# update, prune, clean up --------------------------------------------------------------------

def test_a_changed_document_is_a_new_default_version_and_a_changed_trust_an_update():
    apply_reports([report(doc("p/"))], ApplyOptions())
    serverless = standard_trust(TrustOptions(serverless=True))
    outcome = apply_reports([report(doc("q/"), trust=serverless)], ApplyOptions())
    assert outcome.done == (Change("update-trust", ROLE, document=compact(serverless)),
                            Change("create-policy-version", ROLE, POLICY, compact(doc("q/"))))
    assert stored(POLICY) == doc("q/").as_json()
    role = boto3.client("iam").get_role(RoleName="Loader")["Role"]
    assert role["AssumeRolePolicyDocument"] == serverless.as_json()


def test_old_versions_are_pruned_within_iams_five():
    for key in ("v1/", "v2/", "v3/", "v4/", "v5/"):
        apply_reports([report(doc(key))], ApplyOptions())
    iam = boto3.client("iam")
    assert len(iam.list_policy_versions(PolicyArn=POLICY)["Versions"]) == 5
    outcome = apply_reports([report(doc("v6/"))], ApplyOptions())
    assert outcome.done == (Change("delete-policy-version", ROLE, POLICY, version="v1"),
                            Change("create-policy-version", ROLE, POLICY, compact(doc("v6/"))))
    versions = iam.list_policy_versions(PolicyArn=POLICY)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v2", "v3", "v4", "v5", "v6"]
    assert stored(POLICY) == doc("v6/").as_json()


def test_policies_no_longer_needed_are_detached_and_deleted():
    apply_reports([report(doc("a/"), doc("b/"), doc("c/"))], ApplyOptions())
    apply_reports([report(doc("a/"), doc("b2/"), doc("c/"))], ApplyOptions())  # -2: 2 versions
    second, third = POLICY + "-2", POLICY + "-3"
    outcome = apply_reports([report(doc("a/"))], ApplyOptions())
    assert outcome.done == (Change("detach-policy", ROLE, second),
                            Change("delete-policy-version", ROLE, second, version="v1"),
                            Change("delete-policy", ROLE, second),
                            Change("detach-policy", ROLE, third),
                            Change("delete-policy", ROLE, third))
    iam = boto3.client("iam")
    assert [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]] == [POLICY]
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(
        RoleName="Loader")["AttachedPolicies"]] == [POLICY]


def test_policies_it_did_not_make_are_left_alone():
    iam = boto3.client("iam")
    apply_reports([report(doc("a/"))], ApplyOptions())
    theirs = iam.create_policy(PolicyName="Loader-redshift-iam-7",
                               PolicyDocument=json.dumps(doc("x/").as_json()))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="Loader", PolicyArn=theirs)
    assert plan_apply([report(doc("a/"))], ApplyOptions()).changes == ()


# chains, principals it skips, cluster and namespace -----------------------------------------

CHAIN = (f"COPY t FROM 's3://data-a/p/' IAM_ROLE 'arn:aws:iam::{ACCOUNT}:role/B,"
         f"arn:aws:iam::{ACCOUNT}:role/A';\n"
         "COPY t FROM 's3://data-a/p/' IAM_ROLE default;\n"
         "COPY t FROM 's3://data-a/p/' ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE' "
         "SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';\n")


def test_a_chain_is_made_in_order_and_its_first_role_goes_on_the_cluster():
    make_cluster()
    analysis = analysis_of(CHAIN)
    outcome = apply_reports(analysis.reports, ApplyOptions(cluster="etl"))
    first, second = f"arn:aws:iam::{ACCOUNT}:role/B", f"arn:aws:iam::{ACCOUNT}:role/A"
    assert [(c.action, c.role) for c in outcome.done if c.action == "create-role"] == [
        ("create-role", first), ("create-role", second)]
    trust = boto3.client("iam").get_role(RoleName="A")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"AWS": first}
    assert cluster_roles() == [first]
    assert outcome.plan.skipped == tuple(
        (name, reason) for name, reason in [
            ("default", "IAM_ROLE default is whichever role the cluster has as its default: "
                        "apply cannot know it; attach the policy generate prints to that role"),
            ("user:AKIAIOSFODNN7EXAMPLE", "an IAM user behind access keys: apply creates roles "
                                          "only; attach the user's policy yourself (generate "
                                          "prints it)")])
    assert [d.render().splitlines()[0] for d in outcome.plan.warnings()] == [
        "warning RW244: apply skipped default: IAM_ROLE default is whichever role the cluster "
        "has as its default: apply cannot know it; attach the policy generate prints to that "
        "role",
        "warning RW244: apply skipped user:AKIAIOSFODNN7EXAMPLE: an IAM user behind access "
        "keys: apply creates roles only; attach the user's policy yourself (generate prints "
        "it)"]


class _Serverless:
    """boto3 for everything but Redshift Serverless, which moto lacks: a stubbed client."""

    def __init__(self, client) -> None:
        self.stubbed = client

    def client(self, service, region_name=None, config=None):
        if service == "redshift-serverless":
            return self.stubbed
        return boto3.client(service, region_name=region_name, config=config)


@pytest.mark.parametrize(("default", "expected_default"), [
    (f"arn:aws:iam::{ACCOUNT}:role/Old", {"defaultIamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/Old"}),
    (None, {}),
])
def test_a_namespace_keeps_its_roles_and_default_and_gains_the_new_one(default,
                                                                       expected_default):
    old = f"arn:aws:iam::{ACCOUNT}:role/Old"
    client = boto3.client("redshift-serverless")
    namespace = {"namespaceName": "etl",
                 "iamRoles": [f"IamRole(applyStatus=in-sync, iamRoleArn={old})"]}
    if default:
        namespace["defaultIamRoleArn"] = default
    with Stubber(client) as stub:
        stub.add_response("get_namespace", {"namespace": namespace}, {"namespaceName": "etl"})
        stub.add_response("update_namespace", {"namespace": {"namespaceName": "etl"}},
                          {"namespaceName": "etl", "iamRoles": [old, ROLE],
                           **expected_default})
        outcome = apply_reports([report(doc("p/"))], ApplyOptions(namespace="etl"),
                                session=_Serverless(client))
        stub.assert_no_pending_responses()
    assert outcome.done[-1] == Change("attach-to-namespace", target="etl", roles=(old, ROLE),
                                      default=default or "")


def test_a_namespace_that_has_the_role_is_not_updated():
    apply_reports([report(doc("p/"))], ApplyOptions())
    client = boto3.client("redshift-serverless")
    with Stubber(client) as stub:
        stub.add_response("get_namespace", {"namespace": {"iamRoles": [ROLE]}},
                          {"namespaceName": "etl"})
        outcome = apply_reports([report(doc("p/"))], ApplyOptions(namespace="etl"),
                                session=_Serverless(client))
        stub.assert_no_pending_responses()
    assert outcome.plan.changes == ()


# a failure half-way, then a clean re-run ----------------------------------------------------

@pytest.mark.parametrize(("operation", "made"), [("AttachRolePolicy", 2),
                                                 ("ModifyClusterIamRoles", 3)])
def test_a_run_that_stops_half_way_is_completed_by_the_next(operation, made):
    make_cluster()
    reports = [report(doc("p/"))]
    session = boto3.Session()
    failed = []

    def fail_once(**kwargs):
        if not failed:
            failed.append(operation)
            raise ClientError({"Error": {"Code": "ServiceFailure", "Message": "injected"}},
                              operation)

    service = "iam" if operation == "AttachRolePolicy" else "redshift"
    session.events.register(f"before-call.{service}.{operation}", fail_once)
    plan = plan_apply(reports, ApplyOptions(cluster="etl"), session)
    with pytest.raises(ApplyError) as stopped:
        apply_reports(reports, ApplyOptions(cluster="etl"), session)
    assert stopped.value.done == plan.changes[:made]
    diagnostic = stopped.value.diagnostic
    assert (diagnostic.code, diagnostic.message) == (
        "RI198", f"apply stopped at: {plan.changes[made].summary()} ({made} of 4 changes "
                 "made): AWS error: ServiceFailure: injected")
    assert diagnostic.hint == ("fix the cause and run apply again: it continues where it "
                               "stopped")
    rerun = apply_reports(reports, ApplyOptions(cluster="etl"), session)
    assert rerun.done == plan.changes[made:]
    assert apply_reports(reports, ApplyOptions(cluster="etl")).plan.changes == ()
    assert cluster_roles() == [ROLE]
    assert stored(POLICY) == doc("p/").as_json()


# errors -------------------------------------------------------------------------------------

def message(reports, options: ApplyOptions | None = None) -> tuple[str, str]:
    with pytest.raises(ApplyError) as caught:
        apply_reports(reports, options or ApplyOptions())
    return caught.value.diagnostic.code, caught.value.diagnostic.message


def test_a_role_of_another_account_is_refused_before_any_change():
    other = "arn:aws:iam::210987654321:role/Loader"
    assert message([report(doc("p/")), report(doc("p/"), role=other)]) == (
        "RI196", f"role {other} is not in account {ACCOUNT}, the account of your credentials: "
                 "apply cannot create or change it")
    assert boto3.client("iam").list_roles()["Roles"] == []


def test_iam_quotas_are_errors():
    assert message([report(doc("a/"), doc("b/"), doc("c/"))], ApplyOptions(max_policies=2)) \
        == ("RI197", f"role {ROLE} needs 3 managed policies: over the quota of 2")
    big = doc(*(f"{'k' * 90}{i}/" for i in range(60)))
    assert message([report(big)]) == (
        "RI197", f"policy 1 of {ROLE} has {big.size} characters; a managed policy has at most "
                 "6144")
    iam = boto3.client("iam")
    apply_reports([report(doc("a/"))], ApplyOptions())
    for index in range(9):
        arn = iam.create_policy(PolicyName=f"Other{index}",
                                PolicyDocument=json.dumps(doc("x/").as_json()))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="Loader", PolicyArn=arn)
    assert message([report(doc("a/"), doc("b/"))]) == (
        "RI197", f"role {ROLE} needs 2 managed policies, besides 9 attached that apply did not "
                 "make: over the quota of 10")


def test_names_apply_does_not_own_are_errors():
    iam = boto3.client("iam")
    iam.create_policy(PolicyName="Loader-redshift-iam",
                      PolicyDocument=json.dumps(doc("x/").as_json()))
    assert message([report(doc("a/"))]) == (
        "RI199", "policy Loader-redshift-iam exists but was not made by redshift-iam (no "
                 "managed-by tag)")
    iam.create_role(RoleName="Loader", AssumeRolePolicyDocument=json.dumps(TRUST.as_json()))
    assert message([report(doc("a/"))]) == (
        "RI199", f"role Loader exists as arn:aws:iam::{ACCOUNT}:role/Loader, not {ROLE}: role "
                 "names are unique in an account")


def test_a_cluster_that_does_not_exist_is_an_error():
    assert message([report(doc("a/"))], ApplyOptions(cluster="nope")) == (
        "RI198", "apply could not read the account: AWS error: ClusterNotFound: Cluster nope "
                 "not found.")

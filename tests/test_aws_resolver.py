"""The boto3 resolver (aws.resolver) against moto's in-process AWS: one test per lookup kind,
each way a lookup fails (botocore's Stubber for AccessDenied and throttling, a closed local
port for the network, an empty environment for credentials), dedup and concurrency."""

from __future__ import annotations

import json
import threading

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from moto.core.botocore_stubber import MockRawResponse

from redshift_iam.aws import AwsResolver
from redshift_iam.core.lookups import Fact, Failure, Lookup
from tests.aws_support import ACCOUNT, aws, offline_env  # noqa: F401 - aws: a fixture

KEY_STATE = "Enabled"


def resolve(*lookups: Lookup, **options) -> dict:
    return AwsResolver(**options).resolve(list(lookups))


@pytest.mark.usefixtures("aws")
def test_account_and_region(monkeypatch):
    assert resolve(Lookup("account"), Lookup("region")) == {
        Lookup("account"): Fact(ACCOUNT), Lookup("region"): Fact("us-east-1")}
    monkeypatch.setenv("AWS_REGION", "eu-west-1")  # AWS_REGION wins over AWS_DEFAULT_REGION
    assert resolve(Lookup("region")) == {Lookup("region"): Fact("eu-west-1")}
    assert resolve(Lookup("region"), region="ap-south-1") == {
        Lookup("region"): Fact("ap-south-1")}


@pytest.mark.usefixtures("aws")
def test_no_region_configured(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert resolve(Lookup("region")) == {Lookup("region"): Failure(
        "no-region", "neither AWS_REGION, AWS_DEFAULT_REGION nor the profile names a Region")}


@pytest.mark.usefixtures("aws")
def test_manifest_object_and_missing_ones():
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="in-a")
    text = json.dumps({"entries": [{"url": "s3://in-a/d1"}]})
    s3.put_object(Bucket="in-a", Key="m.json", Body=text.encode())
    s3.put_object(Bucket="in-a", Key="bin.json", Body=b"\x1f\x8b\x08\x00\xff")
    assert resolve(Lookup("manifest", "s3://in-a/m.json"), Lookup("object", "s3://in-a/m.json"),
                   Lookup("manifest", "s3://in-a/none.json"), Lookup("object", "s3://in-a/no"),
                   Lookup("manifest", "s3://no-bucket/m.json"),
                   Lookup("manifest", "s3://in-a/bin.json")) == {
        Lookup("manifest", "s3://in-a/m.json"): Fact(text),
        Lookup("object", "s3://in-a/m.json"): Fact(),
        Lookup("manifest", "s3://in-a/none.json"): Fact(exists=False, detail="NoSuchKey"),
        Lookup("object", "s3://in-a/no"): Fact(exists=False, detail="404"),
        Lookup("manifest", "s3://no-bucket/m.json"): Fact(exists=False, detail="NoSuchBucket"),
        Lookup("manifest", "s3://in-a/bin.json"): Failure(
            "bad-manifest", "not UTF-8 text (a manifest must not be compressed or encrypted)"),
    }


@pytest.mark.usefixtures("aws")
def test_bucket_encryption_and_region():
    s3, kms = boto3.client("s3"), boto3.client("kms")
    key = kms.create_key()["KeyMetadata"]
    for bucket in ("kms-b", "sse-b"):
        s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket="eu-b", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_encryption(Bucket="kms-b", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": key["Arn"]}}]})
    s3.put_bucket_encryption(Bucket="sse-b", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    assert resolve(*(Lookup(kind, bucket) for kind in ("bucket-encryption", "bucket-region")
                     for bucket in ("kms-b", "sse-b", "eu-b", "no-b"))) == {
        Lookup("bucket-encryption", "kms-b"): Fact(key["Arn"], detail="aws:kms"),
        Lookup("bucket-encryption", "sse-b"): Fact("", detail="AES256"),
        Lookup("bucket-encryption", "eu-b"): Fact(),  # no configuration: moto's old default
        Lookup("bucket-encryption", "no-b"): Fact(exists=False, detail="NoSuchBucket"),
        Lookup("bucket-region", "kms-b"): Fact("us-east-1"),
        Lookup("bucket-region", "sse-b"): Fact("us-east-1"),
        Lookup("bucket-region", "eu-b"): Fact("eu-west-1"),
        Lookup("bucket-region", "no-b"): Fact(exists=False, detail="NoSuchBucket"),
    }


@pytest.mark.usefixtures("aws")
def test_kms_keys_and_aliases():
    kms = boto3.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/etl", TargetKeyId=key["KeyId"])
    gone = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=gone["KeyId"], PendingWindowInDays=7)
    assert resolve(Lookup("kms-key", "alias/etl", "us-east-1"),
                   Lookup("kms-key", key["Arn"], "us-east-1"),
                   Lookup("kms-key", gone["KeyId"], "us-east-1"),
                   Lookup("kms-key", "alias/none", "us-east-1")) == {
        Lookup("kms-key", "alias/etl", "us-east-1"): Fact(key["Arn"], detail=KEY_STATE,
                                                          account=ACCOUNT),
        Lookup("kms-key", key["Arn"], "us-east-1"): Fact(key["Arn"], detail=KEY_STATE),
        Lookup("kms-key", gone["KeyId"], "us-east-1"): Fact(gone["Arn"],
                                                            detail="PendingDeletion",
                                                            account=ACCOUNT),
        Lookup("kms-key", "alias/none", "us-east-1"): Fact(exists=False,
                                                           detail="NotFoundException",
                                                           account=ACCOUNT),
    }


@pytest.mark.usefixtures("aws")
def test_tables_and_emr_clusters():
    boto3.client("dynamodb", region_name="eu-west-1").create_table(
        TableName="Movies", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    cluster = boto3.client("emr").run_job_flow(
        Name="etl", ReleaseLabel="emr-6.15.0", JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
        Instances={"InstanceCount": 1, "MasterInstanceType": "m5.xlarge",
                   "KeepJobFlowAliveWhenNoSteps": True})["JobFlowId"]
    found = resolve(Lookup("table", "Movies", "eu-west-1"),
                    Lookup("table", "Movies", "us-east-1"),
                    Lookup("emr-cluster", cluster, "us-east-1"),
                    Lookup("emr-cluster", "j-NOPE", "us-east-1"))
    assert found == {
        Lookup("table", "Movies", "eu-west-1"): Fact(detail="ACTIVE", account=ACCOUNT),
        Lookup("table", "Movies", "us-east-1"): Fact(exists=False,
                                                     detail="ResourceNotFoundException",
                                                     account=ACCOUNT),
        Lookup("emr-cluster", cluster, "us-east-1"): Fact(detail="WAITING", account=ACCOUNT),
        Lookup("emr-cluster", "j-NOPE", "us-east-1"): Fact(exists=False,
                                                           detail="InvalidRequestException",
                                                           account=ACCOUNT),
    }


class _Session:
    """A session whose clients are the given (stubbed) ones."""

    region_name = "us-east-1"

    def __init__(self, **clients) -> None:
        self.clients = clients

    def client(self, service, region_name=None, config=None):
        return self.clients[service]


@pytest.mark.usefixtures("aws")
def test_access_denied():
    s3 = boto3.client("s3")
    with Stubber(s3) as stub:
        stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
        found = AwsResolver(session=_Session(s3=s3)).resolve([
            Lookup("manifest", "s3://in-a/m.json")])
    assert found == {
        Lookup("manifest", "s3://in-a/m.json"): Failure("denied", "AccessDenied: Access Denied")}


@pytest.mark.usefixtures("aws")
def test_throttling_is_retried_then_a_failure(monkeypatch):
    """S3 answers 503 SlowDown (before moto sees the request): botocore retries in standard
    mode (AWS_MAX_ATTEMPTS=2: two calls), then the lookup fails."""
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # the retries' backoff
    sent = []

    def slow_down(request, **kwargs):
        sent.append(request.url)
        body = (b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate."
                b"</Message></Error>")
        return AWSResponse(request.url, 503, {}, MockRawResponse(body))

    session = boto3.Session()
    session.events.register_first("before-send.s3.GetBucketEncryption", slow_down)
    found = AwsResolver(session=session).resolve([Lookup("bucket-encryption", "in-a")])
    assert found == {Lookup("bucket-encryption", "in-a"): Failure(
        "throttled", "SlowDown: Please reduce your request rate.")}
    assert len(sent) == 2


def test_no_credentials_unknown_profile_and_no_network(monkeypatch, tmp_path):
    """Outside moto: nothing is sent (no credentials: botocore stops before sending; the
    endpoint is a closed port on this machine)."""
    offline_env(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert resolve(Lookup("manifest", "s3://in-a/m.json")) == {
        Lookup("manifest", "s3://in-a/m.json"): Failure(
            "network", 'Could not connect to the endpoint URL: '
                       '"http://127.0.0.1:9/in-a/m.json"')}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert resolve(Lookup("account")) == {
        Lookup("account"): Failure("no-credentials", "Unable to locate credentials")}
    monkeypatch.setenv("AWS_PROFILE", "nope")
    assert resolve(Lookup("account"), Lookup("region")) == {
        Lookup("account"): Failure("no-credentials", "The config profile (nope) could not be "
                                                     "found"),
        Lookup("region"): Failure("no-credentials", "The config profile (nope) could not be "
                                                    "found")}


def test_a_url_with_user_info_is_not_echoed(monkeypatch, tmp_path):
    offline_env(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://user:s3cret@127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    found = resolve(Lookup("bucket-region", "in-a"))[Lookup("bucket-region", "in-a")]
    assert found.reason == "network"
    assert "s3cret" not in found.message and "user" not in found.message


def test_each_distinct_lookup_is_one_call_and_calls_run_concurrently():
    """Four distinct lookups meet at a barrier: only concurrent calls pass it (one thread
    would wait forever; the barrier's timeout fails the test instead)."""
    barrier, calls = threading.Barrier(4, timeout=10), []

    class Client:
        def get_bucket_location(self, Bucket):  # noqa: N803 - boto3's argument name
            calls.append(Bucket)
            barrier.wait()
            return {"LocationConstraint": "eu-west-1"}

    lookups = [Lookup("bucket-region", f"b{i}") for i in range(4)]
    found = AwsResolver(session=_Session(s3=Client()), max_workers=4).resolve(lookups * 3)
    assert found == {lookup: Fact("eu-west-1") for lookup in lookups}
    assert sorted(calls) == ["b0", "b1", "b2", "b3"]


def test_a_bug_is_not_taken_for_an_aws_failure():
    class Client:
        def get_bucket_location(self, Bucket):  # noqa: N803
            raise KeyError("a bug")

    with pytest.raises(KeyError):
        AwsResolver(session=_Session(s3=Client())).resolve([Lookup("bucket-region", "b")])

"""What ``--resolve`` asks AWS and what it hears back: lookups in, facts out.

The protocol between the offline stages and an account. ``derive.lookups`` lists the
:class:`Need`\\ s of a script (which lookups, for which statement, whether the policy depends on
the answer), a :class:`Resolver` (``redshift_iam.aws.AwsResolver``, or a fake in tests)
answers each distinct :class:`Lookup` once with a :class:`Fact` or a :class:`Failure`, and
``derive.facts`` turns the answers into :class:`~redshift_iam.core.settings.Settings` fields
and diagnostics. Nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from redshift_iam.core.diagnostics import Location


class Lookup(NamedTuple):
    """One question to AWS; equal lookups are asked once per run. ``kind`` is a row of
    :data:`KINDS`; ``name`` what is looked up (an S3 URI, a bucket, a KMS key ARN, id or alias,
    a table, an EMR cluster id); ``region`` where ('' for the account, the session's Region
    and S3, which is global)."""

    kind: str
    name: str = ""
    region: str = ""


class Fact(NamedTuple):
    """An answer. ``exists`` is False when AWS said the thing is not there. ``value`` is the
    account id (account), the Region (region, bucket-region), the manifest's text (manifest),
    the bucket's default KMS key as configured, '' for none (bucket-encryption), or the key
    ARN (kms-key). ``detail`` is the default encryption algorithm (bucket-encryption) or the
    state (kms-key: ``Enabled``, ``PendingDeletion`` ...; emr-cluster: ``WAITING`` ...).
    ``account`` is the account the lookup was made in (the credentials'), where it matters."""

    value: str = ""
    exists: bool = True
    detail: str = ""
    account: str = ""


class Failure(NamedTuple):
    """A lookup that could not be answered: ``reason`` is a row of :data:`REASONS`,
    ``message`` what AWS or botocore said (never a secret; URLs lose their user info)."""

    reason: str
    message: str


Answer = Fact | Failure


class Resolver(Protocol):
    """Answers lookups. ``resolve`` returns an answer for every lookup it is given and never
    raises for a failed one (that is a :class:`Failure`)."""

    def resolve(self, lookups: Sequence[Lookup]) -> Mapping[Lookup, Answer]: ...


class Need(NamedTuple):
    """Why a statement needs a lookup. ``required``: the policy depends on the answer, so a
    failure is an error (RI19x); otherwise the lookup is a check and a failure a warning
    (RW240). ``instead`` is what the user can pass in its place ('' for a check).
    ``purpose`` says what the answer is for (a row of ``derive.facts``' readers).
    ``account`` is the account the statement expects the thing in ('' any); ``about`` what
    the reader needs besides the answer (the bucket a default key is for, the alias as
    written, the statement kind and its REGION)."""

    lookup: Lookup
    loc: Location | None
    purpose: str
    required: bool = True
    instead: str = ""
    account: str = ""
    about: str = ""


class Kind(NamedTuple):
    """A kind of lookup: the AWS call that answers it, the IAM action the credentials need
    for it, how a message names what it asks (``subject``) and the thing itself
    (``thing``), with ``{name}`` and ``{region}`` filled in."""

    call: str
    action: str
    subject: str
    thing: str = ""


KINDS: Mapping[str, Kind] = {
    "account": Kind("STS GetCallerIdentity", "", "the account of your credentials"),
    "region": Kind("the session's configuration", "", "the Region of your session"),
    "manifest": Kind("S3 GetObject", "s3:GetObject", "manifest {name}", "manifest {name}"),
    "bucket-encryption": Kind("S3 GetBucketEncryption", "s3:GetEncryptionConfiguration",
                              "the default encryption of bucket {name}", "bucket {name}"),
    "bucket-region": Kind("S3 GetBucketLocation", "s3:GetBucketLocation",
                          "the Region of bucket {name}", "bucket {name}"),
    "kms-key": Kind("KMS DescribeKey", "kms:DescribeKey", "KMS key {name} in {region}",
                    "KMS key {name} in {region}"),
    "object": Kind("S3 HeadObject", "s3:GetObject", "object {name}", "object {name}"),
    "table": Kind("DynamoDB DescribeTable", "dynamodb:DescribeTable",
                  "DynamoDB table {name} in {region}", "DynamoDB table {name} in {region}"),
    "emr-cluster": Kind("EMR DescribeCluster", "elasticmapreduce:DescribeCluster",
                        "EMR cluster {name} in {region}", "EMR cluster {name} in {region}"),
}


class Reason(NamedTuple):
    """Why a lookup failed: the code of a needed lookup's failure, how to say it, and what
    the user can do about it (``{action}``: the IAM action of the lookup's kind)."""

    code: str
    says: str
    remedy: str


REASONS: Mapping[str, Reason] = {
    "denied": Reason("RI190", "access denied", "give your credentials {action}"),
    "no-credentials": Reason("RI192", "no AWS credentials",
                             "configure credentials (AWS_PROFILE, the environment, aws "
                             "configure)"),
    "no-boto3": Reason("RI192", "boto3 is not installed", "pip install 'redshift-iam[resolve]'"),
    "bad-credentials": Reason("RI192", "the credentials were refused",
                              "refresh or fix your credentials"),
    "no-region": Reason("RI192", "no Region configured", "set AWS_REGION"),
    "network": Reason("RI193", "AWS could not be reached",
                      "check the network and AWS_ENDPOINT_URL"),
    "throttled": Reason("RI194", "throttled, still after retries", "run it again later"),
    "aws": Reason("RI194", "AWS error", ""),
    "bad-manifest": Reason("RI150", "not a manifest", "fix the manifest"),
}

# Failures that every lookup of a run shares: the checks that fail for them are one warning.
GLOBAL_REASONS = frozenset({"no-boto3", "no-credentials", "bad-credentials", "no-region",
                            "network"})


def subject(lookup: Lookup) -> str:
    """How a message names what ``lookup`` asks."""
    return KINDS[lookup.kind].subject.format(name=lookup.name, region=lookup.region)


def thing(lookup: Lookup) -> str:
    """How a message names the thing ``lookup`` asks about (``bucket b``)."""
    return KINDS[lookup.kind].thing.format(name=lookup.name, region=lookup.region)

"""The boto3 :class:`~redshift_iam.core.lookups.Resolver`: each distinct lookup once, at most
:data:`MAX_WORKERS` at a time, every failure an answer (never an exception).

One row of :data:`HANDLERS` per lookup kind: the call that answers it and the error codes
that mean "not there" (a :class:`Fact` with ``exists`` False, whose meaning ``derive.facts``
decides). Manifests are read whole, at most :data:`MAX_MANIFEST` bytes, as UTF-8 text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from redshift_iam.aws.session import (
    client_config,
    error_code,
    failure_of,
    make_session,
    session_region,
)
from redshift_iam.core.aws_names import split_s3
from redshift_iam.core.lookups import Answer, Fact, Failure, Lookup

MAX_WORKERS = 8
MAX_MANIFEST = 64 * 1024 * 1024  # bytes; a manifest lists files, it is never this large


class _Context:
    """The session, its clients (one per service and Region, made under a lock: a boto3
    session is not thread-safe, its clients are) and the caller's account, once."""

    def __init__(self, session: Any, region: str) -> None:
        self.session, self.region = session, region
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock, self._account_lock = threading.Lock(), threading.Lock()
        self._account: str | None = None

    def client(self, service: str, region: str = "") -> Any:
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(
                    service, region_name=key[1] or None, config=client_config())
            return self._clients[key]

    def account(self) -> str:
        """The credentials' account ('' when STS cannot tell): where name-only lookups of
        DynamoDB, EMR and KMS look."""
        with self._account_lock:
            if self._account is None:
                try:
                    self._account = self.client("sts").get_caller_identity()["Account"]
                except Exception as exc:  # noqa: BLE001 - failure_of raises what is not AWS's
                    failure_of(exc)
                    self._account = ""
            return self._account


def _account(ctx: _Context, lookup: Lookup) -> Answer:
    return Fact(ctx.client("sts").get_caller_identity()["Account"])


def _region(ctx: _Context, lookup: Lookup) -> Answer:
    if not ctx.region:
        return Failure("no-region", "neither AWS_REGION, AWS_DEFAULT_REGION nor the profile "
                                    "names a Region")
    return Fact(ctx.region)


def _split(lookup: Lookup) -> tuple[str, str]:
    """The bucket and key of an object lookup's S3 URI."""
    return split_s3(lookup.name) or ("", "")


def _manifest(ctx: _Context, lookup: Lookup) -> Answer:
    bucket, key = _split(lookup)
    body = ctx.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
    try:
        data = body.read(MAX_MANIFEST + 1)
    finally:
        body.close()
    if len(data) > MAX_MANIFEST:
        return Failure("bad-manifest", f"larger than {MAX_MANIFEST // 1024 // 1024} MiB")
    try:
        return Fact(data.decode("utf-8"))
    except UnicodeDecodeError:
        return Failure("bad-manifest", "not UTF-8 text (a manifest must not be compressed or "
                                       "encrypted)")


def _head_object(ctx: _Context, lookup: Lookup) -> Answer:
    bucket, key = _split(lookup)
    ctx.client("s3").head_object(Bucket=bucket, Key=key)
    return Fact()


def _bucket_encryption(ctx: _Context, lookup: Lookup) -> Answer:
    """The first rule's default: algorithm (``AES256``, ``aws:kms``, ``aws:kms:dsse``) and
    its KMS key as configured (a key ARN, key id, alias or alias ARN; '' for aws/s3)."""
    try:
        found = ctx.client("s3").get_bucket_encryption(Bucket=lookup.name)
    except Exception as exc:
        if error_code(exc) == "ServerSideEncryptionConfigurationNotFoundError":
            return Fact()  # no default encryption configured (buckets made before 2023)
        raise
    rules = found.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
    return Fact(default.get("KMSMasterKeyID", ""), detail=default.get("SSEAlgorithm", ""))


def _bucket_region(ctx: _Context, lookup: Lookup) -> Answer:
    """GetBucketLocation's LocationConstraint: none for us-east-1, ``EU`` for eu-west-1."""
    found = ctx.client("s3").get_bucket_location(Bucket=lookup.name).get("LocationConstraint")
    return Fact({None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(found, found))


def _kms_key(ctx: _Context, lookup: Lookup) -> Answer:
    """A key ARN is looked up where it says; a key id or alias/NAME in the credentials'
    account."""
    meta = ctx.client("kms", lookup.region).describe_key(KeyId=lookup.name)["KeyMetadata"]
    return Fact(meta["Arn"], detail=meta.get("KeyState", ""))


def _table(ctx: _Context, lookup: Lookup) -> Answer:
    table = ctx.client("dynamodb", lookup.region).describe_table(TableName=lookup.name)
    return Fact(detail=table["Table"].get("TableStatus", ""))


def _emr_cluster(ctx: _Context, lookup: Lookup) -> Answer:
    cluster = ctx.client("emr", lookup.region).describe_cluster(ClusterId=lookup.name)
    return Fact(detail=cluster["Cluster"]["Status"]["State"])


class Handler(NamedTuple):
    """How one kind of lookup is answered: the call, the error codes meaning "not there",
    and whether a lookup by name (not ARN) looks in the credentials' account (then its
    answer says which account that was)."""

    call: Callable[[_Context, Lookup], Answer]
    missing: frozenset[str] = frozenset()
    scoped: bool = False


_NO_OBJECT = frozenset({"NoSuchKey", "NoSuchBucket", "404", "NotFound"})
HANDLERS: Mapping[str, Handler] = {
    "account": Handler(_account),
    "region": Handler(_region),
    "manifest": Handler(_manifest, _NO_OBJECT),
    "object": Handler(_head_object, _NO_OBJECT),
    "bucket-encryption": Handler(_bucket_encryption, frozenset({"NoSuchBucket"})),
    "bucket-region": Handler(_bucket_region, frozenset({"NoSuchBucket"})),
    "kms-key": Handler(_kms_key, frozenset({"NotFoundException"}), scoped=True),
    "table": Handler(_table, frozenset({"ResourceNotFoundException"}), scoped=True),
    # EMR answers an unknown cluster id with InvalidRequestException ("is not valid")
    "emr-cluster": Handler(_emr_cluster, frozenset({"InvalidRequestException"}), scoped=True),
}


class AwsResolver:
    """Answers lookups with boto3 (``core.lookups.Resolver``). ``session`` defaults to the
    default credential chain (:func:`~redshift_iam.aws.session.make_session`, ``profile``
    overriding AWS_PROFILE); ``region`` to AWS_REGION, else the session's."""

    def __init__(self, session: Any = None, region: str | None = None,
                 profile: str | None = None, max_workers: int = MAX_WORKERS) -> None:
        self._session, self._region, self._profile = session, region, profile
        self._workers = max(1, max_workers)

    def resolve(self, lookups: Sequence[Lookup]) -> dict[Lookup, Answer]:
        """An answer per distinct lookup (a Failure when it could not be had), in the order
        given."""
        distinct = list(dict.fromkeys(lookups))
        try:
            session = self._session or make_session(self._profile)
        except Exception as exc:  # noqa: BLE001 - an unknown profile fails every lookup
            failure = failure_of(exc)
            return {lookup: failure for lookup in distinct}
        ctx = _Context(session, session_region(session, self._region))
        if len(distinct) <= 1:
            return {lookup: _answer(ctx, lookup) for lookup in distinct}
        with ThreadPoolExecutor(min(self._workers, len(distinct))) as pool:
            answers = pool.map(lambda lookup: _answer(ctx, lookup), distinct)
            return dict(zip(distinct, answers, strict=True))


def _answer(ctx: _Context, lookup: Lookup) -> Answer:
    """The handler's answer; "not there" as a Fact; a lookup by name in the credentials'
    account says which account that is (a thing of another account was not checked)."""
    handler = HANDLERS[lookup.kind]
    try:
        answer = handler.call(ctx, lookup)
    except Exception as exc:  # noqa: BLE001 - failure_of raises again what is not AWS's
        code = error_code(exc)
        if not (code and code in handler.missing):
            return failure_of(exc)
        answer = Fact(exists=False, detail=code)
    if handler.scoped and isinstance(answer, Fact) and not lookup.name.startswith("arn:"):
        return answer._replace(account=ctx.account())
    return answer

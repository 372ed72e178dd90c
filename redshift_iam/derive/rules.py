"""The grant rules of docs/rules.md as data: one row per rule, with the AWS documentation behind it.

A rule lists the permissions it grants as (actions, resource shape, condition shape). The
shapes are interpreted by :func:`resources`; :mod:`derive` decides which rules a statement
triggers and on what.

Resource shapes, for an S3 subject ``b``/``k``: ``object-prefix`` -> ``b/k*``,
``object-exact`` -> ``b/k``, ``object-stem`` -> ``b/<k without extension>*``, ``bucket`` -> ``b``;
``arn`` uses a prebuilt ARN (DynamoDB table, EMR cluster, KMS key, role).
Condition shapes (``s3:prefix`` under StringLike): ``prefix-like`` -> ``k*`` (none for an empty
k), ``prefix-exact`` -> ``k``, ``prefix-stem`` -> ``<stem>*``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.core.docs import DG, MG, S3UG
from redshift_iam.core.grants import Condition, KeyMatch, S3Access
from redshift_iam.core.lazyre import LazyRegex

PERMS = DG + "copy-usage_notes-access-permissions.html#copy-usage_notes-iam-permissions"


class Permission(NamedTuple):
    actions: tuple[str, ...]
    resource: str
    condition: str = ""


class Rule(NamedTuple):
    id: str
    sql: str  # what the SQL shows, as in docs/rules.md
    permissions: tuple[Permission, ...]
    doc: str
    access: str = ""  # "read" or "write": the objects it names are read or written (SSE-KMS)


_GET = Permission(("s3:GetObject",), "object-exact")
_LIST_EXACT = Permission(("s3:ListBucket",), "bucket", "prefix-exact")
_KMS_WRITE = Permission(("kms:Decrypt", "kms:GenerateDataKey"), "arn")

RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("copy-s3-prefix", "COPY ... FROM 's3://b/k'",
         (Permission(("s3:GetObject",), "object-prefix"),
          Permission(("s3:ListBucket",), "bucket", "prefix-like")),
         DG + "copy-parameters-data-source-s3.html#copy-s3-objectpath", access="read"),
    Rule("copy-shapefile", "COPY ... FROM 's3://b/k.shp' FORMAT SHAPEFILE",
         (Permission(("s3:GetObject",), "object-stem"),
          Permission(("s3:ListBucket",), "bucket", "prefix-stem")),
         DG + "spatial-copy-shapefile.html", access="read"),
    Rule("copy-manifest", "COPY ... FROM 's3://b/k' MANIFEST", (_GET, _LIST_EXACT),
         DG + "copy-parameters-data-source-s3.html#copy-manifest-file", access="read"),
    Rule("copy-manifest-entry", "an entry of a COPY manifest", (_GET, _LIST_EXACT),
         DG + "loading-data-files-using-manifest.html", access="read"),
    Rule("copy-ssh-manifest", "COPY ... FROM 's3://b/k' SSH", (_GET, _LIST_EXACT),
         DG + "copy-parameters-data-source-ssh.html#copy-ssh-manifest", access="read"),
    Rule("copy-jsonpaths", "JSON|AVRO 's3://b/k' (a JSONPaths file)", (_GET, _LIST_EXACT),
         PERMS, access="read"),
    Rule("copy-dynamodb", "COPY ... FROM 'dynamodb://T'",
         (Permission(("dynamodb:DescribeTable", "dynamodb:Scan"), "arn"),), PERMS),
    Rule("copy-emr", "COPY ... FROM 'emr://j-ID/path'",
         (Permission(("elasticmapreduce:ListInstances",), "arn"),),
         DG + "load-from-emr-steps-configure-iam.html"),
    Rule("copy-sse-kms", "a COPY or CREATE LIBRARY read of objects under --kms-key s3://b/p=KEY",
         (Permission(("kms:Decrypt",), "arn"),), S3UG + "UsingKMSEncryption.html"),
    Rule("unload", "UNLOAD (...) TO 's3://b/k'",
         (Permission(("s3:GetObject", "s3:PutObject"), "object-prefix"),
          Permission(("s3:ListBucket",), "bucket", "prefix-like")), PERMS, access="write"),
    Rule("unload-cleanpath", "UNLOAD ... CLEANPATH",
         (Permission(("s3:DeleteObject",), "object-prefix"),), DG + "r_UNLOAD.html#cleanpath"),
    Rule("unload-kms", "UNLOAD ... KMS_KEY_ID 'k' ENCRYPTED", (_KMS_WRITE,),
         DG + "r_UNLOAD.html#unload-parameters-kms-key-id"),
    Rule("unload-encrypted-auto", "UNLOAD ... ENCRYPTED AUTO",
         (Permission(("s3:GetEncryptionConfiguration",), "bucket"),),
         DG + "r_UNLOAD.html#unload-parameters-encrypted"),
    Rule("unload-bucket-key", "UNLOAD to objects under --kms-key s3://b/p=KEY", (_KMS_WRITE,),
         S3UG + "UsingKMSEncryption.html"),
    Rule("library-s3", "CREATE LIBRARY ... FROM 's3://b/k'", (_GET, _LIST_EXACT),
         DG + "r_CREATE_LIBRARY.html", access="read"),
    Rule("role-chain", "IAM_ROLE 'A,B' (A assumes B)",
         (Permission(("sts:AssumeRole",), "arn"),),
         MG + "authorizing-redshift-service.html#authorizing-redshift-service-chaining-roles"),
)}

# rule id -> its documentation link, as the derivation hands it to the output stage
RULE_DOCS: Mapping[str, str] = MappingProxyType({rule.id: rule.doc for rule in RULES.values()})

_COMPRESSION = LazyRegex(r"\.(?:gz|bz2|lzo|zst)$", re.I)


def shapefile_stem(key: str) -> str:
    """``dir/name.shp.gz`` -> ``dir/name.``: the prefix every shapefile component shares."""
    key = _COMPRESSION.sub("", key)
    slash, dot = key.rfind("/"), key.rfind(".")
    return key[: dot + 1] if dot > slash else key


def object_access(rule: Rule, bucket: str, key: str) -> S3Access | None:
    """The objects a read or write rule names for ``bucket``/``key``: its object resource as
    an exact key or a key prefix (a shapefile's stem is a prefix). None for other rules."""
    if not rule.access:
        return None
    shape = next(p.resource for p in rule.permissions if p.resource.startswith("object-"))
    if shape == "object-exact":
        return S3Access(bucket, key, KeyMatch.EXACT, rule.access == "write")
    named = shapefile_stem(key) if shape == "object-stem" else key
    return S3Access(bucket, named, KeyMatch.PREFIX, rule.access == "write")


def resource(shape: str, partition: str, bucket: str = "", key: str = "", arn: str = "") -> str:
    """The ARN a resource shape names for a subject."""
    if shape == "arn":
        return arn
    s3 = f"arn:{partition}:s3:::{bucket}"
    if shape == "object-prefix":
        return f"{s3}/{key}*"
    if shape == "object-exact":
        return f"{s3}/{key}"
    if shape == "object-stem":
        return f"{s3}/{shapefile_stem(key)}*"
    if shape == "bucket":
        return s3
    raise KeyError(shape)


def condition(shape: str, key: str = "") -> Condition | None:
    """The ``s3:prefix`` condition a condition shape names (None: no condition)."""
    if not shape or (shape == "prefix-like" and not key):
        return None
    if shape == "prefix-like":
        value = key + "*"
    elif shape == "prefix-exact":
        value = key
    elif shape == "prefix-stem":
        value = shapefile_stem(key) + "*"
    else:
        raise KeyError(shape)
    return Condition("StringLike", "s3:prefix", value)

"""Validation of the values users write: S3 locations, role ARNs, Regions, KMS keys.

Each check returns ``None`` when the value is fine, or the problem as (code, message, column
offset inside the value), so the parser can point at the exact character and the CLI can
reuse the same checks for flags.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from redshift_iam.core.encodable import SURROGATE_CODE, first_surrogate, surrogate_message
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.placeholders import TEMPLATE
from redshift_iam.core.secrets import SECRET_SHAPE, hide_secret_shapes

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
# Every pattern here is ASCII-only and anchored with \Z: "$" would accept a trailing newline
# and "\d" Arabic-Indic digits, and either would end up inside an ARN.
_A = re.ASCII
REGION = LazyRegex(r"^(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}\Z", _A)
ACCOUNT = re.compile(r"^\d{12}\Z", _A)
_BUCKET = LazyRegex(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z", _A)
_IPV4 = LazyRegex(r"^\d+\.\d+\.\d+\.\d+\Z", _A)
# Names S3 reserves, or that name access points, Multi-Region Access Points, directory
# buckets and table buckets, whose ARNs are not arn:aws:s3:::bucket.
_RESERVED_BUCKET = LazyRegex(r"^(?:xn--|sthree-|amzn-s3-demo-)|(?:-s3alias|--ol-s3|\.mrap|"
                              r"--x-s3|--table-s3)\Z", _A)
MAX_KEY_BYTES = 1024
MAX_ROLE_CHAIN = 10  # IAM_ROLE 'a,b,...' (copy-parameters-authorization.md)
# The keys of a CREDENTIALS 'k=v;...' string (copy-parameters-authorization.md), sorted.
CREDENTIAL_KEYS = ("aws_access_key_id", "aws_iam_role", "aws_secret_access_key",
                   "master_symmetric_key", "token")
_ROLE_ARN = LazyRegex(
    r"^arn:(?P<partition>[a-z-]+):iam::(?P<account>[^:]*):role/(?P<name>(?:[\w+=,.@-]+/)*"
    r"[\w+=,.@-]+)\Z", _A)
_KMS_ARN = LazyRegex(r"^arn:(?P<partition>[a-z-]+):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
                      r"(?:key/[A-Za-z0-9-]+|alias/[\w/+=,.@-]+)\Z", _A)
_KMS_ID = LazyRegex(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                     r"|mrk-[0-9a-f]{32})\Z", _A)
_KMS_ALIAS = LazyRegex(r"^alias/[\w/+=,.@-]+\Z", _A)
# COPY sources other than S3 (copy-parameters-data-source-dynamodb.md, -emr.md)
EMR_SOURCE = LazyRegex(r"^emr://(?P<id>j-[A-Za-z0-9]+)(?:/(?P<path>.*))?\Z", re.I | re.S)
DYNAMO_SOURCE = LazyRegex(r"^dynamodb://(?P<name>[A-Za-z0-9_.-]{3,255})\Z", re.I | re.A)
JSONPATHS_WORDS = ("auto", "auto ignorecase", "noshred")  # JSON/AVRO arguments that name no file
# Template and documentation placeholders: <name>, {{ x }}, ${X}, {x}, %s, [,...]
_PLACEHOLDER_IN_VALUE = LazyRegex(rf"<[^<>]*>|\[,\s*\.\.\.\]|{TEMPLATE}")
# In a rendered template the templating stage has read every placeholder: what is left is
# literal text, except the doc grammar no value can mean and Jinja that the rendering left
# (`{{{{ ds }}}}` in an f-string is `{{ ds }}` once formatted: a later layer such as Airflow's
# Jinja fills it where the statement runs, with a value the tool cannot know).
_DOC_GRAMMAR = LazyRegex(r"\[,\s*\.\.\.\]|\{\{[^\n]*?\}\}|\{%[^\n]*?%\}")

Problem = tuple[str, str, int]


def placeholder(value: str, templates: bool = True) -> Problem | None:
    """A template or doc placeholder left in a value (RI121). With ``templates`` False (a
    rendered template, or --template-style none) only doc grammar such as ``[,...]``."""
    match = (_PLACEHOLDER_IN_VALUE if templates else _DOC_GRAMMAR).search(value)
    if match is None:
        return None
    if not templates and match.group().startswith("{"):
        return ("RI121", f"placeholder {shown(match.group())} is left after the template is "
                "rendered (escaped in an f-string, .format or % template): a later Jinja layer "
                "fills it where the statement runs, with a value the tool cannot know; write "
                "the value in its place", match.start())
    return ("RI121", f"placeholder {shown(match.group())} instead of a real value",
            match.start())


def partition_of_region(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def shown(value: str, limit: int = 60) -> str:
    """A value as quoted in a message, cut short (a message never carries megabytes), with
    secret-shaped text masked before the cut (a message says where, not what)."""
    value = hide_secret_shapes(value[:limit + 200])
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _cut(value: str, limit: int) -> str:
    """The first ``limit`` characters of ``value``, secret-shaped text masked first (so that
    no cut leaves part of a secret)."""
    return hide_secret_shapes(value[:limit + 200])[:limit]


@functools.lru_cache(maxsize=4096)  # pure; scripts repeat a few values
def check_region(region: str) -> Problem | None:
    if REGION.match(region):
        return None
    return ("RI122", f"{shown(region)} is not an AWS Region code", 0)


@functools.lru_cache(maxsize=4096)  # pure; scripts repeat a few values
def check_bucket(bucket: str) -> Problem | None:
    """S3 general-purpose bucket naming rules."""
    if not bucket:
        return ("RI120", "the S3 location has no bucket name", 0)
    if not _BUCKET.match(bucket) or ".." in bucket or _IPV4.match(bucket):
        return ("RI120", f"{shown(bucket)} is not a valid S3 bucket name", 0)
    reserved = _RESERVED_BUCKET.search(bucket)
    if reserved:
        return ("RI120", _reserved_message(bucket, reserved.group()), 0)
    return None


def _reserved_message(bucket: str, part: str) -> str:
    """Why ``bucket`` is refused, naming the reserved ``part`` (a prefix or a suffix)."""
    if part == "amzn-s3-demo-":
        return (f"{shown(bucket)} starts with amzn-s3-demo-, a prefix S3 reserves for the AWS "
                "docs' example buckets: write your own bucket's name")
    if bucket.startswith(part):
        return f"{shown(bucket)} starts with {part}, which no S3 bucket name may start with"
    return (f"{shown(bucket)} ends with {part}: the name of an access point, Multi-Region "
            "Access Point, directory or table bucket, which the tool cannot map to IAM "
            "resources yet")


def split_s3(uri: str) -> tuple[str, str] | None:
    """``s3://bucket/key`` -> (bucket, key); None if it is not an s3:// URI."""
    if uri[:5].lower() != "s3://":
        return None
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def check_s3(uri: str, templates: bool = True) -> Problem | None:
    """Everything wrong with an S3 URI, with the offset of the first bad character
    (``templates``: see :func:`placeholder`)."""
    found = placeholder(uri, templates)
    if found:
        return found
    bad = first_surrogate(uri)
    if bad is not None:  # before the key is measured in UTF-8 bytes, which it has none of
        return (SURROGATE_CODE, surrogate_message("the S3 location", uri, bad), bad)
    parts = split_s3(uri)
    if parts is None:
        return ("RI120", f"{shown(uri)} is not an s3:// location", 0)
    problem = check_bucket(parts[0])
    if problem and SECRET_SHAPE.search(uri):  # quote the location masked, not the bucket
        return ("RI120", f"{shown(uri)} does not start with a valid S3 bucket name", 5)
    if problem:
        return (problem[0], problem[1], 5)
    if len(parts[1].encode("utf-8")) > MAX_KEY_BYTES:
        return ("RI120", f"the S3 key is {len(parts[1].encode('utf-8'))} bytes; S3 keys are at "
                         f"most {MAX_KEY_BYTES}", 6 + len(parts[0]))
    return None


def key_warnings(key: str) -> tuple[Problem, ...]:
    """What to warn about an S3 key, wherever it enters (SQL, manifest entries, flags): RW206
    for ``*`` or ``?`` (IAM reads them as wildcards), RW207 for leading or trailing white
    space. Offsets are 0: the caller points at the start of the location that holds the key."""
    if "*" not in key and "?" not in key and key == key.strip():
        return ()  # the common case, checked once per statement on the fast path
    found: list[Problem] = []
    if "*" in key or "?" in key:
        found.append(("RW206", f"S3 key {_cut(key, 80)!r} holds * or ?, which IAM reads as "
                               "wildcards", 0))
    if key != key.strip():
        found.append(("RW207", f"S3 key {_cut(key, 80)!r} starts or ends with white space; it is "
                               "granted as written", 0))
    return tuple(found)


def kms_arn_parts(arn: str) -> re.Match[str] | None:
    """The named groups (partition, region, account) of a KMS key or alias ARN."""
    return _KMS_ARN.match(arn)


def copy_source_scheme(value: str, templates: bool = True) -> tuple[str, Problem | None]:
    """The scheme of a COPY ``FROM`` value (s3, dynamodb or emr) and what is wrong with its
    shape: a placeholder (RI121) or a malformed DynamoDB/EMR source or unknown scheme (RI126).
    S3 locations are judged further by :func:`check_s3`."""
    found = placeholder(value, templates)
    if found:
        return "", found
    scheme = value.partition("://")[0].lower()
    if scheme == "dynamodb" and not DYNAMO_SOURCE.match(value):
        return scheme, ("RI126", "expected 'dynamodb://table-name' with a valid table name", 0)
    if scheme == "emr" and not EMR_SOURCE.match(value):
        return scheme, ("RI126", "expected 'emr://j-CLUSTERID/hdfs_path'", 0)
    if scheme not in ("s3", "dynamodb", "emr"):
        return scheme, ("RI126", "not an s3://, dynamodb:// or emr:// source; a local file "
                                 "needs psql's \\copy, which uses no IAM", 0)
    return scheme, None


def check_jsonpaths(value: str) -> Problem | None:
    """A JSON/AVRO argument: one of JSONPATHS_WORDS (any case) or an s3:// JSONPaths file."""
    if value.lower() in JSONPATHS_WORDS or value[:5].lower() == "s3://":
        return None
    return ("RI110", "expected 'auto', 'auto ignorecase', 'noshred' or an s3:// JSONPaths file",
            0)


Warning = tuple[str, str]  # (code, message) about a value that is valid but suspicious

# RW205: the same text for COPY and UNLOAD, SQL and specs
CLIENT_SIDE_WARNING = ("client-side encryption (MASTER_SYMMETRIC_KEY) needs no IAM, but AWS "
                       "ends it for COPY and UNLOAD after April 30, 2026")



def role_account_warning(arn: str) -> Warning | None:
    """RW201 for a (valid) role ARN whose account is not 12 digits."""
    match = _ROLE_ARN.match(arn)
    assert match is not None, arn  # callers pass an ARN check_role_arn accepted
    account = match.group("account")
    if ACCOUNT.match(account):
        return None
    return ("RW201", f"role {arn} names account {account!r}, not a 12-digit account id")


def access_key_warnings(key_id: str, temporary: bool) -> list[Warning]:
    """RW203 (key-based authorization) and, for temporary credentials, RW204."""
    found = [("RW203", f"key-based authorization: the policy is for the IAM user that owns "
                       f"access key {key_id}")]
    if temporary:
        found.append(("RW204", "temporary credentials: the policy belongs to whoever issued them"))
    return found


def arn_partition(arn: str) -> str:
    """The partition field of an ARN (``aws`` in ``arn:aws:...``); '' if there is none."""
    parts = arn.split(":", 2)
    return parts[1] if len(parts) > 2 else ""


def role_arn_parts(arn: str) -> re.Match[str] | None:
    return _ROLE_ARN.match(arn)


@functools.lru_cache(maxsize=4096)  # pure; scripts repeat a few values
def check_role_arn(arn: str, templates: bool = True) -> Problem | None:
    found = placeholder(arn, templates)
    if found:
        return found
    match = _ROLE_ARN.match(arn)
    if not match:
        return ("RI123", f"{shown(arn, 120)} is not an IAM role ARN", 0)
    if match.group("partition") not in PARTITIONS:
        return ("RI123", f"unknown partition {match.group('partition')!r} in role ARN",
                match.start("partition"))
    return None


@functools.lru_cache(maxsize=4096)  # pure; scripts repeat a few values
def role_account(arn: str) -> str:
    """The 12-digit account of a role ARN, or '' when it is not 12 digits."""
    match = _ROLE_ARN.match(arn)
    return match.group("account") if match and ACCOUNT.match(match.group("account")) else ""


def kms_kind(key: str) -> str:
    """'arn', 'alias-arn', 'id', 'alias' or '' (not a KMS key reference)."""
    match = _KMS_ARN.match(key)
    if match:
        return "alias-arn" if ":alias/" in key else "arn"
    if _KMS_ID.match(key):
        return "id"
    if _KMS_ALIAS.match(key):
        return "alias"
    return ""


_DB_USER = LazyRegex(r"^arn:aws(?:-cn|-us-gov)?:redshift:[a-z0-9-]+:\d{12}:dbuser:[^/\s]+/\S+\Z",
                      re.ASCII)


class KeyIdRule(NamedTuple):
    """One shape rule of access key ids: the first match of ``bad`` is where it is broken."""

    bad: LazyRegex
    message: str  # {pos}: 1-based character position, {n}: the id's length
    doc: str


_KEY_ID_API = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKey.html"
_KEY_ID_PREFIX = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html"
# The values never appear in a message: a malformed key id is often a pasted secret key.
KEY_ID_RULES = (
    KeyIdRule(LazyRegex(r"[^A-Z0-9]", re.A),
              "character {pos} of the access key id is not an uppercase letter or digit",
              _KEY_ID_API),
    KeyIdRule(LazyRegex(r"\A(?!AKIA|ASIA)"), "an access key id starts with AKIA (an IAM "
              "user's key) or ASIA (temporary credentials)", _KEY_ID_PREFIX),
    KeyIdRule(LazyRegex(r"\A(?=.{0,15}\Z)|(?<=\A.{128})(?=.)", re.S),
              "an access key id has 16 to 128 characters, this one has {n}", _KEY_ID_API),
)


def check_key_id(key_id: str) -> tuple[str, int] | None:
    """(message, offset of the first bad character) when ``key_id`` is not shaped like an
    AWS access key id, else None. Checked in :data:`KEY_ID_RULES` order."""
    for rule in KEY_ID_RULES:
        found = rule.bad.search(key_id)
        if found:
            return rule.message.format(pos=found.start() + 1, n=len(key_id)), found.start()
    return None

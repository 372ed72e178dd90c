"""What a value holding unresolved placeholders becomes, by where they stand in it (RULES
"Templated SQL"); the part of that decision that is not SQL syntax, shared by the SQL parser
(``sql/grammar/open_slots.py``) and the spec reader (``spec/templated.py``), so that a templated
spec and the equivalent templated SQL give the same values.

A placeholder without a value is a sentinel in the value's text (``core.placeholders``):

- in an S3 key (after ``s3://bucket/``): an :class:`S3Path` whose key holds the sentinels
  (derive grants ``*`` there);
- in the scheme, the bucket or the whole location (glued placeholders such as ``s3://{a}{b}``
  hide the bucket/key boundary, so they are a location too): an :class:`Open` location;
- in a DynamoDB table name or EMR cluster id: the table or cluster with the sentinels in its
  name (derive: RI147).
"""

from __future__ import annotations

from redshift_iam.core.diagnostics import Location
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.placeholders import SENTINEL_CLOSE, SENTINEL_OPEN, has_sentinel
from redshift_iam.core.statements import DynamoTable, EmrCluster, Open, S3Path

# A DynamoDB table name or EMR cluster id in which sentinels may stand.
SENTINELS = LazyRegex(f"{SENTINEL_OPEN}[0-9]+{SENTINEL_CLOSE}")
_NAMES = LazyRegex(f"(?:[A-Za-z0-9_.-]|{SENTINEL_OPEN}[0-9]+{SENTINEL_CLOSE})+")


def open_location(value: str, loc: Location, what: str = "location") -> S3Path | Open:
    """An s3:// value holding sentinels: an S3Path when they stand only in the key, else the
    whole location is open."""
    if value[:5].lower() == "s3://":
        bucket, slash, key = value[5:].partition("/")
        if slash and not has_sentinel(bucket):
            return S3Path(bucket, key, loc)
    return Open(what, value, loc)


def open_copy_source(value: str, loc: Location) -> S3Path | DynamoTable | EmrCluster | Open:
    """COPY's FROM value holding sentinels, by where they stand."""
    scheme, sep, rest = value.partition("://")
    if not sep or has_sentinel(scheme):
        return Open("location", value, loc)
    scheme = scheme.lower()
    if scheme == "dynamodb" and _NAMES.fullmatch(rest):
        return DynamoTable(rest, loc)
    if scheme == "emr":
        cluster, _, path = rest.partition("/")
        if _NAMES.fullmatch(cluster) and (has_sentinel(cluster[:2]) or cluster[:2] == "j-"):
            return EmrCluster(cluster, path, loc)
    if scheme == "s3":
        return open_location(value, loc)
    return Open("location", value, loc)

"""How long a template variable's value is assumed to be when a policy's size is counted.

In Terraform and CloudFormation output a named placeholder without a value is a variable
(``core.placeholders`` markers) filled in at apply. IAM counts the policy with the value, so
the size check counts each marker as the value it may take: at most the longest value the
slot allows where AWS bounds it, else a stated assumption. One row per place a variable
stands, the first that matches the text before the marker wins; a location's parts
(``'{s3_path}'``: its bucket, key or bucket/key) have lengths of their own. The estimate is an
upper bound for buckets and tables; a key longer than :data:`KEY_LENGTH` or another value
longer than :data:`OTHER_LENGTH` can still make the policy exceed the quota at apply
(``documents`` warns, RW229, when a policy holding such a variable is estimated near it).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.placeholders import MARKER, PART_OPEN, VARIABLE_OPEN


class Assumed(NamedTuple):
    """A variable standing where ``before`` matches the end of the text before it counts
    as ``length`` characters: ``what`` it holds, and the doc of that bound."""

    before: LazyRegex
    length: int
    what: str
    doc: str


BUCKET_LENGTH = 63
ASSUMED = (
    Assumed(LazyRegex(r':s3:::[^/"]*\Z'), BUCKET_LENGTH, "an S3 bucket name (at most 63)",
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"),
    Assumed(LazyRegex(r':table/[^/"]*\Z'), 255, "a DynamoDB table name (at most 255)",
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
            "HowItWorks.NamingRulesDataTypes.html"),
)
KEY_LENGTH = 256  # the key of a whole location: S3 allows 1,024; prefixes are far shorter
OTHER_LENGTH = 128  # any other value: a Region, an EMR cluster id, a KMS key id or ARN
PART_LENGTHS = {"bucket": BUCKET_LENGTH, "key": KEY_LENGTH, "path": BUCKET_LENGTH + 1 + KEY_LENGTH}
ASSUMPTIONS = (f"an S3 bucket {BUCKET_LENGTH}, a DynamoDB table 255, a whole location's key "
               f"{KEY_LENGTH}, any other value {OTHER_LENGTH}")


def has_variables(text: str) -> bool:
    return VARIABLE_OPEN in text or PART_OPEN in text


def estimated(text: str) -> str:
    """``text`` with each marker as a run of ``x`` as long as its value is assumed to be."""
    out, end = [], 0
    for match in MARKER.finditer(text):
        out.append(text[end:match.start()])
        out.append("x" * _length(match, "".join(out))[0])
        end = match.end()
    out.append(text[end:])
    return "".join(out)


def unbounded(text: str) -> bool:
    """Whether ``text`` holds a variable counted at an assumption rather than at the longest
    value AWS allows there (a location's key, any other value)."""
    return any(not _length(match, text[:match.start()])[1] for match in MARKER.finditer(text))


def _length(match: re.Match[str], before: str) -> tuple[int, bool]:
    """The assumed length of the marker ``match`` after ``before``; whether it is a bound."""
    if match.group("part"):
        return PART_LENGTHS[match.group("part")], match.group("part") == "bucket"
    row = next((row for row in ASSUMED if row.before.search(before)), None)
    return (row.length, True) if row else (OTHER_LENGTH, False)

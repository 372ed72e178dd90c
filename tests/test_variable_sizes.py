"""Policy sizes in Terraform/CloudFormation count each template variable as the value it may
take (``core.var_sizes``): a bucket as the longest bucket name, a DynamoDB table as the
longest table name, a whole location's key and any other value at a stated length; a
policy holding a variable counted at an assumption (not a bound) near the quota is RW229."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from redshift_iam.core.placeholders import part, variable
from redshift_iam.core.var_sizes import estimated
from tests.test_iac_formats import _terraform_documents

ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/R'"
LONGEST_BUCKET = "b" * 63
RW229 = ("warning RW229: {which} for arn:aws:iam::123456789012:role/R is estimated at {size} "
         "of 6,144 characters, counting each template variable as the longest value assumed "
         "for it (an S3 bucket 63, a DynamoDB table 255, a whole location's key 256, any "
         "other value 128): a longer value can make it exceed IAM's quota when the file is "
         "applied\n"
         "    hint: give the values with --var now (the size is then exact), or raise "
         "--max-policies so the grants are spread over more policies\n")


def generate(sql: str, fmt: str, *flags: str) -> Result:
    return CliRunner().invoke(main, ["generate", "--format", fmt, *flags, "-"], input=sql)


def bucket_sql(count: int) -> str:
    return "".join(f"COPY t FROM 's3://{{bucket}}/dir_{i:03d}/' {ROLE};\n" for i in range(count))


def location_sql(count: int) -> str:
    return "".join(f"COPY t FROM '{{src_{i}}}' {ROLE};\n" for i in range(count))


def compact_size(document: dict) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def test_a_bucket_variable_counts_as_the_longest_bucket_name() -> None:
    """100 statements on a bucket variable: counted with the variable's name they fit one
    policy, but the longest bucket name makes them 2 (as the JSON bundle with that name
    says); each Terraform policy, filled with it, fits the quota."""
    result = generate(bucket_sql(100), "terraform")
    assert result.exit_code == 0, result.stderr
    text = re.sub(r'\nvariable "bucket" \{\n.*?\n\}\n', "\n", result.stdout, flags=re.S)
    filled = _terraform_documents(text.replace("${var.bucket}", LONGEST_BUCKET))
    policies = filled["R"]["policies"]
    assert [compact_size(p) <= 6144 for p in policies] == [True, True]
    bundle = generate(bucket_sql(100), "json", "--var", f"bucket={LONGEST_BUCKET}",
                      "--account-id", "123456789012", "--region", "us-east-1")
    assert len(json.loads(bundle.stdout)["principals"][0]["policies"]) == len(policies)
    assert "RW229" not in result.stderr  # a bucket is counted at its bound: nothing to warn


def test_near_the_quota_a_bound_needs_no_warning() -> None:
    result = generate(bucket_sql(57), "terraform")
    assert (result.exit_code, result.stdout.count('resource "aws_iam_policy"')) == (0, 1)
    assert "RW229" not in result.stderr


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_a_whole_location_near_the_quota_is_rw228(fmt: str) -> None:
    result = generate(location_sql(7), fmt)
    assert result.exit_code == 0, result.stderr
    warnings = re.findall(r"warning RW229: .*\n    hint: .*\n", result.stderr)
    assert warnings == [RW229.format(which="the policy", size="5,693")]


def test_each_policy_near_the_quota_is_named() -> None:
    result = generate(location_sql(8), "terraform")
    assert result.stdout.count('resource "aws_iam_policy"') == 2
    assert re.findall(r"warning RW229: .*\n    hint: .*\n", result.stderr) == [
        RW229.format(which="policy 1 of 2", size="6,030")]


@pytest.mark.parametrize(("text", "length"), [
    ("arn:aws:s3:::" + variable("b") + "/k/*", 13 + 63 + 4),
    ("arn:aws:s3:::acme-" + variable("env"), 18 + 63),
    ("arn:aws:dynamodb:us-east-1:1:table/" + variable("t"), 35 + 255),
    ("arn:aws:elasticmapreduce:us-east-1:1:cluster/" + variable("c"), 45 + 128),
    (variable("key"), 128),
    ('"arn:aws:s3:::acme","' + variable("key") + '"', 21 + 128 + 1),  # not the bucket's
    ("arn:aws:s3:::" + part("path", variable("s")) + "*", 13 + 320 + 1),
    (part("key", variable("s")) + "*", 257),
    ("arn:aws:s3:::" + part("bucket", variable("s")), 13 + 63),
])
def test_each_place_counts_its_assumed_length(text: str, length: int) -> None:
    assert len(estimated(text)) == length

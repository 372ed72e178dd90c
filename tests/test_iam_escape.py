"""A literal ``${`` in an S3 key reaches IAM escaped as ``${$}{`` wherever the tool writes a
document (policy JSON, --out-dir files, Terraform, CloudFormation), sizes count the escaped
text, and the IAM evaluator judges that the escaped policy allows exactly the literal key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import hcl2
import pytest
import yaml
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from redshift_iam.core.policy import PolicyDocument, PolicyStatement, iam_text, text_size
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/Etl"
SQL = (f"COPY t FROM 's3://acme-in/a${{x}}/b' IAM_ROLE '{ROLE}';\n"
       f"UNLOAD ('select 1') TO 's3://acme-out/$${{aws:username}}/' IAM_ROLE '{ROLE}';\n")
NONE = ("--template-style", "none")  # every character literal: ${x} is text of the key


def invoke(*args: str, stdin: str | None = SQL) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def test_the_policy_escapes_every_literal_opener() -> None:
    result = invoke("policy", *NONE)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["Statement"] == [
        {"Sid": "S3GetObject", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::acme-in/a${$}{x}/b*"},
        {"Sid": "S3GetObjectPutObject", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::acme-out/$${$}{aws:username}/*"},
        {"Sid": "S3ListBucketAcmeIn", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::acme-in",
         "Condition": {"StringLike": {"s3:prefix": "a${$}{x}/b*"}}},
        {"Sid": "S3ListBucketAcmeOut", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::acme-out",
         "Condition": {"StringLike": {"s3:prefix": "$${$}{aws:username}/*"}}}]


@pytest.mark.parametrize(("action", "resource", "context", "expected"), [
    ("s3:GetObject", "arn:aws:s3:::acme-in/a${x}/b/part-0", {}, True),
    ("s3:GetObject", "arn:aws:s3:::acme-in/a${x}/b", {}, True),
    ("s3:GetObject", "arn:aws:s3:::acme-in/a/b/part-0", {}, False),  # what ${x} = "" would be
    ("s3:GetObject", "arn:aws:s3:::acme-in/a$/b/part-0", {}, False),
    ("s3:GetObject", "arn:aws:s3:::acme-in/a{x}/b/part-0", {}, False),
    ("s3:PutObject", "arn:aws:s3:::acme-out/$${aws:username}/f", {}, True),
    ("s3:PutObject", "arn:aws:s3:::acme-out/$alice/f", {"aws:username": "alice"}, False),
    ("s3:ListBucket", "arn:aws:s3:::acme-in", {"s3:prefix": "a${x}/b/"}, True),
    ("s3:ListBucket", "arn:aws:s3:::acme-in", {"s3:prefix": "a/b/"}, False),
    ("s3:ListBucket", "arn:aws:s3:::acme-out", {"s3:prefix": "$${aws:username}/"}, True),
])
def test_the_escaped_policy_allows_exactly_the_literal_keys(action: str, resource: str,
                                                            context: dict, expected: bool) -> None:
    document = json.loads(invoke("policy", *NONE).stdout)
    assert allowed([document], action, resource, context) is expected


def test_unescaped_the_policy_would_grant_something_else() -> None:
    """Why the escape: IAM reads ``${x}`` as a policy variable. With no such key in the
    request it matches nothing (the load would fail); ``${aws:username}`` is the caller's."""
    raw = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-in/a${x}/b*"},
        {"Effect": "Allow", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::acme-out/$${aws:username}/*"}]}
    assert not allowed([raw], "s3:GetObject", "arn:aws:s3:::acme-in/a${x}/b/part-0")
    assert not allowed([raw], "s3:PutObject", "arn:aws:s3:::acme-out/$${aws:username}/f")
    assert allowed([raw], "s3:PutObject", "arn:aws:s3:::acme-out/$alice/f",
                   {"aws:username": "alice"})


@pytest.mark.parametrize(("text", "escaped"), [
    ("a${x}", "a${$}{x}"), ("${${", "${$}{${$}{"), ("$${", "$${$}{"), ("$ {x}", "$ {x}"),
    ("a$", "a$"), ("{x}", "{x}"),
])
def test_iam_text(text: str, escaped: str) -> None:
    assert iam_text(text) == escaped


def test_sizes_count_the_escaped_text() -> None:
    statement = PolicyStatement("S3", ("s3:GetObject",), ("arn:aws:s3:::b/a${x}*",),
                                conditions=(("StringLike", "s3:prefix", ("a${x}*", "c")),))
    compact = json.dumps(statement.as_json(), separators=(",", ":"))
    assert "${$}{x}" in compact
    assert statement.size == len(compact)
    document = PolicyDocument((statement, statement._replace(sid="S4")))
    assert document.size == text_size(json.dumps(document.as_json(), separators=(",", ":")))


def test_out_dir_files_hold_the_escaped_text(tmp_path: Path) -> None:
    result = invoke("generate", *NONE, "--out-dir", str(tmp_path / "iam"))
    assert result.exit_code == 0, result.stderr
    policy = json.loads((tmp_path / "iam" / "Etl~123456789012.policy.json").read_text())
    assert policy["Statement"][0]["Resource"] == "arn:aws:s3:::acme-in/a${$}{x}/b*"


def test_terraform_writes_the_escape_with_its_own() -> None:
    """HCL's ``$${`` is a literal ``${``, so the JSON Terraform sends holds ``${$}{``."""
    result = invoke("generate", *NONE, "--format", "terraform", "--account-id", "123456789012")
    assert result.exit_code == 0, result.stderr
    assert ('        Resource = "arn:${data.aws_partition.current.partition}:s3:::acme-in/'
            'a$${$}{x}/b*"') in result.stdout.splitlines()
    policy = next(body["policy"] for block in hcl2.loads(result.stdout)["resource"]
                  for kind, labels in block.items() if kind.strip('"') == "aws_iam_policy"
                  for body in labels.values())
    literal = policy.replace("$${", "\0").replace("${data.aws_partition.current.partition}",
                                                  "aws").replace("\0", "${")
    assert "acme-in/a${$}{x}/b*" in literal and "acme-out/$${$}{aws:username}/*" in literal
    assert "$${$}" not in literal.replace("$${$}{aws", "")


def _cloudformation(fmt: str) -> dict:
    result = invoke("generate", *NONE, "--format", fmt, "--account-id", "123456789012")
    assert result.exit_code == 0, result.stderr
    return (yaml.safe_load if fmt == "cloudformation" else json.loads)(result.stdout)


@pytest.mark.parametrize("fmt", ["cloudformation", "cloudformation-json"])
def test_cloudformation_writes_the_escape_in_and_out_of_sub(fmt: str) -> None:
    """In ``Fn::Sub`` a literal ``${`` is ``${!``: the template says ``${!$}{x}``, which
    CloudFormation turns back into ``${$}{x}``; a plain string holds ``${$}{x}`` itself."""
    template = _cloudformation(fmt)
    policy = next(r for r in template["Resources"].values()
                  if r["Type"] == "AWS::IAM::ManagedPolicy")["Properties"]["PolicyDocument"]
    first, _, listing, _ = policy["Statement"]
    assert first["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::acme-in/a${!$}{x}/b*"}
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "a${$}{x}/b*"}}
    resolved = re.sub(r"\$\{!", "${", first["Resource"]["Fn::Sub"].replace(
        "${AWS::Partition}", "aws"))
    assert allowed([{"Version": "2012-10-17", "Statement": [{**first, "Resource": resolved}]}],
                   "s3:GetObject", "arn:aws:s3:::acme-in/a${x}/b/f")


def test_cloudformation_with_the_escape_passes_cfn_lint() -> None:
    from cfnlint.api import ManualArgs, lint
    text = invoke("generate", *NONE, "--format", "cloudformation", "--account-id",
                  "123456789012").stdout
    assert [str(m) for m in lint(text, config=ManualArgs(regions=["us-east-1"]))] == []


def test_terraform_itself_reads_the_strings_as_the_policy_json() -> None:
    """``terraform console`` evaluates the file's resource and prefix strings (the data source
    filled in) to exactly the JSON policy's."""
    import os
    import shutil
    import subprocess
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    text = invoke("generate", *NONE, "--format", "terraform", "--account-id",
                  "123456789012").stdout
    strings = re.findall(r'(?:Resource|"s3:prefix") = ("(?:[^"\\]|\\.)*\$\$\{(?:[^"\\]|\\.)*")',
                         text)
    assert len(strings) == 4
    expression = "[" + ", ".join(s.replace("${data.aws_partition.current.partition}", "aws")
                                 for s in strings) + "]"
    done = subprocess.run([terraform, "console"], input=f"jsonencode({expression})\n",
                          capture_output=True, text=True, timeout=120, check=True,
                          env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull})
    evaluated = json.loads(json.loads(done.stdout))
    policy = json.loads(invoke("policy", *NONE).stdout)["Statement"]
    assert evaluated == [policy[0]["Resource"], policy[1]["Resource"],
                         policy[2]["Condition"]["StringLike"]["s3:prefix"],
                         policy[3]["Condition"]["StringLike"]["s3:prefix"]]

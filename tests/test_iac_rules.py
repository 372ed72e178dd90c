"""The IaC product rules: one account per file, names from the principal alone, chained trusts
by reference, provenance only in comments / Metadata, --inline, --partition, escaping."""

from __future__ import annotations

import json
import re

import hcl2
import pytest
import yaml
from click.testing import CliRunner

from redshift_iam.cli.main import main
from redshift_iam.output import hcl
from redshift_iam.output.cloudformation import _value
from redshift_iam.output.iac_plan import Sym

ACCOUNT = "123456789012"


def role(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def copy(bucket: str, *roles: str) -> str:
    return f"copy t from 's3://{bucket}/in/' iam_role '{','.join(roles)}';\n"


def invoke(sql: str, fmt: str, *flags: str):
    return CliRunner().invoke(main, ["generate", "--format", fmt, *flags], input=sql)


def output(sql: str, fmt: str, *flags: str) -> str:
    result = invoke(sql, fmt, *flags)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def tf_blocks(text: str) -> dict[str, str]:
    """Each top-level block's text by its header line."""
    return {chunk.split("\n", 1)[0]: chunk.rstrip("\n") for chunk in text.split("\n\n")[1:]}


def cfn(sql: str, *flags: str) -> dict:
    return yaml.safe_load(output(sql, "cloudformation", *flags))


TWO_ACCOUNTS = copy("bkt-a", role("Cluster"), role("Reader", "210987654321"))


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation", "cloudformation-json"])
def test_principals_of_two_accounts_are_an_error(fmt: str) -> None:
    result = invoke(TWO_ACCOUNTS, fmt)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(
        f"redshift-iam: the principals are in 2 accounts ({ACCOUNT}: {role('Cluster')}; "
        f"210987654321: {role('Reader', '210987654321')}); a template is applied in one "
        "account: run once per account with --account-id ACCOUNT (the file then holds that "
        "account's principals)\n")


def test_account_id_picks_the_account_and_says_what_it_left_out() -> None:
    result = invoke(TWO_ACCOUNTS, "cloudformation-json", "--account-id", "210987654321")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (f"redshift-iam: left out {role('Cluster')}: it is in account "
                             f"{ACCOUNT}, not 210987654321 (--account-id)\n")
    template = json.loads(result.stdout)
    assert sorted(template["Resources"]) == ["ReaderPolicy", "ReaderRole"]
    trust = template["Resources"]["ReaderRole"]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {  # the other account's role, as written
        "AWS": {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::{ACCOUNT}:role/Cluster"}}


def test_account_id_with_no_principal_of_that_account() -> None:
    result = invoke(copy("bkt-a", role("A")), "terraform", "--account-id", "999988887777")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "redshift-iam: nothing to grant: no principal of the input needs a role or policy in "
        f"account 999988887777; left out {role('A')}: it is in account {ACCOUNT}, not "
        "999988887777 (--account-id)\n")


def test_nothing_to_grant() -> None:
    result = invoke("select 1;\n", "cloudformation")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("redshift-iam: nothing to grant: no principal of the input needs "
                             "a role or policy\n")


def test_given_account_and_region_stay_literal() -> None:
    sql = "copy t from 'dynamodb://Tab' iam_role default readratio 50;\n"
    text = output(sql, "terraform", "--account-id", "111122223333", "--region", "eu-west-1")
    assert ('"arn:${data.aws_partition.current.partition}:dynamodb:eu-west-1:111122223333:'
            'table/Tab"') in text
    assert "aws_caller_identity" not in text and "aws_region" not in text
    text = output(sql, "terraform")
    assert ('"arn:${data.aws_partition.current.partition}:dynamodb:'
            '${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:'
            'table/Tab"') in text


def test_given_partition_stays_literal() -> None:
    sql = copy("bkt-a", "arn:aws-cn:iam::123456789012:role/A")
    template = json.loads(output(sql, "cloudformation-json", "--partition", "aws-cn"))
    statements = template["Resources"]["APolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Resource"] for s in statements] == ["arn:aws-cn:s3:::bkt-a/in/*",
                                                   "arn:aws-cn:s3:::bkt-a"]


SAME_ACCOUNT_CHAIN = copy("bkt-a", role("etl/Cluster-Role"), role("redshift-publish"))


def test_chained_trust_references_the_previous_role() -> None:
    text = output(SAME_ACCOUNT_CHAIN, "terraform")
    blocks = tf_blocks(text)
    trust = blocks['resource "aws_iam_role" "redshift-publish" {']
    assert "AWS = aws_iam_role.Cluster-Role.arn\n" in trust
    policy = blocks['resource "aws_iam_policy" "Cluster-Role" {']
    assert ('Resource = "arn:${data.aws_partition.current.partition}:iam::'
            '${data.aws_caller_identity.current.account_id}:role/'
            '${var.redshift-publish_role_name}"') in policy
    template = cfn(SAME_ACCOUNT_CHAIN)
    role_trust = template["Resources"]["RedshiftPublishRole"]["Properties"][
        "AssumeRolePolicyDocument"]["Statement"][0]
    assert role_trust["Principal"] == {"AWS": {"Fn::GetAtt": ["ClusterRoleRole", "Arn"]}}


def test_role_names_as_written() -> None:
    text = output(SAME_ACCOUNT_CHAIN, "terraform")
    blocks = tf_blocks(text)
    assert blocks['variable "redshift-publish_role_name" {'] == (
        'variable "redshift-publish_role_name" {\n'
        '  description = "Name of the IAM role the SQL calls redshift-publish"\n'
        '  type        = string\n'
        '  default     = "redshift-publish"\n}')
    assert blocks['resource "aws_iam_role" "Cluster-Role" {'].startswith(
        'resource "aws_iam_role" "Cluster-Role" {\n'
        '  name = var.Cluster-Role_role_name\n  path = "/etl/"\n')
    assert blocks['output "redshift-publish_role_arn" {'] == (
        'output "redshift-publish_role_arn" {\n'
        '  description = "ARN of the IAM role the SQL calls redshift-publish"\n'
        '  value       = aws_iam_role.redshift-publish.arn\n}')
    resources = cfn(SAME_ACCOUNT_CHAIN)["Resources"]
    assert resources["RedshiftPublishPolicy"]["Properties"]["ManagedPolicyName"] == {
        "Fn::Sub": "redshift-iam-${RedshiftPublishRoleName}"}
    assert cfn(SAME_ACCOUNT_CHAIN)["Parameters"]["RedshiftPublishRoleName"]["Default"] == (
        "redshift-publish")


def test_names_stay_put_when_a_role_is_added() -> None:
    one = copy("bkt-a", role("etl_loader_prod"))
    two = one + copy("bkt-b", role("etl_loader_prod2")) + copy("bkt-c", role("aaa"))
    before, after = tf_blocks(output(one, "terraform")), tf_blocks(output(two, "terraform"))

    def mine(blocks: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in blocks.items()
                if re.search(r'"etl_loader_prod(_role_name|_role_arn|_\d+)?"', k)}

    assert len(mine(before)) == 5
    assert mine(after) == mine(before)
    cfn_one, cfn_two = cfn(one), cfn(two)
    for section in ("Parameters", "Resources", "Outputs"):
        assert {k: v for k, v in cfn_two[section].items() if k.startswith("EtlLoaderProd")
                and not k.startswith("EtlLoaderProd2")} == cfn_one[section]


def _many(bucket_count: int, who: str) -> str:
    return "".join(f"copy t{i} from 's3://bucket-number-{i:04d}/some/long/prefix/for/data/' "
                   f"iam_role '{who}';\n" for i in range(bucket_count))


def test_a_role_needing_several_policies_keeps_its_first_policys_name() -> None:
    sql = _many(60, role("Big"))
    text = output(sql, "terraform")
    labels = re.findall(r'^resource "aws_iam_policy" "([^"]+)"', text, re.M)
    names = re.findall(r'^  name += (".*")$', text, re.M)
    assert labels == ["Big", "Big_2", "Big_3"]
    assert names == ['"redshift-iam-${var.Big_role_name}"',
                     '"redshift-iam-${var.Big_role_name}-2"',
                     '"redshift-iam-${var.Big_role_name}-3"']
    resources = cfn(sql)["Resources"]
    assert [k for k in resources if k.startswith("BigPolicy")] == [
        "BigPolicy", "BigPolicy2", "BigPolicy3"]


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_a_comment_line_in_the_sql_changes_no_value_aws_stores() -> None:
    sql = copy("bkt-a", role("A")) + "copy t from 'dynamodb://Tab' iam_role default;\n"
    moved = "-- a new first line\n" + sql
    assert output(sql, "terraform") != output(moved, "terraform")  # the comments moved
    assert _without_comments(output(sql, "terraform")) == _without_comments(
        output(moved, "terraform"))
    before, after = cfn(sql), cfn(moved)
    for template in (before, after):
        for resource in template["Resources"].values():
            del resource["Metadata"]
    assert before == after


def test_provenance_is_in_comments_and_metadata_only() -> None:
    sql = copy("bkt-a", role("A")) + "copy t from 'dynamodb://Tab' iam_role default;\n"
    text = output(sql, "terraform")
    assert [line.strip() for line in text.splitlines() if "<stdin>" in line] == [
        "# <stdin>:2", "# <stdin>:1", "# <stdin>:1", "# <stdin>:1"]  # default: no trust
    template = cfn(sql)
    assert template["Resources"]["APolicy"]["Metadata"] == {"redshift-iam": {"Statements": {
        "S3GetObject": ["<stdin>:1"], "S3ListBucketBktA": ["<stdin>:1"]}}}
    assert template["Resources"]["ARole"]["Metadata"] == {"redshift-iam": {
        "TrustStatements": {"RedshiftAssumeRole": ["<stdin>:1"]}}}
    for resource in template["Resources"].values():
        assert "<stdin>" not in json.dumps(resource["Properties"])


def test_inline_policies() -> None:
    sql = copy("bkt-a", role("A"))
    text = output(sql, "terraform", "--inline")
    assert 'resource "aws_iam_role_policy" "A" {\n  name = "redshift-iam-${var.A_role_name}"\n' \
           '  role = aws_iam_role.A.id\n  policy = jsonencode({\n' in text
    assert "aws_iam_policy" not in text and "attachment" not in text
    properties = cfn(sql, "--inline")["Resources"]["ARole"]["Properties"]
    assert [p["PolicyName"] for p in properties["Policies"]] == [
        {"Fn::Sub": "redshift-iam-${ARoleName}"}]
    assert sorted(cfn(sql, "--inline")["Resources"]) == ["ARole"]


def test_inline_needs_a_role() -> None:
    result = invoke("copy t from 's3://bkt-a/k' iam_role default;\n", "terraform", "--inline")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("redshift-iam: --inline: default has no role in the file to hold "
                             "an inline policy; drop --inline to get a managed policy to "
                             "attach\n")


def test_clashing_resource_names_are_an_error_not_a_rename() -> None:
    sql = copy("bkt-a", role("etl.loader")) + copy("bkt-b", role("etl_loader"))
    result = invoke(sql, "terraform")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"redshift-iam: {role('etl.loader')} and {role('etl_loader')} "
                             "would both be named etl_loader; render them in separate runs\n")


def test_hcl_strings_escape_templates_and_refuse_foreign_references() -> None:
    def resolve(symbol: Sym) -> str:
        return "data.aws_partition.current.partition"

    assert hcl.string(("a${b}%{c}\"\n",), resolve) == '"a$${b}%%{c}\\"\\n"'
    assert hcl.string(("arn:", Sym("partition"), ":s3:::b"), resolve) == (
        '"arn:${data.aws_partition.current.partition}:s3:::b"')
    with pytest.raises(hcl.HclError):
        hcl.string(("x$", Sym("partition")), resolve)
    with pytest.raises(hcl.HclError):
        hcl.reference("aws_iam_role.x.arn}\n${file(\"/etc/passwd\")")
    assert hcl.comment("a.sql\n:3") == "# a.sql\\n:3"


def test_cloudformation_sub_escapes_a_literal_template() -> None:
    assert _value(("arn:", Sym("partition"), ":s3:::b/${x}"), {}) == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::b/${!x}"}
    assert _value(("arn:aws:s3:::b/${x}",), {}) == "arn:aws:s3:::b/${x}"


def test_terraform_of_every_case_here_parses() -> None:
    for sql in (SAME_ACCOUNT_CHAIN, _many(60, role("Big")), copy("bkt-a", role("A"))):
        assert hcl2.loads(output(sql, "terraform"))["resource"]


@pytest.mark.parametrize(("flags", "account"), [
    ((), "${data.aws_caller_identity.current.account_id}"),
    (("--account-id", "111122223333"), "111122223333"),
])
def test_a_role_of_the_file_is_in_the_applying_account(flags, account: str) -> None:
    """Even when the SQL's ARN names no real account (the docs' 'account-number')."""
    sql = copy("bkt-a", "arn:aws:iam::account-number:role/A", "arn:aws:iam::account-number:role/B")
    policy = tf_blocks(output(sql, "terraform", *flags))['resource "aws_iam_policy" "A" {']
    assert (f'Resource = "arn:${{data.aws_partition.current.partition}}:iam::{account}:role/'
            '${var.B_role_name}"') in policy

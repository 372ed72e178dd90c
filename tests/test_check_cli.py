"""``redshift-iam check``: exit codes, the messages (file:line:col, action, resource, context,
closest statement), the excess summary, --strict, --policy -, --policy-role, --context, --scan,
--resolve and --from-role (moto), and the report formats (the policy file forms and the
samples: test_check_cli_files.py)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from tests.aws_support import ACCOUNT, aws  # noqa: F401 - aws: a fixture
from tests.test_audit_policies import _details

ROLE = f"arn:aws:iam::{ACCOUNT}:role/Etl"
B = "arn:aws:s3:::acme-data"
SQL = f"""\
-- nightly load
COPY sales FROM 's3://acme-data/sales/'
IAM_ROLE '{ROLE}' FORMAT AS CSV;
"""
READ = {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{B}/sales/*"}
LIST = {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": B,
        "Condition": {"StringLike": {"s3:prefix": "sales/*"}}}
HINT_400 = ("    hint: add a statement that allows it (see the closest statement named), or run "
            "redshift-iam policy on the SQL for the least-privilege one")
HINT_402 = ("    hint: remove what the SQL does not need (redshift-iam policy prints the least "
            "privilege)")


def document(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["check", *args], input=stdin)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("etl.sql").write_text(SQL)
    Path("exact.json").write_text(json.dumps(document(READ, LIST), indent=2))
    return tmp_path


def write(name: str, body: object) -> str:
    Path(name).write_text(body if isinstance(body, str) else json.dumps(body, indent=2))
    return name


@pytest.mark.usefixtures("tree")
def test_a_policy_that_allows_exactly_the_need_passes() -> None:
    result = invoke("--policy", "exact.json", "etl.sql", "--strict")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, f"{ROLE}: 2 need(s), 0 missing; excess in: none\n", "")


@pytest.mark.usefixtures("tree")
def test_a_missing_request_names_statement_action_resource_context_and_closest() -> None:
    narrow = dict(LIST, Resource=f"{B}/logs", Condition={"StringLike": {"s3:prefix": "logs/*"}})
    write("p.json", document(READ, narrow))
    result = invoke("--policy", "p.json", "etl.sql")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"etl.sql:2:1: error RC400: s3:ListBucket on {B} with s3:prefix like 'sales/*' (rule "
        f"copy-s3-prefix) is not allowed; closest: p.json:10:5: p.json Sid List: its resource "
        f"{B}/logs does not match {B}",
        HINT_400,
        f"p.json:10:5: info RC402: p.json Sid List allows s3:ListBucket on {B}/logs: not needed "
        f"on this resource (needed on {B})",
        HINT_402,
        "allowed beyond the need, per service and resource:",
        f"  s3 on {B}/logs: s3:ListBucket",
        f"{ROLE}: 2 need(s), 1 missing; excess in: s3"]
    assert result.stderr == "redshift-iam: 1 needed request(s) not allowed\n"


@pytest.mark.usefixtures("tree")
def test_excess_is_information_unless_strict() -> None:
    wide = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{B}/*"}
    write("p.json", document(wide, LIST))
    result = invoke("--policy", "p.json", "etl.sql")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-3:] == [
        "allowed beyond the need, per service and resource:",
        f"  s3 on {B}/*: 2 actions: s3:GetObject, s3:PutObject",
        f"{ROLE}: 2 need(s), 0 missing; excess in: s3"]
    strict = invoke("--policy", "p.json", "etl.sql", "--strict")
    assert (strict.exit_code, strict.stdout) == (1, result.stdout)
    assert strict.stderr == "redshift-iam: 2 excess grant(s) (--strict)\n"


@pytest.mark.usefixtures("tree")
def test_an_explicit_deny_is_rc401() -> None:
    write("p.json", document(READ, LIST, {"Effect": "Deny", "Action": "s3:*",
                                          "Resource": f"{B}/sales/2024/*"}))
    result = invoke("--policy", "p.json", "etl.sql")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"etl.sql:2:1: error RC401: s3:GetObject on {B}/sales/* (rule copy-s3-prefix) may be "
        "denied by p.json:21:5: p.json statement 3")


@pytest.mark.usefixtures("tree")
def test_several_policy_files_are_evaluated_together() -> None:
    write("read.json", document(READ))
    write("list.json", document(LIST))
    assert invoke("--policy", "read.json", "etl.sql").exit_code == 1
    assert invoke("--policy", "read.json", "--policy", "list.json", "etl.sql").exit_code == 0


@pytest.mark.usefixtures("tree")
def test_the_policy_from_standard_input() -> None:
    result = invoke("--policy", "-", "etl.sql", stdin=json.dumps(document(READ)))
    assert result.exit_code == 1
    assert "closest: <stdin>:1:" not in result.stdout  # no statement allows ListBucket
    assert result.stdout.splitlines()[0].endswith("; no statement allows this action")
    both = invoke("--policy", "-", stdin=json.dumps(document(READ)))
    assert both.exit_code == 2
    assert "--policy - reads standard input: give the SQL as INPUT files" in both.stderr


@pytest.mark.usefixtures("tree")
def test_a_file_with_several_roles_needs_the_principals_or_policy_role() -> None:
    details = _details()
    write("account.json", details)
    other = invoke("--policy", "account.json", "--policy-role", "Other", "etl.sql")
    assert other.exit_code == 1
    assert other.stdout.splitlines()[0].endswith("; no statement allows this action")
    write("other.sql", SQL.replace("role/Etl", "role/Nobody"))
    result = invoke("--policy", "account.json", "other.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "account.json:1:1: error RC406: account.json holds no role 'Nobody'; it holds: Etl, "
        "Other\n"
        "    hint: pick it with --policy-role ROLE (its name or ARN, a Terraform address or a "
        "CloudFormation logical id)\n")


@pytest.mark.usefixtures("tree")
def test_the_principal_must_be_clear() -> None:
    write("two.sql", SQL + SQL.replace("role/Etl", "role/Other"))
    result = invoke("--policy", "exact.json", "two.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        f"error RC407: the input uses several principals; pick one with --role: "
        f"arn:aws:iam::{ACCOUNT}:role/Etl, arn:aws:iam::{ACCOUNT}:role/Other")
    assert invoke("--policy", "exact.json", "two.sql", "--role", "Etl").exit_code == 0
    write("none.sql", "select 1;\n")
    nothing = invoke("--policy", "exact.json", "none.sql")
    assert nothing.exit_code == 1
    assert nothing.stderr.startswith("error RC407: the input needs no permission")


@pytest.mark.usefixtures("tree")
@pytest.mark.parametrize("args, message", [
    (["etl.sql"], "give the policies to check: --policy FILE (repeatable) or --from-role NAME"),
    (["--policy", "exact.json", "--context", "nokey", "etl.sql"], "is not KEY=VALUE"),
    (["--policy", "exact.json", "--context", "aws:SourceVpc=a", "--context",
      "aws:sourcevpc=b", "etl.sql"], "aws:sourcevpc is given twice"),
    (["--policy", "exact.json", "--scan"], "--scan reads source trees: give at least one PATH"),
    (["--policy", "exact.json", "--scan", "--input-format", "sql", "."], "--input-format is"),
    (["--policy", "-", "--policy", "-", "etl.sql"], "can be read once"),
])
def test_usage_errors(args: list[str], message: str) -> None:
    result = invoke(*args, stdin="")
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr


@pytest.mark.usefixtures("tree")
@pytest.mark.parametrize("text, code", [
    ("{", "RC403"), ('{"Statement": [{"Effect": "Allow", "Action": "s3:*", '
                     '"Resource": "*", "Principal": "*"}]}', "RC404")])
def test_a_bad_policy_file_is_an_error_and_no_report(text: str, code: str) -> None:
    result = invoke("--policy", write("p.json", text), "etl.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert f"error {code}:" in result.stderr.splitlines()[0]
    missing = invoke("--policy", "nope.json", "etl.sql")
    assert (missing.exit_code, missing.stderr.splitlines()[0]) == (
        1, "error RI100: nope.json: no such file")


@pytest.mark.usefixtures("tree")
def test_bad_sql_is_in_the_report_and_fails() -> None:
    write("bad.sql", SQL + "COPY x FROM 's3://acme-data/x' IAM_ROLE default nonsense;\n")
    result = invoke("--policy", "exact.json", "bad.sql", "--role", "Etl")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "bad.sql:4:49: error RI111: unknown COPY option 'nonsense'")
    assert result.stderr.splitlines() == [  # the SQL's diagnostics go to stderr as well
        "bad.sql:4:49: error RI111: unknown COPY option 'nonsense'",
        "    4 | COPY x FROM 's3://acme-data/x' IAM_ROLE default nonsense;",
        "      |                                                 ^",
        "    hint: an option the tool does not know may need a permission; check its spelling "
        "against the Redshift reference",
        "redshift-iam: 1 other problem(s)"]
    machine = invoke("--policy", "exact.json", "bad.sql", "--role", "Etl", "--error-format",
                     "json")
    assert [(line["code"], line["severity"], line["location"]) for line in map(
        json.loads, machine.stderr.splitlines())] == [
        ("RI111", "error", "bad.sql:4:49"), (None, "error", None)]


@pytest.mark.usefixtures("tree")
def test_a_condition_key_given_with_context() -> None:
    vpc = {"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}
    write("p.json", document(dict(READ, Condition=vpc), LIST))
    result = invoke("--policy", "p.json", "etl.sql")
    assert result.exit_code == 1
    assert "closest: p.json:4:5: p.json Sid Read: " in result.stdout.splitlines()[0]
    given = invoke("--policy", "p.json", "etl.sql", "--context", "aws:SourceVpc=vpc-1a2b3c4d")
    assert given.exit_code == 0
    other = invoke("--policy", "p.json", "etl.sql", "--context", "aws:SourceVpc=vpc-other")
    assert other.exit_code == 1


@pytest.mark.usefixtures("tree")
def test_templated_sql_takes_the_template_values() -> None:
    write("t.sql", SQL.replace("sales/", "{{ table }}/"))
    unresolved = invoke("--policy", "exact.json", "t.sql")
    assert unresolved.exit_code == 1
    assert invoke("--policy", "exact.json", "t.sql", "--var", "table=sales").exit_code == 0


@pytest.mark.usefixtures("tree")
def test_scan_checks_what_scan_finds_and_fails_on_what_it_cannot_read() -> None:
    code = Path("repo")
    code.mkdir()
    (code / "job.py").write_text(f'SQL = """{SQL.splitlines()[1]} IAM_ROLE \'{ROLE}\' CSV"""\n')
    result = invoke("--policy", "exact.json", "--scan", "repo", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["needs"] == 2
    (code / "dyn.py").write_text('t = input()\nSQL = "COPY " + t + " FROM \'s3://acme-data/'
                                 'sales/\' IAM_ROLE default"\n')
    partial = invoke("--policy", "exact.json", "--scan", "repo")
    assert partial.exit_code == 1
    assert partial.stdout.splitlines()[0].startswith(
        "repo/dyn.py:2:7: unresolved RC408: not read: SQL built by concatenation")
    allowed = invoke("--policy", "exact.json", "--scan", "repo", "--allow-unresolved")
    assert allowed.exit_code == 0


@pytest.mark.usefixtures("tree", "aws")
def test_from_role_reads_the_role_from_iam() -> None:
    iam = boto3.client("iam")
    iam.create_role(RoleName="Etl", AssumeRolePolicyDocument="{}")
    iam.put_role_policy(RoleName="Etl", PolicyName="Read", PolicyDocument=json.dumps(
        document(READ)))
    result = invoke("--from-role", "Etl", "etl.sql")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].endswith("; no statement allows this action")
    arn = iam.create_policy(PolicyName="List", PolicyDocument=json.dumps(document(LIST)))
    iam.attach_role_policy(RoleName="Etl", PolicyArn=arn["Policy"]["Arn"])
    assert invoke("--from-role", "Etl", "etl.sql", "--strict").exit_code == 0
    missing = invoke("--from-role", "Nope", "etl.sql")
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert missing.stderr.startswith("error RC409: --from-role Nope: no such role")


@pytest.mark.usefixtures("tree", "aws")
def test_from_role_names_the_principal_of_several() -> None:
    boto3.client("iam").create_role(RoleName="Etl", AssumeRolePolicyDocument="{}")
    boto3.client("iam").put_role_policy(RoleName="Etl", PolicyName="All", PolicyDocument=(
        json.dumps(document(READ, LIST))))
    write("two.sql", SQL + SQL.replace("role/Etl", "role/Other"))
    assert invoke("--from-role", "Etl", "two.sql").exit_code == 0


@pytest.mark.usefixtures("tree", "aws")
def test_resolve_fills_what_the_sql_leaves_open() -> None:
    """The Region of a DynamoDB table comes from the session with --resolve."""
    write("ddb.sql", f"COPY t FROM 'dynamodb://Orders' IAM_ROLE '{ROLE}' READRATIO 50;\n")
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders"
    write("ddb.json", document({"Effect": "Allow", "Action": [
        "dynamodb:DescribeTable", "dynamodb:Scan"], "Resource": table}))
    assert invoke("--policy", "ddb.json", "ddb.sql").exit_code == 1  # the Region is open
    result = invoke("--policy", "ddb.json", "ddb.sql", "--resolve", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"{ROLE}: 2 need(s), 0 missing; excess in: none\n")


@pytest.mark.usefixtures("tree")
def test_json_report() -> None:
    write("p.json", document(READ))
    report = json.loads(invoke("--policy", "p.json", "etl.sql", "--format", "json").stdout)
    assert report == {
        "principal": ROLE, "needs": 2,
        "missing": [{"location": "etl.sql:2:1", "rule": "copy-s3-prefix",
                     "action": "s3:ListBucket", "resource": B,
                     "context": {"aws:principalaccount": [ACCOUNT],
                                 "aws:principalarn": [ROLE], "s3:prefix": "sales/*"},
                     "decision": "implicit-deny", "certain": True, "boundary": False,
                     "statements": []}],
        "excess": {},
        "findings": [{"code": "RC400", "severity": "error", "location": "etl.sql:2:1",
                      "message": f"s3:ListBucket on {B} with s3:prefix like 'sales/*' (rule "
                                 "copy-s3-prefix) is not allowed; no statement allows this "
                                 "action",
                      "hint": HINT_400.removeprefix("    hint: ")}]}

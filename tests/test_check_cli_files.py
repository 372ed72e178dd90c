"""``redshift-iam check`` on every policy file form, on the tool's own output for every
sample, and on hostile policy files; its SARIF against the 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.test_audit_policies import PLAN, _details
from tests.test_check_cli import LIST, READ, B, document, invoke, tree, write  # noqa: F401
from tests.test_samples import FLAGS, SAMPLES
from tests.test_samples import ROOT as SAMPLES_ROOT

SAMPLE_FLAGS = {sample: ["--region", "us-east-1", *FLAGS.get(sample, [])] for sample in SAMPLES}


def aws_forms() -> list[tuple[str, object, list[str]]]:
    """Each aws-cli response, plan and template, holding the two statements the SQL needs
    (the account file and the plan for role Etl among others)."""
    exact = document(READ, LIST)
    details = _details()
    details["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"] = exact
    details["RoleDetailList"][0]["AttachedManagedPolicies"] = []
    plan = json.loads(json.dumps(PLAN))
    resources = plan["planned_values"]["root_module"]["resources"]
    resources[0]["values"]["inline_policy"][0]["policy"] = json.dumps(exact)
    resources[:] = [r for r in resources if r["name"] in ("etl", "other")]
    template = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
                "  EtlRole:\n    Type: AWS::IAM::Role\n    Properties:\n"
                "      RoleName: Etl\n      ManagedPolicyArns: [!Ref ListPolicy]\n"
                f"      Policies:\n        - {{PolicyName: read, PolicyDocument: "
                f"{json.dumps(document(READ))}}}\n"
                "  ListPolicy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
                f"      PolicyDocument: {json.dumps(document(LIST))}\n")
    return [
        ("policy.json", exact, []),
        ("role-policy.json", {"RoleName": "Etl", "PolicyName": "s3",
                              "PolicyDocument": json.dumps(exact)}, []),
        ("version.json", {"PolicyVersion": {"Document": exact, "VersionId": "v1"}}, []),
        ("account.json", details, []),  # two roles: Etl is the SQL's role
        ("plan.json", plan, ["--policy-role", "etl"]),
        ("template.yaml", template, []),
    ]


@pytest.mark.usefixtures("tree")
@pytest.mark.parametrize("name, body, flags", aws_forms(), ids=[f[0] for f in aws_forms()])
def test_every_policy_file_form(name: str, body: object, flags: list[str]) -> None:
    result = invoke("--policy", write(name, body), *flags, "etl.sql", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["missing"], report["needs"]) == ([], 2)


def principals(sample: str) -> list[str]:
    """The principals of a sample, as the front door reads it with the sample's flags."""
    from redshift_iam.analysis import analyze
    from redshift_iam.cli.common import build_options
    from redshift_iam.cli.document_commands import generate

    context = generate.make_context("generate", [f"samples/{sample}.sql", *SAMPLE_FLAGS[sample]])
    return [r.principal.name for r in analyze(
        context.params["scripts"], build_options(context.params)).reports]


@pytest.mark.parametrize("sample", SAMPLES)
def test_check_passes_the_tools_own_policy_with_no_excess(sample: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """policy's output for each principal of each sample, checked with --strict: 0, nothing
    missing, nothing in excess."""
    monkeypatch.chdir(SAMPLES_ROOT)
    flags = SAMPLE_FLAGS[sample]
    found = principals(sample)
    assert found
    for n, principal in enumerate(found):
        made = CliRunner().invoke(main, ["policy", f"samples/{sample}.sql", *flags,
                                         "--role", principal])
        assert made.exit_code == 0, made.output
        (tmp_path / f"{n}.json").write_text(made.stdout)
        result = invoke("--policy", str(tmp_path / f"{n}.json"), f"samples/{sample}.sql",
                        *flags, "--role", principal, "--strict")
        assert result.exit_code == 0, result.output
        assert result.stdout.endswith(" 0 missing; excess in: none\n"), result.stdout
        assert " 0 need(s)" not in result.stdout


@pytest.mark.usefixtures("tree")
def test_sarif_report_is_valid_with_missing_and_excess() -> None:
    from tests.test_audit_sarif import validate

    wide = {"Sid": "Wide", "Effect": "Allow", "Action": "s3:*", "Resource": f"{B}/sales/*"}
    write("p.json", document(wide))
    result = invoke("--policy", "p.json", "etl.sql", "--format", "sarif")
    assert result.exit_code == 1
    assert result.stdout == invoke("--policy", "p.json", "etl.sql", "--format", "sarif").stdout
    (run,) = validate(result.stdout)["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["RC400", "RC402"]
    found = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]
              ["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
             for r in run["results"]]
    assert found == [("RC400", "error", "etl.sql", 2), ("RC402", "note", "p.json", 4),
                     ("RC402", "note", "p.json", 4)]
    assert result.stderr == "redshift-iam: 1 needed request(s) not allowed\n"


@pytest.mark.usefixtures("tree")
def test_sql_that_cannot_be_read_at_all_reports_its_errors_not_rc407() -> None:
    write("open.sql", "COPY t FROM 's3://acme-data/k\n")
    result = invoke("--policy", "exact.json", "open.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == "open.sql:1:13: error RI101: unterminated string"
    assert "RC407" not in result.stderr


@pytest.mark.usefixtures("tree")
@pytest.mark.parametrize("make, expected", [
    (lambda: Path("d").mkdir(), "error RI100: --policy d is a directory; give the policy file"),
    (lambda: Path("d").write_bytes(b"{\0}"), "d:1:1: error RI105: d looks binary (it holds NUL "
                                            "bytes)"),
    (lambda: Path("d").write_text("[1, 2]"), "d:1:1: error RC403: d is none of the forms check "
                                             "reads"),
    (lambda: Path("d").write_text("a: ["), "d:1:5: error RC403: not valid YAML: expected the "
                                           "node content, but found '<stream end>'"),
])
def test_hostile_policy_files_are_refused_with_a_message(make, expected: str) -> None:
    make()
    result = invoke("--policy", "d", "etl.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0].startswith(expected)
    assert "Traceback" not in result.stderr

"""``redshift-iam lint``: exact reports and exit codes, --min-severity, inline suppression,
standard input, --scan, templated SQL, and the JSON and SARIF formats (SARIF validated
against the vendored 2.1.0 schema, tests/sarif/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from tests.test_audit_sarif import validate

ROLE = "arn:aws:iam::123456789012:role/Etl"
DOC_ID, DOC_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEYS = (f"COPY t FROM 's3://acme-data/k' ACCESS_KEY_ID '{DOC_ID}' "
        f"SECRET_ACCESS_KEY '{DOC_SECRET}';\n")
DEFAULT = "UNLOAD ('select 1') TO 's3://acme-data/out/' IAM_ROLE default;\n"
RW203 = [f"keys.sql:1:32: warning RW203: key-based authorization: the policy is for the IAM "
         f"user that owns access key {DOC_ID}",
         f"    1 | COPY t FROM 's3://acme-data/k' ACCESS_KEY_ID '{DOC_ID}' "
         "SECRET_ACCESS_KEY '****';",
         "      |                                ^",
         "    hint: the AWS docs strongly recommend IAM_ROLE over access keys"]
RW233 = ["roles.sql:1:46: info RW233: IAM_ROLE default: the SQL does not say which role this "
         "statement runs as",
         "    hint: name the role (IAM_ROLE 'arn:aws:iam::ACCOUNT:role/NAME') to make it "
         "reviewable"]


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["lint", *args], input=stdin)


@pytest.fixture(autouse=True)
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("keys.sql").write_text(KEYS)
    Path("roles.sql").write_text(DEFAULT)
    Path("clean.sql").write_text(f"COPY t FROM 's3://acme-data/k' IAM_ROLE '{ROLE}';\n")
    return tmp_path


def test_a_clean_script_exits_0() -> None:
    result = invoke("clean.sql")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "0 finding(s)\n", "")


def test_a_warning_fails_at_the_default_threshold() -> None:
    result = invoke("keys.sql", "roles.sql")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [*RW203, *RW233, "2 finding(s): 1 info, 1 warning"]
    assert result.stderr == "redshift-iam: 1 finding(s) at or above warning\n"


@pytest.mark.parametrize("threshold, files, code", [
    ("info", ["roles.sql"], 1), ("warning", ["roles.sql"], 0), ("error", ["keys.sql"], 0),
    ("unresolved", ["keys.sql"], 0), ("warning", ["keys.sql"], 1)])
def test_min_severity(threshold: str, files: list[str], code: int) -> None:
    result = invoke("--min-severity", threshold, *files)
    assert result.exit_code == code
    assert result.stdout.endswith(" finding(s): 1 info\n" if files == ["roles.sql"]
                                  else " finding(s): 1 warning\n")


def test_a_live_looking_key_is_an_error_and_never_printed() -> None:
    live = "AKIAZ7XQ2WLMNOPQRSTU"
    Path("live.sql").write_text(f"-- rotated? {live}\n")
    result = invoke("--min-severity", "error", "live.sql")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "live.sql:1:13: error RW230: access key id AKIA...RSTU looks live (not an AWS "
        "documentation example key)")
    assert live not in result.output


def test_suppression_comments() -> None:
    Path("s.sql").write_text(f"-- redshift-iam: ignore RW203\n{KEYS}"
                             f"{DEFAULT.rstrip()} -- redshift-iam: ignore RW233, RW234\n"
                             f"\n{DEFAULT}")  # a comment covers its line and the next
    result = invoke("s.sql", "--min-severity", "info")
    assert result.exit_code == 1  # the last statement's RW233 is not suppressed
    assert result.stdout.splitlines() == [
        "s.sql:5:46: info RW233: IAM_ROLE default: the SQL does not say which role this "
        "statement runs as", RW233[1], "1 finding(s): 1 info"]
    assert result.stderr == (
        "redshift-iam: 3 finding(s) suppressed by '-- redshift-iam: ignore' comments\n"
        "redshift-iam: 1 finding(s) at or above info\n")
    unsuppressed = invoke("s.sql", "--min-severity", "info", "--format", "json")
    assert len(json.loads(unsuppressed.stdout)["findings"]) == 1
    Path("s.sql").write_text(Path("s.sql").read_text().replace("ignore", "ignoring"))
    assert [f["code"] for f in json.loads(invoke("s.sql", "--format", "json").stdout)[
        "findings"]] == ["RW203", "RW233", "RW234", "RW233"]


def test_standard_input_and_templated_sql() -> None:
    stdin = invoke(stdin=DEFAULT)
    assert (stdin.exit_code, stdin.stdout.splitlines()[0]) == (
        0, "<stdin>:1:46: info RW233: IAM_ROLE default: the SQL does not say which role this "
           "statement runs as")
    Path("t.sql").write_text("COPY t FROM 's3://acme-data/{{ key }}' IAM_ROLE '" + ROLE + "';\n")
    wild = invoke("t.sql", "--var", "key=k*")
    assert (wild.exit_code, wild.stdout.splitlines()[0]) == (
        1, "t.sql:1:13: warning RW206: S3 key 'k*' holds * or ?, which IAM reads as wildcards")
    assert invoke("t.sql", "--var", "key=k").stdout == "0 finding(s)\n"


def test_scan_lints_what_scan_finds() -> None:
    Path("repo").mkdir()
    Path("repo/job.py").write_text(f'SQL = "{DEFAULT.strip()}"\nQ = "COPY " + input()\n')
    result = invoke("--scan", "repo", "--min-severity", "info", "--format", "json")
    assert result.exit_code == 1
    assert [(f["code"], f["location"]) for f in json.loads(result.stdout)["findings"]] == [
        ("RW233", "repo/job.py:1:53"), ("RC408", "repo/job.py:2:5")]


def test_json_report() -> None:
    result = invoke("roles.sql", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"findings": [{
        "code": "RW233", "severity": "info", "location": "roles.sql:1:46",
        "message": "IAM_ROLE default: the SQL does not say which role this statement runs as",
        "hint": RW233[1].removeprefix("    hint: ")}]}


def test_sarif_is_valid_relative_and_deterministic() -> None:
    first = invoke("keys.sql", "roles.sql", "--format", "sarif")
    assert first.exit_code == 1
    assert first.stdout == invoke("keys.sql", "roles.sql", "--format", "sarif").stdout
    (run,) = validate(first.stdout)["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["RW203", "RW233"]
    assert [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"])
            for r in run["results"]] == [
        ("RW203", "warning", {"artifactLocation": {"uri": "keys.sql", "uriBaseId": "%SRCROOT%"},
                              "region": {"startLine": 1, "startColumn": 32}}),
        ("RW233", "note", {"artifactLocation": {"uri": "roles.sql", "uriBaseId": "%SRCROOT%"},
                           "region": {"startLine": 1, "startColumn": 46}})]


@pytest.mark.parametrize("args, message", [
    (["--min-severity", "bogus", "keys.sql"], "'bogus' is not one of"),
    (["--scan"], "--scan reads source trees: give at least one PATH"),
    (["--scan", "--input-format", "spec", "."], "--input-format is for files read as given"),
    (["--format", "xml", "keys.sql"], "'xml' is not one of 'text', 'json', 'sarif'"),
])
def test_usage_errors(args: list[str], message: str) -> None:
    result = invoke(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr


def test_a_missing_file_is_an_error_finding() -> None:
    result = invoke("nope.sql")
    assert result.exit_code == 1
    assert "RI100" in result.output


def test_help_lists_the_exit_codes() -> None:
    text = CliRunner().invoke(main, ["lint", "--help"]).stdout
    assert "1  a finding at or above --min-severity" in text
    assert "-- redshift-iam: ignore RW203, RW233" in text

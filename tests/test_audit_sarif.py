"""SARIF 2.1.0 output: valid against the official OASIS schema (tests/sarif/), rule metadata
from the catalogue, relative locations, the same bytes every time."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from redshift_iam.analysis import analyze_sources, read_inputs
from redshift_iam.audit.checker import check
from redshift_iam.audit.lint_rules import lint
from redshift_iam.audit.policies import read_policies
from redshift_iam.audit.sarif_log import rule_name, sarif
from redshift_iam.core.diagnostics import CATALOGUE, Diagnostic, Location
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source
from tests.test_audit_lint import CASES

SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json").read_text())


def validate(text: str) -> dict:
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


def lint_all() -> str:
    sources = [Source(f"sql/case{n}.sql", sql) for n, (_, sql, _) in enumerate(CASES)]
    findings = lint(read_inputs(sources)).findings
    assert len({f.code for f in findings}) >= 12
    return sarif(findings, "0.1.0", root="/repo")


def test_lint_sarif_is_valid_and_deterministic() -> None:
    text = lint_all()
    assert text == lint_all()
    log = validate(text)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted((r["id"] for r in rules),
                                              key=lambda c: ("RI", "RW", "RC").index(c[:2]))
    assert all(result["ruleId"] == rules[result["ruleIndex"]]["id"]
               for result in run["results"])


def test_a_rule_and_a_result_in_full() -> None:
    finding = Diagnostic("RW230", "access key id AKIA...RSTU looks live",
                         Location("/repo/sql/etl.sql", 3, 7))
    log = validate(sarif([finding], "0.1.0", root="/repo"))
    assert log["runs"][0]["tool"]["driver"] == {
        "name": "redshift-iam", "version": "0.1.0", "rules": [{
            "id": "RW230", "name": "LiveLookingAccessKeyId",
            "shortDescription": {"text": "live-looking access key id"},
            "fullDescription": {"text": CATALOGUE["RW230"].why},
            "help": {"text": CATALOGUE["RW230"].hint},
            "defaultConfiguration": {"level": "error"},
            "helpUri": CATALOGUE["RW230"].doc}]}
    assert log["runs"][0]["results"] == [{
        "ruleId": "RW230", "ruleIndex": 0, "level": "error",
        "message": {"text": "access key id AKIA...RSTU looks live"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "sql/etl.sql", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 3, "startColumn": 7}}}]}]


@pytest.mark.parametrize("file, expected", [
    ("sql/a b.sql", {"uri": "sql/a%20b.sql", "uriBaseId": "%SRCROOT%"}),
    ("/elsewhere/x.sql", {"uri": "file:///elsewhere/x.sql"}),
    ("<stdin>", None),
])
def test_locations(file: str, expected: dict | None) -> None:
    finding = Diagnostic("RW206", "m", Location(file, 1, 1), fix="exact fix")
    (result,) = validate(sarif([finding], "0.1.0", root="/repo"))["runs"][0]["results"]
    found = result.get("locations", [{}])[0].get("physicalLocation", {}).get(
        "artifactLocation")
    assert found == expected
    assert result["message"]["text"] == "m (fix: exact fix)"
    assert result["level"] == "warning"


def test_check_findings_are_valid_sarif_too() -> None:
    derivation = analyze_sources([Source("etl.sql", "COPY t FROM 's3://acme-data/k' IAM_ROLE "
                                            "'arn:aws:iam::123456789012:role/Etl';")],
                         Settings(), TrustOptions()).derivation
    body = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-data/k/*"}]}
    report = check(derivation, [read_policies(Source("p.json", json.dumps(body)))])
    log = validate(sarif(report.diagnostics(), "0.1.0"))
    levels = {(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]}
    assert levels == {("RC400", "error"), ("RC402", "note")}


def test_every_catalogue_row_makes_a_valid_rule() -> None:
    findings = [Diagnostic(code, "m", Location("x.sql", 1, 1)) for code in CATALOGUE]
    log = validate(sarif(findings, "0.1.0", root="/repo"))
    names = [r["name"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert len(names) == len(CATALOGUE) and all(n.isalnum() for n in names)
    assert rule_name("* or ? in an S3 key") == "OrInAnS3Key"


@pytest.mark.parametrize("damage", [
    lambda log: log["runs"][0]["results"][0].update(level="fatal"),
    lambda log: log.update(version="2.0.0"),
    lambda log: log["runs"][0]["results"][0]["locations"][0]["physicalLocation"].update(
        region={"startLine": 0}),
], ids=["level", "version", "line"])
def test_the_schema_check_can_fail(damage) -> None:
    log = json.loads(sarif([Diagnostic("RW206", "m", Location("x.sql", 1, 1))], "0.1.0"))
    damage(log)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)

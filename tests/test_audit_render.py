"""Text and JSON renderings of lint and check results, exactly."""

from __future__ import annotations

import json

from redshift_iam.analysis import analyze_sources
from redshift_iam.audit.checker import check
from redshift_iam.audit.findings_render import check_json, check_text, findings_json, findings_text
from redshift_iam.audit.policies import read_policies
from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source

ROLE = "arn:aws:iam::123456789012:role/Etl"
B = "arn:aws:s3:::acme-data"


def test_findings_as_text_and_json() -> None:
    findings = [Diagnostic("RW233", "IAM_ROLE default", Location("a.sql", 2, 5)),
                Diagnostic("RW230", "key", Location("a.sql", 1, 1), fix="rotate it")]
    assert findings_text(findings) == (
        "a.sql:2:5: info RW233: IAM_ROLE default\n"
        "    hint: name the role (IAM_ROLE 'arn:aws:iam::ACCOUNT:role/NAME') to make it "
        "reviewable\n"
        "a.sql:1:1: error RW230: key\n    hint: rotate it\n"
        "2 finding(s): 1 error, 1 info\n")
    assert findings_text([]) == "0 finding(s)\n"
    assert json.loads(findings_json(findings)) == {"findings": [
        {"code": "RW233", "severity": "info", "message": "IAM_ROLE default",
         "location": "a.sql:2:5", "hint": findings[0].hint},
        {"code": "RW230", "severity": "error", "message": "key", "location": "a.sql:1:1",
         "hint": "rotate it"}]}


def _report():
    sql = f"COPY t FROM 's3://acme-data/k' IAM_ROLE '{ROLE}';"
    derivation = analyze_sources([Source("etl.sql", sql)], Settings(), TrustOptions()).derivation
    body = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Get", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{B}/*"}]}
    return check(derivation, [read_policies(Source("p.json", json.dumps(body, indent=1)))])


def test_check_as_json() -> None:
    body = json.loads(check_json(_report()))
    assert body["principal"] == ROLE and body["needs"] == 2
    assert body["missing"] == [{
        "location": "etl.sql:1:1", "rule": "copy-s3-prefix", "action": "s3:ListBucket",
        "resource": B, "context": {"aws:principalaccount": ["123456789012"],
                                   "aws:principalarn": [ROLE], "s3:prefix": "k*"},
        "decision": "implicit-deny", "certain": True, "boundary": False, "statements": []}]
    assert body["excess"] == {"s3": {"s3:GetObject": [f"{B}/*"]}}
    assert [f["code"] for f in body["findings"]] == ["RC400", "RC402"]


def test_check_as_text() -> None:
    assert check_text(_report()).splitlines()[-1] == (
        f"{ROLE}: 2 need(s), 1 missing; excess in: s3")
    assert check_text(_report()).splitlines()[0] == (
        f"etl.sql:1:1: error RC400: s3:ListBucket on {B} with s3:prefix like 'k*' (rule "
        "copy-s3-prefix) is not allowed; no statement allows this action")

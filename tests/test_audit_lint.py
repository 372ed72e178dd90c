"""lint: each finding code on a script, inline suppression, the minimum-severity filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from redshift_iam.analysis import read_inputs
from redshift_iam.audit.lint_rules import lint
from redshift_iam.core.catalogue import Severity
from redshift_iam.core.source import Source

ROOT = Path(__file__).resolve().parent.parent
ROLE = "arn:aws:iam::123456789012:role/Etl"
LIVE_ID = "AKIAZ7XQ2WLMNOPQRSTU"  # the shape of a real key id (not a real key)
LIVE_SECRET = "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"  # 40 characters
DOC_ID, DOC_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def run(sql: str, name: str = "etl.sql"):
    return lint(read_inputs([Source(name, sql)]))


def lines(report, codes: set[str] | None = None) -> list[str]:
    return [f"{f.location}: {f.severity.value} {f.code}: {f.message}" for f in report.findings
            if codes is None or f.code in codes]


CASES = [
    ("RW203 keys", f"COPY t FROM 's3://acme-data/k' ACCESS_KEY_ID '{DOC_ID}' "
                   f"SECRET_ACCESS_KEY '{DOC_SECRET}';",
     ["etl.sql:1:32: warning RW203: key-based authorization: the policy is for the IAM user "
      f"that owns access key {DOC_ID}"]),
    ("RW204 temporary", f"COPY t FROM 's3://acme-data/k' CREDENTIALS 'aws_access_key_id={DOC_ID};"
                        f"aws_secret_access_key={DOC_SECRET};token=abc';",
     ["etl.sql:1:32: warning RW203: key-based authorization: the policy is for the IAM user "
      f"that owns access key {DOC_ID}",
      "etl.sql:1:32: warning RW204: temporary credentials: the policy belongs to whoever "
      "issued them"]),
    ("RW205 client-side", f"COPY t FROM 's3://acme-data/k' IAM_ROLE '{ROLE}' "
                          "MASTER_SYMMETRIC_KEY 'abc' ENCRYPTED;",
     ["etl.sql:1:78: warning RW205: client-side encryption (MASTER_SYMMETRIC_KEY) needs no "
      "IAM, but AWS ends it for COPY and UNLOAD after April 30, 2026"]),
    ("RW206 wildcard key", f"COPY t FROM 's3://acme-data/k*' IAM_ROLE '{ROLE}';",
     ["etl.sql:1:13: warning RW206: S3 key 'k*' holds * or ?, which IAM reads as wildcards"]),
    ("RI113 chain over 10", "COPY t FROM 's3://acme-data/k' IAM_ROLE '"
                            + ",".join(f"{ROLE}{n}" for n in range(11)) + "';",
     ["etl.sql:1:41: error RI113: a role chain has at most 10 roles, found 11"]),
    ("RW230 live key id in a comment", f"-- rotated? {LIVE_ID}\n",
     ["etl.sql:1:13: error RW230: access key id AKIA...RSTU looks live (not an AWS "
      "documentation example key)"]),
    ("RW230 not for documentation keys", f"-- {DOC_ID} ASIAIOSFODNN7EXAMPLE\n", []),
    ("RW231 secret key", f"COPY t FROM 's3://acme-data/k' CREDENTIALS "
                         f"'aws_access_key_id={DOC_ID};aws_secret_access_key={LIVE_SECRET}';",
     ["etl.sql:1:32: warning RW203: key-based authorization: the policy is for the IAM user "
      f"that owns access key {DOC_ID}",
      "etl.sql:1:106: error RW231: a secret access key that looks live is written here (the "
      "value is not shown)"]),
    ("RW231 session token", "-- SESSION_TOKEN '" + "A1b2" * 30 + "'\n",
     ["etl.sql:1:19: error RW231: a session token that looks live is written here (the value "
      "is not shown)"]),
    ("RW231 master key", "-- master_symmetric_key=" + "K9" * 22 + "\n",
     ["etl.sql:1:25: error RW231: a master symmetric key that looks live is written here (the "
      "value is not shown)"]),
    ("RW232 white space", f"COPY t FROM 's3://acme-data/k' CREDENTIALS 'aws_access_key_id="
                          f"{DOC_ID}; aws_secret_access_key={DOC_SECRET}';",
     ["etl.sql:1:84: error RW232: the CREDENTIALS string holds white space in the "
      "aws_secret_access_key pair; Redshift refuses it"]),
    ("RW232 typo", f"COPY t FROM 's3://acme-data/k' CREDENTIALS 'aws_acess_key_id={DOC_ID};"
                   f"aws_secret_access_key={DOC_SECRET}';",
     ["etl.sql:1:45: error RW232: unknown CREDENTIALS key 'aws_acess_key_id' (did you mean "
      "aws_access_key_id?); the keys are aws_access_key_id, aws_iam_role, "
      "aws_secret_access_key, master_symmetric_key, token"]),
    ("RW232 colon", f"COPY t FROM 's3://acme-data/k' CREDENTIALS 'aws_iam_role:{ROLE}';",
     ["etl.sql:1:45: error RW232: CREDENTIALS entry 1 is not key=value (':' written for '=')"]),
    ("RW232 comma", f"COPY t FROM 's3://acme-data/k' CREDENTIALS 'aws_access_key_id={DOC_ID},"
                    f"aws_secret_access_key={DOC_SECRET}';",
     ["etl.sql:1:83: error RW232: CREDENTIALS pairs are joined by ';', not ','"]),
    ("RW233 default role", "UNLOAD ('select 1') TO 's3://acme-data/out/' IAM_ROLE default;",
     ["etl.sql:1:46: info RW233: IAM_ROLE default: the SQL does not say which role this "
      "statement runs as"]),
    ("RW234 mixed", f"COPY t FROM 's3://acme-data/k' IAM_ROLE '{ROLE}';\n"
                    f"COPY u FROM 's3://acme-data/j' ACCESS_KEY_ID '{DOC_ID}' "
                    f"SECRET_ACCESS_KEY '{DOC_SECRET}';",
     ["etl.sql:2:32: warning RW203: key-based authorization: the policy is for the IAM user "
      f"that owns access key {DOC_ID}",
      "etl.sql:2:32: warning RW234: this statement authorizes with access keys, but the "
      "script uses a named role at etl.sql:1"]),
    ("RW235 public path", f"UNLOAD ('select 1') TO 's3://acme-www/public/daily_' "
                          f"IAM_ROLE '{ROLE}';",
     ["etl.sql:1:24: warning RW235: UNLOAD to s3://acme-www/public/daily_ without KMS "
      "encryption: the path looks public (public, www)"]),
    ("RW235 not with KMS", f"UNLOAD ('select 1') TO 's3://acme-www/public/daily_' "
                           f"IAM_ROLE '{ROLE}' KMS_KEY_ID 'alias/x' ENCRYPTED;", []),
    ("RW235 not for other words", f"UNLOAD ('select 1') TO 's3://acme-publications/x' "
                                  f"IAM_ROLE '{ROLE}';", []),
    ("RI101 unterminated", f"COPY t FROM 's3://acme-data/k' IAM_ROLE '{ROLE};\n",
     ["etl.sql:1:41: error RI101: unterminated string"]),
]


@pytest.mark.parametrize("sql, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_finding(sql: str, expected: list[str]) -> None:
    assert lines(run(sql)) == expected


def test_a_credentials_problem_replaces_the_readers_ri110() -> None:
    sql = f"COPY t FROM 's3://acme-data/k' CREDENTIALS 'aws_iam_role={ROLE} ';"
    reader = read_inputs([Source("etl.sql", sql)])
    assert [d.code for d in reader.diagnostics] == ["RI110"]
    assert [f.code for f in run(sql).findings] == ["RW232"]


def test_the_legacy_sample() -> None:
    text = (ROOT / "samples" / "legacy_keys.sql").read_text()
    assert [(f.location.line, f.code) for f in run(text, "legacy_keys.sql").findings] == [
        (4, "RW203"), (10, "RW203")]


def test_the_spec_form_of_a_sample_is_linted_too() -> None:
    path = ROOT / "samples" / "specs" / "legacy_keys.yaml"
    report = lint(read_inputs([Source(str(path), path.read_text())]))
    assert [f.code for f in report.findings] == ["RW203", "RW203"]


SUPPRESSION = f"""\
-- redshift-iam: ignore RW230
-- {LIVE_ID}
COPY t FROM 's3://acme-data/k*' IAM_ROLE '{ROLE}'; -- redshift-iam: ignore RW206
-- redshift-iam: ignore RW205, RW206
COPY t
FROM 's3://acme-data/j*'
IAM_ROLE '{ROLE}'
MASTER_SYMMETRIC_KEY 'abc' ENCRYPTED;
-- redshift-iam: ignore RW203
COPY t FROM 's3://acme-data/i*' IAM_ROLE '{ROLE}';
COPY t FROM 's3://acme-data/h' IAM_ROLE '{ROLE}'; -- redshift-iam: ignore RI113
"""


def test_inline_suppression() -> None:
    report = run(SUPPRESSION)
    assert [(f.location.line, f.code) for f in report.suppressed] == [
        (2, "RW230"), (3, "RW206"), (6, "RW206"), (8, "RW205")]
    assert [(f.location.line, f.code) for f in report.findings] == [(10, "RW206")]


def test_reading_errors_are_never_suppressed() -> None:
    sql = f"-- redshift-iam: ignore RW232\nCOPY t FROM 's3://acme-data/k' IAM_ROLE '{ROLE};\n"
    assert [f.code for f in run(sql).findings] == ["RI101"]


def test_the_minimum_severity() -> None:
    sql = (f"-- {LIVE_ID}\nUNLOAD ('select 1') TO 's3://acme-data/out/' IAM_ROLE default;\n"
           f"COPY t FROM 's3://acme-data/k*' IAM_ROLE default;\n")
    report = run(sql)
    assert [f.code for f in report.at_least(Severity.INFO)] == ["RW230", "RW233", "RW206",
                                                               "RW233"]
    assert [f.code for f in report.at_least(Severity.WARNING)] == ["RW230", "RW206"]
    assert [f.code for f in report.at_least(Severity.ERROR)] == ["RW230"]
    assert report.failed(Severity.ERROR)
    quiet = run("UNLOAD ('select 1') TO 's3://acme-data/out/' IAM_ROLE default;")
    assert quiet.failed(Severity.INFO) and not quiet.failed(Severity.WARNING)

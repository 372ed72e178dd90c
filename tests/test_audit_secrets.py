"""No secret in any output of lint or check: a script full of secrets (one of them in an
unterminated string, one in a comment, several in CREDENTIALS strings Redshift would refuse)
rendered as text, JSON and SARIF, and every finding's own rendering."""

from __future__ import annotations

import json

from redshift_iam.analysis import analyze_sources, read_inputs
from redshift_iam.audit.checker import check
from redshift_iam.audit.findings_render import check_json, check_text, findings_json, findings_text
from redshift_iam.audit.lint_rules import lint
from redshift_iam.audit.policies import read_policies
from redshift_iam.audit.sarif_log import sarif
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source

KEY_ID = "AKIAZ7XQ2WLMNOPQRSTU"
SECRETS = [
    "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",  # secret access keys (40 characters)
    "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7M",
    "Mm1Nn2Bb3Vv4Cc5Xx6Zz7Ll8Kk9Jj0Hh1Gg2Ff3D",
    "Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7Bc0Ef3Hi6Kl9N",
    "Tok3nTok3nTok3n" * 8,  # a session token
    "K9x" * 15,  # a master symmetric key
    "plainpassword123",  # a secret that looks like nothing
    "Xq7Lm2Pz9Rt4Vb8Nc3Kd6Wf1Hg5Js0Ty7Ue2Io9A",  # in the unterminated string
]
S1, S2, S3, S4, TOKEN, MASTER, PLAIN, OPEN = SECRETS
BUCKET = "s3://acme-data/k/"

SCRIPT = f"""\
-- SECRET_ACCESS_KEY {S4}
COPY a FROM '{BUCKET}' CREDENTIALS
  'aws_access_key_id={KEY_ID};aws_secret_access_key={S1}';
COPY b FROM '{BUCKET}' ACCESS_KEY_ID '{KEY_ID}' SECRET_ACCESS_KEY '{S2}'
  SESSION_TOKEN '{TOKEN}';
UNLOAD ('select 1') TO 's3://acme-public/x' IAM_ROLE default
  MASTER_SYMMETRIC_KEY '{MASTER}' ENCRYPTED;
COPY c FROM '{BUCKET}' CREDENTIALS 'aws_access_key_id={KEY_ID}; aws_secret_access_key={S3}';
COPY d FROM '{BUCKET}' CREDENTIALS 'aws_acess_key_id={KEY_ID};aws_secret_acess_key={PLAIN}';
COPY e FROM '{BUCKET}' CREDENTIALS '{PLAIN}';
COPY f FROM '{BUCKET}' CREDENTIALS 'aws_access_key_id={KEY_ID},aws_secret_access_key={PLAIN}';
UNLOAD ('select 1') TO 's3://acme-public/y' ACCESS_KEY_ID '{KEY_ID}' SECRET_ACCESS_KEY '{PLAIN}';
"""
BROKEN = f"COPY g FROM '{BUCKET}' ACCESS_KEY_ID '{KEY_ID}' SECRET_ACCESS_KEY '{OPEN}\n"


def leaks(text: str) -> list[str]:
    """Each secret (or a 12-character piece of one) found in ``text``."""
    return [s for s in SECRETS if s in text or any(s[i:i + 12] in text
                                                   for i in range(0, len(s) - 12, 4))]


def test_no_secret_in_any_lint_output() -> None:
    script = read_inputs([Source("secrets.sql", SCRIPT), Source("broken.sql", BROKEN)])
    report = lint(script)
    codes = {f.code for f in report.findings}
    assert {"RW203", "RW204", "RW205", "RW230", "RW231", "RW232", "RW233", "RW234", "RW235",
            "RI101"} <= codes
    outputs = [findings_text(report.findings), findings_json(report.findings),
               sarif(report.findings, "0.1.0"), *(f.render() for f in report.findings),
               json.dumps([f.as_json() for f in report.findings])]
    assert [leaks(text) for text in outputs] == [[]] * len(outputs)
    assert KEY_ID not in findings_text([f for f in report.findings if f.code == "RW230"])


def test_no_secret_in_any_check_output() -> None:
    derivation = analyze_sources([Source("secrets.sql", SCRIPT)], Settings(region="us-east-1"),
                         TrustOptions()).derivation
    body = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"}]}
    principal = next(g.principal for g in derivation.grants if KEY_ID in g.principal.name)
    report = check(derivation, [read_policies(Source("p.json", json.dumps(body)))], principal)
    assert report.missing and report.excess
    outputs = [check_text(report), check_json(report), sarif(report.diagnostics(), "0.1.0")]
    assert [leaks(text) for text in outputs] == [[]] * len(outputs)

"""parliament (duo-labs' IAM linter, with its own copy of the Service Authorization Reference)
finds nothing wrong with the generated documents: no unknown action, no resource that does not
match its action's resource type, no unknown condition key, no malformed element.

Only the findings in ALLOWED are accepted, each for a stated reason.
"""

from __future__ import annotations

import json
import warnings

import pytest

from tests.validation_corpus import (
    CORPUS,
    CORPUS_IDS,
    generate_bundle,
    permission_policies,
    trust_policies,
)

with warnings.catch_warnings():
    # parliament imports pkg_resources; setuptools 80 warns that it is deprecated (the test
    # extra pins setuptools<81, which still has it).
    warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
    from parliament import analyze_policy_string

ALLOWED = {
    # parliament lints identity policies, and an identity policy needs a Resource. A trust
    # policy is a resource policy on the role itself: IAM refuses a Resource there ("Has
    # prohibited field Resource."), so every trust statement draws this finding.
    ("trust", "MALFORMED", "Statement contains neither Resource nor NotResource"),
    # Community auditor: sts:AssumeRole "exposes credentials". A role chain (IAM_ROLE 'A,B')
    # needs exactly that, on the next role's ARN only (docs/rules.md, role chains; rule
    # "role-chain"); the test below checks that it is the whole of such a statement.
    ("policy", "CREDENTIALS_EXPOSURE", ""),
}


def findings(doc: dict) -> list[tuple[str, str]]:
    policy = analyze_policy_string(json.dumps(doc), include_community_auditors=True)
    return [(finding.issue, finding.detail if isinstance(finding.detail, str) else "")
            for finding in policy.findings]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, dict]:
    return {name: generate_bundle(sql, flags, tmp_path_factory.mktemp(name))
            for name, sql, flags in CORPUS}


@pytest.mark.parametrize("name", CORPUS_IDS)
def test_permission_policies_have_no_findings(bundles, name):
    policies = permission_policies(bundles[name])
    assert policies
    for principal, doc in policies:
        found = findings(doc)
        unexpected = [f for f in found if ("policy", *f) not in ALLOWED]
        assert unexpected == [], (principal, unexpected)
        if found:  # CREDENTIALS_EXPOSURE: only for a role chain's AssumeRole on a role
            assert all(s["Action"] == "sts:AssumeRole" for s in doc["Statement"]), doc
            assert all(":role/" in s["Resource"] for s in doc["Statement"]), doc


@pytest.mark.parametrize("name", CORPUS_IDS)
def test_trust_policies_have_no_findings(bundles, name):
    for principal, doc in trust_policies(bundles[name]):
        found = findings(doc)
        unexpected = [f for f in found if ("trust", *f) not in ALLOWED]
        assert unexpected == [], (principal, unexpected)


# The linter is live: the mistakes these tests exist to catch are reported.


@pytest.mark.parametrize(("statement", "issue"), [
    ({"Action": "s3:GetObjectx", "Resource": "arn:aws:s3:::example-data/k*"}, "UNKNOWN_ACTION"),
    ({"Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example-data/k*"},
     "RESOURCE_MISMATCH"),
    ({"Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:123456789012:alias/k"},
     "RESOURCE_MISMATCH"),
    ({"Action": "dynamodb:Scan", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:Movies"},
     "RESOURCE_MISMATCH"),
    ({"Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example-data",
      "Condition": {"StringLike": {"s3:prefixx": "k*"}}}, "UNKNOWN_CONDITION_FOR_ACTION"),
])
def test_parliament_reports_broken_statements(statement, issue):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]}
    assert issue in [found for found, _ in findings(doc)]

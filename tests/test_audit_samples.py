"""Self-check: for every sample, the policies the tool generates pass ``check`` against the
sample's own needs with nothing missing and nothing in excess.

Each sample is analysed by the front door (``redshift_iam.analysis.analyze``, with the
CLI's own flag handling so that ``samples/<name>.flags`` mean what they mean to the
commands); every principal's documents are printed as JSON, read back by ``read_policies``
(as a user's file would be) and checked.
"""

from __future__ import annotations

import json

import pytest

from redshift_iam.analysis import analyze
from redshift_iam.audit.checker import check
from redshift_iam.audit.policies import read_policies
from redshift_iam.cli.common import build_options
from redshift_iam.cli.document_commands import generate
from redshift_iam.core.source import Source
from tests.test_samples import FLAGS, ROOT, SAMPLES


def analysis_of(sample: str):
    args = [f"samples/{sample}.sql", "--region", "us-east-1", *FLAGS.get(sample, [])]
    context = generate.make_context("generate", args)
    return analyze(context.params["scripts"], build_options(context.params))


@pytest.mark.parametrize("sample", SAMPLES)
def test_generated_policies_pass_check_with_no_excess(sample: str, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    analysis = analysis_of(sample)
    assert analysis.reports, "every sample needs a permission"
    for report in analysis.reports:
        inputs = [read_policies(Source(f"{report.principal.slug}-{n}.json",
                                       json.dumps(policy.as_json(), indent=2)))
                  for n, policy in enumerate(report.policies, 1)]
        result = check(analysis.derivation, inputs, report.principal)
        assert result.needs > 0
        assert [m.diagnostic().render() for m in result.missing] == []
        assert [e.message() for e in result.excess] == []
        assert result.failures(strict=True) == ()


def test_a_sample_check_fails_when_a_statement_is_dropped(monkeypatch) -> None:
    """The self-check can fail: without the ListBucket statements every listing is missing."""
    monkeypatch.chdir(ROOT)
    analysis = analysis_of("nightly_etl")
    (report,) = analysis.reports
    body = report.policies[0].as_json()
    body["Statement"] = [s for s in body["Statement"] if s["Action"] != "s3:ListBucket"]
    result = check(analysis.derivation, [read_policies(Source("p.json", json.dumps(body)))])
    assert sorted((m.grant.location.line, m.need.action) for m in result.missing) == [
        (8, "s3:ListBucket"), (17, "s3:ListBucket"), (23, "s3:ListBucket"),
        (34, "s3:ListBucket")]

"""Shared test helpers: run SQL text through the library without touching the file system."""

from __future__ import annotations

from redshift_iam.analysis import analyze_sources
from redshift_iam.core.reports import Analysis
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source

ROLE = "arn:aws:iam::123456789012:role/R"


def examples(scale: float) -> int:
    """``scale`` times the active hypothesis profile's example count (tests/conftest.py): a
    property that needs more (or fewer) examples than the rest says so relative to the
    profile, never as a fixed number."""
    from hypothesis import settings

    return max(1, round(settings.default.max_examples * scale))


def run(sql: str, settings: Settings | None = None, name: str = "t.sql") -> Analysis:
    return analyze_sources([Source(name, sql)], settings or Settings(), TrustOptions())


def grant_set(sql: str, settings: Settings | None = None) -> set[tuple[str, str, str]]:
    """{(action, resource, s3:prefix condition or '')} of every grant, any principal."""
    analysis = run(sql, settings)
    bad = [d.render() for d in analysis.failures(allow_unresolved=False)]
    assert not bad, bad
    return {(g.action, g.resource, g.condition.value if g.condition else "")
            for g in analysis.derivation.grants}


def codes(sql: str, settings: Settings | None = None) -> list[str]:
    """The diagnostic codes the SQL produces, in order."""
    return [d.code for d in run(sql, settings).diagnostics]

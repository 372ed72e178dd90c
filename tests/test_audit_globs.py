"""Wildcard patterns: matching, containment and overlap, checked against brute force."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.audit.globs import contains, glob, literal, overlaps
from redshift_iam.audit.policy_variables import UNKNOWN, parse, resolve

ALPHABET = "ab/"
WORDS = ["".join(w) for n in range(7) for w in product(ALPHABET + "c", repeat=n)]
patterns = st.text(alphabet="ab/*?", max_size=4)


@settings(max_examples=300, deadline=None)
@given(patterns, patterns)
def test_contains_and_overlaps_agree_with_brute_force(outer: str, inner: str) -> None:
    a, b = glob(outer), glob(inner)
    in_a = {w for w in WORDS if a.matches(w)}
    in_b = {w for w in WORDS if b.matches(w)}
    assert contains(a, b) == (in_b <= in_a)
    assert overlaps(a, b) == bool(in_a & in_b)


@pytest.mark.parametrize("outer, inner, expected", [
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k*", True),
    ("arn:aws:s3:::b/k/data*", "arn:aws:s3:::b/k*", False),  # the soundness example
    ("arn:aws:s3:::b/k*", "arn:aws:s3:::b/k/data*", True),
    ("arn:aws:s3:::*", "arn:aws:s3:::b/k*", True),
    ("*", "anything*", True),
    ("arn:aws:s3:::b/k?", "arn:aws:s3:::b/k*", False),
    ("arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a/x", True),
    ("arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a*/x", True),
    ("arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a*", False),
])
def test_containment_examples(outer: str, inner: str, expected: bool) -> None:
    assert contains(glob(outer), glob(inner)) is expected


def test_a_literal_pattern_matches_only_itself() -> None:
    star = literal("b/*")
    assert star.matches("b/*") and not star.matches("b/x")
    assert contains(glob("b/*"), star) and not contains(star, glob("b/*"))
    assert str(glob("a*b?")) == "a*b?" and glob("a*b?").prefix == "a"


def test_variables_resolve_or_say_why_not() -> None:
    pattern = parse("home/${aws:username}/*")
    resolved = resolve(pattern, {"aws:username": "al*ce"}.get)  # a value's * is literal
    assert resolved.tokens == literal("home/al*ce/").tokens + glob("*").tokens
    assert resolve(pattern, lambda key: None) is None
    assert resolve(pattern, lambda key: UNKNOWN) is UNKNOWN
    defaulted = parse("${aws:PrincipalTag/team, 'it''s'}")
    assert resolve(defaulted, lambda key: None) == literal("it's")
    assert parse("${not closed").parts == tuple("${not closed")
    assert parse("${a b}").parts == tuple("${a b}")
    assert parse("${aws:username}", variables=False).parts == tuple("${aws:username}")

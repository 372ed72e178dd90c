"""check is sound: a need decided covered has every one of its requests allowed, and a need
decided surely denied has every one of them denied. Random small policies (Allow and Deny,
wildcard resources, StringLike/StringNotLike s3:prefix conditions) against random prefix
needs, each request enumerated over a small alphabet."""

from __future__ import annotations

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.audit.decisions import Need
from redshift_iam.audit.evaluator import Evaluator
from redshift_iam.audit.globs import glob

ARN = "arn:aws:s3:::"
WORDS = ["".join(w) for n in range(5) for w in product("ab/", repeat=n)]
patterns = st.text(alphabet="ab/*?", min_size=0, max_size=4)


@st.composite
def statements(draw) -> dict:
    statement = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
                 "Action": draw(st.sampled_from(["s3:ListBucket", "s3:*", "s3:GetObject"])),
                 draw(st.sampled_from(["Resource", "Resource", "NotResource"])):
                     [ARN + p for p in draw(st.lists(patterns, min_size=1, max_size=2))]}
    if draw(st.booleans()):
        operator = draw(st.sampled_from(["StringLike", "StringNotLike", "StringEquals",
                                         "ForAllValues:StringLike", "StringLikeIfExists"]))
        statement["Condition"] = {operator: {"s3:prefix": draw(st.lists(patterns, min_size=1,
                                                                       max_size=2))}}
    return statement


@settings(max_examples=300, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=4), patterns, patterns)
def test_decisions_on_needs_hold_for_every_request(body: list[dict], resource: str,
                                                   prefix: str) -> None:
    evaluator = Evaluator([{"Version": "2012-10-17", "Statement": body}])
    need = Need("s3:ListBucket", glob(ARN + resource), {"s3:prefix": glob(prefix)})
    decision = evaluator.decide(need)
    requests = [(ARN + r, p) for r in WORDS if glob(resource).matches(r)
                for p in WORDS if glob(prefix).matches(p)]
    results = {evaluator.evaluate("s3:ListBucket", r, {"s3:prefix": p}).effect
               for r, p in requests}
    if decision.allowed:
        assert results == {"allow"}
    elif decision.effect == "deny" and decision.certain:
        assert results == {"deny"}
    if results == {"allow"} and len(requests) == 1:  # one request: the need decides it alike
        assert decision.allowed

"""Policy and trust builders: exact documents, stable Sids, determinism."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.core.diagnostics import Location
from redshift_iam.core.grants import Condition, Grant, Principal, TrustLink
from redshift_iam.core.policy import PolicyDocument, PolicyStatement, text_size
from redshift_iam.core.settings import TrustOptions
from redshift_iam.core.statements import AuthKind
from redshift_iam.documents.grouping import build_policy, compact, covered_dropped
from redshift_iam.documents.trust import build_trust, standard_trust
from tests.helpers import ROLE, examples, run

P = Principal(AuthKind.ROLE, ROLE)
HERE = Location("t.sql", 1, 1)


def grant(action: str, resource: str, prefix: str | None = None) -> Grant:
    cond = Condition("StringLike", "s3:prefix", prefix) if prefix is not None else None
    return Grant(P, action, resource, cond, "test", HERE)


def test_exact_document_for_mixed_script() -> None:
    sql = (f"copy a from 's3://raw-bkt/a/' iam_role '{ROLE}';"
           f"copy b from 's3://raw-bkt/b/' iam_role '{ROLE}';"
           f"unload ('x') to 's3://out-bkt/u/' iam_role '{ROLE}' cleanpath;")
    assert run(sql).reports[0].policies[0].as_json() == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "S3DeleteObjectGetObjectPutObject", "Effect": "Allow",
             "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
             "Resource": "arn:aws:s3:::out-bkt/u/*"},
            {"Sid": "S3GetObject", "Effect": "Allow", "Action": "s3:GetObject",
             "Resource": ["arn:aws:s3:::raw-bkt/a/*", "arn:aws:s3:::raw-bkt/b/*"]},
            {"Sid": "S3ListBucketOutBkt", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::out-bkt",
             "Condition": {"StringLike": {"s3:prefix": "u/*"}}},
            {"Sid": "S3ListBucketRawBkt", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::raw-bkt",
             "Condition": {"StringLike": {"s3:prefix": ["a/*", "b/*"]}}},
        ],
    }


def test_unconditioned_list_subsumes_prefixes() -> None:
    doc = build_policy([grant("s3:ListBucket", "arn:aws:s3:::bkt", "a/*"),
                        grant("s3:ListBucket", "arn:aws:s3:::bkt")])
    assert doc.as_json()["Statement"] == [
        {"Sid": "S3ListBucket", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::bkt"}]


def test_prefix_lists_never_mix_buckets() -> None:
    doc = build_policy([grant("s3:ListBucket", "arn:aws:s3:::a-b", "x*"),
                        grant("s3:ListBucket", "arn:aws:s3:::a.b", "y*")])
    assert [(s.sid, s.resources, s.conditions) for s in doc.statements] == [
        ("S3ListBucketAB", ("arn:aws:s3:::a-b",), (("StringLike", "s3:prefix", ("x*",)),)),
        ("S3ListBucketAB2", ("arn:aws:s3:::a.b",), (("StringLike", "s3:prefix", ("y*",)),)),
    ]


def test_covered_prefixes_are_dropped_per_action() -> None:
    doc = build_policy([grant("s3:GetObject", "arn:aws:s3:::b1/a*"),
                        grant("s3:GetObject", "arn:aws:s3:::b1/ab/c*"),
                        grant("s3:GetObject", "arn:aws:s3:::b1/a!x"),
                        grant("s3:PutObject", "arn:aws:s3:::b1/ab/c*"),
                        grant("s3:ListBucket", "arn:aws:s3:::b1", "a*"),
                        grant("s3:ListBucket", "arn:aws:s3:::b1", "ab/c*"),
                        grant("s3:ListBucket", "arn:aws:s3:::b1", "b")])
    assert [(s.actions, s.resources, s.conditions) for s in doc.statements] == [
        (("s3:GetObject",), ("arn:aws:s3:::b1/a*",), ()),
        (("s3:ListBucket",), ("arn:aws:s3:::b1",), (("StringLike", "s3:prefix", ("a*", "b")),)),
        (("s3:PutObject",), ("arn:aws:s3:::b1/ab/c*",), ()),
    ]


def test_action_sets_are_exact() -> None:
    doc = build_policy([grant("s3:GetObject", "arn:aws:s3:::b1/x*"),
                        grant("s3:GetObject", "arn:aws:s3:::b2/y*"),
                        grant("s3:PutObject", "arn:aws:s3:::b2/y*")])
    assert [(s.actions, s.resources) for s in doc.statements] == [
        (("s3:GetObject",), ("arn:aws:s3:::b1/x*",)),
        (("s3:GetObject", "s3:PutObject"), ("arn:aws:s3:::b2/y*",)),
    ]


ACTIONS = st.sampled_from(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "kms:Decrypt"])
KEYS = st.text(alphabet="abc/", min_size=0, max_size=4)


@settings(max_examples=examples(2), deadline=None)
@given(st.lists(st.tuples(ACTIONS, st.sampled_from(["bkt", "oth"]), KEYS), max_size=12),
       st.randoms(use_true_random=False))
def test_output_is_independent_of_grant_order(parts, rnd) -> None:
    grants = [grant(a, f"arn:aws:s3:::{b}/{k}*") for a, b, k in parts]
    grants += [grant("s3:ListBucket", f"arn:aws:s3:::{b}", k + "*") for _, b, k in parts]
    shuffled = grants[:]
    rnd.shuffle(shuffled)
    first, second = build_policy(grants).as_json(), build_policy(shuffled).as_json()
    assert json.dumps(first) == json.dumps(second)
    allowed = {(a, r) for s in build_policy(grants).statements if not s.conditions
               for a in s.actions for r in s.resources}
    wanted = {(g.action, g.resource) for g in grants if g.condition is None}
    assert allowed <= wanted  # compaction only drops, never invents
    for action, resource in wanted:  # and what it drops is covered by a shorter prefix*
        assert any(a == action and (r == resource or resource.startswith(r[:-1]))
                   for a, r in allowed if r.endswith("*") or r == resource)


def test_standard_trust_policies() -> None:
    assert standard_trust(TrustOptions()).as_json() == {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "RedshiftAssumeRole", "Effect": "Allow",
                       "Principal": {"Service": "redshift.amazonaws.com"},
                       "Action": "sts:AssumeRole"}]}
    serverless = standard_trust(TrustOptions(serverless=True)).as_json()
    assert serverless["Statement"][0]["Principal"] == {
        "Service": ["redshift-serverless.amazonaws.com", "redshift.amazonaws.com"]}
    regional = standard_trust(TrustOptions(regions=("us-west-2", "us-east-1"))).as_json()
    assert regional["Statement"][0]["Principal"] == {
        "Service": ["redshift.us-east-1.amazonaws.com", "redshift.us-west-2.amazonaws.com"]}
    user = "arn:aws:redshift:us-east-1:123456789012:dbuser:c1/alice"
    limited = standard_trust(TrustOptions(db_users=(user,))).as_json()
    assert limited["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": user}}


def test_chain_middle_role_trusts_previous_and_service_when_also_attached() -> None:
    links = [TrustLink(P, "service", HERE),
             TrustLink(P, "arn:aws:iam::111111111111:role/A", HERE)]
    assert build_trust(links, TrustOptions()).as_json()["Statement"] == [
        {"Sid": "RedshiftAssumeRole", "Effect": "Allow",
         "Principal": {"Service": "redshift.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Sid": "RoleChainAssumeRole", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111111111111:role/A"}, "Action": "sts:AssumeRole"},
    ]
    assert build_trust([], TrustOptions()) is None


PATTERNS = st.text(alphabet="ab/*!\x00", max_size=5)


@settings(max_examples=examples(3), deadline=None)
@given(st.lists(PATTERNS, max_size=20))
def test_covered_dropped_is_its_definition(patterns) -> None:
    def stem(p: str) -> str:
        return p[:-1] if p.endswith("*") else p

    kept = sorted(p for p in set(patterns) if not any(
        w != p and w.endswith("*") and stem(p).startswith(w[:-1]) for w in patterns))
    assert covered_dropped(patterns) == kept


TEXTS = st.text(alphabet='ab-_.*"\\\n\x7fé漢', min_size=1, max_size=4)


@settings(max_examples=examples(2), deadline=None)
@given(st.lists(st.tuples(ACTIONS, st.sampled_from(["b-k", "b_k", "漢"]), TEXTS,
                          st.booleans()), max_size=12))
def test_sizes_are_counted_as_printed(parts) -> None:
    grants = [grant("s3:ListBucket", f"arn:aws:s3:::{b}", k) if listed
              else grant(a, f"arn:aws:s3:::{b}/{k}") for a, b, k, listed in parts]
    doc = build_policy(grants)
    printed = text_size(json.dumps(doc.as_json(), separators=(",", ":"), ensure_ascii=False))
    assert doc.size == printed == compact(grants).size()
    trust = PolicyDocument((PolicyStatement("T", ("sts:AssumeRole",), (), (("AWS", ("a",)),)),))
    assert trust.size == len(json.dumps(trust.as_json(), separators=(",", ":")))

"""Fitting IAM's quotas: exact splitting, folding rules, and the CLI around them."""

from __future__ import annotations

import json
import random

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.analysis import analyze_sources
from redshift_iam.cli.main import main
from redshift_iam.core.diagnostics import Location
from redshift_iam.core.grants import Condition, Grant, Principal
from redshift_iam.core.reports import Fold
from redshift_iam.core.settings import Limits, Settings, TrustOptions
from redshift_iam.core.source import Source
from redshift_iam.core.statements import AuthKind
from redshift_iam.documents.fitting import fit
from redshift_iam.documents.fold import Folding
from redshift_iam.documents.grouping import build_policy, compact, statement_parts, with_sids
from redshift_iam.documents.packing import pack
from tests.helpers import examples
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/R"
P = Principal(AuthKind.ROLE, ROLE)
HERE = Location("t.sql", 1, 1)
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]


def grants_for(keys: list[tuple[str, str, str]], scope: str = "") -> list[Grant]:
    """GetObject/other action on b/k* plus the matching ListBucket prefix."""
    out = []
    for action, bucket, key in keys:
        out.append(Grant(P, action, f"arn:aws:s3:::{bucket}/{key}*", None, "t", HERE, scope))
        out.append(Grant(P, "s3:ListBucket", f"arn:aws:s3:::{bucket}",
                         Condition("StringLike", "s3:prefix", key + "*"), "t", HERE, scope))
    return out


def bucket_and_key(grant: Grant) -> tuple[str, str] | None:
    """(bucket, key pattern) of an S3 object grant or an s3:prefix condition."""
    head, sep, tail = grant.resource.partition(":s3:::")
    if not sep:
        return None
    if grant.condition is not None:
        return tail, grant.condition.value
    bucket, slash, key = tail.partition("/")
    return (bucket, key) if slash else None


def folded(grants: list[Grant], folds: list[Fold]) -> list[Grant]:
    """The reference model of folding: the grants with the keys of ``folds`` replaced by
    their patterns, each only in its own group (principal, action, bucket, first segment and
    scope). The fit stage's Folding and Widening must give what compacting these gives."""
    renames = {(fold.principal, action, fold.bucket, key.split("/", 1)[0], fold.scope, key):
               fold.pattern for fold in folds for key in fold.replaced for action in fold.actions}
    out = []
    for grant in grants:
        found = bucket_and_key(grant)
        target = found and renames.get((grant.principal, grant.action, found[0],
                                        found[1].split("/", 1)[0], grant.scope, found[1]))
        if target and grant.condition is not None:
            grant = grant._replace(condition=grant.condition._replace(value=target))
        elif target:
            head, _, tail = grant.resource.partition(":s3:::")
            grant = grant._replace(resource=f"{head}:s3:::{tail.partition('/')[0]}/{target}")
        out.append(grant)
    return out


def candidates(grants: list[Grant], depth: int) -> list[Fold]:
    """The folds a fresh Folding of ``grants`` finds at ``depth``."""
    return Folding(grants).candidates(depth)


def probes(grants: list[Grant], rnd: random.Random) -> list[tuple[str, str, dict]]:
    """Requests at and around every grant: the grant itself, a longer key, a sibling key."""
    out = []
    for g in grants:
        if g.condition:
            for value in (g.condition.value.rstrip("*"), g.condition.value.rstrip("*") + "x/y",
                          g.condition.value.rstrip("*")[:-1] + "~"):
                out.append((g.action, g.resource, {"s3:prefix": value}))
        else:
            base = g.resource.rstrip("*")
            out += [(a, r, {}) for a in ACTIONS + ["s3:ListBucket"]
                    for r in (base, base + "x/y", base[:-1] + "~")]
    return rnd.sample(out, min(len(out), 300))


KEYS = st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(["bkt-a", "bkt-b"]),
                          st.from_regex(r"[a-c]{1,3}(/[a-z0-9=-]{1,12}){0,3}/?", fullmatch=True)),
                min_size=1, max_size=60)


@settings(max_examples=examples(1.5), deadline=None)
@given(KEYS, st.integers(min_value=300, max_value=2000), st.randoms(use_true_random=False))
def test_split_documents_allow_exactly_the_union(keys, limit, rnd) -> None:
    grants = grants_for(keys)
    statements = with_sids(statement_parts(grants))
    docs = [d.as_json() for d in pack(statements, limit)]
    whole = [build_policy(grants).as_json()]
    assert all(len(json.dumps(d, separators=(",", ":"))) <= limit for d in docs)
    for action, resource, context in probes(grants, rnd):
        assert allowed(docs, action, resource, context) == allowed(whole, action, resource,
                                                                  context)
    shuffled = grants[:]
    rnd.shuffle(shuffled)
    assert [d.as_json() for d in pack(with_sids(statement_parts(shuffled)), limit)] == docs


def test_400_prefixes_over_8_buckets_fit_without_folding() -> None:
    keys = [("s3:GetObject", f"data-bucket-{i % 8}", f"table_{i:03d}/load/2024-06-01/")
            for i in range(400)]
    grants = grants_for(keys)
    docs, folds = fit(grants, Limits())
    assert folds == [] and len(docs) <= 10
    assert all(d.size <= 6144 for d in docs)
    as_json = [d.as_json() for d in docs]
    for g in grants:  # zero over-grant: exactly the union, nothing next to it
        if g.condition is None:
            assert allowed(as_json, g.action, g.resource.rstrip("*") + "part-0")
            assert not allowed(as_json, g.action, g.resource.rstrip("*")[:-2] + "X/")
            assert not allowed(as_json, "s3:PutObject", g.resource.rstrip("*") + "part-0")


def test_5000_daily_partitions_fold_per_table_only() -> None:
    keys, grants = [], []
    for table in range(50):
        per_table = [("s3:GetObject", "lake", f"tbl_{table:02d}/dt=2024-{1 + d // 28:02d}-"
                                              f"{1 + d % 28:02d}/") for d in range(100)]
        grants += grants_for(per_table, scope=f"copy:tbl_{table:02d}")
        keys += per_table
    docs, folds = fit(grants, Limits())
    assert len(docs) <= 10 and all(d.size <= 6144 for d in docs)
    assert [f.pattern for f in folds] == [f"tbl_{t:02d}/dt=*" for t in range(50)]
    as_json = [d.as_json() for d in docs]
    assert allowed(as_json, "s3:GetObject", "arn:aws:s3:::lake/tbl_07/dt=2031-01-01/x")
    assert not allowed(as_json, "s3:GetObject", "arn:aws:s3:::lake/tbl_99/dt=2024-01-01/x")
    assert not allowed(as_json, "s3:GetObject", "arn:aws:s3:::other/tbl_07/dt=2024-01-01/x")
    assert not allowed(as_json, "s3:PutObject", "arn:aws:s3:::lake/tbl_07/dt=2024-01-01/x")
    assert not allowed(as_json, "s3:ListBucket", "arn:aws:s3:::lake", {"s3:prefix": "tbl_99/"})


def test_fold_rules() -> None:
    grants = [
        *grants_for([("s3:GetObject", "lake", "shared/dt=2024-01-01/run_1/"),
                     ("s3:GetObject", "lake", "shared/dt=2024-01-01/run_2/"),
                     ("s3:GetObject", "lake", "shared/dt=2024-01-02/run_3/")], "copy:a"),
        *grants_for([("s3:GetObject", "lake", "shared/dt=2024-01-01/run_9/")], "copy:b"),
        *grants_for([("s3:GetObject", "other", "shared/dt=2024-01-01/run_5/"),
                     ("s3:GetObject", "lake", "top_a"), ("s3:GetObject", "lake", "top_b")],
                    "copy:a"),
    ]
    deep_folds = candidates(grants, 2)
    assert [(f.bucket, f.pattern, f.replaced, f.actions, f.scope) for f in deep_folds] == [
        ("lake", "shared/dt=2024-01-01/*",
         ("shared/dt=2024-01-01/run_1/*", "shared/dt=2024-01-01/run_2/*"),
         ("s3:GetObject", "s3:ListBucket"), "copy:a")]
    shallow_folds = candidates(grants, 1)
    assert [(f.bucket, f.pattern, len(f.replaced)) for f in shallow_folds] == [
        ("lake", "shared/dt=*", 3)]
    shallow = folded(grants, shallow_folds)
    untouched = {g.resource for g in shallow if g.scope == "copy:b" or "other" in g.resource
                 or "top_" in g.resource}
    assert untouched == {g.resource for g in grants if g.scope == "copy:b"
                         or "other" in g.resource or "top_" in g.resource}
    assert {g.resource for g in shallow if g.scope == "copy:a" and "lake/shared" in g.resource} \
        == {"arn:aws:s3:::lake/shared/dt=*"}
    assert candidates(grants, 0) == [] and folded(grants, []) == grants
    assert shallow_folds[0].message() == (
        f"{ROLE}: folded 3 keys of s3://lake/ (shared/dt=2024-01-01/run_1/*, "
        "shared/dt=2024-01-01/run_2/*, shared/dt=2024-01-02/run_3/*) into shared/dt=* for "
        "s3:GetObject, s3:ListBucket; this also allows other keys matching shared/dt=*, which "
        "the SQL does not name")


def test_only_as_many_folds_as_the_quota_needs() -> None:
    # 30 tables, each with 40 daily prefixes; one table folded is enough to fit 6 policies
    grants = []
    for table in range(30):
        grants += grants_for([("s3:GetObject", "lake", f"t{table:02d}/dt=2024-01-{d:02d}/")
                              for d in range(1, 41)], scope=f"copy:t{table:02d}")
    exact = len(fit(grants, Limits(max_policies=20))[0])
    docs, folds = fit(grants, Limits(max_policies=exact - 1))
    assert 0 < len(folds) < 30 and len(docs) <= exact - 1
    folded_tables = {f.pattern.split("/")[0] for f in folds}
    as_json = [d.as_json() for d in docs]
    for table in range(30):  # folded tables allow any day; the others only their own days
        later = f"arn:aws:s3:::lake/t{table:02d}/dt=2031-01-01/x"
        assert allowed(as_json, "s3:GetObject", later) == (f"t{table:02d}" in folded_tables)


def test_folding_is_reported_on_stderr_and_in_explain(tmp_path) -> None:
    path = tmp_path / "f.sql"
    path.write_text("".join(f"copy t from 's3://lake/tbl/dt=2024-01-{d:02d}/part-{i:02d}/' "
                            f"iam_role '{ROLE}';\n" for d in range(1, 29) for i in range(10)))
    result = CliRunner().invoke(main, ["policy", str(path), "--max-policies", "1"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("warning RW210") == 28  # run folders fold per day first
    explained = CliRunner().invoke(main, ["explain", str(path), "--max-policies", "1"])
    assert "Folds:" in explained.stdout and "tbl/dt=2024-01-01/*" in explained.stdout


def test_no_fold_is_an_error() -> None:
    sql = "".join(f"copy t from 's3://lake/tbl/dt=2024-01-{d:02d}/part-{i}/' iam_role '{ROLE}';\n"
                  for d in range(1, 29) for i in range(30))
    analysis = analyze_sources([Source("t.sql", sql)], Settings(), TrustOptions(),
                               Limits(1, False, False))
    (failure,) = analysis.failures(False)
    assert failure.code == "RI160"
    assert failure.message.startswith(f"{ROLE} needs ")
    assert failure.message.endswith("the limit is 1 and folding is off (--no-fold)")


def test_policy_part_and_generate_numbering(tmp_path) -> None:
    path = tmp_path / "big.sql"
    path.write_text("".join(f"copy t{i} from 's3://data-bucket/table_{i:03d}/load/' iam_role "
                            f"'{ROLE}';\n" for i in range(150)))
    result = CliRunner().invoke(main, ["policy", str(path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"redshift-iam: {ROLE} needs 2 policies to fit IAM's size quota; "
                             "print each with --part 1..2, or all with generate\n")
    parts = [CliRunner().invoke(main, ["policy", str(path), "--part", str(k)]) for k in (1, 2)]
    assert [p.exit_code for p in parts] == [0, 0]
    docs = [json.loads(p.stdout) for p in parts]
    assert all(len(json.dumps(d, separators=(",", ":"))) <= 6144 for d in docs)
    too_far = CliRunner().invoke(main, ["policy", str(path), "--part", "3"])
    assert too_far.stderr == f"redshift-iam: --part 3: {ROLE} has 2 policies\n"
    inline = CliRunner().invoke(main, ["policy", str(path), "--inline", "--no-fold"])
    assert inline.exit_code == 0  # 9.9k characters: one inline policy (10,240) holds them
    assert len(json.dumps(json.loads(inline.stdout), separators=(",", ":"))) <= 10240
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["generate", str(path), "--out-dir", str(out)]).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".redshift-iam.json", "R~123456789012.policy-1.json", "R~123456789012.policy-2.json",
        "R~123456789012.trust.json"]


def test_trust_policy_over_quota_is_an_error(tmp_path) -> None:
    path = tmp_path / "s.sql"
    path.write_text(f"copy t from 's3://bkt/d/' iam_role '{ROLE}';")
    users = [f"--db-user=arn:aws:redshift:us-east-1:123456789012:dbuser:c/user{i:03d}"
             for i in range(40)]
    result = CliRunner().invoke(main, ["generate", str(path), *users])
    assert (result.exit_code, result.stdout) == (1, "")
    assert "error RI161: the trust policy of " in result.stderr


FOLDABLE = st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(["bkt-a", "bkt-b"]),
                              st.from_regex(r"[ab](/(dt=[1-3]|[ab]{1,2}|x=|)){1,3}/?",
                                            fullmatch=True),
                              st.sampled_from(["", "copy:t1"]), st.integers(0, 9)),
                    min_size=2, max_size=50)


def odd_grants(key: str, scope: str, kind: int) -> list[Grant]:
    """Grants folding must treat like any other: ListBucket on an object key and on the
    bucket, a condition on another action (a twin of the unconditioned group), another
    partition, a slash before the bucket."""
    arn, prefix = "arn:aws:s3:::bkt-a", Condition("StringLike", "s3:prefix", key + "*")
    return [[Grant(P, "s3:ListBucket", f"{arn}/{key}*", None, "t", HERE, scope)],
            [Grant(P, "s3:ListBucket", arn, None, "t", HERE, scope)],
            [Grant(P, "s3:GetObject", arn, prefix, "t", HERE, scope)],
            [Grant(P, "s3:GetObject", f"arn:aws-cn:s3:::bkt-a/{key}*", None, "t", HERE, scope)],
            [Grant(P, "s3:PutObject", f"arn/x:s3:::bkt-a/{key}*", None, "t", HERE, scope)],
            ][kind] if kind < 5 else []


@settings(max_examples=examples(1.5), deadline=None)
@given(FOLDABLE)
def test_folding_stage_matches_folding_the_grants(keys) -> None:
    """Depth by depth, the fit stage's Folding and Widening give what folding the grants
    themselves and compacting them gives, for every count of folds tried."""
    grants = []
    for action, bucket, key, scope, kind in keys:
        grants += grants_for([(action, bucket, key)], scope) + odd_grants(key, scope, kind)
    folding, state = Folding(grants), compact(grants)
    for depth in range(folding.max_depth, 0, -1):
        possible = folding.candidates(depth)
        assert possible == candidates(grants, depth)
        widening = folding.widening(state)
        for count in sorted({0, 1, len(possible) // 2, len(possible)}):
            trial = widening.at(count)
            assert trial.parts() == statement_parts(folded(grants, possible[:count]))
            assert trial.size() == build_policy(folded(grants, possible[:count])).size
        folding.apply()
        grants, state = folded(grants, possible), trial


def test_principals_sharing_a_key_fold_as_the_later_grant() -> None:
    """fit makes the grants distinct at each depth, and a key two principals share keeps the
    later grant's principal (the folds say which principal they widen)."""
    other = Principal(AuthKind.ROLE, "arn:aws:iam::123456789012:role/Other")

    def on(principal: Principal, day: int) -> list[Grant]:
        return [Grant(principal, "s3:GetObject", f"arn:aws:s3:::lake/t/dt={day}/r{run:03d}/*",
                      None, "t", HERE, "copy:t") for run in range(150)]

    grants = on(P, 0) + on(P, 1) + on(other, 0) + on(other, 1) + on(P, 9)
    docs, folds = fit(grants, Limits(max_policies=1))
    assert [(f.principal, f.pattern) for f in folds] == [(other, "t/dt=0/*"),
                                                        (other, "t/dt=1/*")]

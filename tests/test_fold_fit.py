"""The folding rules through the public path, documents.build.fit: which keys fold together,
which never do, and what the folded policy then allows and denies."""

from __future__ import annotations

import pytest

from redshift_iam.core.reports import Fold
from redshift_iam.core.settings import Limits
from redshift_iam.documents.fitting import fit
from redshift_iam.documents.packing import TooLarge
from tests.iam_eval import allowed
from tests.test_scale import P, grants_for

RUNS = [f"shared/dt=2024-01-01/run_{n:03d}-of-the-nightly-load/" for n in range(80)]
GET = "s3:GetObject"


def grants() -> list:
    """80 run folders of one COPY target (too many for one policy), and keys that must not
    fold with them: the same day loaded into another table, another bucket, and keys that
    are only a first segment."""
    return [*grants_for([(GET, "lake", key) for key in RUNS], "copy:a"),
            *grants_for([(GET, "lake", "shared/dt=2024-01-01/run_999/")], "copy:b"),
            *grants_for([(GET, "other", "shared/dt=2024-01-01/run_5/"), (GET, "lake", "top_a"),
                         (GET, "lake", "top_b")], "copy:a")]


def test_one_fold_of_the_deepest_segment_within_one_table_and_bucket() -> None:
    assert len(fit(grants(), Limits(max_policies=2))[0]) == 2  # exact: two policies
    docs, folds = fit(grants(), Limits(max_policies=1))
    assert folds == [Fold(P, "lake", "shared/dt=2024-01-01/*", tuple(k + "*" for k in RUNS),
                          (GET, "s3:ListBucket"), "copy:a")]
    assert len(docs) == 1 and docs[0].size <= 6144


def test_the_folded_policy_allows_the_pattern_and_nothing_beyond_it() -> None:
    docs = [d.as_json() for d in fit(grants(), Limits(max_policies=1))[0]]
    lake, other = "arn:aws:s3:::lake", "arn:aws:s3:::other"
    assert allowed(docs, GET, f"{lake}/shared/dt=2024-01-01/run_new/part-0")
    assert allowed(docs, "s3:ListBucket", lake, {"s3:prefix": "shared/dt=2024-01-01/run_new/"})
    assert allowed(docs, GET, f"{lake}/top_a") and allowed(docs, GET, f"{other}/shared/"
                                                                   "dt=2024-01-01/run_5/x")
    assert not allowed(docs, GET, f"{lake}/shared/dt=2024-01-02/run_000/x")
    assert not allowed(docs, GET, f"{lake}/top_c")
    assert not allowed(docs, GET, f"{other}/shared/dt=2024-01-01/run_6/x")
    assert not allowed(docs, "s3:ListBucket", lake, {"s3:prefix": "shared/"})
    assert not allowed(docs, "s3:PutObject", f"{lake}/shared/dt=2024-01-01/run_000/x")


def test_no_fold_fails_instead() -> None:
    with pytest.raises(TooLarge) as raised:
        fit(grants(), Limits(max_policies=1, fold=False))
    assert str(raised.value) == ("needs 2 policies of at most 6144 characters; the limit is 1 "
                                 "and folding is off (--no-fold)")

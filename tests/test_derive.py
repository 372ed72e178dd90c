"""What the SQL cannot settle: accounts, Regions, manifests, keys, partitions."""

from __future__ import annotations

import pytest

from redshift_iam.core.settings import Settings
from tests.helpers import ROLE, run

R = f"IAM_ROLE '{ROLE}'"
DOC_ROLE = "IAM_ROLE 'arn:aws:iam::0123456789012:role/MyRedshiftRole'"


def failures(sql: str, settings: Settings | None = None) -> list[str]:
    analysis = run(sql, settings)
    return [f"{d.location.short} {d.code} {d.message}"
            for d in analysis.failures(allow_unresolved=False)]


@pytest.mark.parametrize("sql, settings, expected", [
    (f"copy t from 'dynamodb://Movies' {R} readratio 5", Settings(),
     ["t.sql:1 RI141 this ARN needs the cluster's Region"]),
    (f"copy t from 'dynamodb://Movies' {DOC_ROLE} readratio 5", Settings(region="us-east-1"),
     ["t.sql:1 RI140 this ARN needs the account of arn:aws:iam::0123456789012:role/"
      "MyRedshiftRole (it is not in the SQL)"]),
    ("copy t from 'emr://j-ABC/x' iam_role default", Settings(region="us-east-1"),
     ["t.sql:1 RI140 this ARN needs the account of default (it is not in the SQL)"]),
    (f"copy t from 's3://bkt/m' {R} manifest", Settings(),
     ["t.sql:1 RI142 the data files of manifest s3://bkt/m are unknown"]),
    (f"unload ('x') to 's3://bkt/u/' {R} kms_key_id 'alias/etl' encrypted", Settings(),
     ["t.sql:1 RI143 KMS alias alias/etl must be resolved to its key ARN"]),
    (f"unload ('x') to 's3://bkt/u/' {R} encrypted auto", Settings(),
     ["t.sql:1 RI144 ENCRYPTED AUTO uses the default KMS key of bucket bkt, which is unknown"]),
    ("copy t from 's3://bkt/d' iam_role 'arn:aws-cn:iam::123456789012:role/R'", Settings(),
     ["t.sql:1 RI125 role arn:aws-cn:iam::123456789012:role/R is in partition aws-cn, but the "
      "policy is for aws; pass --partition aws-cn"]),
    (f"copy t from 'dynamodb://Movies' {R} readratio 5 region 'cn-north-1'",
     Settings(region="us-east-1"),
     ["t.sql:1 RI125 Region cn-north-1 is in partition aws-cn, not aws"]),
    (f"unload ('x') to 's3://bkt/u/' {R} region 'cn-north-1'", Settings(),
     ["t.sql:1 RI125 Region cn-north-1 is in partition aws-cn, not aws"]),
    (f"create library f language plpythonu from 's3://bkt/f.zip' {R} region 'us-gov-west-1'",
     Settings(), ["t.sql:1 RI125 Region us-gov-west-1 is in partition aws-us-gov, not aws"]),
])
def test_unresolved_and_mismatches_name_line_and_flag(sql, settings, expected) -> None:
    assert failures(sql, settings) == expected


def test_allow_unresolved_keeps_what_is_known() -> None:
    analysis = run(f"copy t from 's3://bkt/m' {R} manifest", Settings())
    assert analysis.failures(allow_unresolved=True) == ()
    assert {(g.action, g.resource) for g in analysis.derivation.grants} == {
        ("s3:GetObject", "arn:aws:s3:::bkt/m"), ("s3:ListBucket", "arn:aws:s3:::bkt")}


def test_encrypted_auto_unresolved_still_grants_the_bucket_lookup() -> None:
    analysis = run(f"unload ('x') to 's3://bkt/u/' {R} encrypted auto", Settings())
    actions = {g.action for g in analysis.derivation.grants}
    assert actions == {"s3:GetObject", "s3:PutObject", "s3:ListBucket",
                       "s3:GetEncryptionConfiguration"}


def test_role_account_wins_over_account_flag() -> None:
    analysis = run(f"copy t from 'dynamodb://Movies' {R} readratio 5",
                   Settings(region="us-east-1", account_id="999999999999"))
    assert {g.resource for g in analysis.derivation.grants} == {
        "arn:aws:dynamodb:us-east-1:123456789012:table/Movies"}


def test_account_flag_serves_the_default_role() -> None:
    analysis = run("copy t from 'emr://j-ABC/x' iam_role default",
                   Settings(region="eu-west-1", account_id="999999999999"))
    assert {g.resource for g in analysis.derivation.grants} == {
        "arn:aws:elasticmapreduce:eu-west-1:999999999999:cluster/j-ABC"}


def test_partitions_shape_every_arn() -> None:
    sql = ("copy t from 'dynamodb://Movies' iam_role 'arn:aws-us-gov:iam::123456789012:role/R' "
           "readratio 5;"
           "unload ('x') to 's3://bkt/u/' iam_role 'arn:aws-us-gov:iam::123456789012:role/R'")
    analysis = run(sql, Settings(partition="aws-us-gov", region="us-gov-west-1"))
    assert {g.resource for g in analysis.derivation.grants} == {
        "arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/Movies",
        "arn:aws-us-gov:s3:::bkt/u/*", "arn:aws-us-gov:s3:::bkt"}


def test_principals_are_kept_apart() -> None:
    sql = (f"copy a from 's3://bkt/a/' {R};"
           "copy b from 's3://bkt/b/' iam_role default;"
           "copy c from 's3://bkt/c/' access_key_id 'AKIAONE000000EXAMPLE' secret_access_key 's';")
    analysis = run(sql)
    by_principal = {r.principal.name: r.policies[0].as_json()["Statement"][0]["Resource"]
                    for r in analysis.reports}
    assert by_principal == {ROLE: "arn:aws:s3:::bkt/a/*", "default": "arn:aws:s3:::bkt/b/*",
                            "user:AKIAONE000000EXAMPLE": "arn:aws:s3:::bkt/c/*"}

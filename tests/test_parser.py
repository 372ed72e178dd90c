"""Parser: every statement form, the AWS docs' quirks, and exact errors with positions."""

from __future__ import annotations

import pytest

from redshift_iam.core.statements import AuthKind, Copy, CopyMode, Unload, Unmapped
from tests.helpers import ROLE, codes, grant_set, run

R = f"IAM_ROLE '{ROLE}'"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def only(sql: str):
    analysis = run(sql)
    assert [d.code for d in analysis.script.diagnostics if d.severity.value == "error"] == []
    (statement,) = analysis.script.statements
    return statement


def first_error(sql: str) -> str:
    """``line:col code message`` of the first diagnostic."""
    diagnostic = run(sql).diagnostics[0]
    loc = diagnostic.location
    return f"{loc.line}:{loc.col} {diagnostic.code} {diagnostic.message}"


def test_copy_fields() -> None:
    copy = only(f"copy sales.orders (a, b) from 's3://bkt/d/x' {R} region as 'eu-west-1' "
                "format as csv quote as '\"' gzip;")
    assert isinstance(copy, Copy)
    assert (copy.table, copy.source.uri, copy.mode, copy.data_format, copy.region.value) == (
        "sales.orders", "s3://bkt/d/x", CopyMode.PREFIX, "CSV", "eu-west-1")
    assert copy.options == ("IAM_ROLE", "REGION", "FORMAT", "CSV", "GZIP")
    assert (copy.loc.line, copy.loc.col, copy.auth.roles[0].value) == (1, 1, ROLE)


def test_case_whitespace_and_comments_do_not_matter() -> None:
    plain = f"COPY t FROM 's3://bkt/d/' {R} FORMAT AS CSV IGNOREHEADER 1"
    odd = (f"cOpY /* c */ t\n\tfRoM 's3://bkt/d/' -- x\n iam_role '{ROLE}' format\nAS csv "
           "ignoreheader AS 1")
    assert grant_set(plain) == grant_set(odd)


@pytest.mark.parametrize("sql", [
    f"UNLOAD ('select * from venue where venuestate=''NV''') TO 's3://bkt/u/' {R}",
    f"UNLOAD ('select * from venue where venuestate=\\'NV\\'') TO 's3://bkt/u/' {R}",
    f"UNLOAD ($$select * from venue where venuestate='NV'$$) TO 's3://bkt/u/' {R}",
    f"unload ('select 1') to 's3://bkt/u/' {R} delimiter ';' null as '\\\\N' addquotes",
])
def test_unload_query_quoting(sql: str) -> None:
    unload = only(sql)
    assert isinstance(unload, Unload) and unload.target.uri == "s3://bkt/u/"


def test_with_credentials_as_role() -> None:
    copy = only(f"copy t from 's3://bkt/d' with credentials as 'aws_iam_role={ROLE}'")
    assert (copy.auth.kind, copy.auth.roles[0].value) == (AuthKind.ROLE, ROLE)


def test_iam_role_default() -> None:
    assert only("copy t from 's3://bkt/d' iam_role default").auth.kind is AuthKind.DEFAULT_ROLE


def test_keys_keep_only_the_key_id() -> None:
    copy = only(f"copy t from 's3://bkt/d' access_key_id 'AKIAIOSFODNN7EXAMPLE' secret_access_key "
                f"'{SECRET}' session_token 'tok'")
    assert (copy.auth.kind, copy.auth.access_key_id, copy.auth.temporary) == (
        AuthKind.KEYS, "AKIAIOSFODNN7EXAMPLE", True)
    assert SECRET not in repr(copy)


def test_thirteen_digit_account_warns_but_grants() -> None:
    sql = "copy t from 's3://bkt/d' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'"
    assert codes(sql) == ["RW201"]
    assert len(run(sql).reports[0].policies) == 1


def test_bare_token_is_accepted_with_a_warning() -> None:
    sql = (f"copy t from 's3://bkt/d' access_key_id 'AKIAIOSFODNN7EXAMPLE' secret_access_key "
           f"'{SECRET}' token 'tok'")
    assert codes(sql) == ["RW202", "RW203", "RW204"]


def test_keys_with_edge_white_space_warn() -> None:
    assert codes(f"unload ('x') to 's3://bkt/tickit/venue/ ' {R}") == ["RW207"]
    assert grant_set(f"unload ('x') to 's3://bkt/tickit/venue/ ' {R}") >= {
        ("s3:PutObject", "arn:aws:s3:::bkt/tickit/venue/ *", "")}


def test_table_named_job_is_a_copy() -> None:
    assert isinstance(only(f"copy job from 's3://bkt/d' {R}"), Copy)


def test_copy_job_create_keeps_the_copy() -> None:
    copy = only(f"copy t from 's3://bkt/d/' {R} job create nightly auto on")
    assert copy.job == "nightly"


@pytest.mark.parametrize("sql, skipped", [
    ("select 1; insert into t values (1); create table x (a int)", 3),
    ("copy job list; copy job show j; copy job drop j", 3),
    ("create function f() returns int as $$ select 1 $$ language sql", 1),
])
def test_skipped_statements_are_counted(sql: str, skipped: int) -> None:
    analysis = run(sql)
    assert (analysis.script.statements, analysis.script.skipped) == ((), skipped)


@pytest.mark.parametrize("sql, what", [
    ("create external schema s from data catalog database 'd' iam_role default",
     "CREATE EXTERNAL SCHEMA"),
    ("create model m from t target y function f iam_role default settings (s3_bucket 'b')",
     "CREATE MODEL"),
    ("create or replace external function f(int) returns int volatile lambda 'f' iam_role default",
     "CREATE EXTERNAL FUNCTION"),
    ("copy job run nightly", "COPY JOB RUN"),
    ("alter something x iam_role default", "ALTER ... IAM_ROLE"),
    ("create procedure p() as $$ begin execute 'copy t from ''s3://bkt/d'' iam_role "
     "default'; end $$ language plpgsql", "COPY/UNLOAD inside a function or procedure body"),
])
def test_role_using_statements_fail_loudly(sql: str, what: str) -> None:
    analysis = run(sql)
    (statement,) = analysis.script.statements
    assert isinstance(statement, Unmapped) and statement.what == what
    assert [d.code for d in analysis.failures(allow_unresolved=False)] == ["RI130"]
    assert analysis.failures(allow_unresolved=True) == ()


@pytest.mark.parametrize("sql, expected", [
    (f"copy t from 's3://bkt/d' {R} frobnicate", "1:70 RI111 unknown COPY option 'frobnicate'"),
    (f"copy t from 's3://bkt/d' {R} cleanpath", "1:70 RI111 CLEANPATH is not a COPY option"),
    (f"copy t from 's3://bkt/d' {R} gzip gzip", "1:75 RI112 GZIP is given twice"),
    (f"copy t from 's3://bkt/d' {R} credentials 'aws_iam_role={ROLE}'",
     "1:70 RI113 IAM_ROLE can't be used with CREDENTIALS"),
    (f"unload ('x') to 's3://bkt/u' {R} cleanpath allowoverwrite",
     "1:84 RI113 CLEANPATH can't be used with ALLOWOVERWRITE"),
    (f"unload ('x') to 's3://bkt/u' credentials 'aws_iam_role={ROLE}' kms_key_id 'k' encrypted",
     "1:90 RI113 KMS_KEY_ID can't be used with CREDENTIALS"),
    (f"unload ('x') to 's3://bkt/u' {R} encrypted auto kms_key_id 'k'",
     "1:74 RI113 ENCRYPTED AUTO can't be used with KMS_KEY_ID or MASTER_SYMMETRIC_KEY"),
    (f"copy t from 'emr://j-ABC/x' {R} manifest",
     "1:73 RI114 MANIFEST can't be used with COPY from emr"),
    (f"copy t from 's3://bkt/d' {R} readratio 5", "1:70 RI114 READRATIO can't be used with "
                                                  "COPY from s3"),
    ("copy t from 's3://bkt/d'", "1:1 RI115 COPY needs authorization (IAM_ROLE, CREDENTIALS or "
                                 "ACCESS_KEY_ID/SECRET_ACCESS_KEY)"),
    ("copy t from 's3://bkt/d' session_token 'x'",
     "1:26 RI115 SESSION_TOKEN needs ACCESS_KEY_ID and SECRET_ACCESS_KEY"),
    (f"unload ('x') to 's3://bkt/u' {R} kms_key_id 'k'", "1:74 RI115 KMS_KEY_ID needs ENCRYPTED"),
    (f"unload ('x') to 's3://bkt/u' {R} encrypted", "1:74 RI115 ENCRYPTED needs KMS_KEY_ID, "
     "MASTER_SYMMETRIC_KEY or AUTO: nothing says which key encrypts"),
    (f"copy t from 's3://My_Bucket/d' {R}", "1:19 RI120 'My_Bucket' is not a valid S3 bucket name"),
    (f"copy t from 's3://<bucket-name>/d' {R}",
     "1:19 RI121 placeholder '<bucket-name>' instead of a real value"),
    (f"copy t from 's3://{{{{ bucket }}}}/d' {R}",
     "1:19 RI121 placeholder '{{ bucket }}' instead of a real value"),
    (f"copy {{{{ t }}}} from 's3://bkt/d' {R} {{{{ opts }}}}",
     "1:76 RI121 placeholder '{{ opts }}' where an option was expected"),
    (f"copy t from 's3://bkt/d' {R} region 'mars-1'",
     "1:78 RI122 'mars-1' is not an AWS Region code"),
    ("copy t from 's3://bkt/d' iam_role 'arn:aws:iam::<aws-account-id>:role/<role-name>'",
     "1:49 RI121 placeholder '<aws-account-id>' instead of a real value"),
    ("copy t from 's3://bkt/d' iam_role 'arn:aws:iam::123456789012:user/u'",
     "1:36 RI123 'arn:aws:iam::123456789012:user/u' is not an IAM role ARN"),
    (f"copy t from 's3://bkt/d' iam_role '{ROLE}, {ROLE}'",
     "1:69 RI123 a role chain must not contain spaces"),
    ("copy t from 'file.csv' iam_role default", "1:14 RI126 not an s3://, dynamodb:// or emr:// "
                                                "source; a local file needs psql's \\copy, which "
                                                "uses no IAM"),
    ("unload ('x') 's3://bkt/u' iam_role default",
     "1:14 RI110 expected TO, found a quoted string"),
    ("copy <table_name> from 's3://bkt/u' iam_role default",
     "1:6 RI121 placeholder '<...>' instead of a table name"),
    ("copy t from 's3://bkt/d' iam_role default master_symmetric_key 'k'",
     "1:43 RI115 MASTER_SYMMETRIC_KEY needs ENCRYPTED"),
])
def test_errors_point_at_the_problem(sql: str, expected: str) -> None:
    assert first_error(sql) == expected


@pytest.mark.parametrize("sql", [
    f"copy t from 's3://bkt/d' access_key_id 'AKIAIOSFODNN7EXAMPLE' secret_access_key "
    f"'{SECRET}' frob",
    f"copy t from 's3://bkt/d' credentials 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;"
    f"aws_secret_access_key={SECRET}' frob",
    f"copy t from 's3://bkt/d' credentials 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;"
    f"aws_secret_access_key={SECRET};bogus=1'",
    f"unload ('x') to 's3://bkt/u' {R} master_symmetric_key '{SECRET}' encrypted frob",
    f"copy t from 's3://bkt/d' secret_access_key '{SECRET}",
])
def test_secrets_never_reach_a_message(sql: str) -> None:
    analysis = run(sql)
    assert analysis.diagnostics
    for diagnostic in analysis.diagnostics:
        assert SECRET not in diagnostic.render()
        assert SECRET[:8] not in str(diagnostic.as_json())

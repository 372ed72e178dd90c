"""RI130 only for statements that really carry an authorization clause (issue 8, item 12).

IAM_ROLE takes `default` or a string; CREDENTIALS and ACCESS_KEY_ID take [AS] a string. A column,
table or string that is merely named like one of these words authorizes nothing.
"""

from __future__ import annotations

import pytest

from redshift_iam.core.statements import Unmapped
from tests.helpers import ROLE, run


@pytest.mark.parametrize("sql", [
    "SELECT credentials FROM users",
    "select iam_role, x from t",
    "select t.iam_role from t where t.iam_role is not null",
    "select * from t where kind = 'credentials'",
    "select 'iam_role' as k",
    "insert into credentials values ('a', 'b')",
    "create table credentials (access_key_id varchar(20), iam_role varchar(200))",
    "select * from credentials as c",
    "update t set iam_role = 'x' where access_key_id = 'y'",
    "select access_key_id from keys order by access_key_id",
    "select 'copy the credentials from users'",
    "delete from t using credentials where t.id = credentials.id",
])
def test_look_alikes_are_skipped_without_diagnostics(sql: str) -> None:
    analysis = run(sql)
    assert (analysis.script.statements, analysis.script.skipped) == ((), 1)
    assert analysis.diagnostics == ()


@pytest.mark.parametrize("sql, what, col", [
    (f"create external schema s from data catalog database 'd' iam_role '{ROLE}'",
     "CREATE EXTERNAL SCHEMA", 1),
    ("alter something x iam_role default", "ALTER ... IAM_ROLE", 1),
    (f"alter something x iam_role '{ROLE}'", "ALTER ... IAM_ROLE", 1),
    ("  grant usage on x to y credentials as 'aws_iam_role=x'", "GRANT ... CREDENTIALS", 3),
    ("alter x credentials 'aws_access_key_id=A;aws_secret_access_key=B'",
     "ALTER ... CREDENTIALS", 1),
    ("alter x access_key_id 'AKIAIOSFODNN7EXAMPLE'", "ALTER ... ACCESS_KEY_ID", 1),
    ("alter x access_key_id as 'AKIAIOSFODNN7EXAMPLE'", "ALTER ... ACCESS_KEY_ID", 1),
    ("alter x iam_role :role", "ALTER ... IAM_ROLE", 1),  # a placeholder stands for the string
    ("create procedure p() as $$ begin execute 'unload (''x'') to ''s3://b/k'' iam_role ' "
     "|| r; end $$ language plpgsql", "COPY/UNLOAD inside a function or procedure body", 25),
    ("create procedure p() as $$ begin execute format('copy %I from %L iam_role %L', t, s, r);"
     " end $$ language plpgsql", "COPY/UNLOAD inside a function or procedure body", 25),
])
def test_real_authorization_clauses_stay_unmapped(sql: str, what: str, col: int) -> None:
    analysis = run(sql)
    (statement,) = analysis.script.statements
    assert statement == Unmapped(statement.loc, what)
    assert (statement.loc.line, statement.loc.col) == (1, col)
    assert [d.code for d in analysis.failures(allow_unresolved=False)] == ["RI130"]


def test_a_look_alike_does_not_hide_a_real_clause_later_in_the_statement() -> None:
    sql = "alter x set credentials = 1, iam_role default"
    (statement,) = run(sql).script.statements
    assert statement.what == "ALTER ... IAM_ROLE"


def test_a_look_alike_next_to_a_copy_leaves_the_copy_alone() -> None:
    sql = f"select credentials from users;\ncopy t from 's3://bkt/d/' iam_role '{ROLE}';"
    analysis = run(sql)
    assert analysis.diagnostics == ()
    assert [(s.loc.line, s.table) for s in analysis.script.statements] == [(2, "t")]
    assert analysis.script.skipped == 1

"""Scan finds every statement (issue 17): SQL file names as sqlfluff knows them, --exclude,
statements in procedure bodies, in nested literals, after a missing ``;``; other databases'
SQL skipped with its reason; one fragment's failure never stops the report."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main

ROLE = "arn:aws:iam::123456789012:role/r"
COPY = f"COPY t FROM 's3://acme/k/' IAM_ROLE '{ROLE}';\n"


def invoke(cwd: Path, *args: str):
    """``scan`` run in ``cwd``."""
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, ["scan", *args], catch_exceptions=False)


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _locations(result) -> list[str]:
    """The LOCATION column of a text report."""
    lines = result.stdout.splitlines()
    return [line.split()[0] for line in lines[1:] if line.strip() and ":" in line.split()[0]]


SQL_NAMES = ["a.sql", "b.SQL", "c.ddl", "d.dml", "e.psql", "f.pgsql", "g.sql.test",
             "h.sql.j2", "i.sql.bak", "j.Sql.Jinja2"]
NOT_SQL = ["k.sqlx", "l.sql_old", "m.txt", "n.psql~"]


def test_sql_file_names_as_sqlfluff_knows_them(tmp_path):
    _tree(tmp_path, {f"src/{name}": COPY for name in SQL_NAMES + NOT_SQL})
    result = invoke(tmp_path, "src", "--format", "text")
    assert result.exit_code == 0, result.output
    assert _locations(result) == [f"src/{name}:1:1" for name in sorted(SQL_NAMES)]
    assert result.stdout.splitlines()[-1] == (
        "10 statement(s) found in 10 file(s) read; 0 unresolved need(s); 0 place(s) skipped.")


@pytest.mark.parametrize(("name", "host"), [
    ("a.sql", "sql"), ("a.ddl", "sql"), ("x/a.sql.test", "sql"), ("a.sql.j2", "jinja-sql"),
    ("a.j2", "jinja-sql"), ("models/a.sql", "jinja-sql"), ("macros/a.pgsql", "jinja-sql"),
    ("a.sqlx", None), ("sql/a.txt", None), ("a.psql.md", None)])
def test_each_name_is_read_as_its_host(tmp_path, name, host):
    from redshift_iam.inputs import scan

    _tree(tmp_path, {name: COPY})
    found = scan([str(tmp_path)]).fragments
    assert [fragment.host for fragment in found] == ([host] if host else [])


def test_exclude_skips_folders_names_and_paths(tmp_path):
    _tree(tmp_path, {"repo/vendor/v.sql": COPY, "repo/a/vendor/w.sql": COPY,
                     "repo/a/x.test.sql": COPY, "repo/a/keep.sql": COPY,
                     "repo/legacy/old.sql": COPY, "repo/legacyish/new.sql": COPY,
                     "repo/snow/s.py": f'q = """{COPY}"""\n'})
    result = invoke(tmp_path, "repo", "--format", "text", "--exclude", "vendor",
                    "--exclude", "*.test.sql", "--exclude", "legacy/*", "--exclude", "snow/*.py")
    assert result.exit_code == 0, result.output
    assert _locations(result) == ["repo/a/keep.sql:1:1", "repo/legacyish/new.sql:1:1"]
    assert result.stdout.splitlines()[-1] == (
        "2 statement(s) found in 2 file(s) read; 0 unresolved need(s); 0 place(s) skipped.")


def test_exclude_matches_a_path_given_by_name_too(tmp_path):
    _tree(tmp_path, {"a.sql": COPY, "b.sql": COPY})
    result = invoke(tmp_path, "a.sql", "b.sql", "--format", "text", "--exclude", "b.*")
    assert _locations(result) == ["a.sql:1:1"]

"""Diagnostics printed right: each problem once, in source order (file, line, column, code),
with the host file's line as the snippet (scan), and every path relative to the working
directory when the file is under it. Exact stderr and exit codes, through the CLI."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

ROLE_R = "arn:aws:iam::123456789012:role/R"
CHAIN = (f"COPY t FROM 's3://bkt1/{{p}}' IAM_ROLE '{ROLE_R},"
         "arn:aws:iam::210987654321:role/C' CSV;\n")
PY = 'cur.execute("COPY t FROM %s IAM_ROLE %s CSV", (src, role))\n'
PY_LINE = PY.rstrip("\n")


def run(cwd: Path, *args: str) -> Result:
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args))


def rw221(where: str, line: str) -> str:
    return (f"{where}:1:24: warning RW221: variable p ({{p}}) is unresolved in the S3 key "
            "s3://bkt1/{p}: granted as bkt1/* (any text in its place)\n"
            f"    1 | {line}\n"
            f"      | {' ' * 23}^\n"
            "    hint: pass --var p=VALUE to grant one prefix\n")


def needs(path: str) -> str:
    """The two unresolved needs of ``PY`` at ``path``, in source order, with the host line."""
    return (f"{path}:1:26: unresolved RI145: %s #1 of {path}:1 is unresolved in the S3 "
            "location of this COPY: its grants are left out\n"
            f"    1 | {PY_LINE}\n"
            f"      | {' ' * 25}^\n"
            f"    hint: pass --var '%s#1@{path}:1=VALUE'\n"
            f"{path}:1:38: unresolved RI146: %s #2 of {path}:1 is unresolved in the role "
            "(IAM_ROLE or aws_iam_role=) of this COPY: who gets the permissions is never "
            "guessed\n"
            f"    1 | {PY_LINE}\n"
            f"      | {' ' * 37}^\n"
            f"    hint: pass --var '%s#2@{path}:1=VALUE'\n")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "c.sql").write_text(CHAIN)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "a.py").write_text(PY)
    (tmp_path / "chain").mkdir()
    (tmp_path / "chain" / "c.sql").write_text(CHAIN)
    return tmp_path


@pytest.mark.parametrize("command", [("generate",), ("generate", "--format", "terraform",
                                                    "--account-id", "123456789012"),
                                     ("policy", "--role", ROLE_R), ("explain",)])
def test_a_warning_of_a_role_chain_is_printed_once(tree: Path, command: tuple[str, ...]) -> None:
    result = run(tree, *command, "c.sql")
    expected = rw221("c.sql", CHAIN.rstrip("\n"))
    if command[1:2] == ("--format",):  # the chain's roles are in two accounts
        expected += ("redshift-iam: left out arn:aws:iam::210987654321:role/C: it is in "
                     "account 210987654321, not 123456789012 (--account-id)\n")
    assert (result.exit_code, result.stderr) == (0, expected)


def test_a_warning_of_a_role_chain_is_listed_once_in_the_bundle(tree: Path) -> None:
    result = run(tree, "scan", "--format", "bundle", "chain")
    assert (result.exit_code, result.stderr) == (0, rw221("chain/c.sql", CHAIN.rstrip("\n")))
    assert [w["code"] for w in json.loads(result.stdout)["warnings"]] == ["RW221"]


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation", "cloudformation-json",
                                 "bundle"])
def test_document_formats_print_each_need_once_with_one_summary(tree: Path, fmt: str) -> None:
    result = run(tree, "scan", "--format", fmt, "repo")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == needs("repo/a.py") + (
        "redshift-iam: 2 problem(s); no document written (--allow-unresolved writes what is "
        "known)\n")


def test_report_formats_print_each_need_once_with_one_summary(tree: Path) -> None:
    result = run(tree, "scan", "--format", "json", "repo")
    assert result.exit_code == 1
    assert result.stderr == needs("repo/a.py") + "redshift-iam: 2 unresolved need(s)\n"
    assert [d["location"] for d in json.loads(result.stdout)["unresolved"]] == [
        "repo/a.py:1:26", "repo/a.py:1:38"]


def test_places_skipped_are_printed_once_among_the_diagnostics_in_source_order(
        tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "b.py").write_text('def f(t):\n    q = "COPY " + t + " FROM x"\n    cur.execute(q)\n')
    (src / "a.sql").write_text(f"COPY t FROM 's3://bkt1/k' IAM_ROLE '{ROLE_R}' CSV BOGUS;\n")
    (src / "c.sql").write_text("x" * 3000)
    (src / "d.sql").write_text(f"COPY t FROM 's3://bkt1/k' IAM_ROLE '{ROLE_R}' CSV;\n")
    result = run(tmp_path, "scan", "--format", "terraform", "--max-file-size", "2000", "src")
    assert result.exit_code == 1
    assert 'resource "aws_iam_role"' in result.stdout  # the documents of what was read
    line = f"COPY t FROM 's3://bkt1/k' IAM_ROLE '{ROLE_R}' CSV BOGUS;"
    assert result.stderr == (
        "src/a.sql:1:75: error RI111: unknown COPY option 'BOGUS'\n"
        f"    1 | {line}\n"
        f"      | {' ' * 74}^\n"
        "    hint: an option the tool does not know may need a permission; check its spelling "
        "against the Redshift reference\n"
        "redshift-iam: src/b.py:2:9: skipped: SQL built by concatenation with parts that are "
        "not literals ('...' + t + '...'); write it as one template (f-string or .format) so "
        "it can be read whole\n"
        "redshift-iam: src/c.sql: skipped: 3000 bytes, over the limit of 2000 bytes per file "
        "(--max-file-size): not read\n"
        "redshift-iam: 3 place(s) skipped\n")


def test_diagnostics_of_several_files_are_in_source_order(tmp_path: Path) -> None:
    (tmp_path / "b.sql").write_text("COPY t FROM 's3://bkt1/k' IAM_ROLE default nope;\n")
    (tmp_path / "a.sql").write_text("\n\nCOPY t FROM 's3://bkt1/k' IAM_ROLE default bad;\n"
                                    "COPY t FROM 's3://bkt1/k' IAM_ROLE default CSV worse;\n")
    result = run(tmp_path, "policy", "b.sql", "a.sql", "--error-format", "json")
    assert result.exit_code == 1
    found = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(d["location"], d["code"]) for d in found] == [
        ("a.sql:3:44", "RI111"), ("a.sql:4:48", "RI111"), ("b.sql:1:44", "RI111"),
        (None, None)]


def test_an_airflow_connection_hint_shows_the_form_of_its_value(tmp_path: Path) -> None:
    (tmp_path / "af").mkdir()
    (tmp_path / "af" / "dag.py").write_text(
        "t = S3ToRedshiftOperator(task_id='t', schema='s', table='t', s3_bucket='acme',\n"
        "                         s3_key='k', aws_conn_id='my_conn')\n")
    result = run(tmp_path, "scan", "--format", "json", "af")
    assert result.exit_code == 1
    assert result.stderr == (
        "af/dag.py:2:50: unresolved RI146: variable aws_conn.my_conn ({aws_conn.my_conn}) is "
        "unresolved in the authorization of this COPY (the slot may hold CREDENTIALS or "
        "IAM_ROLE): who gets the permissions is never guessed\n"
        "    2 |                          s3_key='k', aws_conn_id='my_conn')\n"
        f"      | {' ' * 49}^\n"
        "    hint: pass --var aws_conn.my_conn=aws_iam_role=arn:aws:iam::ACCOUNT:role/NAME\n"
        "redshift-iam: 1 unresolved need(s)\n")


def test_an_absolute_path_under_the_working_directory_prints_relative(tree: Path) -> None:
    result = run(tree, "scan", "--format", "text", str(tree / "repo"))
    assert result.exit_code == 1
    assert result.stderr == needs("repo/a.py") + "redshift-iam: 2 unresolved need(s)\n"
    assert result.stdout.splitlines()[1].startswith("repo/a.py:1:14  COPY s3")
    inside = run(tree / "repo", "scan", "--format", "json", str(tree / "repo"))
    assert inside.stderr == needs("a.py") + "redshift-iam: 2 unresolved need(s)\n"
    policy = run(tree, "policy", str(tree / "c.sql"), "--role", ROLE_R)
    assert (policy.exit_code, policy.stderr) == (0, rw221("c.sql", CHAIN.rstrip("\n")))
    written = run(tree, "generate", str(tree / "c.sql"), "--out-dir", str(tree / "out"))
    assert written.exit_code == 0
    assert written.stderr.splitlines()[-1] == (
        "wrote out/R~123456789012.trust.json")


def test_a_path_outside_the_working_directory_prints_as_given(tree: Path) -> None:
    (tree / "elsewhere").mkdir()
    result = run(tree / "elsewhere", "scan", "--format", "json", str(tree / "repo"))
    assert result.stderr == needs(f"{tree}/repo/a.py") + "redshift-iam: 2 unresolved need(s)\n"
    relative = run(tree / "elsewhere", "scan", "--format", "json", "../repo")
    assert relative.stderr == needs("../repo/a.py") + "redshift-iam: 2 unresolved need(s)\n"

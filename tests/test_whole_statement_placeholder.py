"""A template placeholder that stands for a whole statement may hide a COPY, UNLOAD or CREATE
LIBRARY: without a value it is unresolved (RI131), never a silent skip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/R"
COPY = f"COPY t FROM 's3://bkt/k/' IAM_ROLE '{ROLE}';\n"
HINT = ("    hint: pass the statement's SQL with --var NAME=SQL (or --vars FILE), or "
        "--allow-unresolved when it runs no COPY, UNLOAD or CREATE LIBRARY\n")


def run(tmp_path: Path, text: str, *args: str):
    path = tmp_path / "w.sql"
    path.write_text(text)
    return CliRunner().invoke(main, ["policy", str(path), *args]), str(path)


@pytest.mark.parametrize("placeholder, label", [
    ("{{ copy_sql }}", "copy_sql"),
    ("{sql}", "sql"),
    ("${LOAD_SQL}", "LOAD_SQL"),
    ("%s", "%s #1 of {path}:2"),
])
def test_a_whole_statement_placeholder_is_unresolved(tmp_path: Path, placeholder: str,
                                                     label: str) -> None:
    result, path = run(tmp_path, f"BEGIN;\n{placeholder};\n{COPY}")
    assert (result.exit_code, result.stdout) == (1, "")
    label = label.format(path=path)
    assert result.stderr == (
        f"{path}:2:1: unresolved RI131: placeholder {label} stands for a whole statement "
        "without a value: it may be a COPY, UNLOAD or CREATE LIBRARY that needs permissions\n"
        f"    2 | {placeholder};\n      | ^\n{HINT}"
        "redshift-iam: 1 problem(s); no document written\n")


def test_allow_unresolved_grants_what_the_script_shows(tmp_path: Path) -> None:
    result, _ = run(tmp_path, "{{ copy_sql }};\n" + COPY, "--allow-unresolved")
    assert result.exit_code == 0
    docs = [json.loads(result.stdout)]
    assert allowed(docs, "s3:GetObject", "arn:aws:s3:::bkt/k/part-0")
    assert not allowed(docs, "s3:PutObject", "arn:aws:s3:::out-bkt/u/0")


def test_a_value_is_read_as_the_statement_it_stands_for(tmp_path: Path) -> None:
    unload = f"UNLOAD ('select 1') TO 's3://out-bkt/u/' IAM_ROLE '{ROLE}' CLEANPATH"
    result, _ = run(tmp_path, "{{ copy_sql }};\n" + COPY, "--var", f"copy_sql={unload}")
    assert (result.exit_code, result.stderr) == (0, "")
    docs = [json.loads(result.stdout)]
    assert allowed(docs, "s3:DeleteObject", "arn:aws:s3:::out-bkt/u/0")
    assert allowed(docs, "s3:GetObject", "arn:aws:s3:::bkt/k/part-0")


def test_a_placeholder_later_in_a_plain_statement_changes_nothing(tmp_path: Path) -> None:
    result, _ = run(tmp_path, "INSERT INTO {{ table }} SELECT 1;\n" + COPY)
    assert (result.exit_code, result.stderr) == (0, "")

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


UNLOAD = f"UNLOAD ('select 1') TO 's3://out-bkt/u_' IAM_ROLE '{ROLE}';\n"
RW224 = ("{path}:{line}:1: warning RW224: the Jinja block on {label} holds whole statements: "
         "each branch is read and the role gets what any of them needs\n"
         "    hint: pass {flags} to read the branch that runs\n")


@pytest.mark.parametrize("template, label", [
    ("{% if export %}\n" + UNLOAD + "{% endif %}\n", "export"),
    ("{% if export %}\n" + UNLOAD + "{% else %}\n-- nothing\n{% endif %}\n", "export"),
    ("{% if mode == 'full' %}" + UNLOAD + "{% elif keep %}SELECT 1;{% endif %}\n", "keep, mode"),
], ids=["if", "if-else", "elif"])
def test_a_block_of_whole_statements_grants_every_branch(tmp_path: Path, template: str,
                                                         label: str) -> None:
    result, path = run(tmp_path, COPY + template)
    flags = " ".join(f"--var {name}=VALUE" for name in label.split(", "))
    assert (result.exit_code, result.stderr) == (
        0, RW224.format(path=path, line=2, label=label, flags=flags))
    docs = [json.loads(result.stdout)]
    assert allowed(docs, "s3:PutObject", "arn:aws:s3:::out-bkt/u_0000_part_00")
    assert allowed(docs, "s3:GetObject", "arn:aws:s3:::bkt/k/part-0")
    assert not allowed(docs, "s3:PutObject", "arn:aws:s3:::out-bkt/other")


def test_each_branch_of_a_block_is_read_with_its_own_statement(tmp_path: Path) -> None:
    other = COPY.replace("bkt/k/", "bkt2/x/")
    result, path = run(tmp_path, "{% if full %}\n" + COPY + "{% else %}\n" + other +
                       "{% endif %}\n" + UNLOAD)
    assert (result.exit_code, result.stderr) == (
        0, RW224.format(path=path, line=1, label="full", flags="--var full=VALUE"))
    docs = [json.loads(result.stdout)]
    for resource in ("bkt/k/part-0", "bkt2/x/part-0"):
        assert allowed(docs, "s3:GetObject", f"arn:aws:s3:::{resource}")
    assert allowed(docs, "s3:PutObject", "arn:aws:s3:::out-bkt/u_0000_part_00")
    assert not allowed(docs, "s3:GetObject", "arn:aws:s3:::bkt3/x/part-0")


def test_a_value_for_the_block_reads_only_its_branch(tmp_path: Path) -> None:
    result, _ = run(tmp_path, COPY + "{% if export %}\n" + UNLOAD + "{% endif %}\n",
                    "--var", "export=")
    assert (result.exit_code, result.stderr) == (0, "")
    assert not allowed([json.loads(result.stdout)], "s3:PutObject",
                       "arn:aws:s3:::out-bkt/u_0000_part_00")


def test_a_block_whose_branches_hold_placeholders_stays_unresolved(tmp_path: Path) -> None:
    result, path = run(tmp_path, "{% for t in tables %}COPY {{ t }} FROM 's3://b/{{ t }}/' "
                       f"IAM_ROLE '{ROLE}';{{% endfor %}}\n" + COPY)
    assert result.exit_code == 1
    assert "unresolved RI131" in result.stderr


def test_blocks_in_a_row_stay_loud_and_linear(tmp_path: Path) -> None:
    """Each branch's reading holds the next block: it is RI131 there, not read per branch
    again (50 blocks in a row were 2**50 readings, 3,000 a RecursionError)."""
    result, _ = run(tmp_path, ("{% if x %}\n" + UNLOAD + "{% endif %}\n") * 50)
    assert (result.exit_code, result.stdout) == (1, "")
    assert "unresolved RI131: placeholder x stands for a whole statement" in result.stderr

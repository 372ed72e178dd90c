"""explain's placeholder listing: per statement, each placeholder's name, file:line:col, and
its value and origin (--var, --vars FILE:LINE, \\set at line N), or ``unresolved -> *`` (in an
S3 key) / ``unresolved``; in text (100 columns) and in JSON (``placeholders``). Plain SQL is
explained exactly as before (no ``placeholders`` key)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

ROLE = "arn:aws:iam::123456789012:role/Etl"
R = f"IAM_ROLE '{ROLE}'"
JINJA = ("COPY t FROM 's3://{{ bucket }}/{{ nested.prefix }}/{{ ds }}/'\n"
         f"{R} REGION '{{{{ region }}}}';\n")
PSQL = f"\\set role {ROLE}\nCOPY t FROM :'src' IAM_ROLE :'role';\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vars.yaml").write_text("bucket: acme\nnested:\n  prefix: sales\n")


def explain(sql: str, *flags: str, name: str = "e.sql") -> Result:
    with open(name, "w") as handle:
        handle.write(sql)
    return CliRunner().invoke(main, ["explain", name, *flags])


def listing(text: str) -> list[str]:
    """The lines of every ``placeholders:`` block."""
    lines, inside = [], False
    for line in text.splitlines():
        if line == "  placeholders:":
            inside = True
        elif inside and line.startswith("    "):
            lines.append(line)
        else:
            inside = False
    return lines


def test_values_from_vars_files_and_var_and_a_wildcard() -> None:
    result = explain(JINJA, "--vars", "vars.yaml", "--var", "region=us-west-2")
    assert result.exit_code == 0
    assert listing(result.stdout) == [
        '    bucket         e.sql:1:19  = "acme"  (vars.yaml:1)',
        '    nested.prefix  e.sql:1:32  = "sales"  (vars.yaml:3)',
        "    ds             e.sql:1:52  unresolved -> *",
        '    region         e.sql:2:55  = "us-west-2"  (--var region)']
    assert result.stdout.startswith("e.sql:1  COPY s3  t <- s3://acme/sales/{{ ds }}/\n"
                                    "  placeholders:\n")


def test_unresolved_where_a_grant_needs_it_is_listed_and_marked() -> None:
    result = explain(JINJA)
    assert result.exit_code == 1
    assert listing(result.stdout) == [
        "    bucket         e.sql:1:19  unresolved",
        "    nested.prefix  e.sql:1:32  unresolved",
        "    ds             e.sql:1:52  unresolved",
        "    region         e.sql:2:55  unresolved",
        "    (no grant)"]


def test_psql_set_and_quoted_literal() -> None:
    result = explain(PSQL, "--var", "src=s3://acme/in/")
    assert result.exit_code == 0
    assert listing(result.stdout) == [
        "    src   e.sql:2:13  = \"'s3://acme/in/'\"  (--var src)",
        "    role  e.sql:2:29  = \"'arn:aws:iam::123456789012:role/Etl'\"  (\\set at line 1)"]


def test_json_lists_every_key() -> None:
    result = explain(JINJA, "--vars", "vars.yaml", "--format", "json")
    assert result.exit_code == 0  # no grant needs the REGION of a COPY from S3
    rows = json.loads(result.stdout)["statements"]
    assert rows[0]["placeholders"] == [
        {"name": "bucket", "text": "{{ bucket }}", "form": "jinja", "location": "e.sql:1:19",
         "status": "resolved", "value": "acme", "origin": "vars.yaml:1"},
        {"name": "nested.prefix", "text": "{{ nested.prefix }}", "form": "jinja",
         "location": "e.sql:1:32", "status": "resolved", "value": "sales",
         "origin": "vars.yaml:3"},
        {"name": "ds", "text": "{{ ds }}", "form": "jinja", "location": "e.sql:1:52",
         "status": "wildcard", "value": None, "origin": None},
        {"name": "region", "text": "{{ region }}", "form": "jinja", "location": "e.sql:2:55",
         "status": "unresolved", "value": None, "origin": None}]


def test_a_value_where_a_secret_may_stand_is_hidden() -> None:
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
    sql = ("COPY t FROM 's3://acme/k' ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE' "
           "SECRET_ACCESS_KEY '{sk}';\n")
    for fmt in ("text", "json"):
        result = explain(sql, "--var", f"sk={secret}", "--format", fmt)
        assert result.exit_code == 0
        assert secret not in result.stdout + result.stderr
    entry = json.loads(result.stdout)["statements"][0]["placeholders"][0]
    assert (entry["status"], entry["value"], entry["origin"]) == ("hidden", None, None)
    text = explain(sql, "--var", f"sk={secret}").stdout
    assert listing(text)[0] == (
        "    sk  e.sql:1:83  = (value hidden: the statement carries a secret)")


def test_a_long_value_is_cut_in_text_and_whole_in_json() -> None:
    options = ("DELIMITER '|' IGNOREHEADER 1 DATEFORMAT 'auto' TIMEFORMAT 'auto' BLANKSASNULL "
               "EMPTYASNULL TRUNCATECOLUMNS")
    sql = f"COPY t FROM 's3://acme/k/' {R} {{copy_options}};\n"
    text = explain(sql, "--var", f"copy_options={options}").stdout
    assert listing(text)[:3] == [
        "    copy_options  e.sql:1:74",
        f"        = \"{options[:60]}...\" ({len(options)} characters)  (--var",
        "        copy_options)"]
    assert max(map(len, text.splitlines())) <= 100
    data = explain(sql, "--var", f"copy_options={options}", "--format", "json").stdout
    assert json.loads(data)["statements"][0]["placeholders"][0]["value"] == options


def test_plain_sql_is_explained_as_before() -> None:
    sql = f"COPY t FROM 's3://acme/k/' {R};\n"
    data = json.loads(explain(sql, "--format", "json").stdout)
    assert set(data["statements"][0]) == {"location", "kind", "subject", "grants"}
    assert "placeholders" not in explain(sql).stdout


def test_a_templated_input_lists_an_empty_list_for_its_plain_statements() -> None:
    sql = f"COPY t FROM 's3://acme/k/' {R};\nCOPY u FROM 's3://{{b}}/k/' {R};\n"
    data = json.loads(explain(sql, "--var", "b=acme", "--format", "json").stdout)
    assert [len(row["placeholders"]) for row in data["statements"]] == [0, 1]

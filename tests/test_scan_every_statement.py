"""Scan finds every statement (issue 17): SQL file names as sqlfluff knows them, --exclude,
statements in procedure bodies, in nested literals, after a missing ``;``; other databases'
SQL skipped with its reason; one fragment's failure never stops the report."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.cli.main import main
from tests.helpers import examples

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


PROCEDURES = f"""CREATE OR REPLACE PROCEDURE load_all(t varchar) AS $$
BEGIN
  -- nightly; COPY in a comment is no statement
  COPY sales FROM 's3://acme-in/sales/' IAM_ROLE '{ROLE}';
  IF t = 'x' THEN
    UNLOAD ('select '';'' from x') TO 's3://acme-out/x/' IAM_ROLE '{ROLE}';
  ELSE
    COPY /* why */ other FROM 's3://acme-in/other/' IAM_ROLE '{ROLE}';
  END IF;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION f() RETURNS void AS $body$ BEGIN COPY t2 FROM 's3://acme-in/t2/' IAM_ROLE \
'{ROLE}'; EXECUTE 'unload (''x'') to ''s3://b/k'' iam_role ' || r; END $body$ LANGUAGE plpgsql;
"""


def test_statements_in_procedure_and_function_bodies_at_their_own_positions(tmp_path):
    _tree(tmp_path, {"proc.sql": PROCEDURES,
                     "proc.py": f'SQL = """\n{PROCEDURES.splitlines()[0]}\nBEGIN\n'
                                f"  COPY py FROM 's3://acme-in/py/' IAM_ROLE '{ROLE}';\n"
                                'END;\n$$ LANGUAGE plpgsql"""\n'})
    result = invoke(tmp_path, ".", "--format", "text")
    assert result.exit_code == 1
    rows = [line.split()[:2] for line in result.stdout.splitlines()[1:-2]]
    assert rows == [["proc.py:4:3", "COPY"], ["proc.sql:4:3", "COPY"],
                    ["proc.sql:6:5", "UNLOAD"], ["proc.sql:8:5", "COPY"],
                    ["proc.sql:12:37", "UNMAPPED"], ["proc.sql:12:50", "COPY"]]
    assert "proc.sql:12:37: unresolved RI130: COPY/UNLOAD inside a function or procedure body" \
        in result.stderr


def test_a_body_whose_statements_are_all_read_is_no_unmapped_statement():
    from tests.helpers import run

    analysis = run("create procedure p() as $b$ begin copy t from 's3://bkt/d' iam_role "
                   f"'{ROLE}'; end $b$ language plpgsql;")
    (statement,) = analysis.script.statements
    assert (type(statement).__name__, statement.loc.line, statement.loc.col) == ("Copy", 1, 35)
    assert analysis.failures(allow_unresolved=False) == ()


RUN_ON = f"""SELECT 1
COPY t FROM 's3://acme-in/k/' IAM_ROLE '{ROLE}';
COPY t FROM 's3://acme-in/a/' IAM_ROLE '{ROLE}'
  unload ('select 1') TO 's3://acme-out/u/' IAM_ROLE '{ROLE}';
SELECT a,
  copy
FROM t;
SELECT 'x
COPY t FROM ''s3://no/'''
-- COPY t FROM 's3://no/'
;
"""


def test_a_copy_starting_a_line_inside_another_statement_is_read_with_a_warning():
    from tests.helpers import run

    analysis = run(RUN_ON)
    assert [(type(s).__name__, s.loc.line, s.loc.col) for s in analysis.script.statements] == [
        ("Copy", 2, 1), ("Copy", 3, 1), ("Unload", 4, 3)]
    assert [(d.code, d.location.line, d.location.col, d.message)
            for d in analysis.diagnostics] == [
        ("RW227", 2, 1, "COPY starts a line inside the statement that starts at line 1, column "
                        "1, with no ';' between: read as a statement of its own"),
        ("RW227", 4, 3, "UNLOAD starts a line inside the statement that starts at line 3, "
                        "column 1, with no ';' between: read as a statement of its own")]


FOREIGN = {
    "COPY INTO t FROM '@stage/k/' FILE_FORMAT = (TYPE = CSV)":
        "Snowflake's COPY INTO (Redshift's COPY names a table, never INTO)",
    "COPY /* c */ INTO\n-- d\n t FROM @s":
        "Snowflake's COPY INTO (Redshift's COPY names a table, never INTO)",
    "copy into @stage/out FROM (select 1)":
        "Snowflake's COPY INTO (Redshift's COPY names a table, never INTO)",
    "Copy from {key} to {table} completed": "a message, not a statement: COPY names no table "
                                            "(a log line such as \"Copy from ... to ...\")",
    "copy (select 1) to '/tmp/x'": "PostgreSQL's COPY (query) TO (Redshift's COPY loads a table)",
    "COPY t (a, b) FROM STDIN": "PostgreSQL's COPY to a file or from STDIN, a program or a file "
                                "on the server (Redshift's COPY loads from Amazon S3, DynamoDB, "
                                "EMR or SSH hosts)",
    "COPY s.t TO '/tmp/t.csv'": "PostgreSQL's COPY to a file or from STDIN, a program or a file "
                                "on the server (Redshift's COPY loads from Amazon S3, DynamoDB, "
                                "EMR or SSH hosts)",
}


@pytest.mark.parametrize(("sql", "reason"), FOREIGN.items())
def test_other_databases_sql_is_skipped_with_its_reason(sql, reason):
    from tests.helpers import run

    analysis = run(f"SELECT 1;\n  {sql};\n{COPY}")
    assert [type(s).__name__ for s in analysis.script.statements] == ["Copy"]
    assert [(d.code, d.location.line, d.location.col, d.message)
            for d in analysis.diagnostics] == [
        ("RW226", 2, 3, f"not Redshift SQL, skipped: {reason}")]
    assert analysis.failures(allow_unresolved=False) == ()


def test_a_log_line_in_code_is_skipped_with_its_reason(tmp_path):
    _tree(tmp_path, {"job.py": 'log.info(f"Copy from {key} to {table} completed")\n'
                               f'q = """{COPY}"""\n'})
    result = invoke(tmp_path, "job.py", "--format", "text")
    assert result.exit_code == 0, result.output
    assert _locations(result) == ["job.py:2:8"]
    assert result.stderr.splitlines()[0] == (
        "job.py:1:12: warning RW226: not Redshift SQL, skipped: a message, not a statement: "
        "COPY names no table (a log line such as \"Copy from ... to ...\")")


def _fragments(tmp_path, name, source):
    """(text, style, line:col of the first word) of each fragment scan finds in one file."""
    import re

    from redshift_iam.inputs import scan

    _tree(tmp_path, {name: source})
    rows = []
    for fragment in scan([str(tmp_path / name)]).fragments:
        first = re.search(r"\b(?:COPY|UNLOAD)\b", fragment.text, re.I).start()
        where = fragment.location(first)
        rows.append((fragment.text, fragment.style, f"{where.line}:{where.col}"))
    return rows


NESTED_CASES = [
    # Scala: a triple-quoted literal as the whole interpolation is its own text
    ("a.scala", 'val q = s"""${"""COPY t FROM \'s3://b/k/\'"""}"""\n',
     [("COPY t FROM 's3://b/k/'", "dollar", "1:18")]),
    ("a.scala", "val u = s\"UNLOAD ('${\"\"\"SELECT 1\"\"\"}') TO 's3://b/${p}/'\"\n",
     [("UNLOAD ('SELECT 1') TO 's3://b/${p}/'", "dollar", "1:11")]),
    ("a.scala", 'val q = s"""COPY ${"t"} FROM\n  |${"""\'s3://b/\n  |k\'"""}""".stripMargin\n',
     [("COPY t FROM\n's3://b/\n  |k'", "dollar", "1:13")]),
    ("a.kt", 'val q = """\n  COPY ${"""t"""} FROM \'${"s3://b/k"}\'\n"""\n',
     [("\n  COPY t FROM 's3://b/k'\n", "dollar", "2:3")]),
    # Ruby: a double-quoted string passed to a call, over lines, quotes inside #{}
    ("a.rb", "execute(\"COPY #{t} FROM 's3://b/k/'\")\n",
     [("COPY #{t} FROM 's3://b/k/'", "ruby", "1:10")]),
    ("a.rb", "conn.execute(\"COPY #{t[\"name\"]} FROM\n  's3://b/#{h['k']}/'\")\n",
     [("COPY #{t[\"name\"]} FROM\n  's3://b/#{h['k']}/'", "ruby", "1:15")]),
    ("a.rb", "# a \"comment\nx = \"COPY t FROM 's3://b/k'\"\n",
     [("COPY t FROM 's3://b/k'", "ruby", "2:6")]),
    # a shell heredoc inside a Terraform heredoc
    ("a.tf", 'command = <<-EOT\n    psql "$URL" <<SQL\n    COPY t FROM \'s3://${var.b}/k/\';\n'
             "    SQL\n  EOT\n",
     [("COPY t FROM 's3://${var.b}/k/';\n", "terraform", "3:5")]),
    ("a.tf", 'command = <<EOT\npsql <<-"SQL"\n\tUNLOAD (\'q\') TO \'s3://b/k/\';\n\tSQL\nEOT\n',
     [("UNLOAD ('q') TO 's3://b/k/';\n", "none", "3:2")]),
    ("a.tf", "command = <<EOT\necho <<SQL\nnothing here\nSQL\nEOT\n", []),
]


@pytest.mark.parametrize(("name", "source", "expected"), NESTED_CASES)
def test_statements_in_nested_literals(tmp_path, name, source, expected):
    assert _fragments(tmp_path, name, source) == expected


def _copy(table: str) -> str:
    return f"COPY {table} FROM 's3://acme/{table}/' IAM_ROLE '{ROLE}';\n"


def _failing_when(module, name, monkeypatch, bad):
    """Make ``module.name`` raise a bug (KeyError) when ``bad(args)`` holds."""
    real = getattr(module, name)

    def fake(*args, **kwargs):
        if bad(args):
            raise KeyError("secret-value")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, fake)


def _texts(args) -> str:
    return " ".join(getattr(s, "text", "") for s in args[0])


@pytest.mark.parametrize(("stage", "where", "doing"), [
    ("file", "bad.py", "reading"), ("render", "bad.py:1:8", "rendering"),
    ("read", "bad.py:1:8", "reading"), ("derive", "bad.py:1:8", "deriving")])
def test_one_fragments_internal_error_never_stops_the_report(tmp_path, monkeypatch, stage, where,
                                                             doing):
    import redshift_iam.derive
    import redshift_iam.inputs
    import redshift_iam.inputs.scanning.finder as finder
    import redshift_iam.sql

    _tree(tmp_path, {"bad.py": f'q = """{_copy("bad")}"""\n',
                     "good.py": f'q = """{_copy("good")}"""\n', "good.sql": _copy("other")})
    if stage == "file":
        _failing_when(finder, "scan_python", monkeypatch, lambda args: args[0].endswith("bad.py"))
    elif stage == "render":
        _failing_when(redshift_iam.inputs, "render_source", monkeypatch,
                      lambda args: "bad" in args[0].text)
    elif stage == "read":
        _failing_when(redshift_iam.sql, "read_script", monkeypatch,
                      lambda args: "COPY bad" in _texts(args))
    else:
        _failing_when(redshift_iam.derive, "derive", monkeypatch,
                      lambda args: any(getattr(s, "table", "") == "bad"
                                       for s in args[0].statements))
    monkeypatch.delenv("REDSHIFT_IAM_DEBUG", raising=False)
    result = invoke(tmp_path, ".", "--format", "text")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[1:3] == [
        "good.py:1:8   COPY s3  good <- s3://acme/good/    " + ROLE + "  ok",
        "good.sql:1:1  COPY s3  other <- s3://acme/other/  " + ROLE + "  ok"]
    assert lines[4] == "Skipped:"
    assert lines[5].startswith(f"  {where}  internal error KeyError at "
                               "test_scan_every_statement.py:")
    assert lines[5].endswith(f" while {doing} it: please report it (REDSHIFT_IAM_DEBUG=1 "
                             "shows the traceback); the rest was scanned")
    assert lines[-1] == ("2 statement(s) found in 3 file(s) read; 0 unresolved need(s); "
                         "1 place(s) skipped.")
    assert "secret-value" not in result.output


TEMPLATED = {
    "jinja": "COPY t FROM 's3://{{ var(\"bucket\") }}/k/' IAM_ROLE '{{ env_var(\"ROLE\") }}';\n"
             f"COPY t2 FROM 's3://{{{{ bucket }}}}/{{{{ prefix }}}}' IAM_ROLE '{ROLE}';\n",
    "psql": f"\\set role '{ROLE}'\nCOPY t FROM :'src' IAM_ROLE :'role';\n"
            "UNLOAD ('select 1') TO 's3://acme-out/:prefix/' IAM_ROLE :'role';\n",
    "format": f"COPY t FROM 's3://{{cfg[bucket]}}/a/' IAM_ROLE '{ROLE}';\n"
              f"COPY t FROM 's3://{{settings.BUCKET}}/b/' IAM_ROLE '{ROLE}';\n",
    "shell": f"UNLOAD ('q') TO 's3://${{BUCKET}}/k/' IAM_ROLE '{ROLE}' KMS_KEY_ID '${{KMS}}' "
             "ENCRYPTED;\n",
}


@pytest.mark.parametrize("form", TEMPLATED)
@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_scan_declares_variables_exactly_like_generate(tmp_path, form, fmt):
    import hcl2

    _tree(tmp_path, {"a.sql": TEMPLATED[form]})
    with contextlib.chdir(tmp_path):
        generated = CliRunner().invoke(main, ["generate", "--format", fmt,
                                              "--allow-unresolved", "a.sql"])
    scanned = invoke(tmp_path, "a.sql", "--format", fmt, "--allow-unresolved")
    assert scanned.exit_code == generated.exit_code
    assert scanned.stdout == generated.stdout
    if fmt == "terraform":  # a variable named like its CloudFormation parameter (ROLE) too
        assert scanned.exit_code == 0, scanned.output
        assert hcl2.loads(scanned.stdout)["variable"]


@pytest.mark.parametrize("sql", [
    "COPY from FROM 's3://acme/k/' IAM_ROLE DEFAULT", "copy into (a) FROM 's3://acme/k/' "
    "IAM_ROLE DEFAULT", "COPY to FROM 's3://acme/k/' IAM_ROLE DEFAULT",
    "COPY from--\nFROM 's3://acme/k/' IAM_ROLE DEFAULT", "COPY from . t FROM 's3://acme/k/' "
    "IAM_ROLE DEFAULT",
    "COPY t(a--unload ('x') to 's3://e/u/'\n)FROM 's3://acme/k/' IAM_ROLE DEFAULT",
    "COPY /* c */ into/* d */(a) FROM 's3://acme/k/' IAM_ROLE DEFAULT"])
def test_a_table_named_like_a_foreign_word_is_read_as_a_copy(sql):
    from tests.helpers import run

    analysis = run(sql)
    assert [type(s).__name__ for s in analysis.script.statements] == ["Copy"]
    assert "RW226" not in [d.code for d in analysis.diagnostics]


BODY_STATEMENTS = [
    f"COPY a FROM 's3://acme-a/k/' IAM_ROLE '{ROLE}'",
    f"UNLOAD ('select '';'' from t') TO 's3://acme-u/p/' IAM_ROLE '{ROLE}' PARALLEL OFF",
    f"COPY b FROM 'dynamodb://tbl' IAM_ROLE '{ROLE}' READRATIO 50",
    f"CREATE OR REPLACE LIBRARY l LANGUAGE plpythonu FROM 's3://acme-l/l.zip' IAM_ROLE '{ROLE}'",
    "SELECT 1", "INSERT INTO x VALUES (';')", "PERFORM f()",
]
CONTROL = ["", "IF x THEN ", "LOOP ", "ELSE ", "-- note\n", "/* c */ "]


def _grants(analysis) -> set[tuple[str, str]]:
    return {(g.action, g.resource) for g in analysis.derivation.grants}


@given(body=st.lists(st.tuples(st.sampled_from(CONTROL), st.sampled_from(BODY_STATEMENTS)),
                     max_size=6), tag=st.sampled_from(["", "body", "x_1"]))
@settings(max_examples=examples(0.5))
def test_a_body_grants_what_its_statements_grant_written_out(body, tag):
    from tests.helpers import run

    text, places = f"CREATE OR REPLACE PROCEDURE p() AS ${tag}$\nBEGIN\n", {}
    for index, (control, statement) in enumerate(body):
        text += f"  {control}"
        places[index + 1] = (text.count("\n") + 1, len(text) - text.rfind("\n"))
        text += f"{statement};\n"
    wrapped = run(f"{text}END;\n${tag}$ LANGUAGE plpgsql;\n")
    plain = run("".join(f"{statement};\n" for _, statement in body))
    assert _grants(wrapped) == _grants(plain)
    assert [d.code for d in wrapped.diagnostics] == [d.code for d in plain.diagnostics]
    inner = [(type(s).__name__, s.loc.line, s.loc.col) for s in wrapped.script.statements]
    assert inner == [(type(s).__name__, *places[s.loc.line])
                     for s in plain.script.statements]


def test_every_kind_of_the_table_reads_its_example():
    from redshift_iam.core.statement_kinds import KINDS
    from tests.helpers import run

    names = {"COPY": "Copy", "UNLOAD": "Unload", "LIBRARY": "CreateLibrary"}
    for kind in KINDS:
        analysis = run(kind.example + ";")
        found = [(type(s).__name__, getattr(s, "what", "")) for s in analysis.script.statements]
        if kind.mapped:
            assert found == [(names[kind.name], "")], kind
        elif kind.name is None:
            assert (found, analysis.script.skipped) == ([], 1), kind
        else:
            assert found == [("Unmapped", kind.name.format(kind.example.split()[2]))], kind

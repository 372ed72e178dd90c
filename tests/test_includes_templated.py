"""Files read through psql includes (\\i, \\ir) are templated like the script that includes
them: the run's values and template style, problems located in the included file, RW225
judged after the includes are read, and the include's folder rule kept.

https://www.postgresql.org/docs/current/app-psql.html (Meta-Commands: \\i, \\ir)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.helpers import ROLE
from tests.iam_eval import allowed


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write files under a fresh working directory: tree({"a.sql": "..."})."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    def write(files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return work
    return write


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def copy(location: str) -> str:
    return f"copy t from '{location}' iam_role '{ROLE}';\n"


def test_an_included_file_takes_the_scripts_values(tree) -> None:
    tree({"main.sql": copy("s3://{bucket}/a/") + "\\ir lib/b.sql\n",
          "lib/b.sql": copy("s3://{bucket}/b/")})
    result = invoke("policy", "main.sql", "--var", "bucket=bkt")
    assert (result.exit_code, result.stderr) == (0, "")
    policy = json.loads(result.stdout)
    assert policy["Statement"][0]["Resource"] == ["arn:aws:s3:::bkt/a/*", "arn:aws:s3:::bkt/b/*"]
    assert allowed([policy], "s3:GetObject", "arn:aws:s3:::bkt/b/x.csv")
    assert not allowed([policy], "s3:GetObject", "arn:aws:s3:::bkt/c/x.csv")
    assert not allowed([policy], "s3:GetObject", "arn:aws:s3:::{bucket}/b/x.csv")


def test_jinja_values_from_a_vars_file_reach_a_nested_include(tree) -> None:
    tree({"main.sql": "\\i lib/one.sql\n",
          "lib/one.sql": "\\ir two.sql\n",
          "lib/two.sql": copy("s3://{{ bucket }}/{{ prefix }}/"),
          "vars.yml": "bucket: bkt\n"})
    # --var prefix fills only the included file's placeholder: used, so no RW225
    result = invoke("policy", "main.sql", "--vars", "vars.yml", "--var", "prefix=p")
    assert (result.exit_code, result.stderr) == (0, "")
    policy = json.loads(result.stdout)
    assert policy["Statement"][0]["Resource"] == "arn:aws:s3:::bkt/p/*"
    assert allowed([policy], "s3:GetObject", "arn:aws:s3:::bkt/p/x")
    assert not allowed([policy], "s3:GetObject", "arn:aws:s3:::bkt/q/x")


def test_an_included_file_of_a_jinja_script_is_read_as_jinja(tree) -> None:
    # auto style: in a Jinja script {b} is literal text, so in the file it includes (a file
    # read alone would be a str.format template); as in any Jinja text, a literal that looks
    # like a placeholder is RI121, never filled from --var b
    tree({"main.sql": copy("s3://{{ bucket }}/a/") + "\\ir b.sql\n",
          "b.sql": copy("s3://bkt/{b}/")})
    result = invoke("policy", "main.sql", "--var", "bucket=bkt", "--var", "b=zz")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "b.sql:1:23: error RI121: placeholder '{b}' instead of a real value\n"
        f"    1 | copy t from 's3://bkt/{{b}}/' iam_role '{ROLE}';\n"
        "      |                       ^\n"
        "    hint: replace the placeholder with the real value (the CLI reads template "
        "placeholders: --var NAME=VALUE)\n"
        "redshift-iam: 1 problem(s); no document written\n")
    alone = invoke("policy", "b.sql", "--var", "b=zz")
    assert json.loads(alone.stdout)["Statement"][0]["Resource"] == "arn:aws:s3:::bkt/zz/*"


def test_an_unfilled_placeholder_is_located_in_the_included_file(tree) -> None:
    tree({"main.sql": "select 1;\n\\ir lib/b.sql\n",
          "lib/b.sql": "select 1;\n" + copy("s3://{{ bucket }}/b/")})
    result = invoke("policy", "main.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "lib/b.sql:2:19: unresolved RI145: variable bucket ({{ bucket }}) is unresolved in "
        "the S3 location of this COPY (s3://{{ bucket }}/b/): its grants are left out\n"
        f"    2 | copy t from 's3://{{{{ bucket }}}}/b/' iam_role '{ROLE}';\n"
        "      |                   ^\n"
        "    hint: pass --var bucket=VALUE\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_a_template_error_is_located_in_the_included_file(tree) -> None:
    tree({"main.sql": "\\ir lib/b.sql\n",
          "lib/b.sql": "select 1;\n" + copy("s3://{{ bucket | nope }}/b/")})
    result = invoke("policy", "main.sql", "--var", "bucket=bkt")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (  # and no RW225: the file's words count as used
        "lib/b.sql:2:19: error RI170: Jinja syntax error: No filter named 'nope'.\n"
        f"    2 | copy t from 's3://{{{{ bucket | nope }}}}/b/' iam_role '{ROLE}';\n"
        "      |                   ^\n"
        "    hint: fix the Jinja syntax at that line (see the jinja2 template designer docs)\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_an_include_outside_the_folders_is_refused_before_any_rendering(
        tree, tmp_path: Path) -> None:
    (tmp_path / "x.sql").write_text(copy("s3://{bucket}/x/"))
    work = tree({"main.sql": "\\ir ../x.sql\n"})
    result = invoke("policy", "main.sql", "--var", "bucket=bkt")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (  # never read, so its placeholder uses no --var
        "warning RW225: --var bucket fills no placeholder of the input; no placeholder has "
        "a name close to it\n"
        "    hint: check the name against the placeholders explain lists\n"
        f"main.sql:1:1: error RI107: cannot include ../x.sql: it resolves to "
        f"{tmp_path / 'x.sql'}, outside {work}\n"
        "    1 | \\ir ../x.sql\n"
        "      | ^\n"
        "    hint: keep included files inside the working directory or the top-level "
        "script's folder\n"
        "redshift-iam: 1 problem(s); no document written\n")

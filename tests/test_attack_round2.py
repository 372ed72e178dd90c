"""Attack round 2 on issue 15 (hostile repositories): each test is one finding that reproduces
on main, written as the behaviour the project promises, and marked xfail(strict=True) so the
suite stays green until the finding is fixed (then the marker must go)."""

from __future__ import annotations

import json

import pytest

from tests.rendering import ATTACK_ARGS as ARGS
from tests.rendering import R, reads
from tests.rendering import policy as policy_cli
from tests.rendering import scan as scan_cli

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"



def _every_rendering_or_exit_1(run, bucket: str, prefix: str) -> None:
    """The issue's standard: every rendering allowed, or exit 1."""
    if run.code == 1:
        return
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["principals"], "exit 0 and nothing granted"
    assert reads(run.policies(), bucket, prefix), run.stdout


# --- silent under-grants: scanned Python ----------------------------------------------------

REBINDS = {
    "globals() item": 'globals()["B"] = "prod-bkt"\n',
    "globals().update": 'globals().update(B="prod-bkt")\n',
    "vars() item": 'vars()["B"] = "prod-bkt"\n',
    "setattr on the module": 'import sys\nsetattr(sys.modules[__name__], "B", "prod-bkt")\n',
    "globals().__setitem__": 'globals().__setitem__("B", "prod-bkt")\n',
    "module attribute": 'import sys\nsys.modules[__name__].B = "prod-bkt"\n',
    "exec": 'exec("B = \'prod-bkt\'")\n',
    "inside a function": 'def g():\n    vars(sys.modules[__name__])["B"] = "prod-bkt"\n',
}


@pytest.mark.parametrize("rebind", REBINDS.values(), ids=REBINDS.keys())
def test_constant_rebound_through_namespace_dict(tmp_path, rebind):
    source = (f'B = "dev-bkt"\n{rebind}'
              f'def f(cur):\n    cur.execute(f"COPY t FROM \'s3://{{B}}/k/\' {R}")\n')
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS)
    line = 3 + rebind.count("\n")
    assert run.code == 1, run.stderr
    assert (f"src/m.py:{line}:37: unresolved RI145: variable B ({{B}}) is unresolved in the S3 "
            "location of this COPY (s3://{B}/k/): its grants are left out") in run.stderr


def test_sql_variable_replaced_in_a_branch(tmp_path):
    source = ("def f(cur, prod):\n"
              f"    sql = \"COPY t FROM 's3://dev-bkt/k/' {R}\"\n"
              "    if prod:\n"
              "        sql = sql.replace('dev-bkt', 'prod-bkt')\n"
              "    cur.execute(sql)\n")
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS, "--format", "json")
    assert run.code == 1, run.stdout
    assert json.loads(run.stdout)["skipped"] == [{
        "path": "src/m.py", "line": 2, "col": 11,
        "reason": "the SQL in sql is changed after it is written (line 4): the statement that "
                  "runs is not this literal; write the whole statement in one template so it "
                  "can be read"}]


REBOUND_SQL = {
    "+= in a loop": "    for o in opts:\n        sql += o\n",
    "sql = sql + name": "    sql = sql + opts\n",
    "join reassigned": "    sql = ' '.join([sql, opts])\n",
    ".format reassigned": "    sql = sql.format(b=opts)\n",
    "second literal": "    if opts:\n        sql = 'select 1'\n",
}


@pytest.mark.parametrize("change", REBOUND_SQL.values(), ids=REBOUND_SQL.keys())
def test_sql_variable_changed_after_it_is_written_is_skipped(tmp_path, change):
    source = (f"def f(cur, opts):\n    sql = \"COPY t FROM 's3://acme/k/' {R}\"\n{change}"
              "    cur.execute(sql)\n")
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS, "--format", "json")
    assert run.code == 1, run.stdout
    report = json.loads(run.stdout)
    line = 2 + change.count("\n")
    assert report["statements"] == []
    assert [(s["line"], s["reason"].split(":")[0]) for s in report["skipped"]] == [
        (2, f"the SQL in sql is changed after it is written (line {line})")]


APPENDED = {
    "+= literal MANIFEST under if": ("def f(cur, manifest):\n"
                                     f"    sql = \"COPY t FROM 's3://acme/m' {R} CSV\"\n"
                                     "    if manifest:\n        sql += ' MANIFEST'\n"
                                     "    cur.execute(sql)\n"),
    "constant + literal": (f"BASE = \"COPY t FROM 's3://acme/m' {R} CSV\"\n"
                           "def f(cur):\n    cur.execute(BASE + ' MANIFEST')\n"),
    "' '.join with a parameter": ("def f(cur, opts):\n"
                                  f"    cur.execute(' '.join("
                                  f"[\"COPY t FROM 's3://acme/m' {R} CSV\","
                                  " opts]))\n"),
    "sql = sql + f-string KMS_KEY_ID": (
        "def f(cur, key):\n"
        f"    sql = \"UNLOAD ('select 1') TO 's3://acme/u/' {R}\"\n"
        "    sql = sql + f\" KMS_KEY_ID '{key}' ENCRYPTED\"\n"
        "    cur.execute(sql)\n"),
}


@pytest.mark.parametrize("source", APPENDED.values(), ids=APPENDED.keys())
def test_options_appended_to_a_literal_are_not_ignored(tmp_path, source):
    """Text added to a found statement (MANIFEST, KMS_KEY_ID...) changes its grants: the
    statement is unresolved (RI148, or RI142 for a literal MANIFEST) or skipped, exit 1;
    never granted as the bare literal with exit 0."""
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS, "--format", "json")
    assert run.code == 1, run.stdout
    report = json.loads(run.stdout)
    codes = {entry["code"] for entry in report["unresolved"]}
    assert codes & {"RI148", "RI142"} or report["skipped"], report


# --- silent under-grants: Jinja state changed inside a block on an unknown value ------------

def _copy(key: str) -> str:
    return f"COPY t FROM 's3://acme/{key}' {R} CSV;"


MUTATIONS = {
    "list.append under if": ("{% set l = ['dev'] %}{% if x %}{% set _ = l.append('prod') %}"
                             "{% endif %}" + _copy("{{ l|last }}/k"), "prod/k"),
    "dict.update under if": ("{% set d = {'b': 'dev'} %}{% if x %}"
                             "{% set _ = d.update({'b': 'prod'}) %}{% endif %}"
                             + _copy("{{ d.b }}/k"), "prod/k"),
    "list.pop in a loop": ("{% set l = ['dev', 'prod'] %}{% for e in envs %}"
                           "{% set _ = l.pop() %}{% endfor %}" + _copy("{{ l|last }}/k"),
                           "dev/k"),
    "cycler.next in a loop": ("{% set c = cycler('dev', 'prod') %}{% for e in envs %}"
                              "{% set _ = c.next() %}{% endfor %}" + _copy("{{ c.current }}/k"),
                              "prod/k"),
    "joiner called in a loop": ("{% set j = joiner('x') %}{% for e in envs %}{% set _ = j() %}"
                                "{% endfor %}" + _copy("{{ j() }}k"), "xk"),
}


@pytest.mark.parametrize(("sql", "prefix"), MUTATIONS.values(), ids=MUTATIONS.keys())
def test_mutation_in_unknown_block_is_unknown_after(tmp_path, sql, prefix):
    run = policy_cli(tmp_path, "t.sql", sql, *ARGS)
    assert run.code == 1 or reads([json.loads(run.stdout)], "acme", prefix), run.stderr


# --- leaks: a template turns a secret-shaped value into an exception message -----------------

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TRANSFORMS = ("s[1:]", "s|lower", "s.replace('/', '_')", "s|list|join(' ')", "s[:20]",
              "s.split('/')", "s|list")


def _pieces(secret: str) -> set[str]:
    """Every 12-character run of the secret, also lower-cased: none may be printed."""
    runs = {secret[i:i + 12] for i in range(len(secret) - 11)}
    return runs | {run.lower() for run in runs}


@pytest.mark.parametrize("expr", TRANSFORMS)
def test_transformed_secret_not_in_template_error(tmp_path, expr):
    sql = _copy("{{ {}.pop(" + expr + ") }}/k")
    run = policy_cli(tmp_path, "t.sql", sql, *ARGS, "--var", f"s={SECRET}")
    assert run.code == 1
    printed = (run.stdout + run.stderr).replace(" ", "").replace("'", "").replace(",", "")
    assert not [piece for piece in _pieces(SECRET) if piece in printed], run.stderr


@pytest.mark.parametrize("name", ["aws_secret_access_key", "session_token", "master_symmetric_key"])
def test_secret_named_value_not_in_template_error(tmp_path, name):
    sql = _copy("{{ {}.pop(" + name + ") }}/k")
    run = policy_cli(tmp_path, "t.sql", sql, *ARGS, "--var", f"{name}=hunter2value")
    assert run.code == 1
    assert "hunter2value" not in run.stdout + run.stderr, run.stderr
    assert ("RI177: the template failed while rendering: KeyError (its message is not shown: "
            "it may hold a value, a secret's too)") in run.stderr


# --- silent under-grants: scan and psql includes ---------------------------------------------

INCLUDES = {
    "\\ir of a .psql file": {"main.sql": "\\ir copies.psql\n",
                            "copies.psql": f"COPY t FROM 's3://prod-bkt/k/' {R} CSV;\n"},
    "\\i of a .inc file": {"main.sql": "\\i copies.inc\n",
                          "copies.inc": f"COPY t FROM 's3://prod-bkt/k/' {R} CSV;\n"},
    "\\i of a missing file": {"main.sql": "\\i generated/copies.sql\n"},
}


@pytest.mark.parametrize("files", INCLUDES.values(), ids=INCLUDES.keys())
def test_scan_follows_psql_includes(tmp_path, files):
    """``policy main.sql`` reads the include (or fails with RI100); ``scan`` of the same
    folder must grant what the included COPY needs, or exit 1; never 'No COPY found', 0."""
    run = scan_cli(tmp_path, files, *ARGS)
    _every_rendering_or_exit_1(run, "prod-bkt", "k/")


# --- bombs: many placeholders ----------------------------------------------------------------

_CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from redshift_iam.cli.main import main
sys.argv = ["redshift-iam", "policy", sys.argv[2]]
main()
"""


def test_many_jinja_placeholders_stay_under_500_mb(tmp_path):
    """A 200 KB script of 40,000 ``{{a}}`` is refused before jinja2 compiles it (each
    expression costs ~15 KB there: 40,000 were ~580 MB): under an address-space cap of 500 MB
    it ends with exit 1 and RI173 naming the limit, not "it runs out of memory"."""
    import subprocess
    import sys

    script = tmp_path / "bomb.sql"
    script.write_text("{{a}}" * 40_000)
    cap = str(500 * 2**20)
    done = subprocess.run([sys.executable, "-c", _CAPPED, cap, str(script)],
                          capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stderr.splitlines()[0] == "bomb.sql:1:1: error RI173" + (
        ": the template does too much work: it holds more than "
        "10,000 Jinja expressions and tags ({{ }}, {% %}); no SQL script needs that many")


# RULES: a default the template states is used when no value is given (shell `${x:-d}` "uses
# d"), marked as a default. The attacker's point (the runtime value wins) is met by saying so
# aloud: RW228 names the placeholder and where the default is stated, never silently.
def _default_warning(name: str, text: str, at: str, origin: str) -> str:
    return (f"{at}: warning RW228: variable {name} ({text}) takes its default ({origin}): the "
            "grants are for that default, not for a value set where the script runs")


DEFAULTS = {
    "shell ${B:-dev}": ("COPY t FROM 's3://${B:-dev-bkt}/k/' " + R + " CSV;", "B", "${B:-dev-bkt}"),
    "shell ${B-dev}": ("COPY t FROM 's3://${B-dev-bkt}/k/' " + R + " CSV;", "B", "${B-dev-bkt}"),
    "dbt var('b', 'dev')": ("COPY t FROM 's3://{{ var('b', 'dev-bkt') }}/k/' " + R + " CSV;",
                            "b", "{{ var('b', 'dev-bkt') }}"),
    "dbt env_var('B', 'dev')": ("COPY t FROM 's3://{{ env_var('B', 'dev-bkt') }}/k/' " + R
                                + " CSV;", "B", "{{ env_var('B', 'dev-bkt') }}"),
}


@pytest.mark.parametrize(("sql", "name", "text"), DEFAULTS.values(), ids=DEFAULTS.keys())
def test_a_default_granted_alone_is_said_aloud(tmp_path, sql, name, text):
    """Granted for the default (exit 0, the default's bucket only), with RW228 and its hint."""
    run = policy_cli(tmp_path, "t.sql", sql, *ARGS)
    assert run.code == 0, run.stderr
    assert reads([json.loads(run.stdout)], "dev-bkt", "k/")
    assert not reads([json.loads(run.stdout)], "prod-bkt", "k/")
    assert run.stderr.splitlines()[0] == _default_warning(name, text, "t.sql:1:19",
                                                          "default in template")
    assert f"    hint: pass --var {name}=VALUE to grant the value it runs with" in run.stderr


def test_scan_shell_default_is_said_aloud(tmp_path):
    files = {"load.sh": f"psql -c \"COPY t FROM 's3://${{B:-dev-bkt}}/k/' {R} CSV;\"\n"}
    run = scan_cli(tmp_path, files, *ARGS)
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines()[0] == _default_warning(
        "B", "${B:-dev-bkt}", "src/load.sh:1:28", "default in template")


def test_a_given_value_wins_over_the_default_and_is_not_warned(tmp_path):
    run = policy_cli(tmp_path, "t.sql", DEFAULTS["shell ${B:-dev}"][0], *ARGS, "--var",
                     "B=prod-bkt")
    assert (run.code, "RW228" in run.stderr) == (0, False), run.stderr
    assert reads([json.loads(run.stdout)], "prod-bkt", "k/")


# --- silent wrong policies: psql variables set where the tool does not look -------------------

_PSQL_COPY = f"COPY t FROM :'src' {R} CSV;\n"
PSQL = {
    "\\gset on its own line": ("\\set src s3://acme/dev/\nselect 's3://acme/prod/' as src\n"
                               "\\gset\n" + _PSQL_COPY, {}),
    "\\set in an \\ir include": ("\\set src s3://acme/dev/\n\\ir inc.sql\n" + _PSQL_COPY,
                                 {"inc.sql": "\\set src s3://acme/prod/\n"}),
    "\\set in an \\ir include under \\if": (
        "\\set src s3://acme/dev/\n\\if :c\n\\ir inc.sql\n\\endif\n" + _PSQL_COPY,
        {"inc.sql": "\\set src s3://acme/prod/\n"}),
}


# (was: a psql variable set by \gset or inside an included file kept its earlier value)
@pytest.mark.parametrize(("sql", "others"), PSQL.values(), ids=PSQL.keys())
def test_psql_variable_set_elsewhere(tmp_path, sql, others):
    for name, text in others.items():
        (tmp_path / name).write_text(text)
    run = policy_cli(tmp_path, "t.sql", sql, *ARGS)
    assert (run.code, run.stdout) == (1, "")
    why = ("the \\if at line 2 leaves it a different value" if "\\if" in sql else
           ("\\gset" if "gset" in sql else "\\ir") + " at line ")
    assert ("warning RW223: psql variable :'src' has no known value here: " + why
            ) in run.stderr
    assert "unresolved RI145: variable src (:'src') is unresolved" in run.stderr


# --- bombs: files an {% include %} reads -------------------------------------------------------

# (was: {% include %} under --template-path read a file of any size: 100 MB of NULs, 65 s,
# 2.5 GB; and binary files)
@pytest.mark.parametrize("content, error", [
    ("a" * 4096, "error RI100: {% include 'big.sql' %} is not read: 4096 bytes, over the limit "
                 "of 1 KiB per file (--max-file-size)"),
    ("\0" * 4096, "error RI100: {% include 'big.sql' %} is not read: 4096 bytes, over the limit "
                  "of 1 KiB per file (--max-file-size)"),
    ("\0" * 100, "error RI105: {% include 'big.sql' %} is a binary file (it holds a NUL byte)"),
    ("\xe9t\xe9", "error RI105: {% include 'big.sql' %} is not UTF-8 text"),
], ids=["text", "binary-large", "binary", "latin-1"])
def test_include_honours_the_file_size_cap(tmp_path, content, error):
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "big.sql").write_bytes(content.encode("latin-1"))
    sql = _copy("{% include 'big.sql' %}/k")
    run = policy_cli(tmp_path, "t.sql", sql, *ARGS, "--template-path", "macros",
                     "--max-file-size", "1KiB")
    assert run.code == 1
    assert error in run.stderr, run.stderr


# --- escapes: the --out-dir folder itself is a link ------------------------------------------

def test_out_dir_that_is_a_link_outside_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "iam").symlink_to(outside)
    run = policy_cli(repo, "t.sql", _copy("k/"), *ARGS)  # writes the script
    assert run.code == 0
    import contextlib

    from click.testing import CliRunner

    from redshift_iam.cli.main import main
    with contextlib.chdir(repo):
        result = CliRunner().invoke(main, ["generate", "t.sql", "--out-dir", "iam", *ARGS])
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ("redshift-iam: iam is a symbolic link: give the folder it points "
                             "to, so nothing is written or read outside the folder named\n")
    assert list(outside.iterdir()) == []


def test_scan_code_default_is_said_aloud(tmp_path):
    files = {"m.py": "import os\nB = os.environ.get('B', 'dev-bkt')\n"
                     f"q = f\"COPY t FROM 's3://{{B}}/k/' {R} CSV\"\n"}
    run = scan_cli(tmp_path, files, *ARGS)
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines()[0] == _default_warning(
        "B", "{B}", "src/m.py:3:25", "src/m.py:2 default of os.environ.get('B')")


def test_a_default_used_twice_in_a_statement_is_said_once(tmp_path):
    sql = "COPY t FROM 's3://${B:-dev-bkt}/${B:-dev-bkt}/' " + R + " CSV;"
    run = policy_cli(tmp_path, "t.sql", sql, *ARGS)
    assert run.code == 0, run.stderr
    assert [line for line in run.stderr.splitlines() if "RW228" in line] == [
        _default_warning("B", "${B:-dev-bkt}", "t.sql:1:19", "default in template")]

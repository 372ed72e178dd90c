"""psql meta-commands and the values they leave (RULES "Every rendering, or unresolved"):
``\\if``/``\\elif``/``\\else``/``\\endif`` are decided when psql runs, so a variable ``\\set``
in a branch keeps a value only when every branch that may run gives it the same one; a
backquoted command in ``\\set`` is no known text; a condition psql can read now decides."""

from __future__ import annotations

import json

import pytest

from redshift_iam.core.placeholders import sentinel
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import Value, template
from redshift_iam.inputs.templating.psqlvars import psql_bool
from tests.rendering import R, policy, reads

S = sentinel
USE = "COPY t FROM :'b' x;\n"


def run(sql: str, values: dict[str, str] | None = None):
    given = {name: Value(text, text, f"--var {name}") for name, text in (values or {}).items()}
    return template(Source("t.sql", sql), given, "psql")


def value_of_b(sql: str, values: dict[str, str] | None = None) -> tuple[str | None, str]:
    placeholder = run(sql + USE, values).placeholders[-1]
    return placeholder.value, placeholder.origin


BRANCHES = [
    # the example: set differently in each branch
    ("\\if :prod\n\\set b p\n\\else\n\\set b d\n\\endif\n", {}, (None, "")),
    # set in one branch only: without it, b is unset (or the --var)
    ("\\if :prod\n\\set b p\n\\endif\n", {}, (None, "")),
    ("\\if :prod\n\\set b p\n\\endif\n", {"b": "p"}, ("'p'", "\\set at line 2")),
    ("\\if :prod\n\\set b p\n\\endif\n", {"b": "d"}, (None, "")),
    # elif
    ("\\if :a\n\\set b x\n\\elif :c\n\\set b y\n\\else\n\\set b x\n\\endif\n", {}, (None, "")),
    # the same in every branch: known
    ("\\if :a\n\\set b x\n\\elif :c\n\\set b x\n\\else\n\\set b x\n\\endif\n", {},
     ("'x'", "\\set at line 2")),
    # a condition psql reads now decides
    ("\\if :prod\n\\set b p\n\\else\n\\set b d\n\\endif\n", {"prod": "on"},
     ("'p'", "\\set at line 2")),
    ("\\if :prod\n\\set b p\n\\else\n\\set b d\n\\endif\n", {"prod": "f"},
     ("'d'", "\\set at line 4")),
    ("\\if false\n\\set b p\n\\elif 1\n\\set b q\n\\else\n\\set b d\n\\endif\n", {},
     ("'q'", "\\set at line 4")),
    # a set before the block, overridden in one branch
    ("\\set b d\n\\if :x\n\\set b p\n\\endif\n", {}, (None, "")),
    # nested: the inner block is inside a branch that does not run
    ("\\set b d\n\\if false\n\\if true\n\\set b p\n\\endif\n\\endif\n", {},
     ("'d'", "\\set at line 1")),
    # nested, both unknown
    ("\\if :x\n\\if :y\n\\set b p\n\\else\n\\set b q\n\\endif\n\\else\n\\set b p\n\\endif\n", {},
     (None, "")),
]


@pytest.mark.parametrize(("script", "values", "expected"), BRANCHES)
def test_a_variable_set_in_branches(script, values, expected):
    assert value_of_b(script, values) == expected


BACKQUOTES = [
    "\\set b `date +%F`\n",  # the example
    "\\set b 's3://acme/' `date +%F` '/'\n",
    "\\set d `hostname`\n\\set b 's3://acme/' :d '/'\n",  # through another variable
    "\\unset b\n",
    "\\prompt 'bucket? ' b\n",
]


@pytest.mark.parametrize("script", BACKQUOTES)
def test_a_value_psql_computes_is_unknown_even_over_a_var(script):
    assert value_of_b(script, {"b": "given", "d": "given"}) == (None, "")


def test_set_words_join_quote_and_interpolate():
    script = ("\\set k 'it''s'\n\\set b 's3://' :bucket '/' :k/x arn:aws:iam::1:role/r "
              "\"q r\"\n")
    assert value_of_b(script, {"bucket": "acme"}) == (
        "'s3://acme/it''s/xarn:aws:iam::1:role/r\"q r\"'", "\\set at line 2")


def test_rw223_says_why_and_rw220_still_warns_a_late_set():
    result = run(":'a'\n\\set a x\n\\if :c\n\\set b p\n\\endif\n\\set d `date`\n"
                 ":'b' :'b' :'d'\n")
    assert [(w.code, w.message, str(w.location), w.hint) for w in result.warnings] == [
        ("RW220", "psql variable :'a' is used before \\set at line 2; psql does not expand "
         "it there", "t.sql:1:1", "move \\set a above line 1, or pass --var a=VALUE"),
        ("RW223", "psql variable :'b' has no known value here: the \\if at line 3 leaves it a "
         "different value, or none, in its branches (psql chooses the branch when it runs)",
         "t.sql:7:1", "give the \\if a condition with a known value, or \\set b the same in "
         "every branch"),
        ("RW223", "psql variable :'d' has no known value here: \\set at line 6 runs the shell "
         "command `date`, whose output is not known", "t.sql:7:11",
         "\\set d to a literal value, or pass the value with --var and drop the \\set")]


@pytest.mark.parametrize(("text", "expected"), [
    ("t", True), ("TRUE", True), ("y", True), ("on", True), ("1", True), ("f", False),
    ("no", False), ("of", False), ("OFF", False), ("0", False), ("o", None), ("", None),
    ("2", None), ("tru e", None), ("yess", None)])
def test_psql_booleans(text, expected):
    assert psql_bool(text) is expected


def test_if_branches_policy(tmp_path):
    """A key \\set differently per branch grants every branch's value; a bucket is RI145."""
    script = ("\\if :prod\n\\set part prod\n\\else\n\\set part dev\n\\endif\n"
              "\\set src 's3://acme/' :part '/'\n"
              f"COPY t FROM :'src' {R};\n")
    run_ = policy(tmp_path, "load.sql", script)
    assert (run_.code, run_.stdout) == (1, "")
    lines = run_.stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if "RW223" in line)  # after RI145 at 7:13
    assert lines[at:at + 2] == [
        "load.sql:7:13: warning RW223: psql variable :'src' has no known value here: \\set at "
        "line 6 uses :part, which has no known value (the \\if at line 1 leaves it a different "
        "value, or none, in its branches (psql chooses the branch when it runs))",
        "    hint: \\set src to a literal value, or pass the value with --var and drop the "
        "\\set"]
    assert "unresolved RI145: variable src (:'src') is unresolved in the S3 location" in \
        run_.stderr
    decided = policy(tmp_path, "load.sql", script, "--var", "prod=true")
    assert (decided.code, decided.stderr) == (0, "")
    assert reads([json.loads(decided.stdout)], "acme", "prod/")
    assert not reads([json.loads(decided.stdout)], "acme", "dev/")


def test_every_branchs_include_is_still_read(tmp_path):
    (tmp_path / "a.sql").write_text(f"COPY a FROM 's3://acme/a/' {R};\n")
    (tmp_path / "b.sql").write_text(f"COPY b FROM 's3://acme/b/' {R};\n")
    run_ = policy(tmp_path, "main.sql", "\\if :x\n\\i a.sql\n\\else\n\\i b.sql\n\\endif\n")
    assert (run_.code, run_.stderr) == (0, "")
    assert reads([json.loads(run_.stdout)], "acme", "a/")
    assert reads([json.loads(run_.stdout)], "acme", "b/")

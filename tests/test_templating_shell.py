"""Shell and Terraform forms: what the shell or Terraform computes when it runs is a
placeholder, never literal text (RULES "Every rendering, or unresolved"): command
substitution ``$(...)`` (nested, quoted), backticks, arithmetic ``$((...))``, positional and
special parameters ``$1``, ``$@``...; Terraform ``%{ if }`` / ``%{ for }`` directives make the
text they guard unknown. SQL's own ``$$`` bodies and ``$1`` in them are untouched."""

from __future__ import annotations

import pytest

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.placeholders import sentinel
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import Value, template
from tests.rendering import R, reads
from tests.rendering import scan as scan_cli

S = sentinel


def run(sql: str, style: str, values: dict[str, str] | None = None):
    given = {name: Value(text, text, f"--var {name}") for name, text in (values or {}).items()}
    return template(Source("t.sql", sql), given, style)


def names(result) -> list[tuple[str, str]]:
    return [(p.name, p.text) for p in result.placeholders]


SHELL = [  # (placeholder as written, its name)
    ("$(date +%F)", "$(date +%F)"),
    ("$(date -d \"$(cat f)\" '+%F')", "$(date -d \"$(cat f)\" '+%F')"),  # nested and quoted
    ("`hostname`", "`hostname`"),
    ("$((n+1))", "$((n+1))"),
    ("$1", "$1"), ("${1}", "$1"), ("${10}", "$10"),
    ("$@", "$@"), ("$*", "$*"), ("$#", "$#"), ("$?", "$?"), ("$$", "$$"), ("$!", "$!"),
    ("${X:-$(date +%F)}", "X"),  # a default that is itself computed: no known default
    ("data_$DAY", "DAY"),  # the shell expands $DAY after a word character too
]


@pytest.mark.parametrize(("written", "name"), SHELL, ids=[s[0] for s in SHELL])
def test_each_shell_form_is_a_placeholder(written, name):
    result = run(f"COPY t FROM 's3://acme/k/{written}/' {R}", "shell")
    prefix = "data_" if written.startswith("data_") else ""
    assert result.text == f"COPY t FROM 's3://acme/k/{prefix}{S(0)}/' {R}"
    assert names(result) == [(name, written[len(prefix):])]


def test_a_command_whose_quotes_cross_the_sql_string_keeps_the_string_open():
    result = run(f"COPY t FROM 's3://acme/$(date '+%F')/k' {R} DELIMITER '|'", "shell")
    assert result.text == f"COPY t FROM 's3://acme/{S(0)}/k' {R} DELIMITER '|'"


def test_auto_reads_command_substitution_but_not_sql_parameters():
    sql = ("COPY t FROM 's3://acme/$(date +%F)/' " + R + ";\n"
           "CREATE FUNCTION f(int) RETURNS int AS $$ select $1 + $2 $$ LANGUAGE sql;\n"
           "PREPARE p (int) AS SELECT * FROM t WHERE c = $1;\n"
           "CREATE FUNCTION g(int) RETURNS int AS $body$ select `x`, $(y) $body$ LANGUAGE sql;")
    result = run(sql, "auto")
    assert names(result) == [("$(date +%F)", "$(date +%F)")]
    assert result.text == sql.replace("$(date +%F)", S(0))


def test_shell_style_keeps_dollar_bodies_and_comments():
    sql = ("-- $(not read)\nCREATE FUNCTION f() RETURNS int AS $$ select $1, `x` $$ "
           "LANGUAGE sql;\nCOPY t FROM '$1' " + R)
    assert names(run(sql, "shell")) == [("$1", "$1")]


def test_an_unclosed_command_is_left_as_text_and_bounded():
    assert run("COPY t FROM 's3://acme/$(date/' x", "shell") is None
    with pytest.raises(InputError) as caught:
        run("'" + "$(" * 150_000 + "'", "shell")
    assert caught.value.diagnostic.code == "RI177"
    assert caught.value.diagnostic.message == (
        "the template opens brackets ({, $(, %{, `) that do not close; reading it would take "
        "too long")


def test_heredoc_policy_allows_every_rendering(tmp_path):
    """The issue's forms in a .sh heredoc: each is * in the key, never literal text."""
    script = ("#!/bin/sh\npsql <<EOF\n"
              "COPY t FROM 's3://acme/k/$(date +%F)/`hostname`/$((n+1))/$1/' " + R + ";\n"
              "EOF\n")
    run_ = scan_cli(tmp_path, {"load.sh": script})
    policies = run_.policies()
    for key in ("k/2026-01-02/host-a/3/x/", "k/a/b/c/d/"):
        assert reads(policies, "acme", key)
    assert not reads(policies, "acme", "k/$(date +%F)/x/")  # not the literal: four segments
    assert not reads(policies, "acme", "other/")
    assert [line for line in run_.stderr.splitlines() if "RW221" in line] == [
        f"src/load.sh:3:{col}: warning RW221: {text} is unresolved in the S3 key "
        "s3://acme/k/$(date +%F)/`hostname`/$((n+1))/$1/: granted as acme/k/*/*/*/*/ (any "
        "text in its place)" for col, text in ((26, "$(date +%F)"), (38, "`hostname`"),
                                              (49, "$((n+1))"), (58, "$1"))]


# --- Terraform -----------------------------------------------------------------------------

def test_a_terraform_if_is_one_placeholder_with_its_branches():
    sql = ("COPY t FROM 's3://acme/k/' " + R + " %{ if var.gzip }GZIP%{ else }BZIP2%{ endif } "
           "%{~ if var.m ~}  MANIFEST  %{~ endif ~}  CSV")
    result = run(sql, "terraform")
    assert result.text == f"COPY t FROM 's3://acme/k/' {R} {S(0)}{S(1)}CSV"
    assert names(result) == [("%{ if var.gzip }", "%{ if var.gzip }"),
                             ("%{~ if var.m ~}", "%{~ if var.m ~}")]
    assert result.branches == {0: ("GZIP", "BZIP2"), 1: ("MANIFEST", "")}


def test_terraform_for_nested_blocks_escapes_and_expressions():
    sql = ("UNLOAD ('q') TO 's3://acme/%{ for p in var.parts }${p}/%{ endfor }' "
           "%{ if a }%{ if b }x%{ endif }%{ endif } '$${x}' '%%{y}' '${var.n-1}' "
           "'${jsonencode({a = 1})}' '$X'")
    result = run(sql, "terraform")
    assert result.text == (f"UNLOAD ('q') TO 's3://acme/{S(0)}' {S(1)} '${{x}}' '%{{y}}' "
                           f"'{S(2)}' '{S(3)}' '$X'")
    assert names(result) == [
        ("%{ for p in var.parts }", "%{ for p in var.parts }"), ("%{ if a }", "%{ if a }"),
        ("var.n-1", "${var.n-1}"), ("jsonencode({a = 1})", "${jsonencode({a = 1})}")]
    assert result.branches == {}  # a for, and an if holding another directive


def test_a_stray_or_unclosed_directive_is_left_as_text():
    assert run("COPY t FROM 's3://a/' x %{ if a }GZIP", "terraform") is None
    assert run("COPY t FROM 's3://a/' x %{ endif }", "terraform") is None


def _tf(options: str) -> str:
    return ('resource "x" "y" {\n  sql = <<EOT\n'
            f"COPY t FROM 's3://acme/k/' {R} {options};\nEOT\n}}\n")


def test_terraform_directive_among_options_by_scan(tmp_path):
    """The issue's example: an if around MANIFEST changes the grants: unresolved (RI148);
    one around options that grant the same is read once per branch and changes nothing."""
    run_ = scan_cli(tmp_path, {"main.tf": _tf("%{ if enc }MANIFEST%{ endif }")})
    assert (run_.code, run_.stdout) == (1, "")
    assert run_.stderr == (
        "src/main.tf:3:74: unresolved RI148: %{ if enc } is unresolved in the options of this "
        "COPY: the option set is unknown: it may add MANIFEST, SSH, SHAPEFILE, a JSON/AVRO "
        "JSONPaths file, REGION or the authorization\n"
        f"    3 | COPY t FROM 's3://acme/k/' {R} %{{ if enc }}MANIFEST%{{ endif }};\n"
        f"      | {' ' * 73}^\n"
        "    hint: write the text it stands for into the SQL: %{ if enc } is a directive, "
        "which no --var can fill\n"
        "redshift-iam: 1 problem(s); no document written (--allow-unresolved writes what is "
        "known)\n")
    same = scan_cli(tmp_path, {"main.tf": _tf("%{ if gz }GZIP%{ else }BZIP2%{ endif } CSV")})
    assert reads(same.policies(), "acme", "k/") and same.stderr == ""
    loop = scan_cli(tmp_path, {"main.tf": _tf("%{ for o in opts }${o} %{ endfor }")})
    assert loop.code == 1 and "RI148: %{ for o in opts } is unresolved" in loop.stderr


def test_terraform_key_directive_and_expression_by_scan(tmp_path):
    source = ('locals {\n  sql = "COPY t FROM \'s3://acme/${var.env}/%{ if var.eu }eu/%{ endif }'
              f"k/' {R};\"\n}}\n")
    policies = scan_cli(tmp_path, {"main.tf": source}).policies()
    for key in ("prod/eu/k/", "dev/k/", "dev/x/k/"):
        assert reads(policies, "acme", key)
    assert not reads(policies, "acme", "dev/")


def test_scala_kotlin_javascript_interpolation_is_an_expression_not_a_shell_default():
    """``${n-1}`` in Scala or JavaScript subtracts: no shell default "1" (it was read as one);
    Groovy's ``$a.b`` is a property path."""
    result = run("COPY t FROM 's3://acme/${n-1}/$cfg.part/${f(x)}/k' x", "dollar")
    assert names(result) == [("n-1", "${n-1}"), ("cfg.part", "$cfg.part"),
                             ("f(x)", "${f(x)}")]
    assert run("COPY t FROM 's3://acme/${n-1}/'", "dollar", {"n": "5"}).placeholders[0].value \
        is None

"""Names a user can type: a placeholder spans balanced brackets and quotes; any character
str.format allows in a name; every printed name fills by --var verbatim, subscripts as dotted
paths; a positional slot by its address; a value named like a dbt helper wins; a --var no
placeholder uses is RW225 naming the closest name. Exact messages, exit codes and grants."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import parse_var, template
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/R"
R = f"IAM_ROLE '{ROLE}'"


def invoke(*args: str, stdin: str) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def names(sql: str) -> list[tuple[str, str]]:
    result = template(Source("t.sql", sql))
    assert result is not None
    return [(p.name, p.text) for p in result.placeholders]


@pytest.mark.parametrize(("sql", "expected"), [
    ("COPY t FROM 's3://{s3-internal}{key}' IAM_ROLE 'x'",
     [("s3-internal", "{s3-internal}"), ("key", "{key}")]),
    ("""UNLOAD ('x') TO 's3://b/{sql.replace("'", "''")}/' IAM_ROLE 'x'""",
     [("""sql.replace("'", "''")""", """{sql.replace("'", "''")}""")]),
    ("""COPY t ({",".join(cols)}) FROM 's3://b/k' IAM_ROLE 'x'""",
     [('",".join(cols)', '{",".join(cols)}')]),
    ("COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id={credentials['aws_access_key_id']}"
     ";aws_secret_access_key={credentials['secret']}'",
     [("credentials.aws_access_key_id", "{credentials['aws_access_key_id']}"),
      ("credentials.secret", "{credentials['secret']}")]),
    ("COPY t FROM 's3://b/{config['S3']['LOG_DATA']}' IAM_ROLE 'x'",
     [("config.S3.LOG_DATA", "{config['S3']['LOG_DATA']}")]),
    ("COPY t FROM 's3://b/#{ENV['AWS_BUCKET']}/' IAM_ROLE 'x'",
     [("ENV.AWS_BUCKET", "#{ENV['AWS_BUCKET']}")]),
    ("COPY t FROM 's3://<aws-account-id-1>/k' IAM_ROLE 'x'",
     [("aws-account-id-1", "<aws-account-id-1>")]),
])
def test_a_placeholder_spans_its_brackets_and_quotes(sql, expected):
    assert names(sql) == expected


@pytest.mark.parametrize("sql", [
    """UNLOAD ('select json_parse(''{"a": 1}'')') TO 's3://b/k' IAM_ROLE 'x'""",  # JSON
    "UNLOAD ('select regexp_substr(x, ''[0-9]{2,4}'')') TO 's3://b/k' IAM_ROLE 'x'",
    "UNLOAD ('select ''{a,b}''') TO 's3://b/k' IAM_ROLE 'x'",  # an array literal
    "UNLOAD ('select ''{x: ''''y''''}''') TO 's3://b/k' IAM_ROLE 'x'",
])
def test_braces_that_are_no_field_stay_text(sql):
    assert template(Source("t.sql", sql)) is None


def test_every_printed_name_fills_its_placeholder_and_the_grant_is_exact():
    sql = (f"COPY t FROM 's3://{{s3-internal}}/{{config['S3']['LOG_DATA']}}/' {R};\n"
           f"""UNLOAD ('x') TO 's3://out/{{sql.replace("'", "''")}}/' {R};\n"""
           f"COPY t FROM %s {R};\n")
    result = invoke("policy", "--var", "s3-internal=acme-in",
                    "--var", "config.S3.LOG_DATA=logs",
                    "--var", """sql.replace("'", "''")=daily""",
                    "--var", "%s#1@<stdin>:3='s3://acme-pos/k'", stdin=sql)
    assert (result.exit_code, result.stderr) == (0, "")
    policy = [json.loads(result.stdout)]
    assert allowed(policy, "s3:GetObject", "arn:aws:s3:::acme-in/logs/2024.json")
    assert allowed(policy, "s3:PutObject", "arn:aws:s3:::out/daily/0000_part_00")
    assert allowed(policy, "s3:GetObject", "arn:aws:s3:::acme-pos/k1")
    assert not allowed(policy, "s3:GetObject", "arn:aws:s3:::acme-in/other/x")
    assert not allowed(policy, "s3:PutObject", "arn:aws:s3:::out/weekly/0000_part_00")


def test_the_subscript_spelling_fills_the_dotted_name_too():
    sql = f"COPY t FROM 's3://bk1/{{config['S3']['LOG_DATA']}}/' {R};"
    result = invoke("policy", "--var", "config['S3']['LOG_DATA']=logs", stdin=sql)
    assert (result.exit_code, result.stderr) == (0, "")
    assert allowed([json.loads(result.stdout)], "s3:GetObject", "arn:aws:s3:::bk1/logs/a")


def test_an_unresolved_expression_prints_a_shell_quoted_hint():
    sql = f"""UNLOAD ('x') TO 's3://out/{{sql.replace("'", "''")}}/' {R};"""
    result = invoke("policy", stdin=sql)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        """<stdin>:1:27: warning RW221: {sql.replace("'", "''")} is unresolved in the S3 key """
        """s3://out/{sql.replace("'", "''")}/: granted as out/*/ (any text in its place)""")
    assert result.stderr.splitlines()[-1] == (
        """    hint: pass --var 'sql.replace("'"'"'", "'"'"''"'"'")=VALUE' to grant one prefix""")


def test_a_positional_slot_hint_names_its_address():
    result = invoke("policy", stdin=f"COPY t FROM %s {R};")
    assert result.exit_code == 1
    assert result.stderr == (
        "<stdin>:1:13: unresolved RI145: %s #1 of <stdin>:1 is unresolved in the S3 location "
        "of this COPY: its grants are left out\n"
        f"    1 | COPY t FROM %s {R};\n"
        "      |             ^\n"
        "    hint: pass --var '%s#1@<stdin>:1=VALUE'\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_a_value_named_like_a_dbt_helper_wins():
    values = dict(parse_var(spec) for spec in (
        "config.bucket=acme", "target=prod", "var=v", "ref=r", "b=bk", "is_incremental=1"))
    sql = "s3://{{ config.bucket }}/{{ target }}/{{ var }}/{{ ref }}"
    assert template(Source("t.sql", sql), values).text == "s3://acme/prod/v/r"
    # var() stays the reader when no scalar named var is given
    del values["var"]
    sql = "{{ var('b') }}{% if is_incremental() %}/inc{% endif %}"
    assert template(Source("t.sql", sql), values).text == "bk/inc"


def test_a_var_no_placeholder_uses_is_a_warning_naming_the_closest():
    sql = f"COPY t FROM 's3://{{bucket}}/k/' {R};"
    result = invoke("policy", "--var", "bucket=acme", "--var", "bukcet=x", "--var", "zz=1",
                    stdin=sql)
    assert result.exit_code == 0
    assert result.stderr == (
        "warning RW225: --var bukcet fills no placeholder of the input; the closest "
        "placeholder name is bucket\n"
        "    hint: did you mean --var bucket=VALUE?\n"
        "warning RW225: --var zz fills no placeholder of the input; no placeholder has a "
        "name close to it\n"
        "    hint: check the name against the placeholders explain lists\n")


@pytest.mark.parametrize(("sql", "var"), [
    ("COPY t FROM 's3://{{ cfg.bucket }}/k/' " + R, "cfg.bucket=acme"),
    ("COPY t FROM 's3://{{ cfg.bucket }}/k/' " + R, "cfg=x"),  # a path above
    ("COPY t FROM 's3://acme/k/' {% if full %}MANIFEST{% endif %} " + R, "full="),
    ("\\set b acme\n\\if :prod\n\\endif\nCOPY t FROM 's3://:b/k/' " + R, "prod=on"),
])
def test_a_var_a_template_reads_is_no_warning(sql, var):
    result = invoke("spec", "--var", var, stdin=sql)
    assert "RW225" not in result.stderr

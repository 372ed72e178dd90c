"""Values are text: ``--var NAME=VALUE`` splices exactly the text after the first ``=``
(quotes, leading spaces, ``yes``, dates as typed); ``--vars`` INI files (``.ini``, ``.cfg``)
name ``SECTION.KEY``; the policies they give, judged by the IAM evaluator."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/R"
SCRIPT = (f"COPY t FROM {{src}}\nIAM_ROLE '{ROLE}'\nDELIMITER '{{d}}' {{gz}}\n"
          "TIMEFORMAT '{ds}' ACCEPTANYDATE;\n"
          f"UNLOAD ('select 1') TO 's3://out/{{ds}}/' IAM_ROLE '{ROLE}';\n")
TEXT_VARS = ("--var", "src='s3://bkt/k'", "--var", "gz= GZIP", "--var", "d=yes",
             "--var", "ds=2020-01-02")


def invoke(*args: str, stdin: str = SCRIPT) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def test_var_values_arrive_exactly_as_typed() -> None:
    result = invoke("explain", *TEXT_VARS)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:6] == [
        "<stdin>:1  COPY s3  t <- s3://bkt/k",
        "  placeholders:",
        "    src  <stdin>:1:13  = \"'s3://bkt/k'\"  (--var src)",
        "    d    <stdin>:3:12  = \"yes\"  (--var d)",
        "    gz   <stdin>:3:17  = \" GZIP\"  (--var gz)",
        "    ds   <stdin>:4:13  = \"2020-01-02\"  (--var ds)",
    ]


def test_the_policy_of_text_values_allows_exactly_their_places() -> None:
    result = invoke("policy", *TEXT_VARS)
    assert (result.exit_code, result.stderr) == (0, "")
    policy = [json.loads(result.stdout)]
    assert allowed(policy, "s3:GetObject", "arn:aws:s3:::bkt/k/part-0.gz")
    assert allowed(policy, "s3:PutObject", "arn:aws:s3:::out/2020-01-02/0000_part_00")
    assert not allowed(policy, "s3:GetObject", "arn:aws:s3:::bkt/other")
    assert not allowed(policy, "s3:PutObject", "arn:aws:s3:::out/2020-01-03/0000_part_00")
    assert not allowed(policy, "s3:PutObject", "arn:aws:s3:::bkt/k/x")


def test_quotes_a_value_brings_are_sql_quotes() -> None:
    # the value's own quotes make the string literal; unquoted, the location is not SQL
    result = invoke("policy", "--var", "src=s3://bkt/k", *TEXT_VARS[2:])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "<stdin>:1:13: error RI110: expected the data source (a quoted string), found "
        "'s3' (the text comes from placeholder {src} at <stdin>:1:13, value from --var src)")


def test_an_ini_values_file_names_section_dot_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("dwh.cfg").write_text(
        "[S3]\nLOG_DATA = 's3://udacity-dend/log_data'\n\n[IAM_ROLE]\n"
        f"ARN = '{ROLE}'\n")
    sql = "COPY staging_events FROM {S3.LOG_DATA} IAM_ROLE {IAM_ROLE.ARN} FORMAT AS JSON 'auto';\n"
    result = invoke("explain", "--vars", "dwh.cfg", stdin=sql)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:4] == [
        "<stdin>:1  COPY s3  staging_events <- s3://udacity-dend/log_data",
        "  placeholders:",
        "    S3.LOG_DATA   <stdin>:1:26  = \"'s3://udacity-dend/log_data'\"  (dwh.cfg:2)",
        f"    IAM_ROLE.ARN  <stdin>:1:49  = \"'{ROLE}'\"  (dwh.cfg:5)",
    ]
    policy = [json.loads(invoke("policy", "--vars", "dwh.cfg",
                                stdin=sql).stdout)]
    assert allowed(policy, "s3:GetObject", "arn:aws:s3:::udacity-dend/log_data/2018/11/a.json")
    assert not allowed(policy, "s3:GetObject", "arn:aws:s3:::udacity-dend/song_data/a.json")

"""A statement found by ``scan`` in each host language gets exactly the policy documents of the
same SQL in a .sql file (``generate``), and it is located where its first word stands in the
host file."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/etl"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
COPY = f"COPY sales FROM 's3://acme-raw/sales/2026/' IAM_ROLE '{ROLE}' FORMAT AS PARQUET;"


class Case:
    """A host file holding one statement, the --var values it needs, the SQL it issues and
    the host position of that statement's first word."""

    def __init__(self, name: str, text: str, sql: str, where: str, *args: str) -> None:
        self.name, self.text, self.sql, self.where, self.args = name, text, sql, where, args


CASES = [
    Case("literal.py", f'X = 1\nSQL = """\n    {COPY}\n"""\n', COPY, "literal.py:3:5"),
    Case("airflow_jinja.py", "load = SQLExecuteQueryOperator(\n    task_id='load',\n    sql=\"\"\""
         "COPY sales FROM 's3://{{ params.bucket }}/sales/2026/'\n"
         "        IAM_ROLE '{{ var.value.loader_role }}' FORMAT AS PARQUET;\"\"\",\n)\n", COPY,
         "airflow_jinja.py:3:12", "--var", "params.bucket=acme-raw",
         "--var", f"var.value.loader_role={ROLE}"),
    Case("fstring.py", f'BUCKET = "acme-raw"\nROLE = "{ROLE}"\nSQL = f"COPY sales FROM '
         "'s3://{BUCKET}/sales/2026/' IAM_ROLE '{ROLE}' FORMAT AS PARQUET;\"\n", COPY,
         "fstring.py:3:9"),
    Case("format.py", "def sql(src, role):\n    return (\"COPY sales FROM '{}' \"\n"
         "            \"IAM_ROLE '{}' FORMAT AS PARQUET;\").format(src, role)\n", COPY,
         "format.py:2:14", "--var", "src=s3://acme-raw/sales/2026/", "--var", f"role={ROLE}"),
    Case("percent.py", f'ROLE = "{ROLE}"\n\n\ndef sql(bucket):\n    return "COPY sales FROM '
         "'s3://%s/sales/2026/' IAM_ROLE '%s' FORMAT AS PARQUET;\" % (bucket, ROLE)\n", COPY,
         "percent.py:5:13", "--var", "bucket=acme-raw"),
    Case("dag.py", "t = S3ToRedshiftOperator(\n    task_id='t', schema='public', table='sales',"
         "\n    s3_bucket='acme-raw', s3_key='sales/2026', copy_options=['FORMAT AS PARQUET'],"
         "\n    aws_conn_id='loader')\n",
         f"COPY public.sales FROM 's3://acme-raw/sales/2026' CREDENTIALS 'aws_iam_role={ROLE}'"
         " FORMAT AS PARQUET;", "dag.py:1:5", "--var", f"aws_conn.loader=aws_iam_role={ROLE}"),
    Case("export.py", "t = RedshiftToS3Operator(\n    task_id='t', s3_bucket='acme-out', "
         "s3_key='exports', schema='public',\n    table='sales', unload_options=['PARQUET', "
         "'CLEANPATH'], aws_conn_id='unloader')\n",
         "UNLOAD ($$SELECT * FROM public.sales$$) TO 's3://acme-out/exports/sales_' CREDENTIALS "
         f"'aws_iam_role={ROLE}' PARQUET CLEANPATH;", "export.py:1:5",
         "--var", f"aws_conn.unloader=aws_iam_role={ROLE}"),
    Case("wrangler.py", "import awswrangler as wr\n\nwr.redshift.unload_to_files(\n"
         "    sql='SELECT * FROM sales', path='s3://acme-out/sales/', con=con,\n"
         f"    iam_role='{ROLE}', kms_key_id='{KEY}', cleanpath=True)\n",
         f"UNLOAD ('SELECT * FROM sales') TO 's3://acme-out/sales/' IAM_ROLE '{ROLE}' CLEANPATH "
         f"PARALLEL ON FORMAT PARQUET ENCRYPTED KMS_KEY_ID '{KEY}';", "wrangler.py:3:1"),
    Case("Load.scala", 'object Load {\n  val sql = s"""\n    |UNLOAD (\'select 1\')\n'
         "    |TO 's3://${bucket}/daily/'\n"
         f"    |IAM_ROLE '{ROLE}' CLEANPATH\"\"\".stripMargin\n}}\n",
         f"UNLOAD ('select 1') TO 's3://acme-out/daily/' IAM_ROLE '{ROLE}' CLEANPATH;",
         "Load.scala:3:6", "--var", "bucket=acme-out"),
    Case("Lib.java", f'class Lib {{ String sql = "CREATE LIBRARY f LANGUAGE plpythonu FROM '
         f"'s3://acme-lib/f.zip' IAM_ROLE '{ROLE}';\"; }}\n",
         f"CREATE LIBRARY f LANGUAGE plpythonu FROM 's3://acme-lib/f.zip' IAM_ROLE '{ROLE}';",
         "Lib.java:1:27"),
    Case("loader.rb", "def sql(bucket)\n  <<~SQL\n    COPY sales\n    FROM "
         "'s3://#{bucket}/sales/2026/'\n" f"    IAM_ROLE '{ROLE}' FORMAT AS PARQUET;\n  SQL\nend\n",
         COPY, "loader.rb:3:5", "--var", "bucket=acme-raw"),
    Case("load.go", f"package load\n\nconst q = `{COPY}`\n", COPY, "load.go:3:12"),
    Case("load.sh", "#!/bin/sh\npsql <<EOF\n"
         f"COPY sales FROM 's3://${{BUCKET}}/sales/2026/' IAM_ROLE '{ROLE}' FORMAT AS PARQUET;\n"
         "EOF\n", COPY, "load.sh:3:1", "--var", "BUCKET=acme-raw"),
    Case("etl.sql", f"-- nightly\nSELECT 1;\n\n  {COPY}\n", COPY, "etl.sql:4:3"),
    Case("dbt/macros/unload.sql", "{% macro unload_sales() %}\n  UNLOAD ('select 1')\n"
         "  TO 's3://{{ var(\"bucket\") }}/daily/'\n"
         f"  IAM_ROLE '{ROLE}' CLEANPATH;\n{{% endmacro %}}\n",
         f"UNLOAD ('select 1') TO 's3://acme-out/daily/' IAM_ROLE '{ROLE}' CLEANPATH;",
         "dbt/macros/unload.sql:2:3", "--var", "bucket=acme-out"),
]


def _run(cwd: Path, *args: str):
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _documents(stdout: str) -> list[tuple[str, list, dict | None]]:
    return [(p["principal"], p["policies"], p["trust"])
            for p in json.loads(stdout)["principals"]]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_found_statement_grants_equal_those_of_the_same_sql(tmp_path, case):
    host = tmp_path / "src" / case.name
    host.parent.mkdir(parents=True)
    host.write_text(case.text)
    (tmp_path / "same.sql").write_text(case.sql + "\n")
    report = _run(tmp_path, "scan", "src", "--format", "json", *case.args)
    assert report.exit_code == 0, report.output
    assert [s["location"] for s in json.loads(report.stdout)["statements"]] == [
        f"src/{case.where}"]
    scanned = _run(tmp_path, "scan", "src", "--format", "bundle", *case.args)
    generated = _run(tmp_path, "generate", "same.sql")
    assert (scanned.exit_code, generated.exit_code) == (0, 0), scanned.output
    documents = _documents(scanned.stdout)
    assert documents == _documents(generated.stdout)
    assert documents and all(policies for _, policies, _ in documents)


def test_the_documents_allow_what_the_found_statements_need_and_no_more(tmp_path):
    """One tree with every case: the scanned role may read, write and decrypt exactly there."""
    for case in CASES:
        host = tmp_path / "src" / case.name
        host.parent.mkdir(parents=True, exist_ok=True)
        host.write_text(case.text)
    args = [arg for case in CASES for arg in case.args]
    scanned = _run(tmp_path, "scan", "src", "--format", "bundle", *args)
    assert scanned.exit_code == 0, scanned.output
    [(principal, policies, _)] = _documents(scanned.stdout)
    assert principal == ROLE
    for action, resource in (("s3:GetObject", "arn:aws:s3:::acme-raw/sales/2026/x.parquet"),
                             ("s3:DeleteObject", "arn:aws:s3:::acme-out/daily/0001_part_00"),
                             ("s3:PutObject", "arn:aws:s3:::acme-out/exports/sales_0000"),
                             ("s3:GetObject", "arn:aws:s3:::acme-lib/f.zip"),
                             ("kms:GenerateDataKey", KEY)):
        assert allowed(policies, action, resource), (action, resource)
    for action, resource in (("s3:GetObject", "arn:aws:s3:::acme-raw/other/x"),
                             ("s3:PutObject", "arn:aws:s3:::acme-raw/sales/2026/x"),
                             ("s3:DeleteObject", "arn:aws:s3:::acme-lib/f.zip"),
                             ("s3:GetObject", "arn:aws:s3:::acme-lib/f.zip.bak")):
        assert not allowed(policies, action, resource), (action, resource)

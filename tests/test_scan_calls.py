"""Calls that build SQL from arguments (Airflow transfers, awswrangler): the exact statement text
they issue, placeholders for non-literal arguments and for credentials taken from outside."""

from __future__ import annotations

import textwrap

from redshift_iam.inputs.scanning import Skipped, scan


def _scan(tmp_path, source):
    path = tmp_path / "calls.py"
    path.write_text(textwrap.dedent(source).lstrip())
    result = scan([str(path)])
    return [(f.text, f.style, str(f.location(0))) for f in result.fragments], result.skipped


def test_awswrangler_copy_from_files_and_copy(tmp_path):
    found, skipped = _scan(tmp_path, '''
        import awswrangler as wr
        wr.redshift.copy_from_files(
            path="s3://acme/in/", con=con, table="t", schema="public",
            iam_role="arn:aws:iam::123456789012:role/load",
            data_format="csv", manifest=True, sql_copy_extra_params=["TIMEFORMAT 'auto'"])
        wr.redshift.copy(df, "s3://acme/stage*", con, "t", "public")
        wr.redshift.copy_from_files(PATH, con, "t", "s", data_format=FMT, serialize_to_json=J,
                                    boto3_session=session)
    ''')
    at = f"{tmp_path}/calls.py"
    assert found == [
        ("COPY \"public\".\"t\" \nFROM 's3://acme/in/' "
         "IAM_ROLE 'arn:aws:iam::123456789012:role/load'\n\nFORMAT AS CSV\nMANIFEST\n"
         "TIMEFORMAT 'auto'", "fstring", f"{at}:2:1"),
        ("COPY \"public\".\"t\" \nFROM 's3://acme/stage/' {boto3_session.default}\n\n"
         "FORMAT AS PARQUET", "fstring", f"{at}:6:1"),
        ("COPY \"s\".\"t\" \nFROM '{PATH}' {boto3_session.session}\n\nFORMAT AS {FMT}\n{J}",
         "fstring", f"{at}:7:1"),
    ]
    assert skipped == []


def test_awswrangler_unload_and_unload_to_files(tmp_path):
    found, _ = _scan(tmp_path, '''
        wr.redshift.unload(sql="SELECT * FROM t WHERE d = 'x'", path="s3://acme/out", con=con,
                           iam_role=ROLE, kms_key_id="alias/k", region="eu-west-1")
        wr.redshift.unload_to_files("SELECT 1", PATH, con, aws_access_key_id=KEY,
                                    aws_secret_access_key=SECRET, unload_format="CSV",
                                    partition_cols=["a", "b"], manifest=True, cleanpath=True,
                                    parallel=False, max_file_size=100)
    ''')
    assert [text for text, _, _ in found] == [
        "UNLOAD ('SELECT * FROM t WHERE d = ''x''')\nTO 's3://acme/out/'\nIAM_ROLE '{ROLE}'\n"
        "ALLOWOVERWRITE\n\nPARALLEL ON\nFORMAT PARQUET\nENCRYPTED\nKMS_KEY_ID 'alias/k'\n"
        "REGION AS 'eu-west-1';",
        "UNLOAD ('SELECT 1')\nTO '{PATH}'\nACCESS_KEY_ID '{KEY}'\nSECRET_ACCESS_KEY '{SECRET}'\n"
        "CLEANPATH\n\nPARALLEL OFF\nFORMAT CSV\nENCRYPTED\nPARTITION BY (a,b)\n"
        "MAXFILESIZE AS 100 MB\nmanifest;",
    ]


def test_airflow_transfers_keys_header_connection_and_missing_arguments(tmp_path):
    found, skipped = _scan(tmp_path, '''
        RedshiftToS3Operator(task_id="x", s3_bucket="b", s3_key="k/{{ ds }}",
                             select_query="SELECT 1", table=TABLE, table_as_file_name=FLAG,
                             include_header=True, aws_conn_id=None)
        RedshiftToS3Operator(task_id="y", s3_bucket="b", s3_key="k")
        S3ToRedshiftOperator(task_id="z", table="t", s3_bucket="b", s3_key="k", method="UPSERT",
                             column_list=["a", "b"], copy_options=OPTIONS, aws_conn_id=CONN)
        S3ToRedshiftOperator(task_id="w", s3_bucket="b", s3_key="k")
    ''')
    at = f"{tmp_path}/calls.py"
    assert found == [
        ("UNLOAD ($$SELECT 1$$)\nTO 's3://b/k/{ds}{FLAG}'\ncredentials\n'{aws_conn.None}'\n"
         "HEADER;", "fstring", f"{at}:1:1"),
        ("COPY #t (a, b)\nFROM 's3://b/k'\ncredentials\n'{aws_conn.CONN}'\n{OPTIONS};",
         "fstring", f"{at}:5:1"),
    ]
    assert skipped == [
        Skipped(at, 4, 1, "RedshiftToS3Operator without select_query= or table=: the UNLOAD "
                "cannot be derived"),
        Skipped(at, 7, 1, "S3ToRedshiftOperator without table=: the COPY cannot be derived"),
    ]


def test_literal_values_keep_their_host_positions(tmp_path):
    path = tmp_path / "dag.py"
    path.write_text('op = S3ToRedshiftOperator(\n    table="t", s3_bucket="acme-{raw}",\n'
                    '    s3_key="a\\tb")\n')
    (fragment,) = scan([str(path)]).fragments
    assert fragment.text.startswith("COPY t\nFROM 's3://acme-{{raw}}/a\tb'")
    where = {char: str(fragment.location(fragment.text.index(char))) for char in "{\tm"}
    assert where == {"{": f"{path}:2:32", "\t": f"{path}:3:14", "m": f"{path}:2:29"}


def test_f_string_arguments_are_templates_and_quotes_are_doubled_in_unload(tmp_path):
    path = tmp_path / "u.py"
    path.write_text('wr.redshift.unload(\n    sql=f"SELECT * FROM {t} WHERE s = \'a\'",\n'
                    '    path=f"{p}out", con=con, iam_role="arn:aws:iam::123456789012:role/u")\n')
    (fragment,) = scan([str(path)]).fragments
    assert fragment.text.startswith(
        "UNLOAD ('SELECT * FROM {t} WHERE s = ''a''')\nTO '{p}out'\n"
        "IAM_ROLE 'arn:aws:iam::123456789012:role/u'\nALLOWOVERWRITE")
    where = [str(fragment.location(fragment.text.index(part))) for part in ("{t}", "''a", "{p}")]
    assert where == [f"{path}:2:25", f"{path}:2:39", f"{path}:3:12"]

"""Literal SQL: every data-format keyword the COPY reference allows after FORMAT AS
(DELIMITER included), and a "did you mean" for a misspelt option."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

R = "IAM_ROLE 'arn:aws:iam::123456789012:role/R'"


def run(sql: str):
    return CliRunner().invoke(main, ["policy"], input=sql)


@pytest.mark.parametrize("options", [
    "FORMAT AS DELIMITER AS ','", "FORMAT DELIMITER '|'", "FORMAT AS DELIMITER '\\t' GZIP",
])
def test_format_as_delimiter_reads_as_delimiter(options):
    result = run(f"COPY t FROM 's3://bkt/k' {R} {options};")
    assert (result.exit_code, result.stderr) == (0, "")
    policy = [json.loads(result.stdout)]
    assert allowed(policy, "s3:GetObject", "arn:aws:s3:::bkt/k/part-0")
    assert not allowed(policy, "s3:GetObject", "arn:aws:s3:::bkt/other")


def test_format_as_delimiter_is_still_one_delimiter():
    result = run(f"COPY t FROM 's3://bkt/k' {R} FORMAT AS DELIMITER ',' DELIMITER '|';")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "<stdin>:1:94: error RI112: DELIMITER is given twice"


def test_unload_has_no_format_as_delimiter():
    result = run(f"UNLOAD ('x') TO 's3://bkt/k' {R} FORMAT AS DELIMITER ',';")
    assert result.stderr.splitlines()[0] == (
        "<stdin>:1:84: error RI110: expected a data format (AVRO, CSV, FIXEDWIDTH, JSON, ORC, "
        "PARQUET, SHAPEFILE) after FORMAT")


@pytest.mark.parametrize(("command", "word", "said"), [
    ("UNLOAD", "PARALELL", " (did you mean PARALLEL?)"),
    ("UNLOAD", "ENCRYPTD", " (did you mean ENCRYPTED?)"),
    ("COPY", "MANIFST", " (did you mean MANIFEST?)"),
    ("COPY", "DELIMTER ','", " (did you mean DELIMITER?)"),
    ("COPY", "BOGUS", ""),
])
def test_a_misspelt_option_names_the_closest(command, word, said):
    sql = (f"UNLOAD ('x') TO 's3://bkt/k' {R} {word};" if command == "UNLOAD"
           else f"COPY t FROM 's3://bkt/k' {R} {word};")
    result = run(sql)
    assert result.exit_code == 1
    shown = word.split()[0]
    assert result.stderr.splitlines()[0].split(": ", 1)[1] == (
        f"error RI111: unknown {command} option '{shown}'{said}")

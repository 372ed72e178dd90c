"""The command line on templated scripts, end to end: exact exit codes, stdout and stderr for
values from --var and --vars, unresolved placeholders with and without --allow-unresolved,
--template-style, and the template errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

ROLE = "arn:aws:iam::123456789012:role/Etl"
R = f"IAM_ROLE '{ROLE}'"
SCRIPT = (f"COPY t FROM 's3://{{bucket}}/in/{{ds}}/' {R};\n"
          f"UNLOAD ('select 1') TO 's3://acme-out/u/' {R};\n")
UNLOAD_ONLY = [
    {"Sid": "S3GetObjectPutObject", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "arn:aws:s3:::acme-out/u/*"},
    {"Sid": "S3ListBucketAcmeOut", "Effect": "Allow", "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::acme-out", "Condition": {"StringLike": {"s3:prefix": "u/*"}}},
]
BUCKET_UNRESOLVED = (
    "<stdin>:1:19: unresolved RI145: variable bucket ({bucket}) is unresolved in the S3 "
    "location of this COPY (s3://{bucket}/in/{ds}/): its grants are left out\n"
    f"    1 | COPY t FROM 's3://{{bucket}}/in/{{ds}}/' {R};\n"
    "      |                   ^\n"
    "    hint: pass --var bucket=VALUE\n")


def invoke(*args: str, stdin: str = SCRIPT) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def statements(result: Result) -> list[dict]:
    return json.loads(result.stdout)["Statement"]


def test_an_unresolved_bucket_fails_naming_the_var() -> None:
    result = invoke("policy")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", BUCKET_UNRESOLVED + "redshift-iam: 1 problem(s); no document written\n")


def test_allow_unresolved_leaves_the_location_out() -> None:
    result = invoke("policy", "--allow-unresolved")
    assert (result.exit_code, result.stderr) == (0, BUCKET_UNRESOLVED)
    assert statements(result) == UNLOAD_ONLY


def test_a_key_placeholder_is_a_wildcard_with_a_warning() -> None:
    result = invoke("policy", "--var", "bucket=acme")
    assert result.exit_code == 0
    assert result.stderr == (
        "<stdin>:1:31: warning RW221: variable ds ({ds}) is unresolved in the S3 key "
        "s3://acme/in/{ds}/: granted as acme/in/*/ (any text in its place)\n"
        f"    1 | COPY t FROM 's3://{{bucket}}/in/{{ds}}/' {R};\n"
        "      |                               ^\n"
        "    hint: pass --var ds=VALUE to grant one prefix\n")
    assert statements(result) == [
        {"Sid": "S3GetObject", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::acme/in/*/*"},
        UNLOAD_ONLY[0],
        {"Sid": "S3ListBucketAcme", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::acme", "Condition": {"StringLike": {"s3:prefix": "in/*/*"}}},
        UNLOAD_ONLY[1],
    ]


def test_var_and_vars_files_fill_it_and_var_wins(tmp_path: Path) -> None:
    values = tmp_path / "v.yaml"
    values.write_text("bucket: other\nds: '2024-01-01'\n")
    result = invoke("policy", "--vars", str(values), "--var", "bucket=acme")
    assert (result.exit_code, result.stderr) == (0, "")
    assert [s["Resource"] for s in statements(result)] == [
        "arn:aws:s3:::acme/in/2024-01-01/*", "arn:aws:s3:::acme-out/u/*", "arn:aws:s3:::acme",
        "arn:aws:s3:::acme-out"]
    assert statements(result)[2]["Condition"] == {"StringLike": {"s3:prefix": "in/2024-01-01/*"}}


def test_a_bad_value_shows_the_placeholder_and_the_values_file(tmp_path: Path) -> None:
    values = tmp_path / "v.env"
    values.write_text("ds=x\nbucket=Bad_Bucket\n")
    result = invoke("policy", "--vars", str(values))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "<stdin>:1:19: error RI120: 'Bad_Bucket' is not a valid S3 bucket name (the text comes "
        f"from placeholder {{bucket}} at <stdin>:1:19, value from {values}:2)\n"
        f"    1 | COPY t FROM 's3://{{bucket}}/in/{{ds}}/' {R};\n"
        "      |                   ^\n"
        "    hint: write the location as s3://bucket/key with a valid bucket name\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_a_malformed_var_is_a_usage_error() -> None:
    result = invoke("policy", "--var", "bucket")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "Error: Invalid value for '--var': --var 'bucket' is not NAME=VALUE; write --var "
        "NAME=VALUE, e.g. --var bucket=acme-raw or --var cfg.bucket=acme\n")


def test_an_unreadable_vars_file_is_an_input_error() -> None:
    result = invoke("policy", "--vars", "missing.yaml", "--var", "bucket=acme", "--var", "ds=x")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", (
        "missing.yaml:1:1: error RI175: cannot read missing.yaml: No such file or directory\n"
        "    hint: give a readable UTF-8 .json, .yaml, .yml, .env, .ini or .cfg file\n"
        "redshift-iam: 1 problem(s); no document written\n"))


def test_style_none_grants_the_braces_as_written() -> None:
    result = invoke("policy", "--template-style", "none",
                    stdin=f"COPY t FROM 's3://acme/{{x}}/' {R}")
    assert (result.exit_code, result.stderr) == (0, "")
    assert [s["Resource"] for s in statements(result)] == [
        "arn:aws:s3:::acme/{x}/*", "arn:aws:s3:::acme"]


def test_one_style_leaves_the_other_forms_literal() -> None:
    result = invoke("policy", "--template-style", "shell", "--var", "B=acme",
                    stdin=f"COPY t FROM 's3://$B/{{x}}/' {R}")
    assert (result.exit_code, result.stderr) == (0, "")
    assert statements(result)[0]["Resource"] == "arn:aws:s3:::acme/{x}/*"


def test_json_errors_and_the_option_slot() -> None:
    result = invoke("policy", "--error-format", "json",
                    stdin=f"UNLOAD ('x') TO 's3://acme/u/' {R} {{{{ opts }}}}")
    assert (result.exit_code, result.stdout) == (1, "")
    assert [json.loads(line) for line in result.stderr.splitlines()] == [
        {"code": "RI148", "severity": "unresolved",
         "message": "variable opts ({{ opts }}) is unresolved in the options of this UNLOAD: "
                    "the option set is unknown: it may add CLEANPATH, ENCRYPTED, KMS_KEY_ID, "
                    "ENCRYPTED AUTO, REGION or the authorization",
         "location": "<stdin>:1:78", "hint": "pass --var opts=VALUE"},
        {"code": None, "severity": "error", "message": "1 problem(s); no document written",
         "location": None, "hint": None}]


def test_an_option_list_value_changes_the_policy() -> None:
    sql = f"UNLOAD ('x') TO 's3://acme/u/' {R} {{{{ opts }}}}"
    result = invoke("policy", "--var", "opts=CLEANPATH", stdin=sql)
    assert (result.exit_code, result.stderr) == (0, "")
    assert statements(result)[0] == {
        "Sid": "S3DeleteObjectGetObjectPutObject", "Effect": "Allow",
        "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        "Resource": "arn:aws:s3:::acme/u/*"}


def test_psql_set_late_warns() -> None:
    sql = f"COPY t FROM :'src' {R};\n\\set src s3://acme/k/\n"
    result = invoke("policy", "--allow-unresolved", stdin=sql)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("<stdin>:1:13: unresolved RI145: variable src (:'src') is "
                               "unresolved")
    assert lines[4] == (  # at the same place, by code: after RI145's snippet and hint
        "<stdin>:1:13: warning RW220: psql variable :'src' is used before \\set at line 2; "
        "psql does not expand it there")


def test_a_sandbox_escape_is_refused() -> None:
    result = invoke("policy", stdin="COPY t FROM '{{ ''.__class__.__mro__ }}' IAM_ROLE default")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("<stdin>:1:")
    assert " error RI171: " in result.stderr

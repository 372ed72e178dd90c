"""One check for every S3 key that enters (issue 8, item 7), and hints that carry the exact
value to pass (item 16, derive side)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from redshift_iam.core.aws_names import key_warnings
from redshift_iam.core.settings import KmsTarget, Settings
from tests.helpers import ROLE, run

R = f"IAM_ROLE '{ROLE}'"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
COPY = f"copy t from 's3://man-bkt/load.manifest' {R} manifest;\n"
STAR = "IAM treats * and ? as wildcards; the grant also matches other keys"
SPACE = "a key with leading or trailing white space is usually a typo"


def invoke(tmp_path: Path, *args: str):
    (tmp_path / "s.sql").write_text(COPY)
    return CliRunner().invoke(main, ["generate", str(tmp_path / "s.sql"), *args])


def with_manifest(tmp_path: Path, text: str):
    (tmp_path / "m.json").write_text(text)
    return invoke(tmp_path, "--manifest", f"s3://man-bkt/load.manifest={tmp_path / 'm.json'}")


def sql_warning(key: str) -> str:
    """The message the SQL reader gives for the same key."""
    [found] = run(f"copy t from 's3://b-1/{key}' {R}").script.diagnostics
    return found.message


@pytest.mark.parametrize("url, code, hint, key", [
    ("s3://data-bkt/p/part-*", "RW206", STAR, "p/part-*"),
    ("s3://data-bkt/p/part-?.gz", "RW206", STAR, "p/part-?.gz"),
    ("s3://data-bkt/p/part-1 ", "RW207", SPACE, "p/part-1 "),
    ("s3://data-bkt/ p/part-1", "RW207", SPACE, " p/part-1"),
])
def test_manifest_entry_keys_warn_as_sql_keys_do(tmp_path, url, code, hint, key) -> None:
    text = '{\n  "entries": [\n    {"url": "s3://data-bkt/p/a"},\n    {"url": ' + \
        json.dumps(url) + ', "mandatory": true}\n  ]\n}\n'
    result = with_manifest(tmp_path, text)
    assert result.exit_code == 0
    message = sql_warning(key)
    assert result.stderr == (
        f"{tmp_path / 'm.json'}:4:14: warning {code}: {message}\n"
        f"    4 |     {{\"url\": {json.dumps(url)}, \"mandatory\": true}}\n"
        f"      |              ^\n"
        f"    hint: {hint}\n")
    warnings = json.loads(result.stdout)["warnings"]
    assert warnings == [{"code": code, "severity": "warning", "message": message,
                         "location": f"{tmp_path / 'm.json'}:4:14", "hint": hint}]


def test_each_entry_is_located_at_its_own_url(tmp_path) -> None:
    """Repeated URLs, a URL that prefixes another, and JSON escapes (\\/) in the file."""
    text = ('{"entries": [\n{"url": "s3://data-bkt/a*x"},\n{"url": "s3://data-bkt/a*"},\n'
            '{"url": "s3://data-bkt/a*"},\n{"meta": {}, "url": "s3:\\/\\/data-bkt\\/b?"}]}')
    result = with_manifest(tmp_path, text)
    where = [line.split(": warning")[0].rsplit(":", 2)[1:] for line in result.stderr.splitlines()
             if ": warning " in line]
    assert where == [["2", "10"], ["3", "10"], ["4", "10"], ["5", "22"]]


def test_a_bad_entry_points_at_its_url_not_at_the_same_text_elsewhere(tmp_path) -> None:
    text = '{"entries": [\n{"url": "s3://ok-bkt/a"},\n{"url": "s3://ok-bkt/b", "meta": ' \
           '{"was": "s3://Bad/a"}},\n{"url": "s3://Bad/a"}]}'
    result = with_manifest(tmp_path, text)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path / 'm.json'}:4:10: error RI150: entry 3: 'Bad' "
                                    "is not a valid S3 bucket name")


@pytest.mark.parametrize("flag, value, key", [
    ("--kms-key", f"s3://man-bkt/m*={KEY}", "m*"),
    ("--kms-key", f"s3://man-bkt/ m/={KEY}", " m/"),
    ("--manifest", "s3://man-bkt/load.manifest?={m}", "load.manifest?"),
])
def test_flag_keys_warn_as_sql_keys_do(tmp_path, flag, value, key) -> None:
    (tmp_path / "m.json").write_text('{"entries": [{"url": "s3://data-bkt/p/a"}]}')
    result = invoke(tmp_path, flag, value.format(m=tmp_path / "m.json"), "--allow-unresolved")
    assert result.exit_code == 0
    [code] = [c for c, _, _ in key_warnings(key)]
    uri = value.rsplit("=", 1)[0]
    lines = result.stderr.splitlines()
    assert lines[:4] == [f"{flag}:1:1: warning {code}: {sql_warning(key)}", f"    1 | {uri}",
                         "      | ^", f"    hint: {STAR if code == 'RW206' else SPACE}"]


def test_plain_keys_warn_nowhere(tmp_path) -> None:
    (tmp_path / "m.json").write_text('{"entries": [{"url": "s3://data-bkt/p/a-b_c.d=1"}]}')
    result = invoke(tmp_path, "--manifest", f"s3://man-bkt/load.manifest={tmp_path / 'm.json'}",
                    "--kms-key", f"s3://man-bkt/d/={KEY}")
    assert (result.exit_code, result.stderr) == (0, "")


# item 16: RI140-RI144 hints carry the exact value


@pytest.mark.parametrize("sql, settings, code, hint", [
    ("copy t from 's3://acme/orders.manifest' iam_role default manifest", Settings(), "RI142",
     "pass --manifest s3://acme/orders.manifest=FILE (a local copy of the manifest)"),
    (f"unload ('x') to 's3://bkt/u/' {R} kms_key_id 'alias/etl' encrypted", Settings(), "RI143",
     "pass --kms-key alias/etl=KEY_ARN"),
    (f"unload ('x') to 's3://bkt/u/' {R} kms_key_id "
     "'arn:aws:kms:eu-west-1:222222222222:alias/etl' encrypted", Settings(), "RI143",
     "pass --kms-key arn:aws:kms:eu-west-1:222222222222:alias/etl=KEY_ARN"),
    (f"unload ('x') to 's3://acme-out/u/' {R} encrypted auto", Settings(), "RI144",
     "pass --kms-key s3://acme-out=KEY_ARN (the bucket's default key)"),
    ("copy t from 'dynamodb://Movies' iam_role 'arn:aws:iam::0123456789012:role/Doc' "
     "readratio 5", Settings(region="us-east-1"), "RI140",
     "pass --account-id ACCOUNT (the 12-digit account of arn:aws:iam::0123456789012:role/Doc)"),
    ("copy t from 'emr://j-ABC/x' access_key_id 'AKIAIOSFODNN7EXAMPLE' secret_access_key 's'",
     Settings(region="us-east-1"), "RI140",
     "pass --account-id ACCOUNT (the 12-digit account of the IAM user of access key "
     "AKIAIOSFODNN7EXAMPLE)"),
    (f"copy t from 'dynamodb://Movies' {R} readratio 5", Settings(), "RI141",
     "pass --region REGION (the cluster's Region) or add REGION 'REGION' to this COPY"),
    (f"unload ('x') to 's3://bkt/u/' {R} kms_key_id '1234abcd-12ab-34cd-56ef-1234567890ab' "
     "encrypted", Settings(), "RI141",
     "pass --region REGION (the cluster's Region) or add REGION 'REGION' to this UNLOAD"),
    (f"create library f language plpythonu from 's3://bkt/f.zip' {R}",
     Settings(kms_targets=(KmsTarget("bkt", "", "1234abcd-12ab-34cd-56ef-1234567890ab"),)), "RI141",
     "pass --region REGION (the cluster's Region) or add REGION 'REGION' to this CREATE "
     "LIBRARY"),
    # COPY from EMR may not carry REGION (RI114), so the hint names --region alone
    (f"copy t from 'emr://j-ABC/x' {R}", Settings(account_id="111111111111"), "RI141",
     "pass --region REGION (the cluster's Region)"),
], ids=["RI142", "RI143", "RI143-arn", "RI144", "RI140-role", "RI140-keys", "RI141-copy",
        "RI141-unload", "RI141-library", "RI141-emr"])
def test_unresolved_hints_carry_the_exact_value(sql, settings, code, hint) -> None:
    found = [(d.code, d.hint) for d in run(sql, settings).diagnostics if d.code.startswith("RI")]
    assert found == [(code, hint)]

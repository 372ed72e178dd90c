"""The CLI contract: stdout holds only the document, exit codes 0/1/2, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main

ROLE = "arn:aws:iam::123456789012:role/Etl"
COPY = f"copy t from 's3://bkt/d/' iam_role '{ROLE}';\n"


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


@pytest.fixture
def script(tmp_path: Path):
    def write(text: str, name: str = "s.sql") -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


def test_policy_prints_only_the_document(script) -> None:
    result = invoke("policy", script(COPY))
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["Statement"][0] == {
        "Sid": "S3GetObject", "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::bkt/d/*"}


def test_policy_reads_stdin_and_dash() -> None:
    for args in (["policy"], ["policy", "-"]):
        result = invoke(*args, stdin=COPY)
        assert result.exit_code == 0 and json.loads(result.stdout)["Version"] == "2012-10-17"


def test_same_input_same_bytes(script) -> None:
    path = script(COPY + "unload ('x') to 's3://out/u/' iam_role default;")
    assert invoke("generate", path).stdout == invoke("generate", path).stdout


def test_several_principals_need_role(script) -> None:
    path = script(COPY + "copy u from 's3://bkt/e/' iam_role default;")
    result = invoke("policy", path)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("redshift-iam: the input uses several principals; pick one with "
                             f"--role: default, {ROLE}\n")
    picked = invoke("policy", path, "--role", "default")
    assert json.loads(picked.stdout)["Statement"][0]["Resource"] == "arn:aws:s3:::bkt/e/*"
    missing = invoke("policy", path, "--role", "user")
    assert missing.exit_code == 1
    assert missing.stderr == ("redshift-iam: --role user matches no principal of the input "
                              f"(default, {ROLE})\n")


def test_role_user_picks_the_key_owner(script) -> None:
    path = script("copy t from 's3://bkt/d/' access_key_id 'AKIAONE000000EXAMPLE' "
                  "secret_access_key 'x';")
    for role in ("user", "user:AKIAONE000000EXAMPLE"):
        result = invoke("policy", path, "--role", role)
        assert result.exit_code == 0, result.stderr
    trust = invoke("trust", path)
    assert (trust.exit_code, trust.stdout) == (1, "")
    assert trust.stderr.endswith("redshift-iam: user:AKIAONE000000EXAMPLE is an IAM user: users "
                                 "have no trust policy\n")


def test_nothing_to_grant(script) -> None:
    path = script("select 1; create library f language plpythonu from 'https://x.example/f.zip';")
    for command in ("policy", "trust"):
        result = invoke(command, path)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr.startswith("redshift-iam: nothing to grant")
    bundle = invoke("generate", path)
    assert bundle.exit_code == 0
    assert json.loads(bundle.stdout) == {"principals": [], "skipped": 1, "warnings": []}


def test_trust_without_script_is_the_standard_one() -> None:
    result = invoke("trust", "--serverless")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["Statement"][0]["Principal"]["Service"] == [
        "redshift-serverless.amazonaws.com", "redshift.amazonaws.com"]


def test_bad_input_exits_1_with_location_and_empty_stdout(script) -> None:
    path = script("select 1;\ncopy t from 's3://bkt/d' iam_role default frob;")
    result = invoke("policy", path)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == f"{path}:2:43: error RI111: unknown COPY option 'frob'"
    assert "Traceback" not in result.stderr


def test_unresolved_exit_1_then_allowed(script) -> None:
    path = script("copy t from 's3://bkt/m' iam_role default manifest;")
    strict = invoke("policy", path)
    assert (strict.exit_code, strict.stdout) == (1, "")
    assert strict.stderr.splitlines()[0] == (
        f"{path}:1:13: unresolved RI142: the data files of manifest s3://bkt/m are unknown")
    assert "hint: pass --manifest s3://bkt/m=FILE (a local copy of the manifest)" in strict.stderr
    loose = invoke("policy", path, "--allow-unresolved")
    assert loose.exit_code == 0 and "RI142" in loose.stderr
    assert json.loads(loose.stdout)["Statement"][0]["Resource"] == "arn:aws:s3:::bkt/m"


def test_manifest_flag_loads_entries(script, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text('{"entries": [{"url": "s3://data-bkt/p/part-0", "mandatory": true}]}')
    path = script("copy t from 's3://bkt/m' iam_role default manifest;")
    result = invoke("policy", path, "--manifest", f"s3://bkt/m={manifest}")
    assert result.exit_code == 0, result.stderr
    statement = json.loads(result.stdout)["Statement"][0]
    assert statement["Resource"] == ["arn:aws:s3:::bkt/m", "arn:aws:s3:::data-bkt/p/part-0"]
    manifest.write_text('{"entries": [\n  {"url": }]}')
    broken = invoke("policy", path, "--manifest", f"s3://bkt/m={manifest}")
    assert (broken.exit_code, broken.stdout) == (1, "")
    assert broken.stderr.startswith(f"{manifest}:2:11: error RI150: manifest is not JSON")


@pytest.mark.parametrize("args, message", [
    (["policy", "--account-id", "12345"], "Invalid value for '--account-id'"),
    (["policy", "--region", "moon-1"], "Invalid value for '--region'"),
    (["policy", "--partition", "aws-mars"], "Invalid value for '--partition'"),
    (["policy", "--region", "cn-north-1"], "--region cn-north-1 is in partition aws-cn"),
    (["policy", "--kms-key", "nonsense"], "--kms-key 'nonsense': expected TARGET=KEY"),
    (["policy", "--kms-key", "s3://bkt=alias/etl"],
     "--kms-key ...=alias/etl: expected a key ARN or key id"),
    (["policy", "--manifest", "s3://bkt/m"], "--manifest 's3://bkt/m': expected S3URI=LOCALFILE"),
    (["policy", "--template-path", "/nonexistent/t"],
     "--template-path '/nonexistent/t': not a folder (give the folder {% include %} and "
     "{% import %} names are read from)"),
    (["trust", "--serverless", "--trust-region", "us-east-1"],
     "--trust-region is documented for provisioned clusters only"),
    (["trust", "--db-user", "alice"], "Invalid value for '--db-user'"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["policy", "--frob"], "No such option '--frob'"),
])
def test_usage_errors_exit_2(args: list[str], message: str, script) -> None:
    if args[0] == "policy":
        args = [*args, script(COPY)]
    result = invoke(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr


@pytest.mark.parametrize("make, message", [
    (lambda p: str(p / "missing.sql"), "no such file"),
    (lambda p: str(p), "holds no *.sql file and no spec"),  # an empty directory
    (lambda p: (p / "b.sql").write_bytes(b"copy \x00\x01") and str(p / "b.sql"), "looks binary"),
    (lambda p: (p / "l.sql").write_bytes(b"select '\xe9';") and str(p / "l.sql"),
     "byte 0xe9 at offset 8 is not UTF-8"),
])
def test_unreadable_inputs_exit_1(tmp_path: Path, make, message: str) -> None:
    result = invoke("policy", make(tmp_path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert message in result.stderr and "Traceback" not in result.stderr


def test_permission_denied(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "p.sql"
    path.write_text(COPY)

    def denied(*args, **kwargs) -> bytes:
        raise PermissionError(13, "Permission denied")

    # root can read any file: simulate
    monkeypatch.setattr("redshift_iam.core.localfiles.read_regular", denied)
    result = invoke("policy", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"error RI100: {path}: permission denied")


def test_out_dir_writes_and_protects_foreign_files(script, tmp_path: Path) -> None:
    path = script(COPY)
    out = tmp_path / "out"
    first = invoke("generate", path, "--out-dir", str(out))
    assert first.exit_code == 0, first.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        ".redshift-iam.json", "Etl~123456789012.policy.json", "Etl~123456789012.trust.json"]
    assert invoke("generate", path, "--out-dir", str(out)).exit_code == 0  # own files: no refusal
    (out / "Etl~123456789012.policy.json").write_text("{}  hand edited\n")
    refused = invoke("generate", path, "--out-dir", str(out))
    assert refused.exit_code == 1
    assert "was not written by redshift-iam (or was edited since); pass --force" in refused.stderr
    assert (out / "Etl~123456789012.policy.json").read_text() == "{}  hand edited\n"
    forced = invoke("generate", path, "--out-dir", str(out), "--force")
    assert forced.exit_code == 0
    assert json.loads((out / "Etl~123456789012.policy.json").read_text())["Version"] == "2012-10-17"


def test_out_dir_removes_its_own_stale_files(script, tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke("generate", script(COPY), "--out-dir", str(out))
    other = script("copy t from 's3://bkt/d/' iam_role default;", "o.sql")
    assert invoke("generate", other, "--out-dir", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".redshift-iam.json", "default-role.policy.json", "default-role.trust.json"]


def test_explain_text_and_json(script) -> None:
    path = script(COPY)
    text = invoke("explain", path)
    assert text.exit_code == 0
    assert text.stdout.splitlines()[:4] == [
        f"{path}:1  COPY s3  t <- s3://bkt/d/",
        f"  as {ROLE}",
        "    s3:GetObject   arn:aws:s3:::bkt/d/*                            copy-s3-prefix",
        "    s3:ListBucket  arn:aws:s3:::bkt      StringLike s3:prefix d/*  copy-s3-prefix",
    ]
    data = json.loads(invoke("explain", path, "--format", "json").stdout)
    assert data["statements"][0]["grants"][0] == {
        "principal": ROLE, "action": "s3:GetObject", "resource": "arn:aws:s3:::bkt/d/*",
        "condition": None, "rule": "copy-s3-prefix",
        "doc": "https://docs.aws.amazon.com/redshift/latest/dg/"
               "copy-parameters-data-source-s3.html#copy-s3-objectpath"}


def test_help_documents_exit_codes() -> None:
    for args in ([], ["policy"], ["trust"], ["generate"], ["explain"]):
        result = invoke(*args, "--help")
        assert result.exit_code == 0 and "Exit codes:" in result.stdout


def test_version() -> None:
    assert invoke("--version").stdout == "redshift-iam, version 0.1.0\n"


def test_out_dir_that_is_a_file_or_holds_a_folder(script, tmp_path: Path) -> None:
    path = script(COPY)
    not_a_folder = tmp_path / "plain"
    not_a_folder.write_text("x")
    result = invoke("generate", path, "--out-dir", str(not_a_folder))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"redshift-iam: {not_a_folder} exists and is not a folder\n"
    out = tmp_path / "out"
    (out / "Etl~123456789012.policy.json").mkdir(parents=True)
    blocked = invoke("generate", path, "--out-dir", str(out), "--force")
    assert blocked.exit_code == 1
    assert blocked.stderr == (f"redshift-iam: {out / 'Etl~123456789012.policy.json'} is a "
                              "folder; the tool will not replace it\n")
    assert sorted(p.name for p in out.iterdir()) == ["Etl~123456789012.policy.json"]


def test_bad_manifest_entry_points_at_its_url(script, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text('{\n  "entries": [\n    {"url": "s3://good-bkt/a"},\n'
                        '    {"url": "s3://Bad_Bucket/x"},\n'
                        '    {"url": "s3://good-bkt/"}\n  ]\n}\n')
    path = script("copy t from 's3://bkt/m' iam_role default manifest;")
    result = invoke("policy", path, "--manifest", f"s3://bkt/m={manifest}")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        f"{manifest}:4:14: error RI150: entry 2: 'Bad_Bucket' is not a valid S3 bucket name")
    manifest.write_text('{"entries": [{"url": "s3://good-bkt/"}]}')
    result = invoke("policy", path, "--manifest", f"s3://bkt/m={manifest}")
    assert result.stderr.splitlines()[0] == (
        f"{manifest}:1:23: error RI150: entry 1: 's3://good-bkt/' names no object")


def test_a_bug_is_reported_in_one_line_without_a_traceback(script, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ValueError("secret-looking input value")
    monkeypatch.setattr("redshift_iam.analysis.analyze", broken)
    monkeypatch.delenv("REDSHIFT_IAM_DEBUG", raising=False)
    line = broken.__code__.co_firstlineno + 1
    result = invoke("policy", script(COPY))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"redshift-iam: internal error ValueError at test_cli.py:{line}; "
                             "please report it (REDSHIFT_IAM_DEBUG=1 shows the traceback)\n")


def test_explain_a_bucket_listed_with_and_without_a_condition(script) -> None:
    """COPY of a whole bucket with a JSONPaths file in it needs s3:ListBucket on the bucket
    twice: unconditioned (the prefix) and for the file's key. explain sorted the grant rows
    as tuples and compared None with a string (an internal error, exit 1)."""
    path = script(f"COPY t FROM 's3://bkt/' IAM_ROLE '{ROLE}' JSON 's3://bkt/paths.json';\n")
    result = invoke("explain", path, "--format", "json")
    assert result.exit_code == 0, result.output
    grants = json.loads(result.stdout)["statements"][0]["grants"]
    assert [(g["action"], g["resource"], g["condition"], g["rule"]) for g in grants] == [
        ("s3:GetObject", "arn:aws:s3:::bkt/*", None, "copy-s3-prefix"),
        ("s3:GetObject", "arn:aws:s3:::bkt/paths.json", None, "copy-jsonpaths"),
        ("s3:ListBucket", "arn:aws:s3:::bkt", None, "copy-s3-prefix"),
        ("s3:ListBucket", "arn:aws:s3:::bkt", "StringLike s3:prefix paths.json",
         "copy-jsonpaths"),
    ]
    assert invoke("explain", path).exit_code == 0

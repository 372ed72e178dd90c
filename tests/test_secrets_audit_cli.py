"""Secrets never reach any output of ``check`` and ``lint`` either (text, JSON, SARIF; stderr
as text or JSON): the scripts of tests/test_secrets_never_appear.py (access key ids, secret
keys, session tokens, a master symmetric key, a secret inside an unterminated string, secrets
in values files and source code), plus live-looking secrets (not the AWS docs' examples) and
policy files that hold a secret where a value should be or in an unterminated string."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from tests.aws_support import aws  # noqa: F401 - a fixture (moto, no network)
from tests.test_secrets_never_appear import (
    ENV,
    KEY,
    PYTHON,
    ROLE,
    SCRIPT,
    SECRET,
    SECRET2,
    SECRETS,
    SPEC,
    TOKEN,
    UNTERMINATED,
    YAML,
)

LIVE_SECRET = "q1w2E3r4T5y6U7i8O9p0/+q1w2E3r4T5y6U7i8O9"  # the shape of a real one
LIVE_TOKEN = "IQoJb3JpZ2luX2VjEJz" + "A1b2C3d4" * 14
LIVE_MASTER = "K9" * 22
ALL = (*SECRETS, LIVE_SECRET, LIVE_TOKEN, LIVE_MASTER)
LIVE = (f"-- old: aws_secret_access_key={LIVE_SECRET} token={LIVE_TOKEN}\n"
        f"COPY n FROM 's3://acme-in/k' IAM_ROLE '{ROLE}';\n"
        f"UNLOAD ('select 1') TO 's3://acme-out/u' IAM_ROLE '{ROLE}' MASTER_SYMMETRIC_KEY "
        f"'{LIVE_MASTER}' ENCRYPTED;\n"
        f"COPY o FROM 's3://acme-in/k' CREDENTIALS 'aws_access_key_id={KEY}; "
        f"aws_secret_access_key={LIVE_SECRET}';\n"
        f"COPY p FROM 's3://acme-in/k' IAM_ROLE '{ROLE}' SESSION_TOKEN '{LIVE_TOKEN}\n")
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-in/*"},
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-out"}]}
BAD_POLICIES = {
    "open.json": '{"Version": "2012-10-17", "Statement": [{"Sid": "' + SECRET + '\n',
    "value.json": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": SECRET, "Action": "s3:*", "Resource": "*"}]}),
    "action.json": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": f"s3:{TOKEN}", "Resource": "*", "Principal": SECRET}]}),
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The files of tests/test_secrets_never_appear.py's tree, and live.sql and one.sql."""
    for name, text in (("etl.sql", SCRIPT), ("open.sql", UNTERMINATED), ("v.env", ENV),
                       ("v.yaml", YAML), ("good.env", ENV.rsplit("\n", 2)[0] + "\n"),
                       ("spec.yaml", SPEC), ("live.sql", LIVE),
                       ("one.sql", f"COPY n FROM 's3://acme-in/k' IAM_ROLE '{ROLE}';\n")):
        (tmp_path / name).write_text(text)
    (tmp_path / "repo").mkdir()
    for name, text in (("job.py", PYTHON), ("load.sql", SCRIPT), ("open.sql", UNTERMINATED)):
        (tmp_path / "repo" / name).write_text(text)
    return tmp_path


def leaked(text: str) -> list[str]:
    """Each secret of which ``text`` holds 12 characters or more in a row."""
    return [s[:20] for s in ALL if any(s[i:i + 12] in text for i in range(len(s) - 11))]


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def inputs(tree: Path) -> list[tuple[list[str], str | None]]:
    """Every way of giving the secret-laden SQL: files, an unterminated string, values files
    (good and broken), --var with standard input, a spec, a source tree with --scan."""
    return [([str(tree / "one.sql")], None),
        ([str(tree / "etl.sql")], None), ([str(tree / "open.sql")], None),
        ([str(tree / "live.sql")], None),
        ([str(tree / "etl.sql"), "--vars", str(tree / "good.env"), "--vars",
          str(tree / "v.yaml")], None),
        ([str(tree / "etl.sql"), "--vars", str(tree / "v.env")], None),
        (["--var", f"where={SECRET}", "--var", f"aws_secret={SECRET2}"],
         SCRIPT.splitlines()[8]),
        ([str(tree / "spec.yaml")], None),
        (["--scan", str(tree / "repo"), "--vars", str(tree / "good.env")], None),
    ]


def assert_clean(result: Result, output_format: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout.strip() or result.stderr.strip()
    assert leaked(result.stdout + result.stderr) == []
    if output_format != "text" and result.stdout:
        json.loads(result.stdout)


@pytest.mark.parametrize("errors", ["text", "json"])
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_lint_prints_no_secret(tree: Path, output_format: str, errors: str) -> None:
    for args, stdin in inputs(tree)[1:]:  # one.sql is clean
        result = run("lint", *args, "--format", output_format, "--error-format", errors,
                     "--min-severity", "info", stdin=stdin)
        assert_clean(result, output_format)
    live = run("lint", str(tree / "live.sql"), "--format", "json")
    assert {f["code"] for f in json.loads(live.stdout)["findings"]} >= {"RW231", "RW232"}


@pytest.mark.parametrize("errors", ["text", "json"])
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_check_prints_no_secret(tree: Path, output_format: str, errors: str) -> None:
    (tree / "p.json").write_text(json.dumps(POLICY, indent=2))
    for name, text in BAD_POLICIES.items():
        (tree / name).write_text(text)
    for args, stdin in inputs(tree):
        for policy in ("p.json", *BAD_POLICIES):
            result = run("check", "--policy", str(tree / policy), *args, "--role", ROLE,
                         "--format", output_format, "--error-format", errors,
                         "--region", "us-east-1", stdin=stdin)
            assert_clean(result, output_format)


def test_the_check_reports_hold_what_was_checked(tree: Path) -> None:
    """The sweep above is not vacuous: the report names the missing request and the excess."""
    (tree / "p.json").write_text(json.dumps(POLICY, indent=2))
    result = run("check", "--policy", str(tree / "p.json"), str(tree / "one.sql"))
    assert result.exit_code == 1
    assert "error RC400: s3:ListBucket on arn:aws:s3:::acme-in " in result.stdout
    assert "info RC402: " in result.stdout


# Every command of the CLI and every --format it has, with what it reads: SQL files, or the
# source tree for scan (and check/lint --scan). A command missing here fails the test below.
EVERY = [
    ("policy",), ("trust",), ("generate",), ("generate", "--format", "terraform"),
    ("generate", "--format", "cloudformation"), ("generate", "--format", "cloudformation-json"),
    ("explain",), ("explain", "--format", "json"), ("spec",),
    ("scan",), ("scan", "--format", "json"), ("apply",),
    *(("lint", "--format", form) for form in ("text", "json", "sarif")),
    *(("check", "--policy", "p.json", "--format", form) for form in ("text", "json", "sarif")),
    *(("check", "--policy", "p.json", "--scan", "--format", form) for form in ("json", "sarif")),
    ("lint", "--scan", "--format", "sarif"),
]


@pytest.mark.usefixtures("aws")
def test_every_command_and_format_prints_no_secret(tree: Path, monkeypatch) -> None:
    from redshift_iam.cli.main import COMMANDS

    assert {command[0] for command in EVERY} == set(COMMANDS)
    monkeypatch.chdir(tree)
    Path("p.json").write_text(json.dumps(POLICY, indent=2))
    for command in EVERY:
        trees = command[0] == "scan" or "--scan" in command
        for given in (["repo"] if trees else ["etl.sql", "open.sql", "live.sql"]):
            result = run(*command, given)
            assert result.exit_code == 1, (command, given, result.output)
            assert leaked(result.stdout + result.stderr) == [], (command, given)

"""Every hint ``scan`` prints over the fixture repositories is a command that works: pasted
into a POSIX shell it gives ``--var NAME=VALUE`` arguments, and run with a value they fill the
placeholder the hint stands under (its status in the report becomes ``resolved`` and the
problem at its place is gone). Names a user can type: hyphens, subscripts, expressions,
positional slots by address."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
_HINTED = re.compile(r"^(?P<where>\S+:\d+:\d+): \w+ (?P<code>R[IW]\d+): .*\n"
                     r"(?: *\d* \|.*\n)*?    hint: pass (?P<command>--var .*?)"
                     r"(?: to grant one prefix| to grant the value it runs with"
                     r"| \(the values the block tests\))?$", re.M)
# a value for each kind of slot: the first that makes the statement read fills it
CANDIDATES = ("acme-b", "s3://acme-b/k", "'s3://acme-b/k'", "arn:aws:iam::123456789012:role/R",
              "'arn:aws:iam::123456789012:role/R'", "123456789012", "AKIAIOSFODNN7EXAMPLE",
              "'auto'", "aws_iam_role=arn:aws:iam::123456789012:role/R", "ACCEPTINVCHARS")


def scan(*args: str) -> Result:
    return CliRunner().invoke(main, ["scan", *args])


def shell_words(command: str) -> list[str]:
    """The arguments a POSIX shell makes of ``command``, as pasted."""
    script = f'for a in {command}; do printf "%s\\0" "$a"; done'
    out = subprocess.run(["sh", "-c", script], capture_output=True, check=True).stdout
    return out.decode().split("\0")[:-1]


def hints(stderr: str) -> list[tuple[str, str, str]]:
    return [(m.group("where"), m.group("code"), m.group("command"))
            for m in _HINTED.finditer(stderr)]


def status_at(report: dict, where: str) -> str:
    for statement in report["statements"]:
        for placeholder in statement["placeholders"]:
            if placeholder["location"] == where:
                return placeholder["status"]
    return "absent"


def fills(repo: str, where: str, names: list[str], baseline: int) -> bool:
    """Whether some candidate value given to ``names`` fills the placeholder at ``where``:
    the report lists it resolved (or hidden beside a secret), or (a placeholder the report
    does not list, such as an Airflow connection's) one unresolved need fewer; and no
    problem is reported at ``where`` any more."""
    for value in CANDIDATES:
        args = [arg for name in names for arg in ("--var", f"{name}={value}")]
        result = scan(repo, *args)
        report = json.loads(result.stdout) if result.stdout else {"statements": [],
                                                                   "unresolved": []}
        if f"\n{where}:" in "\n" + result.stderr:
            continue
        status = status_at(report, where)
        if status in ("resolved", "hidden") or (
                status == "absent" and len(report["unresolved"]) < baseline):
            return True
    return False


EXPECTED = {  # in the order scan prints them: by file, line, column and code
    "scan_hints": [
        ("scan_hints/docs/load.sql:1:23", "RI149", "--var bucket-name=VALUE"),
        ("scan_hints/docs/load.sql:2:24", "RI149", "--var aws-account-id-1=VALUE"),
        ("scan_hints/etl/names.py:1:34", "RI145", "--var s3-internal=VALUE"),
        ("scan_hints/etl/names.py:3:53", "RW221",
         """--var 'sql.replace("'"'"'", "'"'"''"'"'")=VALUE'"""),
        ("scan_hints/etl/names.py:6:48", "RI146", "--var credentials.aws_access_key_id=VALUE"),
        ("scan_hints/etl/names.py:11:73", "RI146", "--var roles.etl=VALUE"),
        ("scan_hints/etl/positional.py:1:49", "RI145",
         "--var '%s#1@scan_hints/etl/positional.py:1=VALUE'"),
        ("scan_hints/etl/positional.py:1:61", "RI146",
         "--var '%s#2@scan_hints/etl/positional.py:1=VALUE'"),
        ("scan_hints/etl/udacity.py:7:30", "RI145", "--var config.S3.LOG_DATA=VALUE"),
        ("scan_hints/etl/udacity.py:8:31", "RI146", "--var config.IAM_ROLE.ARN=VALUE"),
        ("scan_hints/etl/udacity.py:9:20", "RI145",
         "--var \"config.S3.LOG_JSONPATH='s3://BUCKET/jsonpaths.json'\""),
        ("scan_hints/ruby/loader.rb:1:31", "RI145", "--var ENV.CLICKS_BUCKET=VALUE"),
        ("scan_hints/ruby/loader.rb:1:74", "RI146", "--var role=VALUE"),
        ("scan_hints/shell/nightly.sh:2:61", "RI146", "--var LOAD_ROLE=VALUE"),
    ],
}


@pytest.fixture(autouse=True)
def _in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)


def test_the_hints_over_the_names_fixture_are_exact() -> None:
    result = scan("scan_hints")
    assert result.exit_code == 1
    assert hints(result.stderr) == EXPECTED["scan_hints"]


@pytest.mark.parametrize("repo", ["scan_hints", "scan_repo"])
def test_every_hint_pasted_and_run_with_a_value_fills_its_placeholder(repo: str) -> None:
    first = scan(repo)
    found = hints(first.stderr)
    baseline = len(json.loads(first.stdout)["unresolved"])
    # scan_repo: 16 since values from the code fill the others (dwh.cfg, params, dbt vars)
    assert len(found) >= 14 if repo == "scan_hints" else len(found) >= 16
    failed = []
    for where, code, command in found:
        words = shell_words(command)
        assert words[0::2] == ["--var"] * (len(words) // 2), command
        names = [word.split("=", 1)[0] for word in words[1::2]]
        if not fills(repo, where, names, baseline):
            failed.append((where, code, command))
    assert failed == []

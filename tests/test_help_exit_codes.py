"""The exit codes ``scan --help`` and ``generate --help`` state are the ones the commands
return: each case names a phrase of the help's entry for a code, runs the case, and checks
that code (and, where the help says so, an empty stdout)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

ROLE = "arn:aws:iam::123456789012:role/R"
OK = f"COPY t FROM 's3://bkt1/k' IAM_ROLE '{ROLE}' CSV;\n"
FILES = {
    "ok/ok.sql": OK,
    "open/a.py": 'cur.execute("COPY t FROM %s IAM_ROLE %s CSV", (src, role))\n',
    "open/o.sql": "COPY t FROM 's3://bkt1/k' IAM_ROLE '{role}' CSV;\n",
    "bad/bad.sql": f"COPY t FROM 's3://bkt1/k' IAM_ROLE '{ROLE}' CSV BOGUS;\n",
    "big/big.sql": "x" * 3000,
    "none/none.sql": "select 1;\n",
    "chain/c.sql": f"COPY t FROM 's3://bkt1/k' IAM_ROLE '{ROLE},"
                   "arn:aws:iam::210987654321:role/C' CSV;\n",
}


def run(cwd: Path, *args: str) -> Result:
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args))


def exit_codes(command: str) -> dict[int, str]:
    """The help's ``Exit codes:`` entries, each as one line of text."""
    text = CliRunner().invoke(main, [command, "--help"]).stdout
    section = text[text.index("Exit codes:"):]
    entries: dict[int, str] = {}
    code = None
    for line in section.splitlines()[1:]:
        start = re.match(r"\s+(\d)\s\s(.*)", line)
        if start:
            code = int(start.group(1))
            entries[code] = start.group(2)
        elif code is not None and line.strip():
            entries[code] += " " + line.strip()
    return entries


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("help")
    for name, text in FILES.items():
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text(text)
    return top


def _stale(tree: Path, command: str) -> list[str]:
    """A folder written for ok.sql, then checked against chain/c.sql: stale."""
    source = "ok" if command == "scan" else "ok/ok.sql"
    run(tree, command, source, "--out-dir", f"out-{command}")
    return [command, "chain" if command == "scan" else "chain/c.sql", "--out-dir",
            f"out-{command}", "--check"]


SCAN = [
    (["scan", "ok", "--format", "json"], 0, "everything found was read, derived and resolved"),
    (["scan", "ok", "--format", "bundle"], 0, "the report or documents on stdout"),
    (["scan", "open", "--format", "json"], 1, "something unresolved (unless --allow-unresolved)"),
    (["scan", "open", "--format", "json", "--allow-unresolved"], 0,
     "everything found was read"),
    (["scan", "bad", "--format", "json"], 1, "skipped or in error"),
    (["scan", "big", "--format", "json", "--max-file-size", "2000"], 1, "skipped"),
    (["scan", "ok", "missing", "--format", "bundle"], 1, "a PATH that does not exist"),
    (["scan", "open", "--format", "terraform"], 1, "or nothing while a need is unresolved"),
    (["scan", "none", "--format", "terraform"], 1, "a Terraform/CloudFormation file has "
                                                   "nothing to grant"),
    (["scan", "chain", "--format", "terraform"], 1, "principals in several accounts"),
    (["scan"], 2, "no PATH"),
    (["scan", "ok", "--bogus"], 2, "unknown option"),
    (["scan", "ok", "--account-id", "12"], 2, "bad flag value"),
    (["scan", "ok", "--check"], 2, "--check without --out-dir"),
    (["scan", "ok", "--check", "--out-dir", "x", "--format", "json"], 2,
     "with --format text/json"),
]
GENERATE = [
    (["generate", "ok/ok.sql"], 0, "the documents are on stdout"),
    (["generate", "none/none.sql"], 0, "an input with nothing to grant gives an empty bundle"),
    (["generate", "bad/bad.sql"], 1, "bad input"),
    (["generate", "open/o.sql"], 1, "unresolved needs"),
    (["generate", "none/none.sql", "--format", "terraform"], 1,
     "a Terraform/CloudFormation file with nothing to grant"),
    (["generate", "chain/c.sql", "--format", "cloudformation"], 1,
     "with principals in several accounts"),
    (["generate", "ok/ok.sql", "--out-dir", "ok/ok.sql"], 1, "a folder that cannot be written"),
    (["generate", "--bogus"], 2, "unknown option"),
    (["generate", "ok/ok.sql", "--check"], 2, "--check without --out-dir"),
    (["generate", "ok/ok.sql", "--region", "nowhere-1"], 2, "bad flag value"),
]


@pytest.mark.parametrize(("args", "code", "phrase"), SCAN + GENERATE,
                         ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_the_exit_code_the_help_states(tree: Path, args: list[str], code: int,
                                       phrase: str) -> None:
    entries = exit_codes(args[0])
    assert phrase in entries[code], entries[code]
    result = run(tree, *args)
    assert result.exit_code == code, result.output
    # scan's 1: the report formats still print the report
    if "stdout empty" in entries[code] and code != 0 and (args[0], code) != ("scan", 1):
        assert result.stdout == ""


@pytest.mark.parametrize("command", ["scan", "generate"])
def test_check_exit_codes_as_the_help_states(tree: Path, command: str) -> None:
    entries = exit_codes(command)
    source = "ok" if command == "scan" else "ok/ok.sql"
    assert "--check: the folder is up to date, stdout empty" in entries[0]
    current = run(tree, command, source, "--out-dir", f"fresh-{command}")
    assert current.exit_code == 0
    fresh = run(tree, command, source, "--out-dir", f"fresh-{command}", "--check")
    assert (fresh.exit_code, fresh.stdout) == (0, "")
    stale = run(tree, *_stale(tree, command))
    assert "--check" in entries[1] and "diff" in entries[1]
    assert stale.exit_code == 1
    assert stale.stdout.startswith("--- ")

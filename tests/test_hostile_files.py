"""A tree or a file the user did not write cannot make the tool read outside it or read without
end: links out of the tree, a link to /dev/zero, a FIFO, a device and files over the size limits
are reported (scan: skipped; policy/generate: RI100), each with its reason, and never read. Each
run is a subprocess under a timeout: a guard against a hang, not a measure of speed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROLE = "arn:aws:iam::123456789012:role/etl"
SQL = f"COPY t FROM 's3://acme-raw/k' IAM_ROLE '{ROLE}';\n"
TOKEN = "TOKEN-5c0ffee5"
HINT = "    hint: check the path and that it is a readable text file\n"
NOT_FOLLOWED = "symlink to a file outside {}: not followed"
BIG = 40 * 1024 * 1024


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "redshift_iam", *args], cwd=cwd, timeout=120,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """src/: a good script, a link to it, links out of the tree (a file holding a secret and a
    COPY, a folder, /dev/zero), a FIFO and a 40 MiB (sparse) file: over scan's 1 MiB and the
    other commands' 32 MiB."""
    src, outside = tmp_path / "src", tmp_path / "elsewhere"
    src.mkdir()
    outside.mkdir()
    (src / "good.sql").write_text(SQL)
    (outside / "secret.sql").write_text(SQL.replace("acme-raw", "acme-secret") + f"-- {TOKEN}\n")
    (src / "in.sql").symlink_to("good.sql")
    (src / "out.sql").symlink_to(outside / "secret.sql")
    (src / "outdir").symlink_to(outside)
    (src / "zero.sql").symlink_to("/dev/zero")
    os.mkfifo(src / "fifo.sql")
    with open(src / "big.sql", "wb") as handle:
        handle.truncate(BIG)
    return tmp_path


def test_scan_reports_each_and_reads_none(hostile: Path) -> None:
    result = run(hostile, "scan", "src", "--format", "json")
    assert result.returncode == 1
    assert TOKEN not in result.stdout + result.stderr and "acme-secret" not in result.stdout
    report = json.loads(result.stdout)
    assert [s["location"] for s in report["statements"]] == ["src/good.sql:1:1", "src/in.sql:1:1"]
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [
        ("src/big.sql", f"{BIG} bytes, over the limit of 1 MiB per file (--max-file-size): not "
                        "read"),
        ("src/fifo.sql", "a FIFO (named pipe), not a regular file: not read"),
        ("src/out.sql", NOT_FOLLOWED.format("the scanned tree")),
        ("src/outdir", "symlink to a directory outside the scanned tree: not followed"),
        ("src/zero.sql", NOT_FOLLOWED.format("the scanned tree")),
    ]
    assert result.stderr == "redshift-iam: 5 place(s) skipped\n"


def test_policy_of_a_directory_refuses_each(hostile: Path) -> None:
    result = run(hostile, "policy", "src/")
    assert (result.returncode, result.stdout) == (1, "")
    assert TOKEN not in result.stderr
    assert result.stderr == "".join(f"error RI100: src/{name}: {why}\n{HINT}" for name, why in [
        ("big.sql", f"{BIG} bytes, over the limit of 32 MiB per file (--max-file-size): not read"),
        ("fifo.sql", "a FIFO (named pipe), not a regular file: not read"),
        ("out.sql", NOT_FOLLOWED.format("src/")),
        ("outdir", "symlink to a directory outside src/: not followed"),
        ("zero.sql", NOT_FOLLOWED.format("src/")),
    ]) + "redshift-iam: 5 problem(s); no document written\n"


def test_a_file_named_is_read_only_when_regular_and_small(hostile: Path) -> None:
    result = run(hostile, "generate", "src/fifo.sql", "src/zero.sql", "src/big.sql",
                 "src/out.sql")
    assert (result.returncode, result.stdout) == (1, "")
    # a link given by name is the user's own choice: followed (out.sql reads the secret file's
    # SQL, which is fine: the user named it); a FIFO, a device or a large file never
    assert result.stderr == "".join(f"error RI100: src/{name}: {why}: not read\n{HINT}"
                                    for name, why in [
        ("fifo.sql", "a FIFO (named pipe), not a regular file"),
        ("zero.sql", "a character device, not a regular file"),
        ("big.sql", f"{BIG} bytes, over the limit of 32 MiB per file (--max-file-size)"),
    ]) + "redshift-iam: 3 problem(s); no document written\n"


def test_the_limits_are_flags(hostile: Path) -> None:
    (hostile / "src" / "b.sql").write_text(SQL)
    scanned = run(hostile, "scan", "src/good.sql", "src/b.sql", "--max-total-size", "100",
                  "--format", "json")
    assert [(s["path"], s["reason"]) for s in json.loads(scanned.stdout)["skipped"]] == [
        ("src/b.sql", "over what is left of the 100 bytes one run may read in all "
                      "(--max-total-size): not read")]
    raised = run(hostile, "policy", "src/big.sql", "--max-file-size", "64MiB")
    assert (raised.returncode, raised.stderr) == (
        1, "src/big.sql:1:1: error RI105: src/big.sql looks binary (it holds NUL bytes)\n"
           "    hint: the input is not UTF-8 text; convert it (iconv -t UTF-8)\n"
           "redshift-iam: 1 problem(s); no document written\n")
    small = run(hostile, "policy", "src/good.sql", "--max-file-size", "10")
    assert small.stderr.startswith(
        f"error RI100: src/good.sql: {len(SQL)} bytes, over the limit of 10 bytes per file "
        "(--max-file-size): not read\n")
    for bad in ("0", "4XB", "-1", ""):
        refused = run(hostile, "scan", "src", "--max-file-size", bad)
        assert (refused.returncode, refused.stdout) == (2, "")
        assert "is not a size such as 4MiB, 512KiB, 1GiB or a number of bytes" in refused.stderr


def test_a_device_node_in_the_tree_is_never_opened(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    try:
        os.mknod(src / "zero.sql", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    scanned = run(tmp_path, "scan", "src", "--format", "json")
    assert json.loads(scanned.stdout)["skipped"] == [{
        "path": "src/zero.sql", "line": 0, "col": 0,
        "reason": "a character device, not a regular file: not read"}]
    policy = run(tmp_path, "policy", "src")
    assert policy.stderr.startswith("error RI100: src/zero.sql: a character device, not a "
                                    "regular file: not read\n")


def test_a_psql_include_of_a_fifo_or_device_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.sql")
    (tmp_path / "zero.sql").symlink_to("/dev/zero")
    (tmp_path / "main.sql").write_text("\\i fifo.sql\n\\i zero.sql\n" + SQL)
    result = run(tmp_path, "policy", "main.sql")
    assert (result.returncode, result.stdout) == (1, "")
    assert "cannot include fifo.sql: a FIFO (named pipe), not a regular file" in result.stderr
    # zero.sql resolves to /dev/zero, outside the folders includes may read (RI107)
    assert "RI107: cannot include zero.sql: it resolves to /dev/zero" in result.stderr

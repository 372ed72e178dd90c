"""samples/Makefile, run by ``make`` on a copy of samples/makefile-demo/ with the test
environment's installed ``redshift-iam`` console script: the exact files each target builds,
make's up-to-date logic (a second ``make`` does nothing and touches nothing), the tool leaving
unchanged outputs untouched when a script is rebuilt, and ``check-iam`` failing CI (make exits
2 naming the recipe, the diff on stdout) once committed output is stale."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.iam_eval import allowed

ROOT = Path(__file__).resolve().parent.parent
TOOL = Path(sys.executable).parent / "redshift-iam"
LOADER, EXPORTER = "OrdersLoader~123456789012", "Exporter~123456789012"
BUILT = sorted([
    "iam.tf", "iam/.redshift-iam.json", "iam/nightly_load.policy.json",
    "iam/revenue_export.policy.json", *(f"iam/{who}.{what}.json" for who in (LOADER, EXPORTER)
                                        for what in ("policy", "trust"))])
# make names itself "make" or "make[N]" (nested) in its messages
NOTHING = re.compile(r"^make(\[\d+\])?: Nothing to be done for 'all'\.$", re.M)

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of samples/Makefile and samples/makefile-demo/ (the tree's Makefile includes
    ``../Makefile``): the checkout is never written to."""
    shutil.copy(ROOT / "samples" / "Makefile", tmp_path / "Makefile")
    shutil.copytree(ROOT / "samples" / "makefile-demo", tmp_path / "makefile-demo",
                    ignore=shutil.ignore_patterns("iam", "iam.tf"))
    return tmp_path / "makefile-demo"


def make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``make -C folder`` with the installed tool, isolated from a calling make (``make
    test``) and from the locale, so messages are make's plain English ones."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "--no-print-directory", "-C", str(folder),
                           f"REDSHIFT_IAM={TOOL}", *args], capture_output=True, text=True,
                          env={**env, "LC_ALL": "C"})


def run_tool(*args: str, cwd: Path) -> str:
    done = subprocess.run([str(TOOL), *args], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def tree(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` but the inputs, with its mtime in nanoseconds."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))
            if p.is_file() and p.parts[len(folder.parts)] not in ("sql", "Makefile")}


def test_the_console_script_is_installed() -> None:
    assert TOOL.is_file(), f"no {TOOL}: install the package (make test does) first"


def test_make_builds_exactly_the_documented_files(demo: Path, tmp_path: Path) -> None:
    done = make(demo)
    assert done.returncode == 0, done.stderr
    assert sorted(tree(demo)) == BUILT
    loader = json.loads((demo / "iam" / "nightly_load.policy.json").read_text())
    assert loader == {"Version": "2012-10-17", "Statement": [
        {"Sid": "S3GetObject", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::acme-raw-data/orders/dt=2024-06-01/*"},
        {"Sid": "S3ListBucketAcmeRawData", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::acme-raw-data",
         "Condition": {"StringLike": {"s3:prefix": "orders/dt=2024-06-01/*"}}}]}
    exporter = json.loads((demo / "iam" / "revenue_export.policy.json").read_text())
    s3 = "arn:aws:s3:::"
    assert allowed([exporter], "s3:PutObject", f"{s3}acme-exports/daily/revenue_0000_part_00")
    assert not allowed([exporter], "s3:PutObject", f"{s3}acme-exports/other")
    assert not allowed([exporter], "s3:GetObject", f"{s3}acme-raw-data/orders/dt=2024-06-01/x")
    # the folder and the Terraform are what the commands give on the same scripts
    scripts = ["sql/nightly_load.sql", "sql/revenue_export.sql"]
    run_tool("generate", "--out-dir", str(tmp_path / "direct"), *scripts, cwd=demo)
    for name in (p.name for p in (tmp_path / "direct").iterdir()):
        assert (demo / "iam" / name).read_bytes() == (tmp_path / "direct" / name).read_bytes()
    assert (demo / "iam.tf").read_text() == run_tool("generate", "--format", "terraform",
                                                     *scripts, cwd=demo)
    assert (demo / "iam" / "nightly_load.policy.json").read_text() == run_tool(
        "policy", "sql/nightly_load.sql", cwd=demo)


def test_a_second_make_does_nothing_and_touches_nothing(demo: Path) -> None:
    assert make(demo).returncode == 0
    before = tree(demo)
    again = make(demo)
    assert again.returncode == 0, again.stderr
    assert NOTHING.search(again.stdout), again.stdout
    assert tree(demo) == before
    for target in ("policies", "iam", "terraform"):
        quiet = make(demo, target)
        assert quiet.returncode == 0
        assert re.search(rf"^make(\[\d+\])?: Nothing to be done for '{target}'\.$",
                         quiet.stdout, re.M), quiet.stdout
    assert tree(demo) == before


def test_a_touched_script_rebuilds_but_unchanged_outputs_keep_their_mtime(demo: Path) -> None:
    assert make(demo).returncode == 0
    for name, mtime in tree(demo).items():  # built a minute ago: no clock skew, no sleeping
        os.utime(demo / name, ns=(mtime - 60_000_000_000,) * 2)
    for script in (demo / "sql").iterdir():  # older still, whenever the checkout was made
        os.utime(script, ns=(script.stat().st_mtime_ns - 120_000_000_000,) * 2)
    before = tree(demo)
    (demo / "sql" / "nightly_load.sql").touch()
    done = make(demo)
    assert done.returncode == 0, done.stderr
    assert "policy  sql/nightly_load.sql > iam/nightly_load.policy.json" in done.stdout
    assert "--out-dir iam sql/nightly_load.sql sql/revenue_export.sql" in done.stdout
    assert "revenue_export.policy.json" not in done.stdout  # its script did not change
    after = tree(demo)
    rebuilt = {"iam/nightly_load.policy.json", "iam.tf", "iam/.redshift-iam.json"}
    assert {name for name in after if after[name] != before[name]} == rebuilt
    assert NOTHING.search(make(demo).stdout)


def test_an_edited_script_changes_only_its_principal(demo: Path) -> None:
    assert make(demo).returncode == 0
    before = {name: (demo / name).read_bytes() for name in tree(demo)}
    script = demo / "sql" / "nightly_load.sql"
    script.write_text(script.read_text().replace("dt=2024-06-01", "dt=2024-06-02"))
    assert make(demo).returncode == 0
    after = {name: (demo / name).read_bytes() for name in tree(demo)}
    assert {name for name in after if after[name] != before[name]} == {
        "iam/nightly_load.policy.json", f"iam/{LOADER}.policy.json", "iam.tf",
        "iam/.redshift-iam.json"}
    assert b"dt=2024-06-02/*" in after[f"iam/{LOADER}.policy.json"]


def test_check_iam_passes_on_fresh_output_and_fails_ci_with_the_diff(demo: Path) -> None:
    assert make(demo).returncode == 0
    fresh = make(demo, "check-iam")
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stderr == ""
    edited = demo / "iam" / f"{EXPORTER}.trust.json"
    good = edited.read_text()
    edited.write_text(good.replace("redshift.amazonaws.com", "ec2.amazonaws.com"))
    stale = make(demo, "check-iam")
    assert stale.returncode == 2
    assert re.search(r"^make(\[\d+\])?: \*\*\* \[\.\./Makefile:\d+: check-iam\] Error 1$",
                     stale.stderr, re.M), stale.stderr
    assert ("redshift-iam: iam is out of date (1 to change; 1 of them edited by hand or not "
            "written by redshift-iam); run generate --force without --check to replace them"
            ) in stale.stderr
    assert stale.stdout == (
        f"{TOOL} generate   --out-dir iam --check sql/nightly_load.sql sql/revenue_export.sql\n"
        f"--- iam/{EXPORTER}.trust.json\n+++ iam/{EXPORTER}.trust.json\n"
                    + _one_line_hunk(good, "redshift.amazonaws.com", "ec2.amazonaws.com"))
    assert edited.read_text() != good  # --check writes nothing
    assert NOTHING.search(make(demo).stdout)  # the scripts did not change: make cannot know
    fixed = make(demo, "-B", "iam", "GENERATE_FLAGS=--force")  # as the README says
    assert fixed.returncode == 0, fixed.stderr
    assert edited.read_text() == good
    assert make(demo, "check-iam").returncode == 0


def _one_line_hunk(text: str, old: str, new: str) -> str:
    """The unified diff hunk of replacing ``new`` by ``old`` on its one line of ``text``."""
    lines = text.splitlines(keepends=True)
    (at,) = [i for i, line in enumerate(lines) if old in line]
    start, end = max(at - 3, 0), min(at + 4, len(lines))
    body = [" " + line for line in lines[start:at]] + ["-" + lines[at].replace(old, new),
                                                       "+" + lines[at]]
    body += [" " + line for line in lines[at + 1:end]]
    count = end - start
    return f"@@ -{start + 1},{count} +{start + 1},{count} @@\n" + "".join(body)


def test_check_iam_fails_when_a_script_changes_after_the_commit(demo: Path) -> None:
    assert make(demo).returncode == 0
    (demo / "sql" / "extra.sql").write_text(
        "UNLOAD ('select 1') TO 's3://acme-exports/extra/x_'\n"
        "IAM_ROLE 'arn:aws:iam::123456789012:role/Extra';\n")
    stale = make(demo, "check-iam")
    assert stale.returncode == 2
    assert "--- /dev/null\n+++ iam/Extra~123456789012.policy.json\n" in stale.stdout
    assert "--- /dev/null\n+++ iam/Extra~123456789012.trust.json\n" in stale.stdout
    assert "(2 to add)" in stale.stderr


def test_every_location_is_overridable(demo: Path) -> None:
    (demo / "sql").rename(demo / "queries")
    done = make(demo, "SQL_DIR=queries", "IAM_DIR=out/policies", "TF_FILE=out/main.tf")
    assert done.returncode == 0, done.stderr
    assert sorted(str(p.relative_to(demo)) for p in (demo / "out").rglob("*") if p.is_file()) \
        == sorted(name.replace("iam/", "out/policies/").replace("iam.tf", "out/main.tf")
                  for name in BUILT)
    assert not (demo / "iam").exists()


def test_flags_reach_every_command(demo: Path) -> None:
    done = make(demo, "FLAGS=--partition aws-cn")
    assert done.returncode == 2
    assert "RI125" in done.stderr  # the role ARNs are in aws, not aws-cn
    assert not (demo / "iam" / "nightly_load.policy.json").exists()  # .DELETE_ON_ERROR


def test_a_failing_script_leaves_no_target_behind(demo: Path) -> None:
    (demo / "sql" / "broken.sql").write_text("COPY t FROM 's3://Bad_Bucket/x'\n"
                                             "IAM_ROLE 'arn:aws:iam::123456789012:role/R';\n")
    done = make(demo, "policies")
    assert done.returncode == 2
    assert re.search(r"^make(\[\d+\])?: \*\*\* \[\.\./Makefile:\d+: iam/broken\.policy\.json\] "
                     r"Error 1$", done.stderr, re.M), done.stderr
    assert "make: *** Deleting file 'iam/broken.policy.json'" in done.stderr
    assert not (demo / "iam" / "broken.policy.json").exists()


def test_no_scripts_is_an_error_naming_the_folder(demo: Path) -> None:
    done = make(demo, "SQL_DIR=nowhere", "iam")
    assert done.returncode == 2
    assert "../Makefile:" in done.stderr
    assert "*** no nowhere/*.sql: set SQL_DIR.  Stop." in done.stderr
    assert not (demo / "iam").exists()

"""Benchmarks: ``make bench`` (or ``python bench/run.py``). Prints figures and ratios against
the named baselines; it judges nothing.

1. Throughput: ``redshift-iam generate`` on a generated 10 MB script (see workload.py), in
   MB/s, and its ratio to a plain Python regex statement split of the same text, timed in
   the same run; sqlglot's parse of a 1 MB slice for reference, when sqlglot is installed.
2. Start-up: ``redshift-iam policy`` on a one-statement script vs ``python -c "import click"``.
3. Peak memory (max RSS) of the 10 MB run.
4. Growth: the same at 1 MB; the 10 MB / 1 MB time ratio shows whether it stays linear.
5. Where the 10 MB run's time goes: each stage of the library run in this process.
6. Junk: a statement the fast path declines because of a huge trailing word (1 MB, then
   5 MB), in process: the 5 MB / 1 MB time ratio shows whether declining stays linear.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workload  # noqa: E402

# What a careful engineer writes with `re` to split statements: strings, quoted identifiers,
# comments and dollar bodies are skipped over, then the next semicolon ends the statement.
REGEX_SPLIT = re.compile(
    r"(?:[^;'\"$/-]+|'(?:[^'\\]|''|\\.)*'|\"[^\"]*\"|--[^\n]*|/\*.*?\*/|\$\$.*?\$\$|.)*?;",
    re.S)
ROOT = Path(__file__).resolve().parent.parent


def timed_run(args: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process, run in ``cwd`` (not the source
    tree, which ``python -c`` would import from, uncompiled); its output is discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(args)}")
    return elapsed, usage.ru_maxrss


def regex_split_seconds(text: str) -> float:
    start = time.perf_counter()
    count = sum(1 for _ in REGEX_SPLIT.finditer(text))
    assert count > 0
    return time.perf_counter() - start


def sqlglot_seconds(text: str) -> float | None:
    try:
        import sqlglot
    except ImportError:
        return None
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # it warns on every UNLOAD
    start = time.perf_counter()
    for statement in text.split(";\n"):
        with contextlib.suppress(Exception):  # a reference figure; sqlglot rejects some SQL
            sqlglot.parse(statement, read="redshift")
    return time.perf_counter() - start


def best_of(runs: int, func, *args):
    results = [func(*args) for _ in range(runs)]
    return min(results, key=lambda r: r[0] if isinstance(r, tuple) else r)


def throughput(folder: Path, tool: list[str]) -> None:
    sizes = {}
    for megabytes in (1, 10):
        text = workload.script(megabytes * 1_000_000)
        path = folder / f"bench_{megabytes}mb.sql"
        path.write_text(text)
        seconds, rss = best_of(3 if megabytes == 1 else 2, timed_run,
                               [*tool, "generate", str(path), "--region", "us-east-1"], folder)
        split = best_of(3, regex_split_seconds, text)
        sizes[megabytes] = seconds
        mb = len(text.encode()) / 1e6
        print(f"generate {mb:5.1f} MB: {seconds:6.2f} s  {mb / seconds:5.2f} MB/s  "
              f"peak RSS {rss / 1024:6.1f} MiB  | regex split {split:5.2f} s  "
              f"ratio generate/regex {seconds / split:5.2f}x")
        if megabytes == 1:
            glot = sqlglot_seconds(text)
            print("sqlglot parse 1 MB (reference): " + (f"{glot:.2f} s  {1 / glot:.2f} MB/s"
                                                          if glot else "not installed"))
    print(f"growth: 10 MB takes {sizes[10] / sizes[1]:.2f}x the time of 1 MB")
    print("stages of the 10 MB run, in process:", ", ".join(
        f"{name} {seconds:.2f} s" for name, seconds in stage_seconds(folder / "bench_10mb.sql")))


def stage_seconds(path: Path) -> list[tuple[str, float]]:
    """Each stage of ``generate`` on ``path``, run in this process (best of two)."""
    from redshift_iam.core.reports import Analysis
    from redshift_iam.core.settings import Limits, TrustOptions
    from redshift_iam.derive import derive
    from redshift_iam.documents import build_reports
    from redshift_iam.inputs import build_settings, read_source
    from redshift_iam.output import bundle
    from redshift_iam.sql import read_script

    def fit(derivation):
        return build_reports(derivation, TrustOptions(), Limits())

    best: dict[str, float] = {}
    for _ in range(2):
        timed = Timer(best)
        source = timed("read and decode", read_source, str(path))
        script = timed("split and parse", read_script, [source])
        settings = build_settings("aws", "", "us-east-1", (), ())
        derivation = timed("derive grants", derive, script, settings)
        reports, sizing = timed("fit quotas", fit, derivation)
        analysis = Analysis(script, derivation, reports, sizing)
        timed("render JSON", bundle, analysis)
    return list(best.items())


class Timer:
    """Calls a stage and keeps its best time under its name."""

    def __init__(self, best: dict[str, float]) -> None:
        self.best = best

    def __call__(self, name, func, *args):
        started = time.perf_counter()
        result = func(*args)
        elapsed = time.perf_counter() - started
        self.best[name] = min(self.best.get(name, elapsed), elapsed)
        return result


def junk() -> None:
    """Reading a COPY whose options end in one huge word: the fast path must decline at the
    first junk character, not walk the word one match per character."""
    from redshift_iam.core.source import Source
    from redshift_iam.sql import read_script

    seconds = {}
    for megabytes in (1, 5):
        text = (f"copy t from 's3://acme-data/t/' iam_role '{workload.ROLE}' "
                + "A" * (megabytes * 1_000_000) + ";\n")
        started = time.perf_counter()
        read_script([Source("junk.sql", text)])
        seconds[megabytes] = time.perf_counter() - started
    print(f"junk: a 1 MB trailing word {seconds[1]:.3f} s, 5 MB {seconds[5]:.3f} s, "
          f"ratio {seconds[5] / seconds[1]:.2f}x (linear: about 5x)")


def installed_copy(folder: Path) -> list[str]:
    """The tool as ``pip install`` gives it to users: a plain, byte-compiled copy on the path.
    The source tree (what ``make``'s editable install points at) is not what users start, and
    where bytecode is not written (PYTHONDONTWRITEBYTECODE) it is recompiled on every run."""
    target = folder / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", "--target",
                    str(target), str(ROOT)], check=True, capture_output=True)
    os.environ["PYTHONPATH"] = str(target)
    return [sys.executable, "-c", "from redshift_iam.cli.main import main; main()"]


def startup(folder: Path, tool: list[str], runs: int = 40) -> None:
    """Runs alternate between the two commands, so load on the machine hits both alike."""
    path = folder / "one.sql"
    path.write_text(f"copy t from 's3://acme-data/t/' iam_role '{workload.ROLE}';\n")
    ours, click = [], []
    for _ in range(runs):
        ours.append(timed_run([*tool, "policy", str(path)], folder)[0])
        click.append(timed_run([sys.executable, "-c", "import click"], folder)[0])
    for name, stat in (("min", min), ("median", statistics.median)):
        print(f"start-up ({name} of {runs}): policy on one statement {stat(ours) * 1000:6.1f} ms, "
              f"import click {stat(click) * 1000:6.1f} ms, ratio {stat(ours) / stat(click):4.2f}x")


def main() -> None:
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tool = installed_copy(folder)
        throughput(folder, tool)
        startup(folder, tool)
        junk()


if __name__ == "__main__":
    main()

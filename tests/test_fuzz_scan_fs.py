"""Fuzz of scan's file system side: random trees of files, folders, symbolic links (inside, out of
the tree, to /dev/zero, dangling, looping), FIFOs and ignore files, in and out of git work trees.
Never a traceback, never a hang (an alarm guards each run), never a byte of a file outside the
tree in the result; and the files listed in a work tree are exactly those ``git ls-files
--cached --others --exclude-standard`` lists."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redshift_iam.cli.main import main
from redshift_iam.inputs.scanning import scan
from redshift_iam.inputs.scanning.gitignore import parse
from redshift_iam.inputs.scanning.walk import Entry, walk

TOKEN = "token-bucket-7f3e"
SECRET = f"COPY t FROM 's3://{TOKEN}/k' IAM_ROLE 'arn:aws:iam::123456789012:role/{TOKEN}';\n"
HAS_GIT = shutil.which("git") is not None

NAMES = st.sampled_from(["a", "b", "ab", "d1", "x.sql", "a.sql", "b.py", "k.tf", "[a]", "a b",
                         ".hidden.sql", "*", "deep"])
PATTERN_PIECES = st.sampled_from(["*", "**", "?", "a", "b", "d1", "/", "[ab]", "[!a]", "[a-b]",
                                  ".sql", "x", "\\*", "deep", ".py", "\\", " ", "#", "[", "]",
                                  "[:alpha:]", "[]a]", "-", "[a-]", "**/", "/**", "[z-a]",
                                  "\\ ", "!"])
PATTERNS = st.builds(lambda neg, pieces, slash: ("!" if neg else "") + "".join(pieces)
                     + ("/" if slash else ""),
                     st.booleans(), st.lists(PATTERN_PIECES, min_size=1, max_size=4),
                     st.booleans())
PATHS = st.lists(NAMES, min_size=1, max_size=3).map("/".join)
KINDS = st.sampled_from(["sql", "text", "binary", "link-in", "link-out", "link-dir-out",
                         "link-zero", "link-dangling", "link-loop", "link-up", "fifo"])


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO opened for reading would block)."""
    def expired(*_):
        raise TimeoutError("the run hung")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _place(root: Path, rel: str, kind: str, number: int, outside: Path) -> None:
    path = root / rel
    if path.exists() or path.is_symlink():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a parent is a file already, or a link that loops
    if kind == "sql":
        path.write_text(f"COPY t{number} FROM 's3://acme-{number}/k' IAM_ROLE "
                        f"'arn:aws:iam::123456789012:role/r';\n")
    elif kind == "text":
        path.write_text(f"copy unload library {number}\n")
    elif kind == "binary":
        path.write_bytes(b"COPY\0\xff")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        target = {"link-in": root, "link-out": outside / "secret.sql", "link-dir-out": outside,
                  "link-zero": Path("/dev/zero"), "link-dangling": root / "nowhere",
                  "link-loop": path, "link-up": root}[kind]
        if kind == "link-in":
            target = next((p for p in sorted(root.rglob("*")) if p.is_file()
                           and not p.is_symlink()), root)
        path.symlink_to(target)


def _build(root: Path, entries: list[tuple[str, str]], ignores: list[tuple[str, list[str]]],
           outside: Path) -> None:
    root.mkdir(parents=True)
    for number, (rel, kind) in enumerate(entries):
        _place(root, rel, kind, number, outside)
    for folder, patterns in ignores:
        target = root / folder / ".gitignore" if folder else root / ".gitignore"
        if target.parent.is_dir() and not target.parent.is_symlink() and not target.exists():
            target.write_text("\n".join(patterns) + "\n")


def _outside(base: Path) -> Path:
    outside = base / "elsewhere"
    outside.mkdir()
    (outside / "secret.sql").write_text(SECRET)
    return outside


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(st.tuples(PATHS, KINDS), max_size=12),
       ignores=st.lists(st.tuples(st.sampled_from(["", "a", "d1", "deep"]),
                                  st.lists(PATTERNS, max_size=4)), max_size=3),
       in_git=st.booleans(), tracked=st.booleans())
def test_random_trees_never_leak_and_never_fail(tmp_path_factory, entries, ignores, in_git,
                                                tracked) -> None:
    base = tmp_path_factory.mktemp("fuzz")
    root = base / "tree"
    _build(root, entries, ignores, _outside(base))
    if in_git and HAS_GIT:
        _git(root, "init", "-q")
        if tracked:
            _git(root, "add", "-A", check=False)
    with alarm(60):
        result = scan([str(root)])
        with contextlib.chdir(base):
            scanned = CliRunner().invoke(main, ["scan", "tree", "--format", "json"])
            policy = CliRunner().invoke(main, ["policy", "tree", "--allow-unresolved"])
    texts = [f.text for f in result.fragments] + [s.reason for s in result.skipped]
    assert not any(TOKEN in text for text in texts)
    for run in (scanned, policy):
        assert run.exception is None or isinstance(run.exception, SystemExit), run.output
        assert "Traceback" not in run.output and "internal error" not in run.output
        assert TOKEN not in run.output


@pytest.mark.skipif(not HAS_GIT, reason="git is the reference")
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(PATHS, min_size=1, max_size=10),
       ignores=st.lists(st.tuples(st.sampled_from(["", "a", "d1", "deep", "a/deep"]),
                                  st.lists(PATTERNS, max_size=5)), max_size=3),
       exclude=st.lists(PATTERNS, max_size=2), add=st.lists(st.booleans(), max_size=10))
def test_the_listing_is_gits(tmp_path_factory, files, ignores, exclude, add) -> None:
    root = tmp_path_factory.mktemp("git") / "tree"
    _build(root, [(rel, "text") for rel in files], ignores, _outside(root.parent))
    _git(root, "init", "-q")
    (root / ".git" / "info" / "exclude").write_text("\n".join(exclude) + "\n")
    chosen = [rel for rel, yes in zip(files, add, strict=False)
              if yes and (root / rel).is_file()]
    if chosen:
        _git(root, "add", "-f", "--", *chosen)
    ours = sorted(os.path.relpath(item.display, root) for item in walk([str(root)])
                  if isinstance(item, Entry))
    out = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout
    assert ours == sorted({os.fsdecode(name) for name in out.split(b"\0") if name})


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "HOME": str(root)}
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=check,
                          env=env)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(PATTERNS, max_size=300), path=PATHS, is_dir=st.booleans())
def test_the_verdict_is_the_last_matching_pattern(lines, path, is_dir) -> None:
    """Rules.decide tries patterns in chunks (one alternation per chunk); the verdict is the
    one of the last pattern that matches, tried alone."""
    rules = parse("\n".join(lines))
    patterns = [p for chunk in rules._chunks[True] for p in chunk.patterns]  # last first
    expected = next((not p.negative for p in patterns
                     if (is_dir or not p.dir_only)
                     and re.fullmatch(p.regex, path.rpartition("/")[2] if p.basename else path,
                                      re.S)), None)
    assert rules.decide(path, is_dir) is expected

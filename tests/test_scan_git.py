"""scan inside a git work tree runs nothing of the repository: the index and the ignore files are
read as data (inputs/scanning/gitindex.py, gitignore.py, gitwalk.py). The lists are git's own
(compared with ``git ls-files``), and a repository armed with every command git could run
(fsmonitor, hooks, core.hooksPath, filters, an included config) runs none of them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from redshift_iam.inputs.scanning import Skipped, gitwalk, scan
from redshift_iam.inputs.scanning.gitignore import parse
from redshift_iam.inputs.scanning.gitindex import IndexUnreadable, read_index
from redshift_iam.inputs.scanning.walk import Entry, walk

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git builds the indexes")

ROLE = "arn:aws:iam::123456789012:role/etl"
SQL = f"COPY t FROM 's3://acme-raw/k' IAM_ROLE '{ROLE}';\n"
IGNORED = f"COPY t FROM 's3://acme-ignored/k' IAM_ROLE '{ROLE}';\n"
NESTED = gitwalk.NESTED


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """git with no user or system config (the machine's must not change what a test sees)."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "HOME": str(cwd), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=check,
                          env=env)


def git_lists(root: Path, *args: str) -> set[str]:
    out = git(root, "ls-files", "-z", *args).stdout
    return {os.fsdecode(name) for name in out.split(b"\0") if name}


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def listed(root: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """(the files walk lists, [(path, reason)] of its skipped places), relative to root."""
    files, skipped = [], []
    for item in walk([str(root)]):
        if isinstance(item, Entry):
            files.append(os.path.relpath(item.display, root))
        else:
            skipped.append((os.path.relpath(item.path, root), item.reason))
    return files, skipped


# --- the index, as git reads it ---------------------------------------------------------------

INDEX_FORMS = {
    "v2": [("update-index", "--index-version", "2")],
    "v3": [("update-index", "--index-version", "3"),
           ("update-index", "--skip-worktree", "a/b/f1.sql")],  # an extended entry
    "v4": [("update-index", "--index-version", "4")],  # names prefix-compressed
    "split": [("-c", "core.splitIndex=true", "update-index", "--split-index"),
              ("rm", "-q", "--cached", "a/b/f2.sql"), ("add", "new.sql"),
              ("add", "d/g1.sql")],  # a deletion, an addition, a replacement of the shared
    "split-v4": [("update-index", "--index-version", "4"),
                 ("-c", "core.splitIndex=true", "update-index", "--split-index"),
                 ("rm", "-q", "--cached", "c/long-name-1.py"), ("add", "d/g1.sql")],
}


@pytest.mark.parametrize("form", [*INDEX_FORMS, "sha256"])
def test_the_index_lists_what_git_lists(tmp_path: Path, form: str) -> None:
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", *(["--object-format=sha256"] if form == "sha256" else []))
    names = [f"a/b/f{i}.sql" for i in range(3)] + [f"c/long-name-{i}.py" for i in range(3)]
    tree(root, {**{name: f"{name}\n" for name in names}, "d/g1.sql": "1\n", "d/g2.sql": "2\n",
                "ünïcode/ß.sql": "x\n", "new.sql": "n\n"})
    git(root, "add", "a", "c", "d", "ünïcode")
    for step in INDEX_FORMS.get(form, []):
        if step == ("add", "d/g1.sql"):
            (root / "d/g1.sql").write_text("changed\n")
        git(root, *step)
    if form.startswith("split"):
        assert any(p.name.startswith("sharedindex.") for p in (root / ".git").iterdir())
    tracked = read_index(str(root / ".git"))
    assert set(tracked.files) == git_lists(root, "--cached")
    assert len(tracked.files) == {"split-v4": 8}.get(form, 9)
    assert tracked.gitlinks == frozenset()


def test_an_index_without_checksum_is_read_with_either_hash(tmp_path: Path) -> None:
    """index.skipHash writes zeros where the checksum goes: both hash sizes are tried."""
    root = tmp_path / "r"
    tree(root, {"a.sql": SQL, "b/c.sql": SQL})
    git(root, "init", "-q")
    git(root, "add", ".")
    index = root / ".git" / "index"
    index.write_bytes(index.read_bytes()[:-20] + bytes(20))
    assert read_index(str(root / ".git")).files == {"a.sql", "b/c.sql"}


@pytest.mark.parametrize("damage, reason", [
    (lambda data: b"XXXX" + data[4:], "not a git index (no DIRC signature)"),
    (lambda data: data[:4] + (9).to_bytes(4, "big") + data[8:],
     "index version 9 (versions 2, 3 and 4 are read)"),
    (lambda data: data[:8] + (10**9).to_bytes(4, "big") + data[12:],
     "more entries than the file can hold"),
    (lambda data: data[:40], "more entries than the file can hold"),
    (lambda data: data[:100], "the extensions do not end where the checksum starts"),
    (lambda data: data[:-20] + b"zzzz\0\0\0\0" + bytes(20),
     "the index needs the extension b'zzzz', not read here"),
    (lambda data: data[:-20] + b"link\0\0\0\x02ab" + bytes(20),
     "a split index's link is shorter than a hash"),
    (lambda data: data[:-20] + b"link\0\0\0\x14" + b"\x01" * 20 + bytes(20),
     "sharedindex.0101010101010101010101010101010101010101: No such file or directory"),
    (lambda data: _names_without_end(), "paths longer than a work tree can hold"),
])
def test_a_damaged_index_says_why(tmp_path: Path, damage, reason: str) -> None:
    root = tmp_path / "r"
    tree(root, {"a.sql": SQL})
    git(root, "init", "-q")
    git(root, "add", ".")
    index = root / ".git" / "index"
    index.write_bytes(damage(index.read_bytes()))
    with pytest.raises(IndexUnreadable) as caught:
        read_index(str(root / ".git"))
    assert str(caught.value) == reason


def _names_without_end() -> bytes:
    """A version 4 index whose every name keeps the one before and adds 100 bytes: its names
    would grow as the square of its size."""
    entry = bytes(24) + (0o100644).to_bytes(4, "big") + bytes(32) + bytes(2) + b"\0"
    body = b"DIRC" + (4).to_bytes(4, "big") + (50_000).to_bytes(4, "big") + (
        entry + b"a" * 100 + b"\0") * 50_000
    return body + hashlib.sha1(body).digest()


# --- the ignore rules, as git applies them ----------------------------------------------------

RULES = ("build/\n!*.o\na/**\n!a/keep\ntrail/**/\n!trail/x/\nd/\n!d/e/\n"
         "sp.txt  \nesc.txt\\ \n#comment.txt\n\\#hash.txt\n\\!bang.txt\n[:alpha:].x\n"
         "[[:digit:]].y\nunclosed[\ncr.txt\r\n/rooted.sql\n**/deep/*.sql\nx/**/y.sql\n"
         "[!a-c]?.q\n[z-a].r\n")
FILES = ["build/x.o", "build/y.c", "a/keep", "a/other", "trail/t", "trail/x/y", "d/e/f",
         "top.o", "sp.txt", "esc.txt ", "#comment.txt", "#hash.txt", "!bang.txt", "a.x", "z.x",
         "1.y", "q.y", "unclosed[", "cr.txt", "rooted.sql", "sub/rooted.sql", "p/deep/k.sql",
         "deep/k.sql", "x/y.sql", "x/1/2/y.sql", "ab.q", "db.q", "z.r", "kept.sql"]


def test_ignore_rules_are_gits(tmp_path: Path) -> None:
    root = tree(tmp_path / "r", {".gitignore": RULES, **{name: "x\n" for name in FILES}})
    git(root, "init", "-q")
    files, skipped = listed(root)
    assert (sorted(files), skipped) == (sorted(git_lists(root, "-co", "--exclude-standard")), [])
    assert sorted(files) == sorted([".gitignore", "#comment.txt", "a/keep", "ab.q", "kept.sql",
                                    "q.y", "sub/rooted.sql", "top.o", "trail/t", "trail/x/y",
                                    "unclosed[", "z.x"])


def test_nested_ignore_files_exclude_and_tracked_files(tmp_path: Path) -> None:
    root = tree(tmp_path / "r", {
        ".gitignore": "*.tmp\nlogs/\n", "src/.gitignore": "!keep.tmp\ngen/\n",
        "src/keep.tmp": "x", "src/drop.tmp": "x", "src/gen/a.py": "x", "src/deep/.gitignore":
        "*.sql\n", "src/deep/q.sql": "x", "src/deep/q.py": "x", "logs/tracked.sql": "x",
        "logs/untracked.sql": "x", "local.sql": "x", "other.sql": "x"})
    git(root, "init", "-q")
    (root / ".git" / "info" / "exclude").write_text("local.sql\n")
    git(root, "add", "-f", "logs/tracked.sql")
    files, skipped = listed(root)
    assert sorted(files) == sorted(git_lists(root, "-co", "--exclude-standard")) == [
        ".gitignore", "logs/tracked.sql", "other.sql", "src/.gitignore", "src/deep/.gitignore",
        "src/deep/q.py", "src/keep.tmp"]
    assert skipped == []
    sub = listed(root / "src")[0]  # the parents' rules apply to a folder scanned alone
    assert sorted(sub) == [".gitignore", "deep/.gitignore", "deep/q.py", "keep.tmp"]


def test_submodules_and_nested_repositories_are_skipped(tmp_path: Path) -> None:
    root = tree(tmp_path / "r", {"a.sql": SQL, "vendor/lib/x.sql": SQL, "ign/repo/y.sql": SQL,
                                 ".gitignore": "ign/\n"})
    git(root, "init", "-q")
    git(root / "vendor" / "lib", "init", "-q")
    git(root / "ign" / "repo", "init", "-q")
    blob = "0" * 39 + "1"
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{blob},mod")
    (root / "mod").mkdir()  # an uninitialised submodule
    files, skipped = listed(root)
    assert sorted(files) == [".gitignore", "a.sql"]
    assert skipped == [("mod", NESTED), ("vendor/lib", NESTED)]
    assert read_index(str(root / ".git")).gitlinks == {"mod"}


def test_a_folder_git_ignores_is_walked_plainly(tmp_path: Path) -> None:
    root = tree(tmp_path / "r", {".gitignore": "scratch/\n", "scratch/a.sql": SQL,
                                 "scratch/deeper/b.sql": SQL})
    git(root, "init", "-q")
    assert listed(root)[0] == [".gitignore"]
    assert listed(root / "scratch")[0] == ["a.sql", "deeper/b.sql"]
    assert listed(root / "scratch" / "deeper")[0] == ["b.sql"]


def test_parse_reads_git_syntax() -> None:
    rules = parse("\ufeff*.log\n!keep.log\n# c\n\n/only-top\ndir/\nx\\ \n\\#h\nbad\\\n")
    cases = {("a/b.log", False): True, ("keep.log", False): False, ("sub/keep.log", False): False,
             ("only-top", False): True, ("sub/only-top", False): None, ("dir", True): True,
             ("dir", False): None, ("x ", False): True, ("#h", False): True,
             ("bad\\", False): None, ("other", False): None}
    assert {case: rules.decide(*case) for case in cases} == cases
    assert parse("").decide("a", False) is None


# --- a repository armed with every command git can run ---------------------------------------

HOOKS = ("post-index-change", "reference-transaction", "pre-commit", "post-checkout",
         "fsmonitor-watchman", "pre-auto-gc")


def armed_repository(top: Path) -> tuple[Path, Path]:
    """A work tree whose config, included config, attributes and hooks each run a command that
    leaves a marker file; (the work tree, the markers' folder)."""
    marks, root = top / "marks", top / "repo"
    marks.mkdir()
    tree(root, {"dags/load.py": f'SQL = """{SQL}"""\n', ".gitignore": "scratch/\n*.local.sql\n",
                "scratch/ignored.sql": IGNORED, "q.local.sql": IGNORED, "new.sql": SQL,
                ".gitattributes": "* filter=evil diff=evil merge=evil\n"})
    git(root, "init", "-q")
    git(root, "add", "dags", ".gitignore")
    hooks = root / "hooks"
    for folder in (hooks, root / ".git" / "hooks"):
        folder.mkdir(exist_ok=True)
        for hook in HOOKS:
            (folder / hook).write_text(f"#!/bin/sh\ntouch {marks}/hook-{hook}\n")
            (folder / hook).chmod(0o755)
    (top / "extra.config").write_text(
        f"[diff \"evil\"]\n\ttextconv = touch {marks}/textconv\n"
        f"[core]\n\tsshCommand = touch {marks}/ssh\n")
    with open(root / ".git" / "config", "a") as config:
        config.write(
            f"[core]\n\tfsmonitor = touch {marks}/fsmonitor\n\thooksPath = {hooks}\n"
            f"\tuntrackedCache = true\n\tpager = touch {marks}/pager\n"
            f"\teditor = touch {marks}/editor\n\taskPass = touch {marks}/askpass\n"
            f"[filter \"evil\"]\n\tclean = touch {marks}/clean\n"
            f"\tsmudge = touch {marks}/smudge\n\tprocess = touch {marks}/process\n"
            f"\trequired = true\n[merge \"evil\"]\n\tdriver = touch {marks}/merge\n"
            f"[include]\n\tpath = {top / 'extra.config'}\n")
    return root, marks


def test_a_hostile_repository_runs_nothing(tmp_path: Path, monkeypatch) -> None:
    root, marks = armed_repository(tmp_path)

    def no_process(*args, **kwargs):
        raise AssertionError(f"scan started a process: {args}")

    for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system", "execv", "execve"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, no_process)
    monkeypatch.setattr(subprocess.Popen, "__init__", no_process)
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(main, ["scan", "repo", "--format", "json"],
                                    catch_exceptions=False)
    monkeypatch.undo()
    assert sorted(os.listdir(marks)) == []
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [s["location"] for s in report["statements"]] == ["repo/dags/load.py:1:10",
                                                             "repo/new.sql:1:1"]
    assert report["skipped"] == [] and "acme-ignored" not in result.stdout
    # the control: git itself runs the repository's fsmonitor command for the same listing
    git(root, "ls-files", "--cached", "--others", "--exclude-standard", check=False)
    assert "fsmonitor" in os.listdir(marks)


def test_git_environment_variables_change_nothing(tmp_path: Path, monkeypatch) -> None:
    root = tree(tmp_path / "r", {".gitignore": "scratch/\n", "a.sql": SQL,
                                 "scratch/b.sql": IGNORED})
    other = tree(tmp_path / "other", {"c.sql": SQL})
    git(root, "init", "-q")
    git(other, "init", "-q")
    git(other, "add", ".")
    expected = listed(root)
    for name, value in {"GIT_DIR": other / ".git", "GIT_WORK_TREE": other,
                        "GIT_INDEX_FILE": other / ".git" / "index",
                        "GIT_CEILING_DIRECTORIES": tmp_path}.items():
        monkeypatch.setenv(name, str(value))
    assert listed(root) == expected == ([".gitignore", "a.sql"], [])


def test_a_linked_worktree_uses_its_own_index_and_the_common_excludes(tmp_path: Path) -> None:
    main_tree = tree(tmp_path / "main", {"a.sql": SQL, "b.sql": SQL})
    git(main_tree, "init", "-q")
    git(main_tree, "add", ".")
    git(main_tree, "commit", "-qm", "x")
    git(main_tree, "worktree", "add", "-q", str(tmp_path / "wt"))
    (main_tree / ".git" / "info" / "exclude").write_text("*.scratch.sql\n")
    wt = tree(tmp_path / "wt", {"c.scratch.sql": IGNORED, "d.sql": SQL})
    assert (wt / ".git").is_file()
    assert listed(wt) == (["a.sql", "b.sql", "d.sql"], [])
    assert sorted(git_lists(wt, "-co", "--exclude-standard")) == ["a.sql", "b.sql", "d.sql"]


def test_a_git_file_that_leads_nowhere_is_a_plain_walk(tmp_path: Path) -> None:
    root = tree(tmp_path / "r", {".git": "gitdir: /nonexistent/.git\n", ".gitignore": "*.sql\n",
                                 "a.sql": SQL})
    assert listed(root) == ([".gitignore", "a.sql"], [])


@pytest.mark.parametrize("make, reason", [
    (lambda index: index.symlink_to("/dev/zero"), "a symbolic link, not a regular file"),
    (lambda index: os.mkfifo(index), "a FIFO (named pipe), not a regular file"),
    (lambda index: index.write_bytes(b"\0" * 64), "not a git index (no DIRC signature)"),
])
def test_an_index_that_cannot_be_read_is_reported_and_the_tree_walked(
        tmp_path: Path, make, reason: str) -> None:
    root = tree(tmp_path / "r", {".gitignore": "*.tmp.sql\n", "a.sql": SQL,
                                 "b.tmp.sql": IGNORED})
    git(root, "init", "-q")
    make(root / ".git" / "index")
    prefix = "index: " if "regular" in reason else ""
    assert listed(root) == ([".gitignore", "a.sql", "b.tmp.sql"], [(
        ".git/index", f"the git index cannot be read ({prefix}{reason}): the folder is walked "
                      "without git's rules")])


def test_ignore_files_that_are_links_fifos_or_too_many_are_reported(tmp_path: Path,
                                                                     monkeypatch) -> None:
    outside = tmp_path / "patterns"
    outside.write_text("*.sql\n")
    root = tree(tmp_path / "r", {"a.sql": SQL, "f/b.sql": SQL, "many/c.sql": SQL,
                                 "many/.gitignore": "x\ny\nz\n"})
    git(root, "init", "-q")
    (root / ".gitignore").symlink_to(outside)
    os.mkfifo(root / "f" / ".gitignore")
    monkeypatch.setattr(gitwalk, "MAX_PATTERNS", 2)
    assert listed(root) == (
        ["a.sql", "f/.gitignore", "f/b.sql", "many/.gitignore", "many/c.sql"],
        [(".gitignore", "symlink to a file outside the scanned tree: not followed"),
         (".gitignore", "a symbolic link, not a regular file: its ignore rules are not applied"),
         ("f/.gitignore", "a FIFO (named pipe), not a regular file: its ignore rules are not "
                          "applied"),
         ("many/.gitignore", "more than 2 ignore patterns in one run: its rules are not "
                             "applied")])


def test_scan_results_are_those_of_the_git_listing(tmp_path: Path) -> None:
    root, _ = armed_repository(tmp_path)
    result = scan([str(root)])
    assert result.files_read == 2
    assert [f.path for f in result.fragments] == [f"{root}/dags/load.py", f"{root}/new.sql"]
    assert result.skipped == []
    assert not any(isinstance(item, Skipped) for item in walk([str(root)]))

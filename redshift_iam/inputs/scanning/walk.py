"""The files under the paths given, in a deterministic (sorted) order.

Contract of :func:`walk`: yields :class:`Entry` rows (a file to read, with its display path: the
path as given joined with the path below it, POSIX slashes) and :class:`Skipped` rows, sorted by
display path within each given path. Inside a git work tree the files are those git lists
(``git ls-files -z --cached --others --exclude-standard``: tracked and untracked, not ignored),
asked once per given directory; where git is absent, the directory is not in a work tree, or
the directory given is itself ignored by git, a plain walk. ``.git`` is never entered. A
symlinked directory is never followed (inside the tree its files are read under their real
path; a loop or a link out of the tree is skipped with its reason); a dangling or looping
symlink is skipped with its reason.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from typing import NamedTuple

from redshift_iam.inputs.scanning.model import Skipped


class Entry(NamedTuple):
    """A file to read: its display path, the path to open, and whether it was given by name."""

    display: str
    real: str
    given: bool = False


def walk(paths: list[str]) -> Iterator[Entry | Skipped]:
    """Files and skipped places under ``paths`` (see the module docstring)."""
    for given in paths:
        display = given.replace(os.sep, "/")
        try:
            mode = os.stat(given).st_mode
        except OSError as error:
            yield Skipped(display, 0, 0, f"cannot read the path: {error.strerror or error}")
            continue
        if stat.S_ISDIR(mode):
            listed = _git_files(given)
            found = _listed(given, listed) if listed is not None else _plain(given)
            yield from sorted(found, key=_display)
        else:
            yield Entry(display, given, True)


def _display(item: Entry | Skipped) -> str:
    return item.display if isinstance(item, Entry) else item.path


def _join(root: str, rel: str) -> str:
    return os.path.normpath(os.path.join(root, rel)).replace(os.sep, "/")


def _git(root: str, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            ["git", "-C", root, *args], capture_output=True, timeout=120, check=False,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError):
        return None


def _git_files(root: str) -> list[str] | None:
    """The files git lists under ``root`` (relative), or None when git cannot say or when
    ``root`` itself is ignored (a directory given by name is then walked plainly)."""
    done = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if done is None or done.returncode != 0:
        return None
    names = sorted({name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0")
                    if name})
    if not names:
        ignored = _git(root, "check-ignore", "-q", ".")
        if ignored is not None and ignored.returncode == 0:
            return None
    return names


def _listed(root: str, names: list[str]) -> Iterator[Entry | Skipped]:
    """git's files; symlinks to directories and entries deleted from the work tree left out."""
    for name in names:
        real = os.path.join(root, name)
        if os.path.islink(real):
            problem = _link_problem(real, root)
            if problem:
                yield Skipped(_join(root, name), 0, 0, problem)
                continue
        if os.path.isfile(real):
            yield Entry(_join(root, name), real)
        elif os.path.isdir(real):
            yield Skipped(_join(root, name), 0, 0, "a nested git repository or submodule: not "
                          "read; scan it as a path of its own")


def _link_problem(real: str, root: str) -> str:
    """Why a symlinked file is not read ('' when it is read)."""
    try:
        target = os.stat(real)
    except OSError as error:
        return f"symlink cannot be followed: {error.strerror or error}"
    if stat.S_ISDIR(target.st_mode):
        return "symlink to a directory: not followed (git does not follow it either)"
    return ""


def _plain(root: str) -> Iterator[Entry | Skipped]:
    """A sorted walk that never enters .git and follows directory links only inside root."""
    top = os.path.realpath(root)
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel)) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            yield Skipped(_join(root, rel), 0, 0, f"cannot list: {error.strerror or error}")
            continue
        subdirs = []
        for entry in entries:
            name = os.path.join(rel, entry.name)
            kind = _kind(entry, top)
            if kind == "dir":
                subdirs.append(name)
            elif kind == "file":
                yield Entry(_join(root, name), entry.path)
            elif kind:
                yield Skipped(_join(root, name), 0, 0, kind)
        stack.extend(reversed(subdirs))


def _kind(entry: os.DirEntry, top: str) -> str:
    """'dir', 'file', '' (ignored) or the reason a symlink is not followed."""
    if entry.name == ".git":
        return ""
    try:
        if not entry.is_symlink():
            return "dir" if entry.is_dir() else ("file" if entry.is_file() else "")
        target = os.stat(entry.path)
    except OSError as error:
        return f"symlink cannot be followed: {error.strerror or error}"
    if not stat.S_ISDIR(target.st_mode):
        return "file" if stat.S_ISREG(target.st_mode) else ""
    real = os.path.realpath(entry.path)
    if real == top or top.startswith(real + os.sep):
        return "symlink to a directory that contains it (a loop): not followed"
    if real.startswith(top + os.sep):
        return ""  # inside the tree: its files are read under their own path
    return "symlink to a directory outside the scanned tree: not followed"

"""The files under the paths given, in a deterministic (sorted) order; nothing of the tree runs.

Contract of :func:`walk`: yields :class:`Entry` rows (a file to read, with its display path: the
path as given joined with the path below it, POSIX slashes) and :class:`Skipped` rows, sorted by
display path within each given path. Inside a git work tree the files are those ``git ls-files
--cached --others --exclude-standard`` would list (tracked, and untracked but not ignored),
decided from the index and the ignore files read as data (``gitwalk``): no git process runs, so
no hook, filter, fsmonitor or config of the repository can. Where the folder is in no work tree,
inside a git directory, in a work tree whose ``.git`` file leads nowhere, or is itself ignored
(and holds no tracked file), a plain walk. An index that cannot be read is a Skipped row and a
plain walk. ``.git`` is never entered. A symlinked directory is never followed (inside the tree
its files are read under their real path; a loop or a link out of the tree is skipped with its
reason); a symlinked file is read only when it leads to a file inside the tree (the Entry's
``real`` is then the target); a dangling or looping symlink is skipped with its reason. FIFOs,
devices and sockets are entries like files: the reader refuses them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import NamedTuple

from redshift_iam.core.localfiles import FileReader, Judge, walk_tree
from redshift_iam.inputs.scanning.fragments import Skipped
from redshift_iam.inputs.scanning.gitindex import BROKEN, IndexUnreadable, find_repo, read_index
from redshift_iam.inputs.scanning.gitwalk import GitView


class Entry(NamedTuple):
    """A file to read: its display path, the path to open, and whether it was given by name."""

    display: str
    real: str
    given: bool = False


def walk(paths: list[str], reader: FileReader | None = None) -> Iterator[Entry | Skipped]:
    """Files and skipped places under ``paths`` (see the module docstring); ``reader`` caps the
    ignore files read."""
    reader = reader or FileReader()
    for given in paths:
        display = given.replace(os.sep, "/")
        try:
            mode = os.stat(given).st_mode
        except OSError as error:
            yield Skipped(display, 0, 0, f"cannot read the path: {error.strerror or error}")
            continue
        if stat.S_ISDIR(mode):
            yield from sorted(_folder(given, reader), key=_display)
        else:
            yield Entry(display, given, True)


def _display(item: Entry | Skipped) -> str:
    return item.display if isinstance(item, Entry) else item.path


def _join(root: str, rel: str) -> str:
    return os.path.normpath(os.path.join(root, rel)).replace(os.sep, "/")


def _folder(given: str, reader: FileReader) -> list[Entry | Skipped]:
    """The folder's files: git's list inside a work tree, else a plain walk."""
    real = os.path.realpath(given)
    repo = find_repo(real)
    prefix = "" if repo is None else os.path.relpath(real, repo.top).replace(os.sep, "/")
    if repo is None or repo == BROKEN or ".git" in prefix.split("/"):
        return _listed(given, None)
    try:
        tracked = read_index(repo.git_dir)
    except IndexUnreadable as exc:
        index = os.path.relpath(os.path.join(repo.git_dir, "index"), real)
        note = Skipped(_join(given, index), 0, 0, f"the git index cannot be read ({exc}): the "
                       "folder is walked without git's rules")
        return [note, *_listed(given, None)]
    view = GitView(repo, "" if prefix == "." else prefix, tracked, reader)
    found = _listed(given, view.judge)
    if not found and view.folder_ignored():
        return _listed(given, None)
    return found + [Skipped(_join(given, os.path.relpath(os.path.join(repo.top, path), real)),
                            0, 0, reason) for path, reason in view.problems]


def git_judge(folder: str, reader: FileReader | None = None) -> Judge | None:
    """The rule git applies to the folder's files (tracked, or untracked and not ignored),
    read as data as :func:`walk` does, for another walker of the same folder; None where the
    folder is in no readable work tree (or is itself ignored): every file then."""
    real = os.path.realpath(folder)
    repo = find_repo(real)
    prefix = "" if repo is None else os.path.relpath(real, repo.top).replace(os.sep, "/")
    if repo is None or repo == BROKEN or ".git" in prefix.split("/"):
        return None
    try:
        tracked = read_index(repo.git_dir)
    except IndexUnreadable:
        return None
    view = GitView(repo, "" if prefix == "." else prefix, tracked, reader or FileReader())
    return None if view.folder_ignored() else view.judge


def _listed(given: str, judge: Judge | None) -> list[Entry | Skipped]:
    return [Skipped(_join(given, item.rel), 0, 0, item.problem) if item.problem
            else Entry(_join(given, item.rel), item.path) for item in walk_tree(given, judge)]

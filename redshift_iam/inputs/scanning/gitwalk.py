"""What ``git ls-files --cached --others --exclude-standard`` lists under a folder of a work tree,
decided from the index (``gitindex``) and the ignore files (``gitignore``) read as data.

:class:`GitView` is the judge :func:`~redshift_iam.core.localfiles.walk_tree` asks about each
entry under the folder: a tracked file is kept; an untracked one unless ignored; a folder git
ignores is not entered (unless it holds tracked files, which alone are kept then); a submodule
or a nested repository is a problem ("scan it as a path of its own"). The ignore rules are git's
order: the ``.gitignore`` of each folder from the path's own up to the work tree's top (the
deepest that matches decides), then ``info/exclude`` of the repository. Not read: the user's
global excludes file (``core.excludesFile``, ``~/.config/git/ignore``) and any config, so a file
ignored only there is read. A ``.gitignore`` that is a symbolic link is not read (as git since
2.32); one over the size cap, or beyond :data:`MAX_PATTERNS` patterns in the run, is reported
in :attr:`GitView.problems` and not applied.
"""

from __future__ import annotations

import os

from redshift_iam.core.localfiles import FileReader, NotRead, read_regular
from redshift_iam.inputs.scanning.gitignore import Rules, pattern_lines, rules_of
from redshift_iam.inputs.scanning.gitindex import BROKEN, Repo, Tracked, repo_at

MAX_PATTERNS = 10_000  # ignore patterns applied in one run; real repositories have hundreds
NESTED = "a nested git repository or submodule: not read; scan it as a path of its own"


class Ignores:
    """The ignore files of one work tree, read as they are first needed."""

    def __init__(self, repo: Repo, reader: FileReader) -> None:
        self.top, self.reader = repo.top, reader
        self.patterns = 0
        self.problems: list[tuple[str, str]] = []  # (path below the top, why not applied)
        self.lists: dict[str, Rules | None] = {}
        exclude = os.path.join(repo.common_dir, "info", "exclude")
        self.exclude = self._load(exclude, os.path.relpath(exclude, self.top), follow=True)

    def excluded(self, path: str, is_dir: bool) -> bool:
        """Whether git ignores ``path`` ('/'-separated, below the top), its parents aside."""
        folder = path.rpartition("/")[0]
        while True:
            rules = self._rules(folder)
            verdict = rules.decide(path[len(folder) + 1:] if folder else path, is_dir) \
                if rules else None
            if verdict is not None:
                return verdict
            if not folder:
                return bool(self.exclude and self.exclude.decide(path, is_dir))
            folder = folder.rpartition("/")[0]

    def _rules(self, folder: str) -> Rules | None:
        if folder not in self.lists:
            shown = f"{folder}/.gitignore" if folder else ".gitignore"
            self.lists[folder] = self._load(os.path.join(self.top, shown), shown, follow=False)
        return self.lists[folder]

    def _load(self, path: str, shown: str, follow: bool) -> Rules | None:
        try:
            data = read_regular(path, self.reader.limits.per_file, follow)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except NotRead as exc:
            return self._problem(shown, f"{exc.reason}: its ignore rules are not applied")
        except OSError as exc:
            return self._problem(shown, f"unreadable ({exc.strerror or exc}): its ignore rules "
                                        "are not applied")
        lines = pattern_lines(os.fsdecode(data))
        if self.patterns + len(lines) > MAX_PATTERNS:
            return self._problem(shown, f"more than {MAX_PATTERNS} ignore patterns in one run: "
                                        "its rules are not applied")
        self.patterns += len(lines)
        return rules_of(lines)

    def _problem(self, shown: str, reason: str) -> None:
        self.problems.append((shown, reason))
        return None


class GitView:
    """The judge of a walk of ``prefix`` (a folder below the work tree's top, '' for the top)."""

    def __init__(self, repo: Repo, prefix: str, tracked: Tracked, reader: FileReader) -> None:
        self.prefix, self.root = prefix, os.path.join(repo.top, prefix)
        self.files = _below(tracked.files, prefix)
        self.gitlinks = _below(tracked.gitlinks, prefix)
        self.tracked_dirs = {path[:at] for path in self.files | self.gitlinks
                             for at in _slashes(path)}
        self.excluded_dirs: set[str] = set()
        self.ignores = Ignores(repo, reader)

    def judge(self, rel: str, is_dir: bool) -> str | None:
        """None: keep (enter a folder); '': leave out; else the reason it is not read."""
        inside = rel.rpartition("/")[0] in self.excluded_dirs
        if not is_dir:
            keep = rel in self.files or not (inside or self._excluded(rel, False))
            return None if keep else ""
        if rel in self.gitlinks:
            return NESTED
        if inside or self._excluded(rel, True):
            self.excluded_dirs.add(rel)
            return None if rel in self.tracked_dirs else ""
        if rel not in self.tracked_dirs and repo_at(os.path.join(self.root, rel)) not in (
                None, BROKEN):
            return NESTED
        return None

    def folder_ignored(self) -> bool:
        """Whether git ignores the folder itself or one of its parents below the top."""
        parts = self.prefix.split("/") if self.prefix else []
        return any(self.ignores.excluded("/".join(parts[:n]), True)
                   for n in range(1, len(parts) + 1))

    @property
    def problems(self) -> list[tuple[str, str]]:
        return self.ignores.problems

    def _excluded(self, rel: str, is_dir: bool) -> bool:
        return self.ignores.excluded(f"{self.prefix}/{rel}" if self.prefix else rel, is_dir)


def _below(paths: frozenset[str], prefix: str) -> set[str]:
    if not prefix:
        return set(paths)
    start = prefix + "/"
    return {path[len(start):] for path in paths if path.startswith(start)}


def _slashes(path: str) -> list[int]:
    return [at for at, char in enumerate(path) if char == "/"]

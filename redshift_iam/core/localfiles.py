"""Reading files from trees the user did not write: only regular files, through no symbolic link
that was not asked for, never more than a cap per file and per run, never anything run.

Contract:

- :func:`read_regular` reads one file. The file is checked before it is opened (a FIFO, a device
  or a socket is never opened: opening some devices does something) and again on the open
  descriptor (``fstat``), so a file swapped for a FIFO or a link in between is refused as well;
  the open is non-blocking, and with ``follow=False`` it refuses a symbolic link as its last
  component (``O_NOFOLLOW``). At most ``limit + 1`` bytes are read, whatever the size says (a
  file that grows while read is refused, not read to the end). It raises :class:`NotRead`
  (with the reason, never the content) or ``OSError`` (missing, permission, ...).
- :class:`FileReader` reads under :class:`ReadLimits`: a cap per file and a total for one run.
- :func:`walk_tree` lists the files under a folder without leaving it (see its docstring).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from typing import Literal, NamedTuple

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CHUNK = 1 * MiB
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symbolic link"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class ReadLimits(NamedTuple):
    """How much one run reads: ``per_file`` bytes at most per file, ``total`` bytes in all. The
    defaults are those of scripts and specs (the SQL reader needs about ten bytes of memory per
    byte read, and a 10 MB script is a workload it is benchmarked on)."""

    per_file: int = 32 * MiB
    total: int = 256 * MiB


DEFAULT_READ_LIMITS = ReadLimits()
# scan: a source file that holds SQL is small, and Python's own parser needs about 350 bytes
# of memory per byte of dense code (1 MiB: 2 s and 360 MB; 4 MiB: 7 s and 1.4 GB).
SCAN_READ_LIMITS = ReadLimits(1 * MiB, 1 * GiB)


class NotRead(Exception):
    """A file that is not read, and why (the reason never quotes the file's content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(NotRead):
    """A file over the limit it was read under: its ``size`` (bytes) and that ``limit``."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over the limit of {size_text(limit)}")
        self.size, self.limit = size, limit


def size_text(size: int) -> str:
    """``4 MiB``, ``512 KiB``, ``1 GiB``; bytes when no unit divides it."""
    for unit, name in ((GiB, "GiB"), (MiB, "MiB"), (KiB, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"


_SIZE = re.compile(r"\s*(\d+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\s*\Z", re.I)
_UNITS = {"": 1, "b": 1, "k": KiB, "m": MiB, "g": GiB}


def parse_size(text: str) -> int:
    """``4MiB``, ``4M``, ``512k``, ``1GiB``, ``1000`` (bytes) -> bytes; units are powers of
    1024. ValueError for anything else, or for 0."""
    match = _SIZE.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a size such as 4MiB, 512KiB, 1GiB or a number of "
                         "bytes (at least 1)")
    return int(match.group(1)) * _UNITS[match.group(2)[:1].lower()]


def kind_of_mode(mode: int) -> str:
    """What a file of this mode is, for a message ('' for a regular file)."""
    return next((name for test, name in _KINDS if test(mode)), "" if stat.S_ISREG(mode)
                else "not a regular file")


def _check(status: os.stat_result, limit: int) -> None:
    kind = kind_of_mode(status.st_mode)
    if kind:
        raise NotRead(f"{kind}, not a regular file")
    if status.st_size > limit:
        raise TooLarge(status.st_size, limit)


def read_regular(path: str, limit: int, follow: bool = True) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``limit``); see the module docstring."""
    _check(os.stat(path, follow_symlinks=follow), limit)
    fd = os.open(path, _OPEN_FLAGS | (0 if follow else _NOFOLLOW))
    try:
        _check(os.fstat(fd), limit)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise TooLarge(size, limit)
    return b"".join(chunks)


class FileReader:
    """Reads files under :class:`ReadLimits`, counting what one run has read."""

    def __init__(self, limits: ReadLimits = DEFAULT_READ_LIMITS) -> None:
        self.limits = limits
        self.spent = 0

    def read(self, path: str, follow: bool = True) -> bytes:
        """As :func:`read_regular`; a file over the cap per file, or over what is left of the
        total, is :class:`TooLarge` with a reason naming that limit (and its flag)."""
        left = max(self.limits.total - self.spent, 0)
        try:
            data = read_regular(path, min(self.limits.per_file, left), follow)
        except TooLarge as exc:
            if exc.size > self.limits.per_file:
                exc.reason = (f"{exc.size} bytes, over the limit of "
                              f"{size_text(self.limits.per_file)} per file (--max-file-size)")
            else:
                exc.reason = (f"over what is left of the {size_text(self.limits.total)} one run "
                              "may read in all (--max-total-size)")
            raise
        self.spent += len(data)
        return data


class TreeFile(NamedTuple):
    """A file found under a folder: ``rel`` its path below the folder ('/'-separated), ``path``
    the path to open (``linked``: a symbolic link inside the folder, and this is the real path
    of its target), or ``problem``, the reason it is not read ('' when it is)."""

    rel: str
    path: str
    problem: str = ""
    linked: bool = False
    folder: bool = False  # the problem is a folder's: one not listed, a link to one not followed


# judge(rel, is_dir) -> None: keep (descend into a folder); '': leave out; text: a problem.
Judge = Callable[[str, bool], "str | None"]


def walk_tree(root: str, judge: Judge | None = None,
              where: str = "the scanned tree") -> Iterator[TreeFile]:
    """Every file under ``root``, folder by folder in name order (callers sort). ``.git`` is never
    entered; a symbolic link to a folder is never followed (inside the tree its files are found
    under their own path; a loop or a link out of it is a problem); a link to a file is followed
    only to a file inside the tree (``where`` names the tree in the message). FIFOs, devices and
    sockets are listed like files (reading refuses them). ``judge`` may leave entries out."""
    top = os.path.realpath(root)
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel_dir)) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            yield TreeFile(rel_dir, "", f"cannot list: {error.strerror or error}", folder=True)
            continue
        subdirs = []
        for entry in entries:
            if entry.name == ".git":
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            found = _entry(entry, rel, top, judge, where)
            if found is True:
                subdirs.append(rel)
            elif found is not None:
                yield found
        stack.extend(reversed(subdirs))


def _entry(entry: os.DirEntry, rel: str, top: str, judge: Judge | None,
           where: str) -> TreeFile | Literal[True] | None:
    """True: a folder to enter; a TreeFile; None: nothing."""
    try:
        is_dir = entry.is_dir(follow_symlinks=False)
    except OSError as error:
        return TreeFile(rel, "", f"cannot read the entry: {error.strerror or error}")
    verdict = judge(rel, is_dir) if judge else None
    if verdict is not None:
        return TreeFile(rel, "", verdict) if verdict else None
    if is_dir:
        return True
    if not entry.is_symlink():
        return TreeFile(rel, entry.path)
    target, problem = link_target(entry.path, top, where)
    return TreeFile(rel, target, problem, linked=True, folder=problem.startswith(_DIR_LINK)) \
        if target or problem else None


_DIR_LINK = "symlink to a directory"


def link_target(path: str, top: str, where: str) -> tuple[str, str]:
    """Where the symbolic link ``path`` leads when it may be read: (target, ''), or ('', why
    not), or ('', '') for a link to a folder inside ``top`` (its files are found under their own
    path)."""
    try:
        status = os.stat(path)
    except OSError as error:
        return "", f"symlink cannot be followed: {error.strerror or error}"
    real = os.path.realpath(path)
    inside = real.startswith(top.rstrip(os.sep) + os.sep)
    if not stat.S_ISDIR(status.st_mode):
        return (real, "") if inside else ("", f"symlink to a file outside {where}: not followed")
    if real == top or top.startswith(real.rstrip(os.sep) + os.sep):
        return "", f"{_DIR_LINK} that contains it (a loop): not followed"
    return "", "" if inside else f"{_DIR_LINK} outside {where}: not followed"

"""A git work tree found and its index read as data (gitformat-index), so that scanning a
repository runs nothing of it: no git process, no hook, filter, fsmonitor or config.

Contract:

- :func:`find_repo` looks for ``.git`` in the folder and its parents, as git does (stopping at a
  file system boundary): a git directory (HEAD, objects/ and refs/, the last two in the
  ``commondir`` of a linked worktree) or a ``gitdir:`` file (a worktree or a submodule). A
  ``.git`` file that leads nowhere valid gives :data:`BROKEN` (git would refuse to work there).
  No environment variable (``GIT_DIR``, ``GIT_INDEX_FILE``...) and no config is read.
- :func:`read_index` gives the tracked paths and the gitlinks (submodules), as text
  (``os.fsdecode``). Versions 2, 3 and 4 (path prefix compression), SHA-1 and SHA-256
  repositories, a split index (``link`` extension and its shared index), sparse directory
  entries. Anything else (another version, an unknown required extension, a truncated or
  oversized file) raises :class:`IndexUnreadable` with the reason.
"""

from __future__ import annotations

import hashlib
import os
import struct
from typing import NamedTuple

from redshift_iam.core.localfiles import MiB, NotRead, read_regular

MAX_INDEX = 128 * MiB  # an index of about a million paths; the Linux kernel's is under 10 MiB
_SMALL = 64 * 1024  # a gitdir: or commondir file
MAX_PATH = 4096  # bytes in a path the work tree can hold (Linux's PATH_MAX)
_REGULAR, _LINK, _GITLINK, _DIR = 0o10, 0o12, 0o16, 0o04  # mode >> 12


class Repo(NamedTuple):
    """A work tree: its folder (real path), its git directory and the common directory (where
    ``info/exclude`` lives: the main repository's for a linked worktree)."""

    top: str
    git_dir: str
    common_dir: str


BROKEN = Repo("", "", "")


class IndexUnreadable(Exception):
    """The index cannot be read; the message says why (never its content)."""


class Tracked(NamedTuple):
    """The index's paths: files and symbolic links, and gitlinks (submodules)."""

    files: frozenset[str]
    gitlinks: frozenset[str]


def find_repo(folder: str) -> Repo | None:
    """The work tree holding the real folder ``folder``, BROKEN, or None (see the docstring)."""
    try:
        device = os.stat(folder).st_dev
        while True:
            found = repo_at(folder)
            if found is not None:
                return found
            parent = os.path.dirname(folder)
            if parent == folder or os.stat(parent).st_dev != device:
                return None
            folder = parent
    except OSError:
        return None


def repo_at(folder: str) -> Repo | None:
    """The repository whose ``.git`` is in ``folder``: a Repo, BROKEN, or None."""
    dot = os.path.join(folder, ".git")
    if os.path.isdir(dot):
        common = _common_dir(dot)
        return Repo(folder, dot, common) if common else None
    if not os.path.isfile(dot):
        return None
    text = _small(dot)
    if text is None or not text.startswith("gitdir: "):
        return BROKEN
    git_dir = os.path.join(folder, text[len("gitdir: "):].strip())
    common = _common_dir(git_dir)
    return Repo(folder, os.path.normpath(git_dir), common) if common else BROKEN


def _small(path: str) -> str | None:
    try:
        return os.fsdecode(read_regular(path, _SMALL))
    except (NotRead, OSError):
        return None


def _common_dir(git_dir: str) -> str:
    """The common directory when ``git_dir`` is a git directory (git's is_git_directory),
    else ''."""
    common = git_dir
    if os.path.isfile(os.path.join(git_dir, "commondir")):
        text = _small(os.path.join(git_dir, "commondir"))
        if text is None:
            return ""
        common = os.path.normpath(os.path.join(git_dir, text.strip()))
    ok = (os.path.lexists(os.path.join(git_dir, "HEAD"))
          and os.path.isdir(os.path.join(common, "objects"))
          and os.path.isdir(os.path.join(common, "refs")))
    return common if ok else ""


def read_index(git_dir: str) -> Tracked:
    """The tracked paths of the index in ``git_dir`` (none when there is no index yet)."""
    path = os.path.join(git_dir, "index")
    if not os.path.lexists(path):
        return Tracked(frozenset(), frozenset())
    entries, link = _parse(_load(path))
    if link is not None:
        base, _ = _parse(_load(os.path.join(git_dir, f"sharedindex.{link.shared}")))
        try:
            deleted = _ewah(link.bitmaps, 0, len(base))
        except struct.error:
            raise IndexUnreadable("the split index's bitmap is truncated") from None
        entries = [e for i, e in enumerate(base) if i not in deleted] + entries
    files = {os.fsdecode(name) for name, mode in entries if mode in (_REGULAR, _LINK) and name}
    links = {os.fsdecode(name) for name, mode in entries if mode == _GITLINK}
    return Tracked(frozenset(files), frozenset(links))


def _load(path: str) -> bytes:
    try:
        return read_regular(path, MAX_INDEX, follow=False)
    except NotRead as exc:
        raise IndexUnreadable(f"{os.path.basename(path)}: {exc.reason}") from None
    except OSError as exc:
        raise IndexUnreadable(f"{os.path.basename(path)}: {exc.strerror or exc}") from None


Entry = tuple[bytes, int]  # name, mode >> 12


class _Link(NamedTuple):
    """A split index's ``link`` extension: the shared index's hash (hex) and the bitmaps that
    follow it (the first: the shared entries it deletes)."""

    shared: str
    bitmaps: bytes


def _parse(data: bytes) -> tuple[list[Entry], _Link | None]:
    """(entries, the link of a split index or None)."""
    if len(data) < 12 or data[:4] != b"DIRC":
        raise IndexUnreadable("not a git index (no DIRC signature)")
    version, count = struct.unpack_from(">II", data, 4)
    if version not in (2, 3, 4):
        raise IndexUnreadable(f"index version {version} (versions 2, 3 and 4 are read)")
    problems = []  # the first is told: SHA-1's, when the checksum says neither
    for hash_size in _hash_sizes(data):
        try:
            return _entries_and_extensions(data, version, count, hash_size)
        except IndexUnreadable as exc:
            problems.append(exc)
        except (struct.error, IndexError, ValueError):  # ValueError: a name with no NUL
            problems.append(IndexUnreadable("the index is truncated or corrupt"))
    raise problems[0]


def _hash_sizes(data: bytes) -> tuple[int, ...]:
    """SHA-1 or SHA-256, by the checksum at the end; both tried when it is absent
    (index.skipHash writes zeros)."""
    if len(data) >= 32 and hashlib.sha1(data[:-20]).digest() == data[-20:]:
        return (20,)
    if len(data) >= 44 and hashlib.sha256(data[:-32]).digest() == data[-32:]:
        return (32,)
    return (20, 32)


def _entries_and_extensions(data: bytes, version: int, count: int,
                            hash_size: int) -> tuple[list[Entry], _Link | None]:
    end = len(data) - hash_size
    if count > end // 40:
        raise IndexUnreadable("more entries than the file can hold")
    entries, offset, previous, budget = [], 12, b"", 2 * len(data)
    for _ in range(count):
        name, mode, offset = _entry(data, offset, version, hash_size, previous)
        budget -= len(name)
        if len(name) > MAX_PATH or budget < 0:  # version 4 can grow names without end
            raise IndexUnreadable("paths longer than a work tree can hold")
        entries.append((name, mode))
        previous = name
    shared = None
    while offset < end:
        signature, size = data[offset:offset + 4], struct.unpack_from(">I", data, offset + 4)[0]
        body = data[offset + 8:offset + 8 + size]
        if len(body) != size:
            raise IndexUnreadable("an extension runs past the end")
        if signature == b"link":
            shared = _link(body, hash_size)
        elif not (65 <= signature[0] <= 90) and signature != b"sdir":
            raise IndexUnreadable(f"the index needs the extension {signature!r}, not read here")
        offset += 8 + size
    if offset != end:
        raise IndexUnreadable("the extensions do not end where the checksum starts")
    return entries, shared


def _entry(data: bytes, offset: int, version: int, hash_size: int,
           previous: bytes) -> tuple[bytes, int, int]:
    """One entry at ``offset``: (name, mode >> 12, the offset of the next)."""
    mode = struct.unpack_from(">I", data, offset + 24)[0] >> 12
    flags_at = offset + 40 + hash_size
    flags = struct.unpack_from(">H", data, flags_at)[0]
    extended = bool(flags & 0x4000)
    if extended and version < 3:
        raise IndexUnreadable("an extended entry in a version 2 index")
    name_at = flags_at + 2 + (2 if extended else 0)
    if version == 4:
        strip, name_at = _varint(data, name_at)
        if strip > len(previous):
            raise IndexUnreadable("a name compressed past the previous one")
        nul = data.index(b"\0", name_at)
        return previous[:len(previous) - strip] + data[name_at:nul], mode, nul + 1
    nul = data.index(b"\0", name_at)
    return data[name_at:nul], mode, offset + ((name_at - offset + nul - name_at + 8) & ~7)


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """git's offset varint (varint.c): (value, the offset after it)."""
    byte = data[offset]
    value = byte & 0x7F
    while byte & 0x80:
        offset += 1
        byte = data[offset]
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, offset + 1


def _link(body: bytes, hash_size: int) -> _Link | None:
    """A split index's link; None when the hash is zeros (no shared index)."""
    if len(body) < hash_size:
        raise IndexUnreadable("a split index's link is shorter than a hash")
    shared = body[:hash_size].hex()
    if set(shared) == {"0"}:
        return None
    return _Link(shared, body[hash_size:])


def _ewah(data: bytes, offset: int, size: int) -> set[int]:
    """The set bits of an EWAH bitmap (ewah/ewah_io.c; run-length words and literals) below
    ``size`` (the entries of the shared index), so memory follows the index, not the bitmap."""
    bits, words = struct.unpack_from(">II", data, offset)
    bits = min(bits, size)
    if offset + 8 + 8 * words > len(data):  # before unpacking: a format of 2**32 words is large
        raise struct.error("the bitmap runs past its extension")
    values = struct.unpack_from(f">{words}Q", data, offset + 8)
    found, position, index = set(), 0, 0
    while index < words and position < bits:
        marker = values[index]
        running, literals = (marker >> 1) & 0xFFFFFFFF, marker >> 33
        if marker & 1:
            found.update(range(position, min(position + running * 64, bits)))
        position += running * 64
        for literal in values[index + 1:index + 1 + literals]:
            found.update(position + bit for bit in range(64)
                         if literal >> bit & 1 and position + bit < bits)
            position += 64
        index += 1 + literals
    return found

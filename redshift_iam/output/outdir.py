"""``generate --out-dir``: one file per document, kept up to date like a build tool does.

Each principal's files are named by that principal alone (:attr:`Principal.file_stem`), so
adding a principal to the input never renames or moves another's file. The folder's
``.redshift-iam.json`` is both the ledger (each file the tool wrote, with its SHA-256) and the
index (each principal and its files). A file is the tool's own while the ledger lists it with an
unchanged hash; anything else is the user's and is replaced only with ``force``. A file whose
content would not change is not touched (same mtime and inode), so make does not rebuild; new
files get the mode the umask gives; own files the input no longer produces are removed.
Every name is checked to be a plain name inside the folder before anything is written.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from redshift_iam.core.encodable import encode
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.localfiles import MiB, NotRead, kind_of_mode, read_regular
from redshift_iam.core.reports import PrincipalReport
from redshift_iam.output.text import document, dumps

LEDGER = ".redshift-iam.json"
NAME_MAX = 255  # bytes in one file name: ext4, APFS, NTFS
MAX_READ = 16 * MiB  # a file of the folder larger than this is not the tool's (a policy: 6 KiB)
# What the tool writes: IAM role-name characters, %-escapes and "~", never a leading "." (the
# ledger and temporary files), "-" or "~"; so never "/", "..", white space or non-ASCII.
_PLAIN = LazyRegex(r"[A-Za-z0-9_+=,@%][A-Za-z0-9_+=,.@%~-]*\Z", re.A)


class OutDirError(Exception):
    """The folder cannot be written as asked; the message says which file and why."""


class Plan(NamedTuple):
    """What a run puts in the folder: name -> content, and principal -> its file names."""

    files: dict[str, str]
    by_principal: dict[str, list[str]]


class Outcome(NamedTuple):
    """What a write did: files written (new or changed), stale own files removed, stale own
    files kept because they were edited since the tool wrote them, and the entries that were
    not regular files (name -> what they were; see :attr:`Survey.special`)."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]
    special: tuple[tuple[str, str], ...] = ()


class Survey(NamedTuple):
    """The folder compared with a plan, before anything is written."""

    current: dict[str, bytes | None]  # planned name -> bytes there now (None: absent/unreadable)
    changed: tuple[str, ...]  # planned files that are new or would change
    foreign: tuple[str, ...]  # changed files that exist and are not the tool's
    stale: tuple[str, ...]  # own, unedited files the plan no longer has: to remove
    kept: tuple[str, ...]  # own files the plan no longer has but edited since: left alone
    special: tuple[tuple[str, str], ...] = ()  # (name, kind): not a regular file, never read


def plan_documents(reports: Iterable[PrincipalReport]) -> Plan:
    """One file per document: ``<stem>.policy.json`` (``<stem>.policy-1.json``, ``-2``...
    when a principal needs several) and ``<stem>.trust.json``, ``<stem>`` being the
    principal's own :attr:`~redshift_iam.core.grants.Principal.file_stem`."""
    files, index = {}, {}
    for report in reports:
        stem, docs, names = report.principal.file_stem, report.policies, []
        for number, doc in enumerate(docs, 1):
            names.append(f"{stem}.policy{f'-{number}' if len(docs) > 1 else ''}.json")
            files[names[-1]] = document(doc)
        if report.trust:
            names.append(f"{stem}.trust.json")
            files[names[-1]] = document(report.trust)
        index[report.principal.name] = names
    return Plan(files, index)


def plan_single(name: str, text: str, reports: Iterable[PrincipalReport]) -> Plan:
    """One file holding every principal (the Terraform and CloudFormation formats)."""
    return Plan({name: text}, {report.principal.name: [name] for report in reports})


def planned_files(reports: Iterable[PrincipalReport]) -> dict[str, str]:
    """File name -> content of :func:`plan_documents`."""
    return plan_documents(reports).files


def check_names(names: Iterable[str]) -> None:
    """Refuse (OutDirError) any name that is not a plain file name inside the folder, is too
    long, or differs from another only in letter case (one file on macOS and Windows)."""
    seen: dict[str, str] = {}
    for name in sorted(names):
        if name == LEDGER or not _PLAIN.match(name):
            raise OutDirError(f"refusing to write {name!r}: not a plain file name inside the "
                              "folder")
        if len(encode(name)) > NAME_MAX:
            raise OutDirError(f"the file name {name[:60]}... has {len(encode(name))} bytes; "
                              f"file systems allow {NAME_MAX}")
        other = seen.setdefault(name.casefold(), name)
        if other != name:
            raise OutDirError(f"{other} and {name} differ only in letter case: on a "
                              "case-insensitive file system (macOS, Windows) they are one "
                              "file; IAM does not distinguish role names by case either, so "
                              "write each role's name one way")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    """A regular file's bytes, its last component no symbolic link; None for anything else,
    which is never opened: a link may lead to a secret, and a FIFO or /dev/zero never ends."""
    try:
        return read_regular(str(path), MAX_READ, follow=False)
    except (NotRead, OSError):
        return None


def _kind(path: Path) -> str | None:
    """None when nothing is there; '' for a regular file; else what it is (a symbolic link...)."""
    try:
        return kind_of_mode(os.lstat(path).st_mode)
    except OSError:
        return None


def _owned(folder: Path) -> dict[str, str]:
    """The ledger's files. Only plain names count: a ledger edited to name ``../x`` or ``/x``
    must never make the tool delete or replace anything outside the folder."""
    try:
        ledger = json.loads((_read(folder / LEDGER) or b"").decode("utf-8"))
        files = {str(k): str(v) for k, v in ledger.get("files", {}).items()}
    except (ValueError, AttributeError):
        return {}
    return {name: digest for name, digest in files.items()
            if name != LEDGER and _PLAIN.match(name)}


def survey(folder: Path, files: dict[str, str]) -> Survey:
    """Compare the folder (which may not exist) with ``files``; raise OutDirError when a
    planned name is a folder."""
    if folder.exists() and not folder.is_dir():
        raise OutDirError(f"{folder} exists and is not a folder")
    owned = _owned(folder)
    kinds = {name: _kind(folder / name) for name in sorted({*files, *owned, LEDGER})}
    blocked = [name for name in sorted(files) if kinds[name] == "a directory"]
    if blocked:
        raise OutDirError(f"{folder / blocked[0]} is a folder; the tool will not replace it")
    current = {name: _read(folder / name) for name in sorted(files)}
    changed = [name for name, data in current.items() if data != encode(files[name])]
    foreign = [name for name in changed if os.path.lexists(folder / name)
               and ((data := current[name]) is None or _digest(data) != owned.get(name))]
    gone = [name for name in sorted(owned) if name not in files
            and os.path.lexists(folder / name)]
    ours = {name for name in gone if (data := _read(folder / name)) is not None
            and _digest(data) == owned[name]}
    special = tuple((name, kind) for name, kind in kinds.items() if kind)
    return Survey(current, tuple(changed), tuple(foreign),
                  tuple(n for n in gone if n in ours), tuple(n for n in gone if n not in ours),
                  special)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename. The file is created with mode 0o666, so
    the process umask decides its mode, as for any file a build tool makes."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.parent / f".redshift-iam-{os.urandom(6).hex()}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free temporary file name in {path.parent}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _refuse_linked(folder: Path) -> None:
    """OutDirError when the folder is a symbolic link, or (for a relative path) passes through
    one: a link committed to a repository (``iam -> ../../elsewhere``) would make generate
    write, or --check read, outside the tree. Links above an absolute path are the caller's."""
    parts = folder.parts if not folder.is_absolute() else (str(folder),)
    here = Path()
    for part in parts:
        here = here / part
        if here.is_symlink():
            raise OutDirError(f"{here} is a symbolic link: give the folder it points to, so "
                              "nothing is written or read outside the folder named")


def write_out_dir(folder: Path, files: dict[str, str], force: bool,
                  index: dict[str, list[str]] | None = None) -> Outcome:
    """Bring ``folder`` up to date with ``files``: write what is new or changed, remove own
    stale files, record both in the ledger. Every name and every target is checked before
    anything is written, so a refusal leaves the folder untouched."""
    check_names(files)
    _refuse_linked(folder)
    found = survey(folder, files)
    if found.foreign and not force:
        name = found.foreign[0]
        kind = dict(found.special).get(name)
        if kind:
            raise OutDirError(f"{folder / name} is {kind}, not a file redshift-iam wrote: it is "
                              "never read or written through; pass --force to replace "
                              f"{'the link' if 'link' in kind else 'it'} with the document")
        raise OutDirError(f"{folder / name} exists and was not written by "
                          "redshift-iam (or was edited since); pass --force to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    for name in found.changed:
        _write_atomic(folder / name, encode(files[name]))
    for name in found.stale:
        (folder / name).unlink()
    ledger = dumps({
        "files": {name: _digest(encode(content)) for name, content in sorted(files.items())},
        "principals": dict(sorted((index or {}).items())),
    }).encode()
    if _read(folder / LEDGER) != ledger:
        _write_atomic(folder / LEDGER, ledger)
    return Outcome(found.changed, found.stale, found.kept, found.special)


class Staleness(NamedTuple):
    """What a write would change: a unified diff of it, and a one-line summary ('' for an
    up-to-date folder); ``special`` as :attr:`Survey.special` (their content is not shown: the
    diff runs from an empty file)."""

    diff: str
    summary: str
    special: tuple[tuple[str, str], ...] = ()


def _lines(data: bytes | None) -> list[str]:
    """Diff lines; a last line without a newline gets git's marker, so the diff applies."""
    lines = (data or b"").decode("utf-8", "replace").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _file_diff(label: str, before: bytes | None, after: bytes | None) -> str:
    """One file's unified diff; ``None`` is an absent file (``/dev/null``)."""
    return "".join(difflib.unified_diff(
        _lines(before), _lines(after),
        "/dev/null" if before is None else label, "/dev/null" if after is None else label))


def check_out_dir(folder: Path, files: dict[str, str]) -> Staleness:
    """Compare ``folder`` with what :func:`write_out_dir` would leave there, writing nothing:
    new and changed files, and own stale files it would remove (the ledger is not compared)."""
    check_names(files)
    _refuse_linked(folder)
    found = survey(folder, files)
    new = [name for name in found.changed if not os.path.lexists(folder / name)]
    diffs = [_file_diff(str(folder / name), None if name in new else found.current[name] or b"",
                        encode(files[name])) for name in found.changed]
    diffs += [_file_diff(str(folder / name), _read(folder / name), None) for name in found.stale]
    if not diffs:
        return Staleness("", "", found.special)
    counts = {"to add": len(new), "to change": len(found.changed) - len(new),
              "to remove": len(found.stale)}
    parts = ", ".join(f"{count} {what}" for what, count in counts.items() if count)
    run = "run generate without --check to update it"
    if found.foreign:  # among the files to change: generate refuses them without --force
        parts += (f"; {len(found.foreign)} of them edited by hand or not written by "
                  "redshift-iam")
        run = "run generate --force without --check to replace them"
    return Staleness("".join(diffs), f"{folder} is out of date ({parts}); {run}",
                     found.special)

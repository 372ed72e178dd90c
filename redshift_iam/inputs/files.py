"""Reading input files safely into Sources: only regular files, under the size limits of
:class:`~redshift_iam.core.localfiles.ReadLimits` (see :func:`read_input`)."""

from __future__ import annotations

import os
from pathlib import Path

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.localfiles import FileReader, NotRead
from redshift_iam.core.source import STDIN, IncludeError, Source


def decode(name: str, data: bytes) -> Source:
    """Bytes to a Source. Non-UTF-8 or binary input is an error (RI105): guessing an encoding
    could misread a bucket name, and a wrong bucket name is a wrong policy."""
    if b"\x00" in data:
        raise InputError(Diagnostic("RI105", f"{name} looks binary (it holds NUL bytes)",
                                    Location(name, 1, 1)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = Source(name, data[: exc.start].decode("utf-8", "replace")).location(
            len(data[: exc.start].decode("utf-8", "replace")))
        raise InputError(Diagnostic(
            "RI105", f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8", where
        )) from None
    # PostgreSQL ends a line, and so a -- comment, at CR as well as LF.
    return Source(name, text.replace("\r\n", "\n").replace("\r", "\n"))


def read_source(path: str, stdin_bytes: bytes | None = None, reader: FileReader | None = None,
                follow: bool = True) -> Source:
    """Read a script file (``-`` is standard input, whose bytes the caller passes); see
    :func:`read_input` for ``reader`` and ``follow``."""
    if path == "-":
        return decode("<stdin>", stdin_bytes or b"")
    return decode(path, read_input(path, reader, follow))


def read_input(path: str, reader: FileReader | None = None, follow: bool = True) -> bytes:
    """The bytes of the input file ``path``, read by ``reader`` (its limits; a fresh default
    one when None): a regular file (through a symbolic link unless ``follow`` is False), never
    a FIFO, a device or a file over a limit. Any failure is RI100 naming the path and the
    reason, never the content. The one safe reader for files the user names (scripts,
    ``--vars``, ``--manifest``)."""
    try:
        return (reader or FileReader()).read(path, follow)
    except NotRead as exc:
        message = (f"{path} is a directory, not a script" if exc.reason.startswith("a directory")
                   else f"{path}: {exc.reason}: not read")
        raise InputError(Diagnostic("RI100", message)) from None
    except FileNotFoundError:
        raise InputError(Diagnostic("RI100", f"{path}: no such file")) from None
    except PermissionError:
        raise InputError(Diagnostic("RI100", f"{path}: permission denied")) from None
    except OSError as exc:
        raise InputError(Diagnostic("RI100", f"{path}: {exc.strerror or exc}")) from None


def included_text(reader: FileReader, shown: str, target: str) -> Source:
    """The included file ``target`` (resolved: no link is followed any more), read by
    ``reader`` and decoded, named ``shown``; IncludeError RI100 when it cannot be read,
    InputError RI105 (from :func:`decode`) when it is not text."""
    try:
        data = reader.read(target, follow=False)
    except NotRead as exc:
        raise IncludeError("RI100", f"cannot include {shown}: {exc.reason}") from None
    except FileNotFoundError:
        raise IncludeError("RI100", f"cannot include {shown}: no such file") from None
    except PermissionError:
        raise IncludeError("RI100", f"cannot include {shown}: permission denied") from None
    except OSError as exc:
        raise IncludeError("RI100", f"cannot include {shown}: {exc.strerror or exc}") from None
    return decode(shown, data)

class IncludeLoader:
    """Reads the files psql includes name, for :func:`~redshift_iam.sql.reader.read_script`.

    ``\\i`` names are relative to the working directory ``cwd``; ``\\ir`` names to the
    including script's directory (the working directory for standard input). A file must
    resolve (symbolic links and ``..`` followed) inside the working directory or the directory
    of the top-level script: anything else is RI107 and is not opened. A file that is being
    read already (a cycle) is RI106 naming the chain; a missing or unreadable one, or one that
    is not a regular file or is over a limit of ``reader`` (shared with the scripts' reads), is
    RI100. The included Source is named by the path as written (joined to the including
    script's directory for ``\\ir``), so diagnostics point into it.
    """

    def __init__(self, cwd: Path, reader: FileReader | None = None) -> None:
        self.cwd = cwd.resolve()
        self.reader = reader or FileReader()

    def __call__(self, name: str, relative: bool, chain: tuple[Source, ...]) -> Source:
        parent = chain[-1].name
        shown = os.path.join(os.path.dirname(parent), name) if relative and parent != STDIN \
            else name
        if "\x00" in shown:
            raise IncludeError("RI100", f"cannot include {shown!r}: a file name holds no NUL")
        try:
            target = (self.cwd / shown).resolve()
        except (OSError, RuntimeError) as exc:  # 3.11 raises RuntimeError on a symlink loop
            raise IncludeError("RI100", f"cannot include {shown}: {exc}") from None
        roots = [self.cwd, *self._top_folder(chain[0])]
        if not any(target.is_relative_to(root) for root in roots):
            raise IncludeError("RI107", f"cannot include {shown}: it resolves to {target}, "
                               f"outside {' and '.join(map(str, dict.fromkeys(roots)))}")
        names = [s.name for s in chain]
        if target in [self._resolved(s) for s in chain]:
            raise IncludeError("RI106", f"include cycle: {' -> '.join([*names, shown])}")
        return included_text(self.reader, shown, str(target))

    def _top_folder(self, top: Source) -> list[Path]:
        return [] if top.name == STDIN else [(self.cwd / top.name).parent.resolve()]

    def _resolved(self, source: Source) -> Path | None:
        return None if source.name == STDIN else (self.cwd / source.name).resolve()


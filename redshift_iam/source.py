"""Input text with positions: reading files safely and turning offsets into line:col snippets."""

from __future__ import annotations

import functools
import os
import re
from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from redshift_iam.diagnostics import Diagnostic, InputError, Location
from redshift_iam.lazyre import LazyRegex

_NEWLINE = re.compile(r"\n")
# From the first of these words on, a statement may carry a secret: snippets hide the rest.
SECRET_WORDS = LazyRegex(
    r"\b(?:secret_access_key|session_token|token|master_symmetric_key|credentials)\b", re.I
)
# ...except CREDENTIALS followed by a well-formed role-only string, which holds no secret.
_ROLE_ONLY = LazyRegex(r"\s*(?:as\s+)?'aws_iam_role=arn:[A-Za-z0-9:/+=,.@_-]*'", re.I)
REDACTED = "****"
_SNIPPET_WIDTH = 100


@functools.lru_cache(maxsize=16)
def _line_starts(text: str) -> list[int]:
    """Offsets at which each line of ``text`` starts (cached: every location needs them)."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


class Source(NamedTuple):
    """One named input text. Offsets are 0-based; locations are 1-based."""

    name: str
    text: str

    def line_starts(self) -> list[int]:
        """Offsets at which each line starts, computed once per text."""
        return _line_starts(self.text)

    def location(self, offset: int) -> Location:
        starts = self.line_starts()
        line = bisect_right(starts, offset)
        return Location(self.name, line, offset - starts[line - 1] + 1)

    def snippet(self, offset: int, redact_from: int | None = None) -> str:
        """The line holding ``offset`` with a caret under it; text from ``redact_from`` on hidden.

        Very long lines are cut to a window around the caret, so a 5 MB literal never floods
        the terminal.
        """
        starts = self.line_starts()
        line = bisect_right(starts, offset)
        begin = starts[line - 1]
        end = self.text.find("\n", begin)
        end = len(self.text) if end < 0 else end
        text = self.text[begin:end].rstrip("\r")
        col = offset - begin
        if redact_from is not None and redact_from < begin + len(text):
            cut = max(redact_from - begin, 0)
            text, col = text[:cut] + REDACTED, min(col, cut)
        lead = ""
        if col > _SNIPPET_WIDTH:
            lead, text, col = "...", text[col - _SNIPPET_WIDTH // 2:], _SNIPPET_WIDTH // 2 + 3
        if len(text) > 2 * _SNIPPET_WIDTH:
            text = text[: 2 * _SNIPPET_WIDTH] + "..."
        gutter = f"{line:>5} | "
        caret_pad = "".join("\t" if ch == "\t" else " " for ch in (lead + text)[:col])
        return f"{gutter}{lead}{text}\n{' ' * 5} | {caret_pad}^"

    def diagnostic(self, code: str, message: str, offset: int, redact_from: int | None = None
                   ) -> Diagnostic:
        """A diagnostic pointing at ``offset`` in this source, with its redacted snippet."""
        return Diagnostic(code, message, self.location(offset), self.snippet(offset, redact_from))


def secret_start(text: str, start: int, end: int) -> int | None:
    """The offset in ``text[start:end]`` (one statement) from which it may carry a secret."""
    for match in SECRET_WORDS.finditer(text, start, end):
        if match.group().lower() != "credentials" or not _ROLE_ONLY.match(text, match.end(), end):
            return match.start()
    return None


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


def read_source(path: str, stdin_bytes: bytes | None = None) -> Source:
    """Read a script file (``-`` is standard input, whose bytes the caller passes)."""
    if path == "-":
        return decode("<stdin>", stdin_bytes or b"")
    target = Path(path)
    try:
        if target.is_dir():
            raise InputError(Diagnostic("RI100", f"{path} is a directory, not a script"))
        data = target.read_bytes()
    except FileNotFoundError:
        raise InputError(Diagnostic("RI100", f"{path}: no such file")) from None
    except PermissionError:
        raise InputError(Diagnostic("RI100", f"{path}: permission denied")) from None
    except OSError as exc:
        raise InputError(Diagnostic("RI100", f"{path}: {exc.strerror or exc}")) from None
    return decode(path, data)


STDIN = "<stdin>"


class IncludeError(Exception):
    """An include that cannot be read; the reader locates it at the include's line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# (file name as written, relative to the including script?, the chain of sources from the
# top-level script to the including one) -> the included Source; raises IncludeError.
Loader = Callable[[str, bool, tuple[Source, ...]], Source]


class IncludeLoader:
    """Reads the files psql includes name, for :func:`~redshift_iam.reader.read_script`.

    ``\\i`` names are relative to the working directory ``cwd``; ``\\ir`` names to the
    including script's directory (the working directory for standard input). A file must
    resolve (symbolic links and ``..`` followed) inside the working directory or the directory
    of the top-level script: anything else is RI107 and is not opened. A file that is being
    read already (a cycle) is RI106 naming the chain; a missing or unreadable one is RI100.
    The included Source is named by the path as written (joined to the including script's
    directory for ``\\ir``), so diagnostics point into it.
    """

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd.resolve()

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
        return decode(shown, self._read(shown, target))

    def _top_folder(self, top: Source) -> list[Path]:
        return [] if top.name == STDIN else [(self.cwd / top.name).parent.resolve()]

    def _resolved(self, source: Source) -> Path | None:
        return None if source.name == STDIN else (self.cwd / source.name).resolve()

    @staticmethod
    def _read(shown: str, target: Path) -> bytes:
        try:
            if not target.is_file():
                why = "no such file" if not target.exists() else "not a regular file"
                raise IncludeError("RI100", f"cannot include {shown}: {why}")
            return target.read_bytes()
        except PermissionError:
            raise IncludeError("RI100", f"cannot include {shown}: permission denied") from None
        except OSError as exc:
            raise IncludeError("RI100", f"cannot include {shown}: {exc.strerror or exc}"
                               ) from None

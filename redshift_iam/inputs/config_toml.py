"""A project config's TOML text -> its data, and the line of every key.

The data comes from ``tomllib`` (``tomli`` before Python 3.11: the same parser), which keeps
no positions; :class:`KeyLines` finds each key's line by reading the text's table headers
and ``key =`` lines, so that every message about the config names ``FILE:LINE``. The file is
read as data under a size cap (only a regular file; nothing in it runs).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from redshift_iam.core.options import OptionsError
from redshift_iam.inputs.capped import read_utf8

# A project config holds options and values: 1 MiB is far beyond any real one.
MAX_CONFIG_FILE = 1 << 20
_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_KEY})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_KEY})\s*=")
_PART = re.compile(rf"{_BARE}|{_QUOTED}")
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")

Path = tuple[str, ...]


def key_path(text: str) -> Path:
    """A dotted TOML key as its parts, quotes removed (``a."b.c"`` -> ``('a', 'b.c')``)."""
    parts = []
    for part in _PART.findall(text):
        if part[0] == '"':
            part = part[1:-1].encode("utf-8").decode("unicode_escape", "replace")
        elif part[0] == "'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


class KeyLines:
    """The line (1-based) of each table header and key of a TOML text: ``line(path)`` is the
    line of the key ``path`` (table parts then key parts), or of its nearest enclosing table,
    or 1. Lines inside multi-line strings are skipped."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path, int] = {}
        table: Path = ()
        in_string = ""
        for number, line in enumerate(text.splitlines(), 1):
            if in_string:
                in_string = "" if line.count(in_string) % 2 else in_string
                continue
            header = _HEADER.match(line)
            if header:
                table = key_path(header.group(1))
                self.lines.setdefault(table, number)
                continue
            assign = _ASSIGN.match(line)
            if assign:
                self.lines.setdefault(table + key_path(assign.group(1)), number)
                rest = line[assign.end():]
                for quotes in ('"""', "'''"):
                    if rest.count(quotes) % 2:
                        in_string = quotes

    def line(self, path: Path) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


def read_toml(path: str, shown: str) -> tuple[dict[str, Any], KeyLines]:
    """The data of the TOML file ``path`` and its key lines. Raises OptionsError
    ``FILE:LINE: ...`` (FILE as ``shown``) for a file that cannot be read or is not TOML."""
    try:
        text = read_utf8(path, MAX_CONFIG_FILE)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OptionsError(f"{shown}:1: cannot read the project config: {reason}") from None
    loads = _loader()
    try:
        data = loads(text)
    except RecursionError:
        raise OptionsError(f"{shown}:1: not valid TOML here: arrays or tables nest too "
                           "deep") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        found = _TOML_LINE.search(str(exc))
        line = found.group(1) if found else "1"
        reason = _TOML_LINE.sub("", str(exc)).strip()
        raise OptionsError(f"{shown}:{line}: not valid TOML: {reason}") from None
    return data, KeyLines(text)


def _loader() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads
    # the same parser, a dependency on Python 3.10 only (mypy checks as 3.10 on a newer one)
    import tomli  # type: ignore[import-not-found, unused-ignore]

    return tomli.loads

"""psql include meta-commands on a meta-command line: which files to read, with no file I/O.

psql reads ``\\i FILE`` and ``\\include FILE`` relative to the working directory, and
``\\ir FILE`` and ``\\include_relative FILE`` relative to the including script
(https://www.postgresql.org/docs/current/app-psql.html). A meta-command line may hold several
commands; each command's arguments end at an unquoted backslash. The file name is taken as psql
takes it: unquoted text up to white space, and single-quoted text (``''`` is a quote; ``\\n``,
``\\t``, ``\\b``, ``\\r``, ``\\f``, ``\\digits``, ``\\xdigits`` are C-like escapes; a backslash
before any other character quotes it), pieces written side by side joined. What psql would
expand first (``:variables``, backquoted commands) or keep as typed (double quotes) is refused
(RI108) rather than guessed at, since the name decides which file is read.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.source import Source

# command name as written -> relative to the including script (else to the working directory)
INCLUDE_COMMANDS = {"i": False, "include": False, "ir": True, "include_relative": True}
_COMMAND = re.compile(r"\\([^\s\\]*)")
# One piece of an argument: a quoted part, or plain text (a lone colon is plain text).
_PIECE = re.compile(r"'((?:[^'\\]|''|\\.)*)'|([^\s\\'\"`:]+|:(?![A-Za-z_'\"{]))", re.S)
# The rest of a command's arguments, quoted parts stepped over, up to the next command.
_ARGUMENTS = re.compile(r"(?:'(?:[^'\\]|''|\\.)*'?|\"[^\"]*\"?|`[^`]*`?|[^\\'\"`])*", re.S)
_ESCAPE = re.compile(r"''|\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.S)
_C_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f"}
_UNSUPPORTED = {
    '"': "double quotes (psql keeps them as part of the name)",
    "`": "a backquoted command (psql would run it)",
    ":": "a psql variable (\\set values are not expanded yet)",
    "'": "an unterminated quote",
}


class Include(NamedTuple):
    """One include command: where its backslash is, how it was written, and the file name."""

    offset: int
    command: str
    path: str

    @property
    def relative(self) -> bool:
        """``\\ir``/``\\include_relative``: relative to the including script."""
        return INCLUDE_COMMANDS[self.command]


def includes(source: Source, start: int, end: int) -> list[Include]:
    """The include commands of the meta-command line ``source.text[start:end]`` (``start`` is
    its first backslash), in order. Raises InputError (RI108) at a command whose file name
    is missing or cannot be read without expanding something."""
    found, pos = [], start
    while (command := _COMMAND.match(source.text, pos, end)) is not None:
        name = command.group(1)
        arguments = _ARGUMENTS.match(source.text, command.end(), end)
        assert arguments is not None  # a starred pattern matches the empty string
        pos = arguments.end()
        if name in INCLUDE_COMMANDS:
            found.append(Include(command.start(), name,
                                 _file_name(source, command.start(), command.end(), pos)))
        if source.text.startswith("\\\\", pos):
            break  # psql: \\ ends the meta-commands and the rest of the line is SQL
    return found


def _file_name(source: Source, command: int, start: int, end: int) -> str:
    """The first argument of the command at ``command``, from ``start`` to ``end``."""
    text, pos = source.text, start
    while pos < end and text[pos] in " \t":
        pos += 1
    pieces = []
    while (piece := _PIECE.match(text, pos, end)) is not None:
        quoted = piece.group(1)
        pieces.append(piece.group(2) if quoted is None else _ESCAPE.sub(_unescape, quoted))
        pos = piece.end()
    if pos < end and text[pos] in _UNSUPPORTED:
        raise InputError(source.diagnostic(
            "RI108", f"cannot follow {text[command:start]}: the file name holds "
                     f"{_UNSUPPORTED[text[pos]]}", pos))
    if not pieces:
        raise InputError(source.diagnostic(
            "RI108", f"{text[command:start]} needs a file name", command))
    return "".join(pieces)


def _unescape(match: re.Match[str]) -> str:
    octal, hexa, other = match.groups()
    if octal is not None:
        return chr(int(octal, 8))
    if hexa is not None:
        return chr(int(hexa, 16))
    if other is None:  # ''
        return "'"
    return _C_ESCAPES.get(other, other)

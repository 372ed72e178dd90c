"""``.env`` values files, read as python-dotenv reads them (its parser and its interpolation).

python-dotenv's parser gives each binding with the line it starts on: quotes, ``export``,
escapes in double quotes, multi-line quoted values and ``# comments`` are read exactly as
``dotenv_values()`` reads them. ``${NAME}`` and ``${NAME:-default}`` are expanded as dotenv
expands them (in every value, quoted or not), with one difference: only the keys set on
earlier lines of the same file are consulted, never the process environment. A repository's
``.env`` is input written by someone else: it must not pull the user's own environment
variables (credentials among them) into a policy. A reference to a name the file has not set
yet, without a default, is therefore an error (RI175) rather than dotenv's empty text.

Errors say where, never what: a line dotenv cannot read may hold a secret.
"""

from __future__ import annotations

import io
import re

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location

# What ${NAME} expansion may add to the file's own text, across all its values: far beyond
# any real .env, and a bound on a chain of lines that each double the last.
MAX_EXPANSION = 1 << 20
_NEWLINES = re.compile(r"\r\n|\n|\r")  # dotenv's own newline (it counts lines so)
_KEY = re.compile(r"\s*(?:export\s+)?([^=#\s]+)\s*=")

# What to do about a line dotenv cannot read (the message never holds the line's text).
_BAD_LINE_FIX = ("write KEY=VALUE (optionally export KEY=VALUE); close every quoted value "
                 "with its own quote")
_UNSET_FIX = ("set {name} on an earlier line of the file, or give a default: "
              "${{{name}:-VALUE}}; the process environment is never read")


def load_env(path: str, text: str) -> dict[str, tuple[str | None, str]]:
    """Each key of the ``.env`` text -> (its value, ``FILE:LINE`` where its binding starts).
    A bare ``KEY`` line (no ``=``) has the value None, as in dotenv. Raises InputError RI175
    for a line dotenv cannot read or a ``${NAME}`` the file has not set."""
    from dotenv.parser import parse_stream

    found: dict[str, tuple[str | None, str]] = {}
    budget = [len(text) + MAX_EXPANSION]  # characters all values may still hold
    for binding in parse_stream(io.StringIO(text)):
        line = _first_line(binding.original.string, binding.original.line)
        if binding.error:
            raise _bad_line(path, line, binding.original.string)
        if binding.key is None:
            continue
        value = binding.value
        if value is not None:
            value = _expand(Location(path, line, 1), binding.key, value, found, budget)
        found[binding.key] = (value, f"{path}:{line}")
    return found


def _first_line(original: str, line: int) -> int:
    """The line a binding's text starts on: dotenv's mark stands before the blank lines and
    white space that lead to it."""
    lead = original[:len(original) - len(original.lstrip())]
    return line + len(_NEWLINES.findall(lead))


def _bad_line(path: str, line: int, original: str) -> InputError:
    """RI175 for a line dotenv cannot read, naming its key when it has one, never its text."""
    key = _KEY.match(original)
    what = (f"the value of {key.group(1)} is not one python-dotenv can read (a quote that "
            "never closes?)" if key else "not a KEY=VALUE line python-dotenv can read")
    return InputError(Diagnostic("RI175", what, Location(path, line, 1), fix=_BAD_LINE_FIX))


def _expand(where: Location, key: str, value: str,
            earlier: dict[str, tuple[str | None, str]], budget: list[int]) -> str:
    """dotenv's ``${NAME}`` / ``${NAME:-default}`` expansion from the keys set earlier. The
    parts are measured before they are joined: a chain of lines that each double the last
    (``B=${A}${A}``) is refused once all values would pass the budget, not after."""
    from dotenv.variables import Literal, parse_variables

    parts = []
    for atom in parse_variables(value):
        if isinstance(atom, Literal):
            parts.append(atom.value)
        elif atom.name in earlier:
            parts.append(earlier[atom.name][0] or "")
        elif atom.default is not None:
            parts.append(atom.default)
        else:
            raise InputError(Diagnostic(
                "RI175", f"the value of {key} uses ${{{atom.name}}}, which no earlier line of "
                         "the file sets", where, fix=_UNSET_FIX.format(name=atom.name)))
    budget[0] -= sum(map(len, parts))
    if budget[0] < 0:
        raise InputError(Diagnostic(
            "RI175", f"the value of {key} makes the file's values longer than its text and "
                     f"{MAX_EXPANSION >> 20} MiB more: ${{NAME}} is expanded too many times",
            where, fix="expand each value from the ones above it fewer times"))
    return "".join(parts)

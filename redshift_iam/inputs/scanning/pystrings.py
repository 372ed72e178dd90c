"""Python string literals decoded character by character, each mapped to its host position.

``read_literals(host, start, end, builder, braces)`` reads the literal pieces between two host
character offsets (implicit concatenation: pieces separated by white space, comments, line
continuations or ``+``) and appends their value to ``builder``. Escapes (``\\n``, ``\\'``,
``\\x41``, ``\\N{...}``, octal) become one character standing at the backslash; a backslash-newline
adds nothing. In f-strings a field is copied as ``{expr!r:spec}`` (the name is the
expression's source text; ``{x=}`` is the text ``x=`` and the field ``{x!r}``); ``braces``
doubles the braces of plain pieces (their text joins a format template).
"""

from __future__ import annotations

import re
import unicodedata

from redshift_iam.inputs.scanning.fragments import TextBuilder
from redshift_iam.inputs.scanning.host import HostText

_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "a": "\a",
           "b": "\b", "f": "\f", "v": "\v"}
_HEX = {"x": 2, "u": 4, "U": 8}
_PREFIX = re.compile(r"[rRbBuUfF]{0,2}(?:'''|\"\"\"|'|\")")
_BETWEEN = re.compile(r"(?:\s|\\\n|#[^\n]*|[+()])*")
_OCTAL = re.compile(r"[0-7]{1,3}")
_NAMED = re.compile(r"N\{([^}]*)\}")
_SELF_DOCUMENTING = re.compile(r"(?<![=!<>])=\s*$")


def read_literals(host: HostText, start: int, end: int, builder: TextBuilder,
                  braces: bool = False) -> bool:
    """Append the value of the literal pieces in ``host.text[start:end]``; False if unreadable."""
    src = host.text
    index = start
    while True:
        index = _BETWEEN.match(src, index, end).end()
        match = _PREFIX.match(src, index, end)
        if match is None:
            return index >= end or src[index:end].strip(") \t\n") == ""
        prefix = match.group()[: -len(match.group().lstrip("rRbBuUfF"))] or ""
        quote = match.group()[len(prefix):]
        index = _piece(host, match.end(), quote, prefix.lower(), builder, braces)
        if index < 0:
            return False


def _piece(host: HostText, index: int, quote: str, prefix: str, builder: TextBuilder,
           braces: bool) -> int:
    """Read one piece's body from ``index``; return the offset after its closing quote."""
    src, raw, fmt = host.text, "r" in prefix, "f" in prefix
    while index < len(src):
        if src.startswith(quote, index):
            return index + len(quote)
        char = src[index]
        if char == "\\" and not raw:
            index = _escape(host, index, builder)
        elif fmt and char == "{" and not src.startswith("{{", index):
            index = _expression(host, index, builder)
        elif fmt and src.startswith(("{{", "}}"), index):
            host.copy(builder, index, index + 2)
            index += 2
        elif braces and char in "{}":
            host.put(builder, char * 2, index)
            index += 1
        else:
            index = _plain(host, index, quote, fmt or braces, raw, builder)
        if index < 0:
            return -1
    return -1


def _plain(host: HostText, index: int, quote: str, braces: bool, raw: bool,
           builder: TextBuilder) -> int:
    """Copy the run of characters that need no decoding."""
    src, stop = host.text, index + 1
    specials = quote[0] + ("" if raw else "\\") + ("{}" if braces else "")
    while stop < len(src) and src[stop] not in specials and (len(quote) == 3 or src[stop] != "\n"):
        stop += 1
    if raw and src[index] == "\\" and stop < len(src):
        stop += 1  # a raw string still cannot end with its quote escaped: r'\'' is two chars
    host.copy(builder, index, stop)
    return stop


def _escape(host: HostText, index: int, builder: TextBuilder) -> int:
    """Decode the escape at ``index`` (a backslash); return the offset after it."""
    src = host.text
    nxt = src[index + 1: index + 2]
    if nxt == "\n":
        return index + 2
    if nxt in _SIMPLE:
        host.put(builder, _SIMPLE[nxt], index)
        return index + 2
    if nxt in _HEX:
        digits = src[index + 2: index + 2 + _HEX[nxt]]
        host.put(builder, chr(int(digits, 16)), index)
        return index + 2 + _HEX[nxt]
    octal = _OCTAL.match(src, index + 1)
    if octal:
        host.put(builder, chr(int(octal.group(), 8)), index)
        return octal.end()
    named = _NAMED.match(src, index + 1)
    if named:
        host.put(builder, unicodedata.lookup(named.group(1)), index)
        return named.end()
    host.copy(builder, index, index + 1)  # an unknown escape keeps its backslash
    return index + 1


def _expression(host: HostText, index: int, builder: TextBuilder) -> int:
    """Copy the f-string field at ``index`` (``{``) as ``{expr!conversion:spec}``, the
    expression stripped of surrounding white space; ``{x=}`` becomes the text ``x=`` and the
    field ``{x!r}`` (as Python renders it). Return the offset after the field."""
    src, depth, cursor, stop = host.text, 0, index + 1, -1
    while cursor < len(src):
        char = src[cursor]
        if char in "'\"":
            close = src.find(char, cursor + 1)
            cursor = close if close > 0 else len(src)
        elif char in "([{":
            depth += 1
        elif char in ")]" or (char == "}" and depth):
            depth -= 1
        elif depth == 0 and (char in "}:" or (char == "!" and src[cursor + 1: cursor + 2] != "=")):
            stop = cursor if stop < 0 else stop
            if char == "}":
                break
        cursor += 1
    if cursor >= len(src):
        return -1
    expression = src[index + 1: stop]
    expr_start = index + 1 + len(expression) - len(expression.lstrip())
    if expression.lstrip().startswith("{"):
        expr_start = index + 1  # { {'a': 1}['a'] }: {{ would read as an escaped brace
    expr_end = index + 1 + len(expression.rstrip())
    repr_of = False
    if _SELF_DOCUMENTING.search(expression):  # {x=}, {x = !s:>4}
        _doubled(host, index + 1, stop, builder)
        expr_end = index + 1 + len(expression.rstrip()[:-1].rstrip())
        repr_of = stop == cursor  # no conversion or spec: Python shows the repr
    host.copy(builder, index, index + 1)
    host.copy(builder, expr_start, expr_end)
    if repr_of:
        host.put(builder, "!r", stop)
    host.copy(builder, stop, cursor + 1)  # !conversion:spec and the closing brace
    return cursor + 1


def _doubled(host: HostText, start: int, end: int, builder: TextBuilder) -> None:
    """Copy ``start:end`` as literal text of a format template (braces doubled)."""
    for offset in range(start, end):
        char = host.text[offset]
        if char in "{}":
            host.put(builder, char * 2, offset)
        else:
            host.copy(builder, offset, offset + 1)

"""Policy variables in Resource and condition values: ``${aws:username}``, with a default
(``${aws:PrincipalTag/team, 'none'}``) and the escapes ``${*}``, ``${?}``, ``${$}``.

A policy string is read once into parts (:func:`parse`); each request then resolves it into a
:class:`~redshift_iam.audit.globs.Glob` (:func:`resolve`). AWS substitutes a variable with the
request's value of that context key (key names ignore case); a key the request lacks, or one
with several values (AWS refuses multivalued keys as variables), takes the default if there
is one, and otherwise the string matches nothing. A ``${`` without its ``}`` is literal text.
Documents of Version 2008-10-17 (or none) have no variables: their ``${...}`` is literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from redshift_iam.audit.globs import ONE, STAR, Glob, Token

UNKNOWN = object()  # a lookup's answer when the request's value is not known (check)
Lookup = Callable[[str], "str | None | object"]  # key (lower-case) -> value, None or UNKNOWN

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WITH_DEFAULT = re.compile(r"\s*([^,'\s]+)\s*,\s*'((?:[^']|'')*)'\s*\Z")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


class Variable(NamedTuple):
    key: str  # lower-case
    default: str | None


class Pattern(NamedTuple):
    """A policy string: literal characters, STAR/ONE tokens and variables."""

    parts: tuple[Token | Variable, ...]
    text: str

    @property
    def has_variables(self) -> bool:
        return any(isinstance(p, Variable) for p in self.parts)


def _wild(text: str, wildcards: bool) -> list[Token]:
    if not wildcards:
        return list(text)
    return [STAR if c == "*" else ONE if c == "?" else c for c in text]


def parse(text: str, variables: bool = True, wildcards: bool = True) -> Pattern:
    """``text`` as a policy string (``wildcards``: ``*``/``?`` are wildcards, as in Resource
    and StringLike; else literal, as in StringEquals)."""
    if not variables or "${" not in text:
        return Pattern(tuple(_wild(text, wildcards)), text)
    parts: list[Token | Variable] = []
    at = 0
    for match in _VARIABLE.finditer(text):
        parts += _wild(text[at:match.start()], wildcards)
        parts += _variable(match.group(1), match.group(0))
        at = match.end()
    parts += _wild(text[at:], wildcards)
    return Pattern(tuple(parts), text)


def _variable(inner: str, whole: str) -> list[Token | Variable]:
    if inner in _ESCAPES:
        return [_ESCAPES[inner]]
    with_default = _WITH_DEFAULT.match(inner)
    if with_default:
        return [Variable(with_default.group(1).lower(), with_default.group(2).replace("''", "'"))]
    key = inner.strip()
    if not key or any(c.isspace() for c in key):
        return list(whole)  # not a variable: literal text
    return [Variable(key.lower(), None)]


def resolve(pattern: Pattern, lookup: Lookup) -> Glob | None | object:
    """The pattern with its variables substituted: a Glob; None when a variable has no value
    (the string matches nothing); UNKNOWN when a value is not known."""
    if not pattern.has_variables:
        return Glob(pattern.parts)  # type: ignore[arg-type]
    tokens: list[Token] = []
    for part in pattern.parts:
        if not isinstance(part, Variable):
            tokens.append(part)
            continue
        value = lookup(part.key)
        if value is None:
            if part.default is None:
                return None
            value = part.default
        if not isinstance(value, str):  # UNKNOWN
            return UNKNOWN
        tokens += value  # substituted text is literal, character by character
    return Glob(tuple(tokens))

"""IAM wildcard patterns as values: matching, and the two questions ``check`` asks of them.

A pattern's ``*`` matches any run of characters (``/`` and ``:`` included) and ``?`` exactly
one; every other character matches itself. :func:`contains` decides whether every string one
pattern matches is matched by another (the needed ``b/k*`` is covered by an allowed ``b/*``,
not by ``b/k/data*``); :func:`overlaps` whether some string is matched by both. Both are exact:
they walk the two patterns' automata together over an alphabet of the characters the patterns
name plus one standing for every other character (which both treat alike).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

STAR = -1  # a token: any run of characters
ONE = -2  # a token: exactly one character
_OTHER = ""  # the alphabet's stand-in for every character neither pattern names

Token = str | int  # a literal character, STAR or ONE


class Glob(NamedTuple):
    """A wildcard pattern: literal characters and STAR/ONE tokens."""

    tokens: tuple[Token, ...]

    @property
    def literal(self) -> str | None:
        """The one string this pattern matches, or None when it has a wildcard."""
        if STAR in self.tokens or ONE in self.tokens:
            return None
        return "".join(self.tokens)  # type: ignore[arg-type]

    @property
    def prefix(self) -> str:
        """The literal text before the first wildcard."""
        out = []
        for token in self.tokens:
            if not isinstance(token, str):
                break
            out.append(token)
        return "".join(out)

    def __str__(self) -> str:
        return "".join(t if isinstance(t, str) else "*" if t == STAR else "?"
                       for t in self.tokens)

    def matches(self, text: str) -> bool:
        literal = self.literal
        if literal is not None:
            return literal == text
        return _regex(self.tokens).match(text) is not None


def glob(text: str) -> Glob:
    """``text`` read as a pattern: ``*`` and ``?`` are wildcards."""
    return Glob(tuple(STAR if c == "*" else ONE if c == "?" else c for c in text))


def literal(text: str) -> Glob:
    """``text`` as a pattern that matches only itself."""
    return Glob(tuple(text))


def token_regex(tokens: tuple[Token, ...]) -> str:
    """The regex source of a pattern's tokens (for joining many into one alternation)."""
    return "".join(re.escape(t) if isinstance(t, str) else ".*" if t == STAR else "."
                   for t in tokens)


@lru_cache(maxsize=8192)
def _regex(tokens: tuple[Token, ...]) -> re.Pattern[str]:
    return re.compile(token_regex(tokens) + r"\Z", re.S)


def wildcard_regex(text: str) -> str:
    """The regex source of an IAM pattern (for joining many into one alternation)."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


def _closure(tokens: tuple[Token, ...], states: set[int]) -> frozenset[int]:
    """``states`` and every state reachable by letting a STAR match nothing."""
    out, todo = set(states), list(states)
    while todo:
        state = todo.pop()
        if state < len(tokens) and tokens[state] == STAR and state + 1 not in out:
            out.add(state + 1)
            todo.append(state + 1)
    return frozenset(out)


def _step(tokens: tuple[Token, ...], states: frozenset[int], char: str) -> frozenset[int]:
    nxt: set[int] = set()
    for state in states:
        if state == len(tokens):
            continue
        token = tokens[state]
        if token == STAR:
            nxt.add(state)
        elif token in (ONE, char):
            nxt.add(state + 1)
    return _closure(tokens, nxt) if nxt else frozenset()


def _search(a: Glob, b: Glob, want_b: bool) -> bool:
    """Whether some string is matched by ``a`` and (``want_b``) by ``b`` too, or (not
    ``want_b``) not by ``b``."""
    alphabet = {t for t in a.tokens + b.tokens if isinstance(t, str)} | {_OTHER}
    end_a, end_b = len(a.tokens), len(b.tokens)
    start = (_closure(a.tokens, {0}), _closure(b.tokens, {0}))
    seen, todo = {start}, [start]
    while todo:
        sa, sb = todo.pop()
        if end_a in sa and (end_b in sb) == want_b:
            return True
        for char in alphabet:
            na = _step(a.tokens, sa, char)
            nb = _step(b.tokens, sb, char)
            if not na or (want_b and not nb) or (na, nb) in seen:
                continue
            seen.add((na, nb))
            todo.append((na, nb))
    return False


@lru_cache(maxsize=65536)
def contains(outer: Glob, inner: Glob) -> bool:
    """Whether every string ``inner`` matches is matched by ``outer``."""
    if outer == inner or outer.tokens == (STAR,):
        return True
    text = inner.literal
    if text is not None:
        return outer.matches(text)
    if outer.literal is not None:
        return False
    reduced = _reduce(inner, outer)
    return reduced is not None and not _search(*reduced, want_b=False)


@lru_cache(maxsize=65536)
def overlaps(a: Glob, b: Glob) -> bool:
    """Whether some string is matched by both patterns."""
    if a == b or a.tokens == (STAR,) or b.tokens == (STAR,):
        return True
    if a.literal is not None:
        return b.matches(a.literal)
    if b.literal is not None:
        return a.matches(b.literal)
    reduced = _reduce(a, b)
    return reduced is not None and _search(*reduced, want_b=True)


def _reduce(a: Glob, b: Glob) -> tuple[Glob, Glob] | None:
    """The two patterns without the literal text they both start (and end) with, which
    every string of either holds; None when their literal starts or ends differ (no string
    is matched by both). Keeps the automaton walk small: ARNs share long literal heads."""
    x, y = a.tokens, b.tokens
    (head_a, tail_a), (head_b, tail_b) = _ends(x), _ends(y)
    head = min(len(head_a), len(head_b))
    if head_a[:head] != head_b[:head]:
        return None
    x, y = x[head:], y[head:]
    tail = min(len(tail_a), len(tail_b), len(x), len(y))
    if tail and tail_a[len(tail_a) - tail:] != tail_b[len(tail_b) - tail:]:
        return None
    return Glob(x[:len(x) - tail]), Glob(y[:len(y) - tail])


@lru_cache(maxsize=65536)
def _ends(tokens: tuple[Token, ...]) -> tuple[str, str]:
    """The literal text before the first wildcard and after the last one."""
    wild = [i for i, t in enumerate(tokens) if not isinstance(t, str)]
    if not wild:
        text = "".join(tokens)  # type: ignore[arg-type]
        return text, text
    return ("".join(tokens[:wild[0]]),  # type: ignore[arg-type]
            "".join(tokens[wild[-1] + 1:]))  # type: ignore[arg-type]

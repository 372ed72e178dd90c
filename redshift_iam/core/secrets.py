"""Secrets: where a statement may start carrying one, and the spans of a text that are never
printed.

Every snippet line masks, as ``****``, every secret span it overlaps, whatever statement the
line belongs to (:func:`masked_line`, used by ``Source.snippet``): the spans of the whole text
are computed once (:func:`secret_spans`). A span is

- the value after a secret-bearing word (``SECRET_ACCESS_KEY '****'``, ``session_token: ****``,
  ``CREDENTIALS 'aws_access_key_id=AKIA...;aws_secret_access_key=****;token=****'``): inside
  its quotes, or the next unquoted run; a quoted value that never closes runs to the end of the
  text (it may be swallowing a secret), and so does a CREDENTIALS string that never closes.
  The word, the quotes and the rest of the line show; ``CREDENTIALS 'aws_iam_role=arn:...'``
  holds no secret, nor does an access key id (it is an identifier, not a secret);
- any text with the shape of a secret (:data:`SECRET_SHAPE`): a run of 40 or more base64
  characters with upper- and lower-case letters and digits (a secret access key has 40, a
  ``MASTER_SYMMETRIC_KEY`` 44, a session token hundreds).

Messages say where, not what: :func:`hide_secret_shapes` masks secret-shaped text in a value a
message quotes.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from typing import NamedTuple

from redshift_iam.core.lazyre import LazyRegex

REDACTED = "****"

# From the first of these words on, a statement may carry a secret: snippets hide the rest.
SECRET_WORDS = LazyRegex(
    r"\b(?:secret_access_key|session_token|token|master_symmetric_key|credentials)\b", re.I
)


# ...except CREDENTIALS followed by a well-formed role-only string, which holds no secret.
_ROLE_ONLY = LazyRegex(r"\s*(?:as\s+)?'aws_iam_role=arn:[A-Za-z0-9:/+=,.@_-]*'", re.I)

# A secret-bearing word (also as the end of a longer name: aws_secret_access_key) and the
# value after it: separators (SQL's AS, YAML's or JSON's key end and colon, =), then a quoted
# value to its closing quote or the end of the text, or else the next unquoted run (SQL's
# doubled quote and a backslash escape or line continuation, as host code writes one, are
# inside it: a secret split by them is masked whole). Only the
# value (inside its quotes) is secret: the word, the quotes and the rest of the line show.
# CREDENTIALS is a word of its own: its quoted string is secret only where a secret key's
# value stands in it (those values match here as words of their own), or to the end of the
# text when the string never closes.
_SECRET_SPAN = LazyRegex(r"""
    (?<![A-Za-z0-9])(?P<word>secret_access_key|session_token|token|master_symmetric_key
                            |credentials)\b
    \s*(?:["']?\s*[:=])?\s*(?:as\b\s*)?
    (?: '(?P<sq>(?:[^']|'')*)(?P<sq_end>'|\Z) | "(?P<dq>(?:[^"]|"")*)(?P<dq_end>"|\Z)
      | (?P<bare>(?:[^\s;,)'"\\]|''|\\[\s\S])*))
""", re.I | re.X)


class _Value(NamedTuple):
    """The value a secret word's match holds: ``[start, end)``, and whether it is closed
    (a quoted value that never closes runs to the end of the text: its extent is unknown)."""

    start: int
    end: int
    closed: bool


def _value(match: re.Match[str]) -> _Value | None:
    """The secret value of one :data:`_SECRET_SPAN` match; None for a CREDENTIALS string
    that closes (its secret keys' values are matches of their own) or a role-only one."""
    credentials = match.group("word").lower() == "credentials"
    if credentials and _ROLE_ONLY.match(match.string, match.end("word")):
        return None
    for group in ("sq", "dq"):
        if match.group(group) is not None:
            closed = bool(match.group(group + "_end"))
            if credentials and closed:
                return None
            return _Value(match.start(group), match.end(group), closed)
    return _Value(match.start("bare"), match.end("bare"), True)


# Text shaped like a secret: a run of 40 or more base64 characters (a secret access key has
# 40, a base64 256-bit key 44, a session token hundreds) holding upper- and lower-case letters
# and digits, ``=`` only as its padding at the end. The whole run is masked: a secret written
# next to other such characters (after "s3://x") is masked with them; one after "key=" starts
# after the "=" (base64 has no "=" inside), so the key's name shows.
SECRET_SHAPE = LazyRegex(r"""
    (?<![A-Za-z0-9/+])
    (?=[A-Za-z0-9/+]*?[A-Z])(?=[A-Za-z0-9/+]*?[a-z])(?=[A-Za-z0-9/+]*?[0-9])
    [A-Za-z0-9/+]{40,}={0,2}
""", re.X)


class Span(NamedTuple):
    """Characters ``[start, end)`` of a text that are never printed."""

    start: int
    end: int


def secret_start(text: str, start: int, end: int) -> int | None:
    """The offset in ``text[start:end]`` (one statement) from which it may carry a secret
    whose extent is unknown (a quoted value after a secret-bearing word that never closes
    in the statement): snippets hide the rest from there. A secret whose value closes is
    masked alone (:func:`secret_spans`), so the rest of its line shows; None then."""
    for match in SECRET_WORDS.finditer(text, start, end):
        found = _SECRET_SPAN.match(text, match.start())
        value = _value(found) if found else None
        if value is not None and (not value.closed or value.end > end):
            return match.start()
    return None


@functools.lru_cache(maxsize=16)
def secret_spans(text: str) -> tuple[Span, ...]:
    """Every secret span of ``text`` (see the module docstring), sorted and merged."""
    found = []
    at = 0
    while (match := _SECRET_SPAN.search(text, at)) is not None:
        value = _value(match)
        if value is not None and value.end > value.start:
            found.append(Span(value.start, value.end))
        # a CREDENTIALS string that closes is searched inside for its secret keys' values
        at = match.end("word") if value is None else max(match.end(), match.start() + 1)
    found += [Span(m.start(), m.end()) for m in SECRET_SHAPE.finditer(text)]
    merged: list[Span] = []
    for span in sorted(found):
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return tuple(merged)


def line_spans(text: str, begin: int, end: int, redact_from: int | None) -> list[Span]:
    """The hidden parts of ``text[begin:end]`` (one line): its secret spans, and everything
    from ``redact_from`` on (a whole line when it starts before the line)."""
    spans = secret_spans(text)
    first = max(bisect_right(spans, Span(begin, begin)) - 1, 0)
    hidden = []
    for span in spans[first:]:
        if span.start >= end:
            break
        if span.end > begin:
            hidden.append(Span(max(span.start, begin), min(span.end, end)))
    if redact_from is not None and redact_from < end:
        cut = max(redact_from, begin)
        hidden = [s for s in hidden if s.start < cut]
        if hidden and hidden[-1].end >= cut:
            cut = hidden.pop().start
        hidden.append(Span(cut, end))
    return hidden


def masked_line(text: str, begin: int, end: int, caret: int,
                redact_from: int | None = None) -> tuple[str, int]:
    """``text[begin:end]`` (one line) with each hidden part (:func:`line_spans`) written as
    ``****``, and the caret's column in it (a caret inside a hidden part stands at its start)."""
    parts, col, at = [], caret - begin, begin
    for span in line_spans(text, begin, end, redact_from):
        parts += [text[at:span.start], REDACTED]
        if caret >= span.end:
            col += len(REDACTED) - (span.end - span.start)
        elif caret >= span.start:
            col = sum(map(len, parts)) - len(REDACTED)
        at = span.end
    parts.append(text[at:end])
    return "".join(parts), col


def hide_secret_shapes(text: str) -> str:
    """``text`` with every secret-shaped part written as ``****`` (for values in messages)."""
    return SECRET_SHAPE.sub(REDACTED, text) if len(text) >= 40 else text

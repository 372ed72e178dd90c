"""The statement reader's first stage: split a script into statements.

Splitting is one regex pass that steps over strings, quoted identifiers, comments and
dollar-quoted bodies, so unrelated SQL costs no more than a regex scan. Only the statements
that may touch AWS are tokenized (:mod:`redshift_iam.sql.tokens`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple, NoReturn

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.secrets import secret_start
from redshift_iam.core.source import Source
from redshift_iam.core.sqllex import (
    DOLLAR_TAG,
    FLAT_BLOCK,
    FLAT_BLOCK_OPEN,
    LINE_COMMENT,
    QIDENT,
    STRING,
    block_end,
)
from redshift_iam.core.sqllex import META as META_LINE
from redshift_iam.sql.comments import Joined, nested_end, raise_open_comment

# a statement the lexer found: the regex's match, or its parts around nested comments
StatementMatch = re.Match[str] | Joined

__all__ = ["block_end"]  # re-exported: the reader's callers count nesting with it

# The lexical pieces of core.sqllex, each with a named group ({0}) that is empty when the
# construct never closes (the errors RI101-RI104 name which).
STRING_PATTERN = STRING + "(?P<{0}>')?"
QIDENT_PATTERN = QIDENT + '(?P<{0}>")?'
DOLLAR_PATTERN = (r"\$\$.*?(?P<{0}a>\$\$|\Z)"
                  rf"|\$(?P<{{0}}tag>{DOLLAR_TAG})\$.*?(?P<{{0}}b>\$(?P={{0}}tag)\$|\Z)")
# A block comment with no nested opener inside. The group is empty when it stops at a nested
# ``/*`` or at the end of the text; then block_end() scans the nesting.
BLOCK_PATTERN = FLAT_BLOCK_OPEN + r"(?P<{0}>\*/)?"

# The reference splitter only needs to see what can hide a semicolon, and the semicolons
# themselves. A psql meta-command line (\set, \i ...) ends a statement too. It runs only to
# report an unclosed construct, so it is compiled on first use.
_SPLIT_PATTERN = (
    "|".join([
        f"(?P<string>{STRING_PATTERN.format('s_end')})",
        f"(?P<qident>{QIDENT_PATTERN.format('q_end')})",
        f"(?P<dollar>{DOLLAR_PATTERN.format('d_')})",
        f"(?P<block>{BLOCK_PATTERN.format('b_end')})",
        f"(?P<line>{LINE_COMMENT})",
        rf"(?P<meta>(?:^|\n){META_LINE})",
        r"(?P<semi>;)",
    ])
)


@functools.cache
def _split_regex() -> re.Pattern[str]:
    return re.compile(_SPLIT_PATTERN, re.S)


UNTERMINATED = {
    "string": ("s_end", "RI101", "unterminated string"),
    "qident": ("q_end", "RI102", "unterminated quoted identifier"),
    "block": ("b_end", "RI103", "unterminated block comment"),
}


class Segment(NamedTuple):
    """One statement's span in its source, without the terminating semicolon."""

    start: int
    end: int


def check_closed(source: Source, match: re.Match[str], kind: str, statement: int = 0) -> None:
    """Raise the RI10x error for a string, identifier, comment or body that never ends.

    The snippet hides the rest of an unterminated string (it may be swallowing a secret) and
    everything from the statement's first secret-bearing option (``statement`` is where the
    statement starts)."""
    if kind == "dollar":
        group, code, message = "", "RI104", "unterminated dollar-quoted body"
        closed = match.group("d_a") or match.group("d_b")
    else:
        group, code, message = UNTERMINATED[kind]
        closed = match.group(group)
    if not closed:
        secret = secret_start(source.text, statement, match.start())
        redact = match.start() + 1 if kind == "string" else None
        if secret is not None:
            redact = secret if redact is None else min(secret, redact)
        raise InputError(source.diagnostic(code, message, match.start(), redact))


# One statement per match, in C: leading white space and comments, the first word (what the
# reader classifies by), the body (ordinary text, whole strings, identifiers, comments and
# bodies), then what ends it: a semicolon, a psql meta-command line, the end of the text, or
# (empty ``bad``) a construct that never closes, which the reference scanner below reports.
# The empty ``bad`` always matches, so the engine never backtracks into the repeats. (The
# body's cannot be possessive: Python 3.11's re mishandles a backreference inside one.)
_STATEMENT = re.compile(r"""
  (?P<lead>(?:[^\S\n] | \n(?![ \t]*\\) | LINE_COMMENT | FLAT_BLOCK)*+)
  (?P<word>\w+)?
  (?P<rest>(?:
    [^;'"$/\\\n-]+
  | \n(?![ \t]*\\)
  | STRING'
  | QIDENT"
  | LINE_COMMENT
  | FLAT_BLOCK
  | \$\$.*?\$\$
  | \$(?P<tag>DOLLAR_TAG)\$.*?\$(?P=tag)\$
  | \$(?!(?:DOLLAR_TAG)?\$)
  | /(?!\*)
  | -
  | \\
  )*)
  (?:(?P<semi>;) | (?P<meta>\nMETA_LINE) | (?P<end>\Z) | (?P<bad>))
"""
  .replace("STRING", STRING).replace("QIDENT", QIDENT).replace("LINE_COMMENT", LINE_COMMENT)
  .replace("FLAT_BLOCK", FLAT_BLOCK).replace("DOLLAR_TAG", DOLLAR_TAG)
  .replace("META_LINE", META_LINE), re.S | re.X)
_META = re.compile(META_LINE)
WORD = _STATEMENT.groupindex["word"]  # match[WORD]: the first word, or None
BAD = _STATEMENT.groupindex["bad"]  # match.lastindex == BAD: see raise_unclosed()
META = _STATEMENT.groupindex["meta"]  # match.lastindex == META: a psql meta-command ends it


def statement_matches(source: Source) -> Iterator[StatementMatch]:
    """One raw match per statement, empty and comment-only ones included, for callers that
    must touch each as little as possible. A match whose ``lastindex`` is ``BAD`` stops at a
    construct that never closes: pass it to :func:`raise_unclosed`. A statement holding a
    nested block comment, which the regex cannot match, comes as a :class:`Joined` of the
    matches around it; an unterminated one raises RI103 at its outermost ``/*``."""
    text = source.text
    first_meta = _META.match(text)
    pos = first_meta.end() if first_meta else 0
    while True:
        for match in _STATEMENT.finditer(text, pos):
            if match.lastindex == BAD and text.startswith("/*", match.end()):
                break
            yield match
        else:
            return
        joined = _join(source, match)
        yield joined
        pos = joined.end()
        if pos == len(text) and joined.lastindex != BAD:
            return


def _join(source: Source, match: re.Match[str]) -> Joined:
    """The statement ``match`` starts, read on over each nested comment it stops at. Its
    first word and lead come from the first part with content (a word or other text)."""
    text, start = source.text, match.start()
    head: re.Match[str] = match
    while match.lastindex == BAD and text.startswith("/*", match.end()):
        stop = block_end(text, match.end())
        if stop is None:
            raise_open_comment(source, match.end(), start)
        following = _STATEMENT.match(text, stop)
        assert following is not None  # every part of the pattern may be empty
        match = following
        if is_empty(head):
            head = match
    return Joined(match.lastindex, {WORD: head[WORD]},
                  {0: start, WORD: head.start(WORD), META: match.start(META)},
                  {0: match.end(), "lead": head.end("lead"), "rest": match.end("rest"),
                   META: match.end(META)})


def leading_meta(source: Source) -> Segment | None:
    """The meta-command line a script starts with (from its backslash), which
    :func:`statement_matches` steps over; None when it starts otherwise."""
    first = _META.match(source.text)
    return Segment(first.end() - len(first.group().lstrip(" \t")), first.end()) if first else None


def meta_line(source: Source, match: StatementMatch) -> Segment:
    """The meta-command line (from its backslash) that ends the statement ``match``."""
    return Segment(source.text.index("\\", match.start(META)), match.end(META))


def raise_unclosed(source: Source, match: StatementMatch) -> NoReturn:
    """Raise InputError (RI101-RI104) for the unterminated string, identifier, comment or
    dollar body in the statement ``match`` stopped at."""
    for _ in _split_reference(source, match.start()):  # raises at the unclosed one
        pass
    raise RuntimeError(f"the splitters disagree at offset {match.start()}")


def is_empty(match: StatementMatch) -> bool:
    """Nothing but white space and comments."""
    return match.end("lead") == match.end("rest")


def scan(source: Source) -> Iterator[StatementMatch]:
    """The match of every statement of ``source``, in order, skipping empty and comment-only
    ones.

    Raises InputError (RI101-RI104) at the first unterminated string, identifier, comment or
    dollar body, since everything after it would be misread.
    """
    for match in statement_matches(source):
        if match.lastindex == BAD:
            raise_unclosed(source, match)
        if not is_empty(match):
            yield match


def segment_of(match: StatementMatch) -> Segment:
    """The span of a statement :func:`scan` found, without its terminator."""
    return Segment(match.start(), match.end("rest"))


def split(source: Source) -> Iterator[Segment]:
    """Yield the statements of ``source`` in order, skipping empty and comment-only ones;
    errors as :func:`scan`."""
    for match in scan(source):
        yield segment_of(match)


def _split_reference(source: Source, start: int) -> Iterator[Segment]:
    """The token-by-token splitter: slower, but it knows which construct never closes."""
    text = source.text
    pos: int | None = start
    while pos is not None:
        resume, pos = pos, None
        for match in _split_regex().finditer(text, resume):
            kind = match.lastgroup
            if kind in ("semi", "meta"):
                if text[start:match.start()].strip():
                    yield Segment(start, match.start())
                start = match.end()
            elif kind == "block" and not match.group("b_end"):
                pos = nested_end(source, match.start(), len(text), start)
                break
            elif kind in ("string", "qident", "dollar"):
                check_closed(source, match, kind, start)
    if text[start:].strip():
        yield Segment(start, len(text))

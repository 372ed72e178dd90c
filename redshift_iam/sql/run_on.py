"""Two statements run together: a COPY or UNLOAD that starts a line inside another statement
(``SELECT 1`` then, on the next line, ``COPY t FROM ...`` with no ``;`` between) would be read
as a part of the first, and its grants lost. :func:`run_on` finds the first such line (outside
strings, quoted identifiers, comments and bodies: only a word that stands first on its line,
followed by the shape of its kind in ``core.statement_kinds``); the reader warns (RW227) and
reads the two parts as statements of their own.

Another database's SQL that starts like a kind (``core.statement_kinds.NOT_REDSHIFT``:
Snowflake's ``COPY INTO``, a log line ``Copy from ... to ...``) is named by :func:`not_redshift`
(RW226): skipped, not read as Redshift SQL.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.source import Source
from redshift_iam.core.statement_kinds import KINDS
from redshift_iam.sql.classify import foreign
from redshift_iam.sql.lexer import Segment
from redshift_iam.sql.tokens import tokens

_LINE_VERBS = ("COPY", "UNLOAD")
# The cheap test first: a line of the statement starts with a verb.
_LINE_VERB = LazyRegex(rf"\n[ \t]*(?:{'|'.join(_LINE_VERBS)})\b", re.I)
_SHAPES = {kind.words[0]: LazyRegex(kind.shape, re.I | re.S)
           for kind in KINDS if kind.mapped and kind.words[0] in _LINE_VERBS}


class RunOn(NamedTuple):
    """A statement split where another starts a line: the two parts, the second's first
    word, and the warning."""

    before: Segment
    after: Segment
    word: int
    warning: Diagnostic


def run_on(source: Source, segment: Segment, word: int) -> RunOn | None:
    """The first COPY or UNLOAD that starts a line inside the statement at ``segment`` (whose
    first word is at ``word``), or None."""
    if word < 0 or _LINE_VERB.search(source.text, word + 1, segment.end) is None:
        return None
    previous = word
    for token in tokens(source, segment):
        if token.start <= word:
            previous = token.end
            continue
        if (token.kind == "word" and token.upper in _SHAPES
                and source.text.rfind("\n", previous, token.start) >= 0
                and _SHAPES[token.upper].match(source.text, token.end, segment.end)):
            return _split(source, segment, word, token.start, token.upper)
        previous = token.end
    return None


def _split(source: Source, segment: Segment, word: int, inner: int, verb: str) -> RunOn:
    first = source.location(word)
    warning = source.diagnostic(
        "RW227", f"{verb} starts a line inside the statement that starts at line {first.line}, "
                 f"column {first.col}, with no ';' between: read as a statement of its own",
        inner)
    line_start = source.text.rfind("\n", segment.start, inner)
    return RunOn(Segment(segment.start, line_start), Segment(inner, segment.end), inner, warning)


def not_redshift(source: Source, segment: Segment, word: int) -> Diagnostic | None:
    """RW226 when the statement whose first word is at ``word`` is another database's SQL
    (or no SQL) that starts like a kind of statement."""
    if word < 0:
        return None
    row = foreign(source, word, segment.end)
    if row is None:
        return None
    return source.diagnostic("RW226", f"not Redshift SQL, skipped: {row.reason}", word)

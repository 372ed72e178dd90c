"""SQL's lexical patterns, written once: the SQL reader (``sql``), the template substitution
scan (``inputs.templating``) and the statement finder of ``scan`` (``inputs.scanning``) all
build their regexes from these pieces, so they agree on what hides a placeholder, a keyword
or a semicolon.

https://docs.aws.amazon.com/redshift/latest/dg/r_names.html,
https://www.postgresql.org/docs/current/sql-syntax-lexical.html

- A string: ``'...'`` or ``E'...'``; ``''`` and a backslash escape stay inside (Redshift reads
  backslash escapes in every string). :data:`STRING` is the opening quote and the body: add
  ``'`` (or an optional group) for the close.
- A quoted identifier: ``"..."`` with ``""`` inside (:data:`QIDENT`, without its close).
- A dollar-quoted body: ``$$...$$`` or ``$tag$...$tag$``, the tag an ASCII identifier
  (:data:`DOLLAR_TAG`).
- Comments: ``--`` to the end of the line; ``/* */`` nests, as in PostgreSQL and psql
  (``/* a /* b */ c */`` is one comment). ``re`` cannot match nesting: :data:`FLAT_BLOCK` is a
  comment with no ``/*`` inside (the common case, matched in C); at any other ``/*`` a caller
  counts openers and closers with :func:`block_end`.
- A psql meta-command line: a line whose first non-blank character is a backslash (:data:`META`).
- Between the words of a statement's head: :data:`GAP`, one white-space character or one whole
  comment without a nested one (no two ways to match the same text, so repeating it cannot
  backtrack exponentially).
"""

from __future__ import annotations

import re

from redshift_iam.core.lazyre import LazyRegex

STRING_BODY = r"[^'\\]*(?:(?:''|\\.)[^'\\]*)*"
STRING = r"[Ee]?'" + STRING_BODY
QIDENT_BODY = r'[^"]*(?:""[^"]*)*'
QIDENT = '"' + QIDENT_BODY
DOLLAR_TAG = r"[A-Za-z_][A-Za-z0-9_]*"
LINE_COMMENT = r"--[^\n]*"
# ``/*``, then text holding neither ``*/`` nor ``/*``, then ``*/``; possessive, so no backtracking.
FLAT_BLOCK_OPEN = r"/\*[^*/]*+(?:(?:\*(?!/)|/(?!\*))[^*/]*+)*+"
FLAT_BLOCK = FLAT_BLOCK_OPEN + r"\*/"
META = r"[ \t]*\\[^\n]*"
GAP = rf"(?:\s|{LINE_COMMENT}(?![^\n])|{FLAT_BLOCK})"
_MARKS = re.compile(r"/\*|\*/")


def block_end(text: str, start: int, end: int | None = None) -> int | None:
    """The offset just past the block comment opening at ``start``, nested comments included
    (``/*`` and ``*/`` counted left to right, as PostgreSQL's and psql's lexers do), or None
    when it does not close before ``end``."""
    depth = 0
    for mark in _MARKS.finditer(text, start, len(text) if end is None else end):
        depth += 1 if mark.group() == "/*" else -1
        if not depth:
            return mark.end()
    return None


GAPS = LazyRegex(f"{GAP}*", re.S)  # any run of GAP: always matches


def skip_gap(text: str, pos: int, end: int | None = None) -> int:
    """Past the white space and comments (nested ones too) at ``pos``; an unclosed comment
    is not stepped over."""
    end = len(text) if end is None else end
    pos = GAPS.match(text, pos, end).end()  # type: ignore[union-attr]
    while text.startswith("/*", pos) and (after := block_end(text, pos, end)) is not None:
        pos = GAPS.match(text, after, end).end()  # type: ignore[union-attr]
    return pos

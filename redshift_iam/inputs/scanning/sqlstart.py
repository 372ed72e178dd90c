"""Does a piece of text hold a statement that makes Redshift use a role (COPY, UNLOAD, CREATE
[OR REPLACE] LIBRARY, and the kinds the tool reports as not mapped yet: CREATE EXTERNAL ...,
CREATE MODEL, COPY JOB RUN)? The words and shapes come from the one table of statement kinds
(``core.statement_kinds``), so a new kind is found by scan as soon as it has its row."""

from __future__ import annotations

import re

from redshift_iam.core.statement_kinds import ROLE_KINDS, Kind


def _words(kind: Kind) -> str:
    """A kind's first words as a pattern (CREATE may be followed by OR REPLACE)."""
    parts = [re.escape(word) + (r"(?:\s+OR\s+REPLACE)?" if word == "CREATE" else "")
             for word in kind.words]
    return r"\s+".join(parts)


_KIND_WORDS = "|".join(_words(kind) for kind in ROLE_KINDS)
_KIND_STARTS = "|".join(f"{_words(kind)}(?:{kind.shape})" for kind in ROLE_KINDS)

# A statement starts the text or follows a `;`; white space and SQL comments may precede it.
# Its shape tells SQL from prose ("Copy complete", a bare "unload" argument): COPY and CREATE
# LIBRARY reach FROM and a quoted source or a placeholder (`'`, `"`, `{`, `%`, `$`, `:`, `<`,
# `#{`) before any `;`; UNLOAD opens its query with `(`.
_STATEMENT_START = re.compile(
    r"(?:\A|;)(?:\s|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*"
    rf"(?:{_KIND_STARTS}"
    # a function or procedure whose dollar-quoted body runs one (sql.bodies reads it)
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?(?:PROCEDURE|FUNCTION)\b[^;]*?\$\w*\$.*?"
    r"\b(?:COPY|UNLOAD|LIBRARY)\b)",
    re.IGNORECASE | re.DOTALL,
)
# An upper-case statement word opening a literal that is only a part of the SQL.
_UPPER_START = re.compile(rf"\s*(?:{_KIND_WORDS})\b")
# Whole-file templates (.sql, Jinja-SQL) are handed on when a keyword stands anywhere as a word.
_ANYWHERE = re.compile(rf"\b(?:{_KIND_WORDS})\b", re.IGNORECASE)
# Each kind's distinctive word (the one after CREATE), and the Airflow transfer operators
# (which build a COPY or UNLOAD without spelling either word in the DAG).
KEYWORDS = tuple(dict.fromkeys(
    (kind.words[1] if kind.words[0] == "CREATE" else kind.words[0]).lower().encode()
    for kind in ROLE_KINDS)) + (b"s3toredshift", b"redshifttos3")


def starts_statement(text: str) -> bool:
    """True when a statement of a kind that uses a role starts in ``text``.

    The statement may follow leading white space, ``--`` and ``/* */`` comments, or other
    statements separated by ``;``. It has its kind's shape: COPY and CREATE LIBRARY reach
    ``FROM`` and a quote or a placeholder before any ``;``; UNLOAD is followed by ``(``.
    """
    return _STATEMENT_START.search(text) is not None


def builds_statement(parts: list[str | None]) -> bool:
    """Do these parts (literal text, None for a part that is not a literal) build a statement?

    True when their text, with ``{}`` for the unknown parts, starts a statement, or when a
    literal part opens with an upper-case COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY.
    """
    if starts_statement("".join("{}" if part is None else part for part in parts)):
        return True
    return any(part is not None and _UPPER_START.match(part) for part in parts)


def mentions_statement(text: str) -> bool:
    """True when COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY stands anywhere in ``text``."""
    return _ANYWHERE.search(text) is not None


def has_keyword(lowered: bytes) -> bool:
    """The cheap prefilter: does the lower-cased file hold one of ``KEYWORDS``?"""
    return any(word in lowered for word in KEYWORDS)

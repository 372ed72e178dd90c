"""Does a piece of text hold a COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY statement?"""

from __future__ import annotations

import re

# A statement starts the text or follows a `;`; white space and SQL comments may precede it.
# Its shape tells SQL from prose ("Copy complete", a bare "unload" argument): COPY and CREATE
# LIBRARY reach FROM and a quoted source or a placeholder (`'`, `"`, `{`, `%`, `$`, `:`, `<`,
# `#{`) before any `;`; UNLOAD opens its query with `(`.
_STATEMENT_START = re.compile(
    r"(?:\A|;)(?:\s|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*"
    r"(?:(?:COPY|CREATE\s+(?:OR\s+REPLACE\s+)?LIBRARY)\s[^;]*?\bFROM\s+(?:['\"{%$:<]|#\{)"
    r"|UNLOAD\s*\("
    # a function or procedure whose dollar-quoted body runs one (sql.bodies reads it)
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?(?:PROCEDURE|FUNCTION)\b[^;]*?\$\w*\$.*?"
    r"\b(?:COPY|UNLOAD|LIBRARY)\b)",
    re.IGNORECASE | re.DOTALL,
)
# An upper-case statement word opening a literal that is only a part of the SQL.
_UPPER_START = re.compile(r"\s*(?:COPY|UNLOAD|CREATE\s+(?:OR\s+REPLACE\s+)?LIBRARY)\b")
# Whole-file templates (.sql, Jinja-SQL) are handed on when a keyword stands anywhere as a word.
_ANYWHERE = re.compile(r"\b(?:COPY|UNLOAD|CREATE\s+(?:OR\s+REPLACE\s+)?LIBRARY)\b", re.IGNORECASE)
# The three statement words, and the Airflow transfer operators (which build a COPY or UNLOAD
# without spelling either word in the DAG).
KEYWORDS = (b"copy", b"unload", b"library", b"s3toredshift", b"redshifttos3")

def starts_statement(text: str) -> bool:
    """True when a statement in ``text`` starts with COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY.

    The statement may follow leading white space, ``--`` and ``/* */`` comments, or other
    statements separated by ``;``. COPY and CREATE LIBRARY must reach ``FROM`` followed by a
    quote or a placeholder before any ``;``; UNLOAD must be followed by ``(``.
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

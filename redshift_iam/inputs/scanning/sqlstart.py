"""Does a piece of text hold a COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY statement?"""

from __future__ import annotations

import re

# A statement starts the text or follows a `;`; white space and SQL comments may precede it.
_STATEMENT_START = re.compile(
    r"(?:\A|;)(?:\s|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*"
    r"(?:COPY|UNLOAD|CREATE\s+(?:OR\s+REPLACE\s+)?LIBRARY)\b",
    re.IGNORECASE | re.DOTALL,
)
# Whole-file templates (.sql, Jinja-SQL) are handed on when a keyword stands anywhere as a word.
_ANYWHERE = re.compile(r"\b(?:COPY|UNLOAD|CREATE\s+(?:OR\s+REPLACE\s+)?LIBRARY)\b", re.IGNORECASE)
# The three statement words, and the Airflow transfer operators (which build a COPY or UNLOAD
# without spelling either word in the DAG).
KEYWORDS = (b"copy", b"unload", b"library", b"s3toredshift", b"redshifttos3")


def starts_statement(text: str) -> bool:
    """True when a statement in ``text`` starts with COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY.

    The statement may follow leading white space, ``--`` and ``/* */`` comments, or other
    statements separated by ``;``.
    """
    return _STATEMENT_START.search(text) is not None


def mentions_statement(text: str) -> bool:
    """True when COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY stands anywhere in ``text``."""
    return _ANYWHERE.search(text) is not None


def has_keyword(lowered: bytes) -> bool:
    """The cheap prefilter: does the lower-cased file hold one of ``KEYWORDS``?"""
    return any(word in lowered for word in KEYWORDS)

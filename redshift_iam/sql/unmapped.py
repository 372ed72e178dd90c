"""Statements the reader does not map: which ones still make Redshift use a role.

A skipped statement (not COPY, UNLOAD or CREATE LIBRARY) is :class:`Unmapped` (RI130) when it
carries an authorization clause - IAM_ROLE { default | 'arn' }, CREDENTIALS [AS] 'text',
ACCESS_KEY_ID [AS] 'id' - or when a function or procedure body in it runs COPY, UNLOAD or
CREATE LIBRARY with one. A column, table or string that only bears such a name is no clause.
"""

from __future__ import annotations

import re

from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.source import Source
from redshift_iam.core.statements import Statement, Unmapped
from redshift_iam.sql.lexer import Segment
from redshift_iam.sql.tokens import Token, tokens

ROLE_TEXT = ("iam_role", "credentials", "access_key_id")
_ROLE_WORDS = LazyRegex(r"\b(?:iam_role|credentials|access_key_id)\b", re.I)
# In a body (dynamic SQL too: ``'... IAM_ROLE ' || r``, ``IAM_ROLE %L``), the authorization
# word of a COPY, UNLOAD or CREATE LIBRARY followed by what can start its value.
_BODY_RUNS_COPY = LazyRegex(r"\b(?:copy|unload|library)\b.*\b(?:iam_role|credentials|"
                             r"access_key_id)\b(?:\s+as\b)?\s*(?:['%$:{]|default\b|\Z)",
                             re.I | re.S)
BODY_RUNS = "COPY/UNLOAD inside a function or procedure body"  # the Unmapped's what
# What the authorization words take (SQL reference of COPY, UNLOAD, CREATE LIBRARY, CREATE
# EXTERNAL SCHEMA/FUNCTION, CREATE MODEL): IAM_ROLE { default | 'arn' }, CREDENTIALS [AS]
# 'text', ACCESS_KEY_ID [AS] 'id'. A placeholder stands for the string.
_VALUE_KINDS = frozenset({"string", "placeholder"})


def check_skipped(source: Source, segment: Segment) -> Statement | None:
    """A statement we do not map: None (skipped), unless it carries an authorization clause
    or a body in it runs COPY/UNLOAD/CREATE LIBRARY with one (see the module docstring):
    then :class:`Unmapped`, since skipping it would be a silent under-grant."""
    if source.origin is not None:  # a rendered template: a placeholder may be the statement
        whole = _whole_statement(source, segment)
        if whole is not None:
            return whole
    chunk = source.text[segment.start:segment.end].lower()
    if not any(word in chunk for word in ROLE_TEXT):
        return None
    found = list(tokens(source, segment))
    for index, token in enumerate(found):
        if token.kind == "word" and _ROLE_WORDS.fullmatch(token.text) and _authorizes(
                found, index):
            first = found[0]
            return Unmapped(source.location(first.start), f"{first.upper} ... {token.upper}")
        if token.kind in ("dollar", "string") and _BODY_RUNS_COPY.search(token.value):
            return Unmapped(source.location(token.start), BODY_RUNS)
    return None


def runs_copy(body: str) -> bool:
    """Does this body text run a COPY, UNLOAD or CREATE LIBRARY with a role?"""
    return _BODY_RUNS_COPY.search(body) is not None


def _authorizes(found: list[Token], index: int) -> bool:
    """Whether the authorization word at ``found[index]`` starts a clause (IAM_ROLE default
    or a string; CREDENTIALS or ACCESS_KEY_ID, [AS], a string), not a column or table that
    happens to bear its name."""
    after = found[index + 1:index + 3]
    if found[index].upper == "IAM_ROLE":
        return bool(after) and (after[0].kind in _VALUE_KINDS
                                or after[0].kind == "word" and after[0].upper == "DEFAULT")
    if after and after[0].kind == "word" and after[0].upper == "AS":
        after = after[1:]
    return bool(after) and after[0].kind in _VALUE_KINDS


def _whole_statement(source: Source, segment: Segment) -> Unmapped | None:
    """RI131 when an unresolved placeholder starts the statement (``{{ copy_sql }};``): it may
    stand for a COPY, UNLOAD or CREATE LIBRARY, so skipping it could under-grant."""
    first = next(tokens(source, segment), None)
    if first is None or first.kind != "sentinel":
        return None
    index = int(first.text[1:-1])
    found = [p for p in getattr(source.origin, "placeholders", ()) if p.serial == index]
    label = found[0].label if found else first.text
    return Unmapped(source.location(first.start), f"placeholder {label}", "RI131")

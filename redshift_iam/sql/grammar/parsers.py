"""The SQL stage's row per statement kind (as sqlglot's ``STATEMENT_PARSERS``): the kind the
reader classifies a statement as -> the grammar that reads it into its frozen value. A kind
without a row that still names a role is read as ``Unmapped`` (RI130)."""

from __future__ import annotations

from collections.abc import Callable

from redshift_iam.core.statements import Statement
from redshift_iam.sql.cursor import Cursor
from redshift_iam.sql.grammar.parser import parse_copy, parse_library, parse_unload

STATEMENT_PARSERS: dict[str, Callable[[Cursor], Statement]] = {
    "COPY": parse_copy,
    "UNLOAD": parse_unload,
    "LIBRARY": parse_library,
}

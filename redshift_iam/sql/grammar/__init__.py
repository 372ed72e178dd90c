"""The grammars of the statements the tool maps, and their option table.

:data:`STATEMENT_PARSERS` (in :mod:`parsers`) is the row per statement kind; the grammars load
on first use, so a script of plain statements (read by the fast path) never imports them.
"""

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {"STATEMENT_PARSERS": "parsers"})
__all__ = ["STATEMENT_PARSERS"]

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.sql.grammar.parsers import STATEMENT_PARSERS as STATEMENT_PARSERS

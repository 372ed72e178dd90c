"""The grammars of the statements the tool maps, and their option table.

:data:`STATEMENT_PARSERS` (in :mod:`parsers`) is the row per statement kind; the grammars load
on first use, so a script of plain statements (read by the fast path) never imports them.
"""

from redshift_iam.core.lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {"STATEMENT_PARSERS": "parsers"})
__all__ = ["STATEMENT_PARSERS"]

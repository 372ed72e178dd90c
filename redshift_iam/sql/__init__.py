"""The SQL stage: the only place that knows SQL syntax. Sources -> Script.

Public names (the stage's one door; each loads on first use): :func:`read_script` reads
scripts (and the files their psql includes name) into frozen statements;
:func:`attach_snippets` gives diagnostics made elsewhere the line and caret of their statement.
"""

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {
    "read_script": "reader",
    "attach_snippets": "snippets",
})
__all__ = ["attach_snippets", "read_script"]

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.sql.reader import read_script as read_script
    from redshift_iam.sql.snippets import attach_snippets as attach_snippets

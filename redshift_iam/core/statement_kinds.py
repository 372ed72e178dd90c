"""The statements that make Redshift use an IAM role, one row per kind, by the words that
start them: the SQL reader classifies a statement with this table (``sql.classify``), knows
which CREATE needs a look (``sql.reader``), which statements a procedure body holds
(``sql.bodies``) and which line starts another statement (``sql.run_on``, by ``shape``). The
tests read every row's ``example``. (``scan``'s prefilters, ``inputs.scanning.sqlstart`` and
``hints``, still spell the words out: they work on bytes, before any SQL is read.)

A second table, :data:`NOT_REDSHIFT`, names statements that start like a kind but are another
database's SQL or no SQL at all (Snowflake's ``COPY INTO``, PostgreSQL's ``COPY ... FROM
STDIN``, a log line ``Copy from {key} to {table} completed``): the reader skips them with a
warning (RW226) instead of reporting a syntax error, in ``generate`` and ``scan`` alike.
"""

from __future__ import annotations

from typing import NamedTuple

from redshift_iam.core.docs import DG
from redshift_iam.core.sqllex import FLAT_BLOCK, GAP, LINE_COMMENT, STRING

PLPGSQL_DOC = DG + "c_PLpgSQL-statements.html"
# What a quoted source or a placeholder starts with in code: ', ", {, %, $, :, <, #{.
_QUOTED = r"(?:['\"{%$:<]|#\{)"


class Kind(NamedTuple):
    """One kind of statement.

    ``name`` is what the reader calls it: a key of the SQL stage's ``STATEMENT_PARSERS``
    when ``mapped``, else the name of the ``Unmapped`` statement it becomes (RI130; ``{0}``
    stands for the word after ``words``), or None for a statement that starts like a kind but
    makes Redshift use no role. ``words`` are its first words, upper-case (after CREATE,
    ``OR REPLACE`` may stand). ``shape`` is what follows the words, before any ``;``, in SQL
    rather than prose (case-insensitive; how a line that starts another statement is told).
    """

    name: str | None
    words: tuple[str, ...]
    mapped: bool
    shape: str
    doc: str
    example: str  # one statement of the kind (the tests read it)


KINDS: tuple[Kind, ...] = (
    Kind("COPY", ("COPY",), True, rf"\s[^;]*?\bFROM\s+{_QUOTED}", DG + "r_COPY.html",
         "COPY t FROM 's3://acme-in/k/' IAM_ROLE 'arn:aws:iam::123456789012:role/r'"),
    Kind("UNLOAD", ("UNLOAD",), True, r"\s*\(", DG + "r_UNLOAD.html",
         "UNLOAD ('select 1') TO 's3://acme-out/k/' IAM_ROLE "
         "'arn:aws:iam::123456789012:role/r'"),
    Kind("LIBRARY", ("CREATE", "LIBRARY"), True, rf"\s[^;]*?\bFROM\s+{_QUOTED}",
         DG + "r_CREATE_LIBRARY.html",
         "CREATE LIBRARY lib LANGUAGE plpythonu FROM 's3://acme-lib/l.zip' IAM_ROLE "
         "'arn:aws:iam::123456789012:role/r'"),
    Kind("COPY JOB RUN", ("COPY", "JOB", "RUN"), False, r"\s+\w",
         DG + "r_COPY-JOB.html", "COPY JOB RUN nightly"),
    *(Kind(None, ("COPY", "JOB", verb), False, r"(?!)", DG + "r_COPY-JOB.html",
           f"COPY JOB {verb} nightly") for verb in ("LIST", "SHOW", "DROP", "ALTER")),
    Kind("CREATE EXTERNAL {0}", ("CREATE", "EXTERNAL"), False,
         r"\s+(?:SCHEMA|TABLE|FUNCTION|MODEL|VIEW)\b",
         DG + "r_CREATE_EXTERNAL_SCHEMA.html",
         "CREATE EXTERNAL SCHEMA s FROM DATA CATALOG DATABASE 'd' IAM_ROLE "
         "'arn:aws:iam::123456789012:role/r'"),
    Kind("CREATE MODEL", ("CREATE", "MODEL"), False, r"\s[^;]*?\bIAM_ROLE\b",
         DG + "r_CREATE_MODEL.html",
         "CREATE MODEL m FROM t TARGET c FUNCTION f IAM_ROLE "
         "'arn:aws:iam::123456789012:role/r' SETTINGS (S3_BUCKET 'acme-ml')"),
)
ROLE_KINDS = tuple(kind for kind in KINDS if kind.name is not None)
VERBS = frozenset(kind.words[0] for kind in KINDS)  # the first words: COPY, UNLOAD, CREATE


class Foreign(NamedTuple):
    """A statement that starts like a kind but is not Redshift SQL: ``pattern`` matches it
    from its first word (case-insensitive); ``reason`` says what it is."""

    pattern: str
    reason: str
    doc: str


_S, _S0 = f"(?:{GAP})+", f"(?:{GAP})*"  # white space and comments between words
# The column list: a comment or string in it is stepped over whole (possessive: no way back).
_COLUMNS = rf"\((?:[^()'\-/]++|{LINE_COMMENT}|{FLAT_BLOCK}|{STRING}'|[-/])*+\)"
_TABLE = rf"COPY{_S}[\w.\"]+(?:{_S0}{_COLUMNS})?{_S}"  # COPY, a table and its column list
# Not a table (or schema) so named: ``COPY from FROM 's3://...'``, ``COPY from.t ...`` are read
# as a COPY (the reader judges them).
_NO_TABLE = rf"\b(?!{_S0}[(.]|{_S}FROM\b)"
NOT_REDSHIFT: tuple[Foreign, ...] = (
    Foreign(rf"COPY{_S}INTO{_NO_TABLE}",
            "Snowflake's COPY INTO (Redshift's COPY names a table, never INTO)",
            "https://docs.snowflake.com/en/sql-reference/sql/copy-into-table"),
    Foreign(rf"COPY{_S}(?:FROM|TO){_NO_TABLE}",
            "a message, not a statement: COPY names no table (a log line such as \"Copy from "
            "... to ...\")", DG + "r_COPY.html"),
    Foreign(rf"COPY{_S0}\(", "PostgreSQL's COPY (query) TO (Redshift's COPY loads a table)",
            "https://www.postgresql.org/docs/current/sql-copy.html"),
    Foreign(_TABLE + rf"(?:TO\b|FROM{_S}(?:STDIN\b|PROGRAM\b|'(?:/|[A-Za-z]:\\)))",
            "PostgreSQL's COPY to a file or from STDIN, a program or a file on the server "
            "(Redshift's COPY loads from Amazon S3, DynamoDB, EMR or SSH hosts)",
            "https://www.postgresql.org/docs/current/sql-copy.html"),
)

"""Where an unresolved template placeholder stands in a statement (RULES "Templated SQL").

A placeholder without a value is a sentinel in the rendered text (``core.placeholders``):
bare it is a ``sentinel`` token, inside a string it stays in the string's value. The parser
asks this module what the value it reads becomes:

- in an S3 key (after ``s3://bucket/``): an :class:`S3Path` whose key holds the sentinels;
- in the scheme, the bucket or the whole location, a DynamoDB table or EMR cluster id: an
  :class:`Open` location (or a table/cluster whose name holds the sentinels);
- in the role, an access key id, or a slot holding the whole authorization: an
  :class:`Authorization` of kind OPEN;
- the JSONPaths argument of JSON or AVRO, quoted or bare (``JSON {path}``): a location;
- where options may stand (a bare sentinel in the option list, ``WITH {x}``, ``FORMAT AS
  {fmt}``, a ``jinja-block``): an ``options`` :class:`Open` slot on the statement;
- anywhere else (table and column names, glued or not, the UNLOAD query, option arguments
  that need no permission): it stays in the value and changes nothing (``idents``).
"""

from __future__ import annotations

from redshift_iam.core import slots as shared
from redshift_iam.core.placeholders import has_sentinel, indices
from redshift_iam.core.statements import (
    AuthKind,
    Authorization,
    DynamoTable,
    EmrCluster,
    Open,
    S3Path,
)
from redshift_iam.sql.cursor import Cursor
from redshift_iam.sql.tokens import Token

_SENTINELS = shared.SENTINELS


def is_open(cursor: Cursor, token: Token) -> bool:
    """Whether ``token`` (a string or a bare sentinel) holds an unresolved placeholder."""
    return cursor.templated and has_sentinel(token.value)


def location(cursor: Cursor, token: Token, what: str = "location") -> S3Path | Open:
    """An s3:// string holding sentinels (``core.slots.open_location``)."""
    return shared.open_location(token.value, cursor.location(token), what)


def copy_source(cursor: Cursor, token: Token) -> S3Path | DynamoTable | EmrCluster | Open:
    """COPY's FROM string holding sentinels (``core.slots.open_copy_source``)."""
    return shared.open_copy_source(token.value, cursor.location(token))


def open_auth(cursor: Cursor, keyword: Token, token: Token, what: str, text: str = ""
              ) -> Authorization:
    """Authorization of kind OPEN: ``what`` (role, access key id, authorization) is a
    placeholder; ``text`` is that part as rendered (default: the token's value)."""
    return Authorization(AuthKind.OPEN, cursor.location(keyword),
                         open=Open(what, text or token.value, cursor.location(token)))


def credentials_slot(value: str) -> tuple[str, str]:
    """Which part of a CREDENTIALS string a placeholder leaves open, and its text: ``role``
    (the aws_iam_role value), ``access key id`` (its value), ``authorization`` (the pairs
    themselves are unknown: only the sentinels are kept, never a secret), or ('', '')
    when placeholders stand only in secrets."""
    pairs = {}
    for part in value.split(";"):
        key, eq, text = part.partition("=")
        if has_sentinel(key) or (part and not eq):
            return "authorization", "".join(m.group() for m in _SENTINELS.finditer(value))
        pairs[key] = text
    for key, what in (("aws_iam_role", "role"), ("aws_access_key_id", "access key id")):
        if has_sentinel(pairs.get(key, "")):
            return what, pairs[key]
    return "", ""


def options_slot(cursor: Cursor, token: Token) -> Open:
    """A sentinel where options may stand: the option set is unknown."""
    return Open("options", token.value, cursor.location(token))


def has_branches(cursor: Cursor, token: Token) -> bool:
    """Whether a sentinel is a Jinja block whose branch texts are known: as an options slot
    the statement is read once per branch (``sql/branches.py``)."""
    branches = getattr(cursor.source.origin, "branches", None) or {}
    return any(index in branches for index in indices(token.text))

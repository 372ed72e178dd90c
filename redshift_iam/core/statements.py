"""The reader's output: one frozen value per statement that touches AWS.

Secrets never get here: the parser keeps only the fact that a secret was given. The values
are NamedTuples: immutable and typed like frozen dataclasses, but several times cheaper to
define at import, which is most of a short run's start-up.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.source import Source

if TYPE_CHECKING:
    from redshift_iam.core.placeholders import Placeholder


class Text(NamedTuple):
    """A value from the SQL and where it was written."""

    value: str
    loc: Location


class S3Path(NamedTuple):
    """``s3://bucket/key`` as written; ``key`` may be empty or a prefix. In a templated
    script the key may hold sentinels (``core.placeholders``) where unresolved placeholders
    stand: each stands for any text (derive grants ``*`` there)."""

    bucket: str
    key: str
    loc: Location

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


class DynamoTable(NamedTuple):
    name: str
    loc: Location


class EmrCluster(NamedTuple):
    cluster_id: str
    path: str
    loc: Location


class Open(NamedTuple):
    """A value a template leaves open where a grant (or the principal) needs it.

    ``text`` is the value as rendered, with a sentinel where each unresolved placeholder
    stands (``s3://\ue0000\ue001/sales/``, ``arn:aws:iam::\ue0001\ue001:role/etl``, or
    just a sentinel for a whole slot), so a renderer can put a variable exactly there.
    ``what`` names the slot: location, role, authorization, access key id, options.
    """

    what: str
    text: str
    loc: Location

    @property
    def uri(self) -> str:
        """The location as rendered (sentinels where the placeholders stand)."""
        return self.text


# An open JSON/AVRO argument written bare (``JSON {p}``): its value is SQL text, so a file
# comes with its quotes (the hint shows that form); ``JSON '{p}'`` is the "jsonpaths" slot.
BARE_JSONPATHS = "bare jsonpaths"


def jsonpaths_slot(found: Open) -> str:
    """The slot an open JSON/AVRO argument names: bare (``JSON {p}``) or quoted."""
    return BARE_JSONPATHS if found.what == BARE_JSONPATHS else "jsonpaths"


class AuthKind(str, Enum):
    ROLE = "role"  # IAM_ROLE 'arn[,arn...]' or CREDENTIALS 'aws_iam_role=...'
    DEFAULT_ROLE = "default-role"  # IAM_ROLE default
    KEYS = "user"  # access keys, permanent or temporary
    OPEN = "open"  # a template placeholder stands in the role, key id or whole authorization


class Authorization(NamedTuple):
    """Who Redshift acts as. ``roles`` is the chain, first to last (the last gets the data
    permissions). For keys only the access key id is kept; the secret is dropped."""

    kind: AuthKind
    loc: Location
    roles: tuple[Text, ...] = ()
    access_key_id: str = ""
    temporary: bool = False
    client_key: bool = False  # a master symmetric key came with CREDENTIALS
    open: Open | None = None  # kind OPEN: the slot and its text


class CopyMode(str, Enum):
    PREFIX = "s3"  # FROM 's3://b/k' loads every object under the prefix
    MANIFEST = "manifest"  # FROM names a manifest listing the data files
    SSH = "ssh"  # FROM names an SSH manifest; the data comes from hosts
    DYNAMODB = "dynamodb"
    EMR = "emr"


class Copy(NamedTuple):
    loc: Location
    table: str
    source: S3Path | DynamoTable | EmrCluster | Open
    mode: CopyMode
    auth: Authorization
    data_format: str = "TEXT"  # CSV, JSON, AVRO, PARQUET, ORC, SHAPEFILE, FIXEDWIDTH or TEXT
    jsonpaths: S3Path | Open | None = None  # Open: a placeholder (derive: unresolved)
    region: Text | None = None
    encrypted: bool = False
    options: tuple[str, ...] = ()  # every option keyword, upper-case, in order
    job: str = ""  # COPY ... JOB CREATE name
    # templated input: every placeholder of the statement (resolved or not); the option
    # slots a placeholder leaves unknown; the statement read once per branch combination of
    # the jinja-blocks among those slots (see sql.reader)
    placeholders: tuple[Placeholder, ...] = ()
    open_options: tuple[Open, ...] = ()
    alternatives: tuple[Copy | Unload | CreateLibrary, ...] = ()


class Unload(NamedTuple):
    loc: Location
    target: S3Path | Open
    auth: Authorization
    region: Text | None = None
    encrypted: bool = False
    encrypted_auto: bool = False
    kms_key: Text | None = None
    client_key: bool = False
    cleanpath: bool = False
    partition_by: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    # templated input: every placeholder of the statement (resolved or not); the option
    # slots a placeholder leaves unknown; the statement read once per branch combination of
    # the jinja-blocks among those slots (see sql.reader)
    placeholders: tuple[Placeholder, ...] = ()
    open_options: tuple[Open, ...] = ()
    alternatives: tuple[Copy | Unload | CreateLibrary, ...] = ()


class CreateLibrary(NamedTuple):
    loc: Location
    name: str
    source: S3Path | Open | None  # None when FROM 'https://...'
    url: str
    auth: Authorization | None
    region: Text | None = None
    # templated input: every placeholder of the statement (resolved or not); the option
    # slots a placeholder leaves unknown; the statement read once per branch combination of
    # the jinja-blocks among those slots (see sql.reader)
    placeholders: tuple[Placeholder, ...] = ()
    open_options: tuple[Open, ...] = ()
    alternatives: tuple[Copy | Unload | CreateLibrary, ...] = ()


class Unmapped(NamedTuple):
    """A statement that makes Redshift use an IAM role in a way the tool cannot map yet
    (RI130), or a template placeholder that stands for a whole statement (RI131): either
    could need permissions the tool cannot see."""

    loc: Location
    what: str
    code: str = "RI130"


Statement = Copy | Unload | CreateLibrary | Unmapped
# The statement fields that may hold an S3 location (an S3Path).
LOCATION_FIELDS = ("source", "target", "jsonpaths")


class Script(NamedTuple):
    """Everything read from the inputs: the statements that matter, how many were skipped,
    the diagnostics found while reading (errors make the whole run fail), and every text the
    locations point into (the inputs and the files they include), for snippets."""

    statements: tuple[Statement, ...]
    skipped: int
    diagnostics: tuple[Diagnostic, ...]
    texts: tuple[Source, ...] = ()

"""Every COPY, UNLOAD and CREATE LIBRARY option the Redshift reference documents, as data.

Each row gives the option's argument shape in each command that accepts it, and whether the
COPY/UNLOAD shortcut (:mod:`redshift_iam.sql.fastpath`) may read it. The parser reads
arguments by shape and the shortcut derives its patterns from the same shapes; a word that
is in no row is an error (RI111), because an option the tool skipped could be a permission it
failed to grant.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.core.exclusions import CONFLICTS, UNSUPPORTED_BY_SOURCE

COPY, UNLOAD, LIBRARY = "COPY", "UNLOAD", "CREATE LIBRARY"

# Why only the parser may read an option (the Option.parser_only column).
SECRET = "it carries a secret"
ACCESS = "it changes who or what is accessed"
NESTED = "it parses differently inside another option"


class Option(NamedTuple):
    """One option keyword: its argument ``shapes`` by command (the commands that accept it
    are the keys, also given as ``commands``), and ``parser_only``: why the shortcut must
    leave it to the parser (SECRET, ACCESS or NESTED), or "" when the shortcut may read it.

    Shapes: ``flag`` (no argument); ``string`` ([AS] 'x'); ``string?`` ([AS] optional 'x');
    ``number`` ([AS] n); ``word`` ([AS] word or 'x'); ``switch`` (optional ON/OFF/TRUE/FALSE/
    PRESET); ``size`` ([AS] n [MB|GB]); ``secret`` ([AS] 'x', never kept); ``region`` ([AS]
    'region', kept and checked); ``jsonpaths`` (COPY's JSON and AVRO: [AS] optional 'auto',
    'auto ignorecase', 'noshred' or an s3:// JSONPaths file); ``verbose`` (UNLOAD's MANIFEST:
    optional VERBOSE); ``auto`` (UNLOAD's ENCRYPTED: optional AUTO); ``null_as`` (COPY's NULL:
    AS 'x', the AS required); ``null`` (UNLOAD's NULL: [AS] 'x'); ``format`` ([AS] a data
    format, read as that format's own option); ``csv`` (CSV [QUOTE [AS] 'c']); ``shapefile``
    (SHAPEFILE [SIMPLIFY [AUTO] [n]]); ``partition`` (BY (columns) [INCLUDE]); ``iam_role``
    (DEFAULT or 'arn[,arn...]'); ``with`` (WITH CREDENTIALS); ``credentials`` ([AS] 'k=v;...');
    ``job`` (CREATE name [AUTO ON|OFF]).
    """

    name: str
    shapes: Mapping[str, str]
    commands: frozenset[str]
    parser_only: str


def _c(shape: str) -> dict[str, str]:
    return {COPY: shape}


def _u(shape: str) -> dict[str, str]:
    return {UNLOAD: shape}


def _cu(shape: str) -> dict[str, str]:
    return {COPY: shape, UNLOAD: shape}


def _all(shape: str) -> dict[str, str]:
    return {COPY: shape, UNLOAD: shape, LIBRARY: shape}


_ROWS: list[tuple[str, dict[str, str]] | tuple[str, dict[str, str], str]] = [
    # authorization (copy-parameters-authorization.md)
    ("IAM_ROLE", _all("iam_role")), ("CREDENTIALS", _all("credentials"), SECRET),
    ("WITH", _all("with"), SECRET), ("ACCESS_KEY_ID", _all("string"), ACCESS),
    ("SECRET_ACCESS_KEY", _all("secret"), SECRET), ("SESSION_TOKEN", _all("secret"), SECRET),
    ("TOKEN", _all("secret"), SECRET), ("REGION", _all("region")),
    # data source (copy-parameters-data-source-*.md)
    ("MANIFEST", {COPY: "flag", UNLOAD: "verbose"}),
    ("ENCRYPTED", {COPY: "flag", UNLOAD: "auto"}, ACCESS),
    ("MASTER_SYMMETRIC_KEY", _cu("secret"), SECRET), ("SSH", _c("flag"), ACCESS),
    ("READRATIO", _c("number"), ACCESS),
    # data format (copy-parameters-data-format.md, r_UNLOAD.md)
    ("FORMAT", _cu("format")), ("CSV", _cu("csv")), ("QUOTE", _c("string"), NESTED),
    ("DELIMITER", _cu("string?")), ("FIXEDWIDTH", _cu("string")),
    ("SHAPEFILE", _c("shapefile"), ACCESS), ("AVRO", _c("jsonpaths")),
    ("JSON", {COPY: "jsonpaths", UNLOAD: "string?"}), ("PARQUET", _cu("flag")),
    ("ORC", _c("flag")), ("SERIALIZETOJSON", _c("flag")),
    # compression (copy-parameters-file-compression.md)
    ("BZIP2", _cu("flag")), ("GZIP", _cu("flag")), ("LZOP", _c("flag")), ("ZSTD", _cu("flag")),
    # data conversion (copy-parameters-data-conversion.md)
    ("ACCEPTANYDATE", _c("flag")), ("ACCEPTINVCHARS", _c("string?")),
    ("BLANKSASNULL", _c("flag")), ("DATEFORMAT", _c("string")), ("EMPTYASNULL", _c("flag")),
    ("ENCODING", _c("word")), ("ESCAPE", _cu("flag")), ("EXPLICIT_IDS", _c("flag")),
    ("FILLRECORD", _c("flag")), ("IGNOREBLANKLINES", _c("flag")),
    ("IGNOREHEADER", _c("number")), ("NULL", {COPY: "null_as", UNLOAD: "null"}),
    ("REMOVEQUOTES", _c("flag")), ("ROUNDEC", _c("flag")), ("TIMEFORMAT", _c("string")),
    ("TRIMBLANKS", _c("flag")), ("TRUNCATECOLUMNS", _c("flag")),
    # data load (copy-parameters-data-load.md)
    ("COMPROWS", _c("number")), ("COMPUPDATE", _c("switch")), ("IGNOREALLERRORS", _c("flag")),
    ("MAXERROR", _c("number")), ("NOLOAD", _c("flag")), ("STATUPDATE", _c("switch")),
    ("JOB", _c("job"), ACCESS),
    # UNLOAD only (r_UNLOAD.md)
    ("PARTITION", _u("partition")), ("HEADER", _u("flag")), ("ADDQUOTES", _u("flag")),
    ("ALLOWOVERWRITE", _u("flag")), ("CLEANPATH", _u("flag")), ("PARALLEL", _u("switch")),
    ("MAXFILESIZE", _u("size")), ("ROWGROUPSIZE", _u("size")), ("EXTENSION", _u("word")),
    ("KMS_KEY_ID", _u("string"), ACCESS),
]

OPTIONS: dict[str, Option] = {
    name: Option(name, MappingProxyType(shapes), frozenset(shapes), why)
    for name, shapes, why in ((*row, "")[:3] for row in _ROWS)
}

DATA_FORMATS = frozenset({"CSV", "JSON", "AVRO", "PARQUET", "ORC", "SHAPEFILE", "FIXEDWIDTH"})
SWITCH_VALUES = frozenset({"ON", "OFF", "TRUE", "FALSE", "PRESET"})

__all__ = ["CONFLICTS", "DATA_FORMATS", "OPTIONS", "SWITCH_VALUES", "UNSUPPORTED_BY_SOURCE",
           "Option"]

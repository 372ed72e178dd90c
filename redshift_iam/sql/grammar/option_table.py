"""Every COPY, UNLOAD and CREATE LIBRARY option the Redshift reference documents, as data.

Each row gives the option's argument shape and the commands that accept it. The parser reads
arguments by shape; a word that is in no row is an error (RI111), because an option the tool
skipped could be a permission it failed to grant.
"""

from __future__ import annotations

from typing import NamedTuple

from redshift_iam.core.exclusions import CONFLICTS, UNSUPPORTED_BY_SOURCE

COPY, UNLOAD, LIBRARY = "COPY", "UNLOAD", "CREATE LIBRARY"
_C, _U, _L = frozenset({COPY}), frozenset({UNLOAD}), frozenset({LIBRARY})
_CU = _C | _U
_ALL = _C | _U | _L


class Option(NamedTuple):
    """One option keyword.

    Shapes: ``flag`` (no argument); ``string`` ([AS] 'x'); ``string?`` ([AS] optional 'x');
    ``number`` ([AS] n); ``word`` ([AS] word or 'x'); ``switch`` (optional ON/OFF/TRUE/FALSE/
    PRESET); ``size`` ([AS] n [MB|GB]); ``secret`` ('x', never kept); or a name handled by
    the parser itself (``format``, ``csv``, ``shapefile``, ``partition``, ``manifest``,
    ``encrypted``, ``iam_role``, ``with``, ``credentials``, ``null``, ``job``).
    """

    name: str
    shape: str
    commands: frozenset[str]


_ROWS = [
    # authorization (copy-parameters-authorization.md)
    ("IAM_ROLE", "iam_role", _ALL), ("CREDENTIALS", "credentials", _ALL), ("WITH", "with", _ALL),
    ("ACCESS_KEY_ID", "string", _ALL), ("SECRET_ACCESS_KEY", "secret", _ALL),
    ("SESSION_TOKEN", "secret", _ALL), ("TOKEN", "secret", _ALL),
    ("REGION", "string", _ALL),
    # data source (copy-parameters-data-source-*.md)
    ("MANIFEST", "manifest", _CU), ("ENCRYPTED", "encrypted", _CU),
    ("MASTER_SYMMETRIC_KEY", "secret", _CU), ("SSH", "flag", _C), ("READRATIO", "number", _C),
    # data format (copy-parameters-data-format.md, r_UNLOAD.md)
    ("FORMAT", "format", _CU), ("CSV", "csv", _CU), ("QUOTE", "string", _C),
    ("DELIMITER", "string?", _CU), ("FIXEDWIDTH", "string", _CU), ("SHAPEFILE", "shapefile", _C),
    ("AVRO", "string?", _C), ("JSON", "string?", _CU), ("PARQUET", "flag", _CU),
    ("ORC", "flag", _C), ("SERIALIZETOJSON", "flag", _C),
    # compression (copy-parameters-file-compression.md)
    ("BZIP2", "flag", _CU), ("GZIP", "flag", _CU), ("LZOP", "flag", _C), ("ZSTD", "flag", _CU),
    # data conversion (copy-parameters-data-conversion.md)
    ("ACCEPTANYDATE", "flag", _C), ("ACCEPTINVCHARS", "string?", _C),
    ("BLANKSASNULL", "flag", _C), ("DATEFORMAT", "string", _C), ("EMPTYASNULL", "flag", _C),
    ("ENCODING", "word", _C), ("ESCAPE", "flag", _CU), ("EXPLICIT_IDS", "flag", _C),
    ("FILLRECORD", "flag", _C), ("IGNOREBLANKLINES", "flag", _C),
    ("IGNOREHEADER", "number", _C), ("NULL", "null", _CU), ("REMOVEQUOTES", "flag", _C),
    ("ROUNDEC", "flag", _C), ("TIMEFORMAT", "string", _C), ("TRIMBLANKS", "flag", _C),
    ("TRUNCATECOLUMNS", "flag", _C),
    # data load (copy-parameters-data-load.md)
    ("COMPROWS", "number", _C), ("COMPUPDATE", "switch", _C), ("IGNOREALLERRORS", "flag", _C),
    ("MAXERROR", "number", _C), ("NOLOAD", "flag", _C), ("STATUPDATE", "switch", _C),
    ("JOB", "job", _C),
    # UNLOAD only (r_UNLOAD.md)
    ("PARTITION", "partition", _U), ("HEADER", "flag", _U), ("ADDQUOTES", "flag", _U),
    ("ALLOWOVERWRITE", "flag", _U), ("CLEANPATH", "flag", _U), ("PARALLEL", "switch", _U),
    ("MAXFILESIZE", "size", _U), ("ROWGROUPSIZE", "size", _U), ("EXTENSION", "word", _U),
    ("KMS_KEY_ID", "string", _U),
]

OPTIONS: dict[str, Option] = {name: Option(name, shape, cmds) for name, shape, cmds in _ROWS}

DATA_FORMATS = frozenset({"CSV", "JSON", "AVRO", "PARQUET", "ORC", "SHAPEFILE", "FIXEDWIDTH"})
SWITCH_VALUES = frozenset({"ON", "OFF", "TRUE", "FALSE", "PRESET"})

__all__ = ["CONFLICTS", "DATA_FORMATS", "OPTIONS", "SWITCH_VALUES", "UNSUPPORTED_BY_SOURCE",
           "Option"]

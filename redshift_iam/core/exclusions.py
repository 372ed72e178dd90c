"""Options the Redshift reference forbids together or with a COPY source: the one table the
SQL grammar and the spec reader both enforce (same codes, same messages)."""

from __future__ import annotations

# Options the reference forbids with a COPY source (copy-parameters-data-source-*.md).
# DynamoDB also rejects every data format parameter.
UNSUPPORTED_BY_SOURCE: dict[str, frozenset[str]] = {
    "s3": frozenset({"SSH", "READRATIO"}),
    "manifest": frozenset({"SSH", "READRATIO"}),
    "emr": frozenset({"ENCRYPTED", "MANIFEST", "REGION", "READRATIO", "SSH"}),
    "ssh": frozenset({"ENCRYPTED", "MANIFEST", "READRATIO"}),
    "dynamodb": frozenset({"ESCAPE", "FILLRECORD", "IGNOREBLANKLINES", "IGNOREHEADER", "NULL",
                           "REMOVEQUOTES", "ACCEPTINVCHARS", "MANIFEST", "ENCRYPTED", "SSH",
                           "FORMAT", "CSV", "DELIMITER", "FIXEDWIDTH", "SHAPEFILE", "AVRO",
                           "JSON", "PARQUET", "ORC", "QUOTE", "BZIP2", "GZIP", "LZOP", "ZSTD"}),
}

# Pairs the reference says cannot be combined (r_UNLOAD.md, copy-parameters-authorization.md).
CONFLICTS: tuple[tuple[str, str, str], ...] = (
    ("IAM_ROLE", "CREDENTIALS", "IAM_ROLE can't be used with CREDENTIALS"),
    ("IAM_ROLE", "ACCESS_KEY_ID", "IAM_ROLE can't be used with ACCESS_KEY_ID"),
    ("IAM_ROLE", "SECRET_ACCESS_KEY", "IAM_ROLE can't be used with SECRET_ACCESS_KEY"),
    ("IAM_ROLE", "SESSION_TOKEN", "IAM_ROLE can't be used with SESSION_TOKEN"),
    ("CREDENTIALS", "ACCESS_KEY_ID", "CREDENTIALS can't be used with ACCESS_KEY_ID"),
    ("CREDENTIALS", "SECRET_ACCESS_KEY", "CREDENTIALS can't be used with SECRET_ACCESS_KEY"),
    ("CREDENTIALS", "MASTER_SYMMETRIC_KEY", "MASTER_SYMMETRIC_KEY can't be used with CREDENTIALS"),
    ("KMS_KEY_ID", "CREDENTIALS", "KMS_KEY_ID can't be used with CREDENTIALS"),
    ("KMS_KEY_ID", "MASTER_SYMMETRIC_KEY", "KMS_KEY_ID can't be used with MASTER_SYMMETRIC_KEY"),
    ("CLEANPATH", "ALLOWOVERWRITE", "CLEANPATH can't be used with ALLOWOVERWRITE"),
)

"""The benchmark's script generator: realistic, varied, and unique statement by statement.

70% of the bytes are SQL that touches no AWS resource (inserts, selects, functions with
``$$`` bodies, comments holding semicolons); 30% are COPY and UNLOAD statements over 300
tables, each with its own dated run folder and a varied choice of options and keyword case,
so no cache of repeated text can stand in for reading.
"""

from __future__ import annotations

import random

ROLE = "arn:aws:iam::123456789012:role/EtlLoader"
TABLES = [f"tbl_{i:03d}" for i in range(300)]
# One choice per group, so every generated statement is valid.
COPY_GROUPS = [["FORMAT AS CSV", "CSV IGNOREHEADER 1", "FORMAT AS JSON 'auto'", "FORMAT PARQUET",
                "DELIMITER '|' NULL AS '\\\\N' ESCAPE", ""],
               ["GZIP", "ZSTD", "BZIP2", ""],
               ["DATEFORMAT 'auto' TIMEFORMAT 'auto'", "MAXERROR 10 TRUNCATECOLUMNS",
                "EMPTYASNULL BLANKSASNULL", "ACCEPTINVCHARS AS '?'", ""],
               ["REGION 'us-east-1'", "STATUPDATE OFF COMPUPDATE OFF", ""]]
UNLOAD_GROUPS = [["FORMAT PARQUET", "HEADER CSV", "FORMAT JSON", ""],
                 ["PARTITION BY (dt) INCLUDE", "MANIFEST VERBOSE", "MAXFILESIZE 256 MB", ""],
                 ["ALLOWOVERWRITE", "CLEANPATH", "PARALLEL OFF", ""]]


def _case(rnd: random.Random, word: str) -> str:
    return rnd.choice([word.upper(), word.lower(), word.capitalize()])


def _aws_statement(rnd: random.Random, n: int) -> str:
    table = TABLES[n % len(TABLES)]
    day = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"
    bucket = f"acme-data-{(n % len(TABLES)) % 8}"
    if rnd.random() < 0.75:
        options = " ".join(filter(None, (rnd.choice(group) for group in COPY_GROUPS)))
        return (f"{_case(rnd, 'copy')} {table}\n{_case(rnd, 'from')} "
                f"'s3://{bucket}/{table}/dt={day}/run_{n:07d}/'\n"
                f"{_case(rnd, 'iam_role')} '{ROLE}'\n{options};\n")
    options = " ".join(filter(None, (rnd.choice(group) for group in UNLOAD_GROUPS)))
    return (f"{_case(rnd, 'unload')} ('SELECT * FROM {table} WHERE dt = ''{day}''')\n"
            f"{_case(rnd, 'to')} 's3://{bucket}-out/{table}/run_{n:07d}/' "
            f"{_case(rnd, 'iam_role')} '{ROLE}' {options};\n")


def _other_statement(rnd: random.Random, n: int) -> str:
    kind = n % 4
    if kind == 0:
        return (f"INSERT INTO audit_log (id, note) VALUES ({n}, 'run {n}; it''s fine');"
                f" -- note; with a semicolon\n")
    if kind == 1:
        return (f"SELECT a.id, b.total FROM {TABLES[n % 300]} a JOIN totals b ON a.id = b.id "
                f"WHERE b.total > {n % 997} ORDER BY 2 DESC;\n")
    if kind == 2:
        return (f"CREATE OR REPLACE FUNCTION f_{n}(x int) RETURNS int STABLE AS $$\n"
                f"  SELECT x + {n}; -- body; not a statement end\n$$ LANGUAGE sql;\n")
    return f"/* step {n}; stage tables; done */\nANALYZE {TABLES[n % 300]};\n"


def script(size: int, seed: int = 7) -> str:
    """About ``size`` bytes of SQL, 30% of them COPY/UNLOAD."""
    rnd, parts, aws, other, n = random.Random(seed), [], 0, 0, 0
    while aws + other < size:
        if aws < 0.3 * (aws + other + 1):
            text = _aws_statement(rnd, n)
            aws += len(text)
        else:
            text = _other_statement(rnd, n)
            other += len(text)
        parts.append(text)
        n += 1
    return "".join(parts)

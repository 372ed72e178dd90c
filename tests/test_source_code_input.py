"""A source file named as a script (``policy load.py``) is pointed to ``scan``, which reads the
SQL in its string literals, instead of being read as SQL (a Python file as SQL was "no COPY",
a shell script RI130 at its shebang)."""

from __future__ import annotations

import pytest

from redshift_iam.analysis.gather import SOURCE_CODE
from redshift_iam.inputs.scanning.generic import LANGUAGES
from tests.rendering import R
from tests.rendering import policy as policy_cli


def test_the_list_is_what_scan_reads() -> None:
    assert set(SOURCE_CODE) == {".py", *LANGUAGES}


@pytest.mark.parametrize("name", ["load.py", "backfill.sh", "Job.scala"])
def test_a_source_file_is_pointed_to_scan(tmp_path, name) -> None:
    run = policy_cli(tmp_path, name, f"x = \"COPY t FROM 's3://acme/k/' {R} CSV\"\n")
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr.splitlines()[:2] == [
        f"error RI100: {name} is source code, not a SQL script: scan finds the SQL in its "
        "string literals",
        f"    hint: run redshift-iam scan {name} (or pass --input-format sql to read the file "
        "as SQL all the same)"]


def test_input_format_sql_reads_it_as_sql(tmp_path) -> None:
    run = policy_cli(tmp_path, "load.sh", f"COPY t FROM 's3://acme/k/' {R} CSV;\n",
                     "--input-format", "sql")
    assert run.code == 0, run.stderr

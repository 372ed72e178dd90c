"""The byte-level hints that decide which source files (and which of their lines) are parsed."""

from __future__ import annotations

import pytest

from redshift_iam.inputs.scanning.hints import hint_lines

CASES = [
    ("import copy\nx = y.copy()\nz = copy.deepcopy(y)\n# copy of the list\n", []),
    ("deepcopy = 1\nunloaded = 2\n'unload the cache'\nlibrary = 3\n", []),
    ('q = "COPY t"\n', [1]),                          # upper-case COPY
    ("q = 'copy t\n  from \\'s3://b\\''\n", [1]),        # lower-case, FROM and a quote follow
    ("q = 'copy t from x; from \"y\"'\n", []),           # the FROM with a quote is past a `;`
    ("a = 1\nq = f'unload ({s})'\n", [2]),
    ("q = 'create or replace\n library f'\n", [2]),
    ("wr.redshift.copy_from_files(p)\nwr.redshift.unload_to_files(q)\n", [1, 2]),
    ("\n\nS3ToRedshiftOperator(x)\nRedshiftToS3Operator(y)\n", [3, 4]),
]


@pytest.mark.parametrize(("source", "lines"), CASES)
def test_hint_lines(source, lines):
    data = source.encode()
    assert hint_lines(data, data.lower()) == lines

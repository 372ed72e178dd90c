"""Python literal forms and the generic literal scan of other languages: exact text, style and
host position of each statement's first word."""

from __future__ import annotations

import re

import pytest

from redshift_iam.inputs.scanning import Skipped, scan


def _found(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(source)
    result = scan([str(path)])
    rows = []
    for fragment in result.fragments:
        first = re.search(r"\b(?:COPY|UNLOAD|CREATE)\b", fragment.text, re.IGNORECASE).start()
        where = fragment.location(first)
        rows.append((fragment.text, fragment.style, fragment.positional, (where.line, where.col)))
    return rows, [(s.line, s.col, s.reason) for s in result.skipped]


PYTHON_CASES = [
    # implicit concatenation over lines, an escape, a comment between the pieces
    ('q = ("-- load\\n"\n     # why\n     "COPY t "\n     \'FROM "x"\')\n',
     [('-- load\nCOPY t FROM "x"', "auto", (), (3, 7))]),
    # a line continuation inside the literal, a tab before the statement
    ('q = "\\\n\tCOPY t FROM :src"\n', [("\tCOPY t FROM :src", "auto", (), (2, 2))]),
    # f-string: fields named by their expression, conversion and spec kept, {{ kept
    ('q = f"UNLOAD ({{x}} {cfg[\'q\']!r}) TO \'{path:>10}\'"\n',
     [("UNLOAD ({{x}} {cfg['q']!r}) TO '{path:>10}'", "fstring", (), (1, 7))]),
    # {x=} is the text x= and the repr of x; a spec or conversion after = is kept
    ('q = f"UNLOAD (q) TO \'{ p = }{k=:>3}{d[\'{\']=!s}\'"\n',
     [("UNLOAD (q) TO ' p = {p!r}k={k:>3}d['{{']={d['{']!s}'", "fstring", (), (1, 7))]),
    # a plain piece joined to an f-string: its braces doubled
    ('q = ("COPY {a} " f"FROM {b}")\n', [("COPY {{a}} FROM {b}", "fstring", (), (1, 7))]),
    # another statement first, then COPY; CREATE OR REPLACE LIBRARY
    ('q = "BEGIN; UNLOAD (x)"\nr = """\n  create or replace library f from \'%s\'"""\n',
     [("BEGIN; UNLOAD (x)", "auto", (), (1, 13)),
      ("\n  create or replace library f from '%s'", "auto", (), (3, 3))]),
    # docstrings, prose and words that merely contain the keywords are not statements
    ('"""COPY t FROM \'x\'"""\ndef f():\n    "UNLOAD (docs)"\nq = ("copying", "unload",\n'
     '     "Copy complete", "copy files from the bucket", "UNLOAD done; COPY t FROM x")\n', []),
    # an all-literal + chain is one fragment
    ('q = "COPY t " + \\\n    "FROM $x"\n', [("COPY t FROM $x", "auto", (), (1, 6))]),
    # % with one operand; .format with literal keywords
    ('q = "COPY t FROM \'%s\'" % path\n', [("COPY t FROM '%s'", "percent", ("path",), (1, 6))]),
    # non-ASCII text before the literal: columns in characters
    ('é = 1; q = "UNLOAD (q)"\n', [("UNLOAD (q)", "auto", (), (1, 13))]),
]


@pytest.mark.parametrize(("source", "expected"), PYTHON_CASES)
def test_python_literal_forms(tmp_path, source, expected):
    rows, skipped = _found(tmp_path, "m.py", source)
    assert (rows, skipped) == (expected, [])


def test_format_keywords_are_bindings_and_unknown_methods_are_skipped(tmp_path):
    """A .format template reads its keyword arguments, never the module's names: B is no
    binding of it (str.format would raise on {B}, or take it from a **mapping)."""
    path = tmp_path / "m.py"
    path.write_text('B = "acme"\nq = "COPY t FROM \'{b}{B}\'".format(b="x")\n'
                    'r = "COPY t FROM \'s3://b/k\'".replace("k", key)\n')
    result = scan([str(path)])
    (fragment,) = result.fragments
    assert {name: tuple(value)[:2] for name, value in fragment.bindings.items()} == {
        "b": ("x", f"{path}:2")}
    assert result.skipped == [Skipped(str(path), 3, 5, "SQL literal passed through .replace(), "
                              "which the scanner cannot follow; write the statement as one "
                              "literal or a template")]


GENERIC_CASES = [
    ("Load.java", 'String q = "COPY t FROM \\"x\\"\\n"; // "COPY in a comment"\n',
     [('COPY t FROM "x"\n', "auto", (), (1, 13))]),
    ("load.kt", 'val q = """\n    |UNLOAD (\'q\') TO \'${p}\'""".trimMargin()\n',
     [("\nUNLOAD ('q') TO '${p}'", "dollar", (), (2, 6))]),
    ("main.tf", 'sql = <<-EOT\n    COPY t\n      FROM \'s3://${var.b}/\'\n    EOT\n',
     [("COPY t\n  FROM 's3://${var.b}/'\n", "terraform", (), (2, 5))]),
    ("run.sh", "psql <<-'SQL'\n\t\tCOPY t FROM '$X'\n\tSQL\n",
     [("COPY t FROM '$X'\n", "none", (), (2, 3))]),
    ("load.rb", "q = <<-SQL\n  COPY t FROM '#{x}'\n  SQL\nr = 'UNLOAD (x)'\n",
     [("  COPY t FROM '#{x}'\n", "ruby", (), (2, 3)), ("UNLOAD (x)", "none", (), (4, 6))]),
    ("load.go", 'q := fmt.Sprintf(`\n\tCOPY %s FROM %s`, t)\n',
     [("\n\tCOPY %s FROM %s", "auto", (), (2, 2))]),
    ("load.ksh", "echo \"UNLOAD ('x') TO '$P'\"\n",
     [("UNLOAD ('x') TO '$P'", "shell", (), (1, 7))]),
]


@pytest.mark.parametrize("source", ['val q = "COPY " + t\n', 'q = t + "COPY x"\n'])
def test_generic_concatenation_is_skipped(tmp_path, source):
    rows, skipped = _found(tmp_path, "load.scala", source)
    col = source.index('"') + 1
    assert (rows, skipped) == ([], [(1, col, "SQL built by concatenation (+) with other parts: "
                                     "write it as one literal or template")])


@pytest.mark.parametrize(("name", "source", "expected"), GENERIC_CASES)
def test_generic_literal_scan(tmp_path, name, source, expected):
    rows, skipped = _found(tmp_path, name, source)
    assert (rows, skipped) == (expected, [])

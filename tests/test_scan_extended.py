"""A statement literal read into a longer text is not the statement that runs (RULES "SQL
inside source code": what cannot be read as a whole is skipped with its place): ``BASE + ' x'``,
``f"{BASE} x"``, ``' '.join([BASE, opts])`` and a literal joined in place. A name that a nested
scope binds itself (a parameter, an assignment) is another name; a literal only passed along
(a loop over a list of statements) is still read."""

from __future__ import annotations

import json

import pytest

from tests.rendering import R
from tests.rendering import scan as scan_cli

BASE = f"BASE = \"COPY t FROM 's3://acme/m' {R} CSV\"\n"
READ = ("the SQL in BASE is read into a longer text at line {line} (+, an f-string or .join): "
        "the statement that runs is not this literal; write the whole statement in one "
        "template so it can be read")
JOINED = ("SQL literal joined with other parts (.join): the statement that runs is not this "
          "literal; write the whole statement in one template so it can be read")

SKIPPED = {
    "constant + literal": (BASE + "def f(cur):\n    cur.execute(BASE + ' MANIFEST')\n",
                           [(1, READ.format(line=3))]),
    "literal + constant": (BASE + "def f(cur, pre):\n    cur.execute(pre + BASE)\n",
                           [(1, READ.format(line=3))]),
    "f-string": (BASE + "def f(cur):\n    cur.execute(f'{BASE} MANIFEST')\n",
                 [(1, READ.format(line=3))]),
    "join of a constant": (BASE + "def f(cur, o):\n    cur.execute(' '.join([BASE, o]))\n",
                           [(1, READ.format(line=3))]),
    "join of a local": ("def f(cur, o):\n    " + BASE + "    cur.execute(' '.join((BASE, o)))\n",
                        [(2, READ.format(line=3))]),
    "join of a literal": (f"def f(cur, o):\n    cur.execute(' '.join([\"COPY t FROM "
                          f"'s3://acme/m' {R} CSV\", o]))\n", [(2, JOINED)]),
}


@pytest.mark.parametrize(("source", "skipped"), SKIPPED.values(), ids=SKIPPED.keys())
def test_a_literal_read_into_more_text_is_skipped(tmp_path, source, skipped):
    run = scan_cli(tmp_path, {"m.py": source}, "--format", "json")
    assert run.code == 1, run.stdout
    report = json.loads(run.stdout)
    assert report["statements"] == []
    assert [(entry["line"], entry["reason"]) for entry in report["skipped"]] == skipped


READ_AS_IS = {
    "a parameter of the same name": BASE + "def g(cur, BASE):\n    cur.execute(BASE + ' x')\n",
    "a local of the same name": BASE + "def g(cur):\n    BASE = 'x'\n    cur.execute(BASE + 'y')\n",
    "a loop over statements": BASE + "def h(cur):\n    for s in [BASE]:\n        cur.execute(s)\n",
    "passed as it is": BASE + "def h(cur):\n    cur.execute(BASE)\n",
}


@pytest.mark.parametrize("source", READ_AS_IS.values(), ids=READ_AS_IS.keys())
def test_a_literal_used_as_it_is_stays_a_statement(tmp_path, source):
    run = scan_cli(tmp_path, {"m.py": source}, "--format", "json")
    report = json.loads(run.stdout)
    assert (run.code, report["skipped"]) == (0, []), run.stderr
    assert [(entry["location"], entry["subject"]) for entry in report["statements"]] == [
        ("src/m.py:1:9", "t <- s3://acme/m")]


LAYERED = {
    "f-string": ("B = 'acme'\ndef f(cur):\n"
                 "    cur.execute(f\"COPY t FROM 's3://{B}/x/{{{{ ds }}}}/' " + R + " CSV;\")\n"),
    ".format": "def f(cur):\n    cur.execute(\"COPY t FROM 's3://{b}/x/{{{{ ds }}}}/' " + R
               + " CSV;\".format(b='acme'))\n",
}


@pytest.mark.parametrize("source", LAYERED.values(), ids=LAYERED.keys())
def test_jinja_left_by_python_formatting_is_never_a_literal_key(tmp_path, source):
    """``{{{{ ds }}}}`` in a Python template is ``{{ ds }}`` for Airflow's Jinja to fill at run
    time: never granted as the literal key ``x/{{ ds }}/`` (a denied role, exit 0)."""
    run = scan_cli(tmp_path, {"m.py": source}, "--format", "json")
    report = json.loads(run.stdout)
    assert (run.code, report["statements"]) == (1, [])
    assert [entry["reason"].split(" (")[0] for entry in report["skipped"]] == [
        "RI121 placeholder '{{ ds }}' is left after the template is rendered"]

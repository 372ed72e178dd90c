"""``scan`` follows psql includes (docs/scan.md): a SQL file holding only ``\\i``/``\\ir`` lines is
read; an included file scan reads whole on its own reads as nothing there (reported once, at its
own place); any other file under the paths (``.inc``, one ``--exclude`` leaves out) is read
through the include and located in it; a missing file, a cycle or a file outside is a place
not read (exit 1), never "no COPY found" with exit 0."""

from __future__ import annotations

import json

from tests.rendering import R, reads
from tests.rendering import scan as scan_cli

COPY = f"COPY t FROM 's3://prod-bkt/k/' {R} CSV;\n"


def _report(tmp_path, files, *args):
    run = scan_cli(tmp_path, files, "--format", "json", *args)
    return run.code, json.loads(run.stdout)


def test_an_included_file_of_another_name_is_read_in_place(tmp_path):
    run = scan_cli(tmp_path, {"main.sql": "\\ir copies.inc\n", "copies.inc": COPY})
    assert run.code == 0, run.stderr
    assert reads(run.policies(), "prod-bkt", "k/")
    code, report = _report(tmp_path, {})
    assert (code, [s["location"] for s in report["statements"]]) == (0, ["src/copies.inc:1:1"])


def test_an_included_sql_file_is_reported_once_at_its_own_place(tmp_path):
    code, report = _report(tmp_path, {"main.sql": "\\ir copies.sql\n", "copies.sql": COPY})
    assert (code, [s["location"] for s in report["statements"]]) == (0, ["src/copies.sql:1:1"])


def test_an_excluded_sql_file_is_read_through_the_include(tmp_path):
    code, report = _report(tmp_path, {"main.sql": "\\ir gen/copies.sql\n",
                                      "gen/copies.sql": COPY}, "--exclude", "src/gen/*")
    assert (code, [s["location"] for s in report["statements"]]) == (0, ["src/gen/copies.sql:1:1"])


def test_a_missing_include_is_a_place_not_read(tmp_path):
    code, report = _report(tmp_path, {"main.sql": "\\ir generated/copies.sql\n"})
    assert (code, report["statements"]) == (1, [])
    assert [(s["path"], s["line"], s["reason"]) for s in report["skipped"]] == [
        ("src/main.sql", 1, "RI100 cannot include generated/copies.sql: no such file (relative "
                            "to the including file); check the path and that it is a readable "
                            "text file")]


def test_an_include_cycle_is_a_place_not_read(tmp_path):
    code, report = _report(tmp_path, {"main.sql": "\\ir a.inc\n", "a.inc": "\\ir b.inc\n",
                                      "b.inc": "\\ir a.inc\n"})
    assert (code, report["statements"]) == (1, [])
    assert [s["reason"].split(";")[0] for s in report["skipped"]] == [
        "RI106 include cycle: src/main.sql -> src/a.inc -> src/b.inc -> src/a.inc"]

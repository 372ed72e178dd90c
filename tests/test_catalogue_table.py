"""The one catalogue of codes: every row complete, and docs/diagnostics.md's table rendered
from it (tools/catalogue_table.py writes it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redshift_iam.core.catalogue import Entry, Severity, build, catalogue_markdown, code_order
from redshift_iam.core.diagnostics import CATALOGUE, Diagnostic

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- catalogue: generated from redshift_iam/core/diagnostics.py (CATALOGUE); "
END = "<!-- catalogue: end -->"


def readme_table() -> str:
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    begin = text.index(START)
    return text[text.index("\n", begin) + 1:text.index(END)]


def test_the_docs_catalogue_is_the_rendering_of_the_table() -> None:
    assert readme_table() == catalogue_markdown(CATALOGUE), (
        "docs/diagnostics.md's catalogue is stale: run python tools/catalogue_table.py")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_row_is_complete(code: str) -> None:
    entry = CATALOGUE[code]
    assert re.fullmatch(r"R[IWC]\d{3}", code)
    assert isinstance(entry, Entry) and isinstance(entry.severity, Severity)
    assert entry.hint and entry.title, "every code has a fix and a title"
    assert len(entry.title) <= 60, "a title is a few words"
    assert entry.doc == "" or entry.doc.startswith("https://")


def test_diagnostics_read_severity_and_hint_from_the_row() -> None:
    assert Diagnostic("RW203", "m").severity is Severity.WARNING
    assert Diagnostic("RW203", "m").hint == CATALOGUE["RW203"].hint
    assert Diagnostic("RW203", "m", fix="exact").hint == "exact"
    assert Diagnostic("RC402", "m").severity is Severity.INFO


def test_rendering_orders_families_and_escapes_cells() -> None:
    rows = build({"RW900": (Severity.WARNING, "a | b"),
                  "RI900": Entry(Severity.ERROR, "fix", "title", "why", "https://x.test/")})
    assert catalogue_markdown(rows) == (
        "| code | severity | meaning | what to do |\n|---|---|---|---|\n"
        "| RI900 | error | **title**: why ([doc](https://x.test/)) | fix |\n"
        "| RW900 | warning | **** | a \\| b |\n")
    assert sorted(["RC400", "RW201", "RI100", "XX1"], key=code_order) == [
        "RI100", "RW201", "RC400", "XX1"]


def test_severity_ranks_for_a_minimum_filter() -> None:
    assert [s.rank for s in (Severity.INFO, Severity.WARNING, Severity.UNRESOLVED,
                             Severity.ERROR)] == [0, 1, 2, 3]


def test_no_code_is_written_twice_in_the_catalogue() -> None:
    """A dict literal keeps the last of two equal keys silently: two rows given one code (two
    branches each adding 'the next free' code) would lose one row. Read the source itself."""
    import ast
    import collections
    from pathlib import Path

    import redshift_iam.core.diagnostics as module

    tree = ast.parse(Path(module.__file__).read_text())
    keys = [key.value for node in ast.walk(tree) if isinstance(node, ast.Dict)
            for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)
            and key.value[:2] in ("RI", "RW")]
    assert [code for code, n in collections.Counter(keys).items() if n > 1] == []

"""Rewrite docs/diagnostics.md's catalogue of diagnostic codes from the one table
(``redshift_iam.core.diagnostics.CATALOGUE``): ``python tools/catalogue_table.py``.
tests/test_catalogue_table.py fails while the page is stale."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redshift_iam.core.catalogue import catalogue_markdown  # noqa: E402
from redshift_iam.core.diagnostics import CATALOGUE  # noqa: E402

START = "<!-- catalogue: generated from redshift_iam/core/diagnostics.py (CATALOGUE); "
END = "<!-- catalogue: end -->"


def main() -> None:
    readme = ROOT / "docs" / "diagnostics.md"
    text = readme.read_text(encoding="utf-8")
    begin = text.index("\n", text.index(START)) + 1
    readme.write_text(text[:begin] + catalogue_markdown(CATALOGUE) + text[text.index(END):],
                      encoding="utf-8")


if __name__ == "__main__":
    main()

"""The one catalogue of diagnostic codes: one row per code with its severity, the fix (hint),
a title, why it matters and the documentation behind it, parliament-style.

Every message the tool prints about its input (reading, deriving, sizing, ``lint`` and
``check`` findings) names a code of this table; docs/diagnostics.md's catalogue is
:func:`catalogue_markdown` of it (a test holds them equal). Families: ``RI1xx`` input and
derivation problems, ``RW2xx`` warnings and lint findings, ``RC4xx`` check findings. The
severity column is authoritative (a few lint findings are errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import NamedTuple


class Severity(str, Enum):
    """How a diagnostic affects the exit code."""

    ERROR = "error"  # bad input: always exit 1
    UNRESOLVED = "unresolved"  # a need the flags did not supply: exit 1 unless --allow-unresolved
    WARNING = "warning"  # printed on stderr, exit unaffected
    INFO = "info"  # information (check's excess): exit unaffected unless asked (--strict)

    @property
    def rank(self) -> int:
        """Order for a minimum-severity filter: info < warning < unresolved < error."""
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.UNRESOLVED: 2, Severity.ERROR: 3}


class Entry(NamedTuple):
    """One code's row. ``hint`` says what to do (a diagnostic may carry a sharper one with
    its own values); ``title`` what it reports, in a few words; ``why`` what it means and why
    it matters; ``doc`` the AWS (or tool) documentation behind it, if any."""

    severity: Severity
    hint: str
    title: str = ""
    why: str = ""
    doc: str = ""


def catalogue_markdown(catalogue: Mapping[str, Entry]) -> str:
    """docs/diagnostics.md's catalogue table: one row per code, in code order."""
    lines = ["| code | severity | meaning | what to do |", "|---|---|---|---|"]
    for code in sorted(catalogue, key=code_order):
        entry = catalogue[code]
        meaning = f"**{entry.title}**" + (f": {entry.why}" if entry.why else "")
        if entry.doc:
            meaning += f" ([doc]({entry.doc}))"
        lines.append(f"| {code} | {entry.severity.value} | {_cell(meaning)} | "
                     f"{_cell(entry.hint)} |")
    return "\n".join(lines) + "\n"


FAMILIES = ("RI", "RW", "RC")  # input and derivation; warnings and lint; check


def code_order(code: str) -> tuple[int, str]:
    """Codes by family (:data:`FAMILIES`), then by number."""
    family = code[:2]
    return (FAMILIES.index(family) if family in FAMILIES else len(FAMILIES), code)


def _cell(text: str) -> str:
    """A table cell: a ``|`` would end it early."""
    return text.replace("|", "\\|")


def build(rows: Mapping[str, tuple]) -> dict[str, Entry]:
    """The catalogue from its rows; a row written as a bare ``(severity, hint)`` pair (the
    older form) becomes an :class:`Entry` with no title yet (the catalogue test then asks for
    one)."""
    return {code: row if isinstance(row, Entry) else Entry(*row) for code, row in rows.items()}

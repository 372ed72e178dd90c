"""``scan``'s report: every statement found in a source tree, its unresolved needs, and the
places not read, as JSON for machines or as a table for people.

JSON: ``{"statements": [...], "unresolved": [...], "skipped": [...]}``. Each statement has
the keys of ``explain --format json``'s statements, its ``location`` the host file's
``path:line:col`` (where the statement's first word stands); ``unresolved`` holds the
diagnostics of severity unresolved (the keys of explain's diagnostics); each skipped item is
``{"path", "line", "col", "reason"}`` (line and col 0 when the reason is about a whole file).
Output is byte-for-byte deterministic for the same tree.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Protocol

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.placeholders import shown
from redshift_iam.core.reports import Analysis
from redshift_iam.core.statements import AuthKind, Statement, Unmapped
from redshift_iam.output.text import GrantRow, dumps, explain_rows


class Place(Protocol):
    """A place not read and why (``redshift_iam.inputs.scanning.Skipped``)."""

    path: str
    line: int
    col: int
    reason: str


def scan_json(analysis: Analysis, unresolved: Sequence[Diagnostic],
              skipped: Iterable[Place]) -> str:
    """The report as JSON (see the module docstring)."""
    return dumps({
        "statements": explain_rows(analysis, columns=True),
        "unresolved": [d.as_json() for d in unresolved],
        "skipped": [{"path": p.path, "line": p.line, "col": p.col, "reason": p.reason}
                    for p in skipped],
    })


def scan_text(analysis: Analysis, unresolved: Sequence[Diagnostic], skipped: Sequence[Place],
              files_read: int) -> str:
    """One line per statement (location, kind, subject, principal, and ``unresolved: CODES``
    when a need of it is unresolved), then the places not read, then a count."""
    statements = analysis.script.statements
    marks = needs_by_statement(statements, unresolved)
    rows = [("LOCATION", "KIND", "SUBJECT", "PRINCIPAL", "STATUS")]
    for index, row in enumerate(explain_rows(analysis, columns=True)):
        codes = sorted({d.code for d in marks.get(index, [])})
        status = f"unresolved: {', '.join(codes)}" if codes else "ok"
        rows.append((row["location"], row["kind"], row["subject"],
                     principal_of(statements[index], row["grants"]), status))
    lines = _table(rows) if statements else ["No COPY, UNLOAD or CREATE LIBRARY found."]
    if skipped:
        lines += ["", "Skipped:"]
        lines += [f"  {_place(p)}  {p.reason}" for p in skipped]
    lines += ["", f"{len(statements)} statement(s) found in {files_read} file(s) read; "
                  f"{len(unresolved)} unresolved need(s); {len(skipped)} place(s) skipped."]
    return "\n".join(lines) + "\n"


def principal_of(statement: Statement, grants: Sequence[GrantRow]) -> str:
    """Who gets the statement's grants: their principals, else what its authorization names
    (a template placeholder as the template writes it), ``-`` when there is none."""
    names = sorted({str(g["principal"]) for g in grants})
    if names:
        return ", ".join(names)
    if isinstance(statement, Unmapped) or statement.auth is None:
        return "-"
    auth = statement.auth
    if auth.kind is AuthKind.OPEN and auth.open is not None:
        return shown(auth.open.text, statement.placeholders)
    if auth.kind is AuthKind.DEFAULT_ROLE:
        return "default"
    if auth.kind is AuthKind.KEYS:
        return f"user:{auth.access_key_id}"
    return shown(auth.roles[-1].value, statement.placeholders) if auth.roles else "-"


def needs_by_statement(statements: Sequence[Statement], unresolved: Iterable[Diagnostic]
                       ) -> dict[int, list[Diagnostic]]:
    """Each unresolved need by the index of the statement it belongs to: the statement of the
    same file that starts last at or before the need's position."""
    by_file: dict[str, list[tuple[tuple[int, int], int]]] = {}
    for index, statement in enumerate(statements):
        by_file.setdefault(statement.loc.file, []).append(
            ((statement.loc.line, statement.loc.col), index))
    marks: dict[int, list[Diagnostic]] = {}
    for d in unresolved:
        at = d.location
        starts = sorted(by_file.get(at.file, [])) if at else []
        found = bisect_right(starts, ((at.line, at.col), len(statements))) - 1 \
            if at and starts else -1
        if found >= 0:
            marks.setdefault(starts[found][1], []).append(d)
    return marks


def _place(place: Place) -> str:
    return f"{place.path}:{place.line}:{place.col}" if place.line else place.path


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows]

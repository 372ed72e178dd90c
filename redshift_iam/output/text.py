"""Documents and reports -> text. Output is byte-for-byte deterministic for the same input."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from redshift_iam.core.diagnostics import Diagnostic, Location, Severity, source_order
from redshift_iam.core.docs import DG, MG, S3UG
from redshift_iam.core.grants import Grant
from redshift_iam.core.placeholders import shown
from redshift_iam.core.policy import PolicyDocument
from redshift_iam.core.reports import Analysis, PrincipalReport
from redshift_iam.core.statements import (
    Copy,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    Open,
    S3Path,
    Statement,
    Unload,
    Unmapped,
)
from redshift_iam.output import places
from redshift_iam.output.settings_text import settings_json, settings_lines

_BEYOND_LATIN1 = re.compile("[^\u0000-\u00ff]")


def _escape(match: re.Match[str]) -> str:
    return json.dumps(match.group())[1:-1]


def dumps(value: object) -> str:
    """The one JSON style: two-space indent, a final newline. Characters above U+00FF are
    written as ``\\uXXXX`` escapes: the IAM API accepts policy text only up to U+00FF."""
    return _BEYOND_LATIN1.sub(_escape, json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def document(doc: PolicyDocument) -> str:
    return dumps(doc.as_json())


def bundle(analysis: Analysis) -> str:
    """``generate``'s stdout: every principal's documents, skipped count and warnings."""
    return dumps({
        "principals": [_principal(report) for report in analysis.reports],
        "skipped": analysis.script.skipped,
        "warnings": [d.as_json() for d in sorted(analysis.diagnostics, key=source_order)],
    })


def _principal(report: PrincipalReport) -> dict[str, object]:
    return {
        "principal": report.principal.name,
        "kind": report.principal.kind.value,
        "policies": [doc.as_json() for doc in report.policies],
        "trust": report.trust.as_json() if report.trust else None,
        "statements": list(report.statements),
    }


def _copy(statement: Copy) -> tuple[str, str]:
    return f"COPY {statement.mode.value}", f"{statement.table} <- {_where(statement.source)}"


def _where(value: S3Path | DynamoTable | EmrCluster | Open) -> str:
    """A location as written (an open slot by its rendered text)."""
    if isinstance(value, DynamoTable):
        return f"dynamodb://{value.name}"
    if isinstance(value, EmrCluster):
        return f"emr://{value.cluster_id}/{value.path}"
    return value.uri if isinstance(value, S3Path) else value.text


# One row per statement kind of core.statements.Statement (a test holds it complete):
# (kind, what it reads or writes) for people. Each row's function takes a statement of its own
# kind (describe looks the row up by the statement's type), which the table's type cannot say.
DESCRIBERS: dict[type, Callable[[Any], tuple[str, str]]] = {
    Copy: _copy,
    Unload: lambda s: ("UNLOAD", f"-> {_where(s.target)}"),
    CreateLibrary: lambda s: ("CREATE LIBRARY", f"{s.name} <- {s.url}"),
    Unmapped: lambda s: ("UNMAPPED", s.what),
}


def describe(statement: Statement) -> tuple[str, str]:
    """(kind, what it reads or writes) for people; a template's placeholders as written."""
    kind, subject = DESCRIBERS[type(statement)](statement)
    return kind, shown(subject, getattr(statement, "placeholders", ()))


class GrantRow(TypedDict):
    """One grant of an explain row, as JSON writes it."""

    principal: str
    action: str
    resource: str
    condition: str | None
    rule: str
    doc: str


class _Row(TypedDict):
    location: str
    kind: str
    subject: str
    grants: list[GrantRow]


class ExplainRow(_Row, total=False):
    """One statement of ``explain``: ``placeholders`` only when the input is templated."""

    placeholders: list[dict[str, object]]


def _grant_row(grant: Grant, docs: Mapping[str, str]) -> GrantRow:
    cond = grant.condition
    return {
        "principal": grant.principal.name,
        "action": grant.action,
        "resource": grant.resource,
        "condition": f"{cond.operator} {cond.key} {cond.value}" if cond else None,
        "rule": grant.rule,
        "doc": docs[grant.rule],
    }


def _grant_order(row: GrantRow) -> tuple[str, ...]:
    """Rows by their values in column order; no condition sorts first (None and a string do
    not compare: a statement may need s3:ListBucket on a bucket with and without one)."""
    return (row["principal"], row["action"], row["resource"], row["condition"] or "",
            row["rule"], row["doc"])


def explain_rows(analysis: Analysis, columns: bool = False) -> list[ExplainRow]:
    """One entry per statement that touches AWS, with its grants and their reasons; its
    ``location`` is ``file:line`` (``columns``: ``file:line:col``)."""
    by_location: dict[Location, list[Grant]] = {}
    for grant in analysis.derivation.grants:
        by_location.setdefault(grant.location, []).append(grant)
    rows: list[ExplainRow] = []
    templated = places.has_placeholders(analysis.script.statements)
    for statement in analysis.script.statements:
        kind, subject = describe(statement)
        grants = by_location.get(statement.loc, [])
        unique = {tuple(row.items()): row
                  for row in (_grant_row(g, analysis.derivation.docs) for g in grants)}
        rows.append({
            "location": str(statement.loc) if columns else statement.loc.short,
            "kind": kind, "subject": subject,
            "grants": sorted(unique.values(), key=_grant_order),
        })
        if templated:  # plain SQL: the rows stay as they were
            rows[-1]["placeholders"] = places.rows(statement)
    return rows


def explain_json(analysis: Analysis) -> str:
    return dumps({
        "statements": explain_rows(analysis),
        "folds": [{"principal": f.principal.name, "bucket": f.bucket, "pattern": f.pattern,
                   "replaced": list(f.replaced), "actions": list(f.actions)}
                  for report in analysis.reports for f in report.folds],
        "skipped": analysis.script.skipped,
        "diagnostics": [d.as_json() for d in sorted(analysis.diagnostics, key=source_order)],
        **({"settings": settings_json(analysis.settings)} if analysis.settings else {}),
    })


WIDTH = 100  # explain's text fits a 100-column terminal
# Doc links are printed relative to these prefixes, each stated once under the rules.
_DOC_PREFIXES = {"dg/": DG, "mgmt/": MG, "s3/": S3UG}


def explain_text(analysis: Analysis) -> str:
    """A readable table, at most :data:`WIDTH` columns: each statement, the grants it needs
    per principal, the unresolved needs under the statement they belong to, then the
    documentation link of every rule used."""
    lines: list[str] = []
    used: set[str] = set()
    marks, stray = _unresolved_by_statement(analysis)
    for index, row in enumerate(explain_rows(analysis)):
        lines += _wrap(f"{row['location']}  {row['kind']}  {row['subject']}", "", "    ")
        lines += _placeholder_lines(row.get("placeholders", []))
        if not row["grants"]:
            lines.append("    (no grant)")
        for principal in sorted({g["principal"] for g in row["grants"]}):
            lines += _wrap(f"as {principal}", "  ", "    ")
            cells = [(g["action"], g["resource"], g["condition"] or "", g["rule"])
                     for g in row["grants"] if g["principal"] == principal]
            lines.extend(_grant_lines(cells))
            used.update(cell[3] for cell in cells)
        lines.extend(_marked(marks.get(index, [])))
        lines.append("")
    lines.append(f"{len(analysis.script.statements)} statement(s) touch AWS; "
                 f"{analysis.script.skipped} skipped.")
    if stray:
        lines.extend(["", "Unresolved:", *_marked(stray)])
    folds = [fold for report in analysis.reports for fold in report.folds]
    if folds:
        lines.extend(["", "Folds:"])
        for fold in folds:
            lines += _wrap(fold.message(), "    ", "      ")
    lines += settings_lines(analysis.settings)
    if used:
        lines.extend(["", "Rules:", *_legend(sorted(used), analysis.derivation.docs)])
    return "\n".join(lines) + "\n"


def _wrap(text: str, first: str, rest: str) -> list[str]:
    """``text`` in lines of at most WIDTH columns; a word longer than a line is cut."""
    import textwrap  # explain only

    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False) or [first.rstrip()]


def _placeholder_lines(entries: list[dict[str, object]]) -> list[str]:
    """``placeholders:`` and a line per placeholder, name and location aligned, its state
    after them when the line fits WIDTH, else on the lines below."""
    if not entries:
        return []
    cells = [places.text_cells(entry) for entry in entries]
    widths = [max(len(cell[i]) for cell in cells) for i in (0, 1)]
    lines = ["  placeholders:"]
    for name, where, state in cells:
        head = f"    {name.ljust(widths[0])}  {where.ljust(widths[1])}"
        if len(head) + 2 + len(state) <= WIDTH:
            lines.append(f"{head}  {state}")
        else:
            lines += [head.rstrip(), *_wrap(state, " " * 8, " " * 8)]
    return lines


def _grant_lines(cells: list[tuple[str, str, str, str]]) -> list[str]:
    """Aligned columns (action, resource, condition, rule) when they fit; else aligned
    (action, resource, rule) with the condition on the line below; else each grant as
    ``action  rule`` with its resource and condition on the lines below."""
    aligned = _aligned(cells)
    if max(map(len, aligned)) <= WIDTH:
        return aligned
    rows = _aligned([(action, resource, rule) for action, resource, _, rule in cells])
    if max(map(len, rows)) <= WIDTH:
        lines = []
        for row, cell in zip(rows, cells, strict=True):
            lines += [row, *(_wrap(cell[2], "      ", "      ") if cell[2] else [])]
        return lines
    lines = []
    for action, resource, condition, rule in cells:
        lines += _wrap(f"{action}  {rule}", "    ", "      ")
        lines += _wrap(resource, "      ", "      ")
        if condition:
            lines += _wrap(condition, "      ", "      ")
    return lines


def _marked(diagnostics: list[Diagnostic]) -> list[str]:
    lines = []
    for d in diagnostics:
        lines += _wrap(f"{d.severity.value} {d.code} at {d.location}: {d.shown_message}", "  ",
                       "      ")
        lines += _wrap(f"hint: {d.hint}", "    ", "      ")
    return lines


def _legend(rules: list[str], docs: Mapping[str, str]) -> list[str]:
    """``rule  link`` per rule (the link under the rule when the line would be too long), the
    link relative to a prefix named once at the end."""
    width, lines, prefixes = max(map(len, rules)), [], {}
    for rule in rules:
        link = docs[rule]
        for short, prefix in _DOC_PREFIXES.items():
            if link.startswith(prefix):
                link, prefixes[short] = short + link[len(prefix):], prefix
                break
        line = f"    {rule.ljust(width)}  {link}"
        lines += [line] if len(line) <= WIDTH else [f"    {rule}", *_wrap(link, " " * 8, " " * 8)]
    for number, short in enumerate(sorted(prefixes)):
        lines.append(f"{'where' if number == 0 else '     '} {short} = {prefixes[short]}")
    return lines


def _unresolved_by_statement(analysis: Analysis
                             ) -> tuple[dict[int, list[Diagnostic]], list[Diagnostic]]:
    """The unresolved needs by the index of the statement they point into (the last statement
    of the same file starting at or before the diagnostic), and those that point nowhere."""
    starts: dict[str, tuple[list[tuple[int, int]], list[int]]] = {}
    for index, statement in enumerate(analysis.script.statements):
        keys, indexes = starts.setdefault(statement.loc.file, ([], []))
        keys.append((statement.loc.line, statement.loc.col))
        indexes.append(index)
    marks: dict[int, list[Diagnostic]] = {}
    stray = []
    for d in analysis.diagnostics:
        if d.severity is not Severity.UNRESOLVED:
            continue
        at = d.location
        keys, indexes = starts.get(at.file, ([], [])) if at else ([], [])
        found = bisect_right(keys, (at.line, at.col)) - 1 if at and keys else -1
        if found < 0:
            stray.append(d)
        else:
            marks.setdefault(indexes[found], []).append(d)
    return marks, stray
def _aligned(cells: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(cell[i]) for cell in cells) for i in range(len(cells[0]))]
    return [("    " + "  ".join(v.ljust(w) for v, w in zip(cell, widths, strict=True))).rstrip()
            for cell in cells]

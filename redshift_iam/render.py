"""Documents and reports -> text. Output is byte-for-byte deterministic for the same input."""

from __future__ import annotations

import json
import re

from redshift_iam.analysis import Analysis, PrincipalReport
from redshift_iam.diagnostics import Location
from redshift_iam.model import Grant
from redshift_iam.policy import PolicyDocument
from redshift_iam.rules import RULES
from redshift_iam.statements import Copy, CreateLibrary, Statement, Unload

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
        "warnings": [d.render().split("\n", 1)[0] for d in analysis.diagnostics],
    })


def _principal(report: PrincipalReport) -> dict[str, object]:
    return {
        "principal": report.principal.name,
        "kind": report.principal.kind.value,
        "policies": [doc.as_json() for doc in report.policies],
        "trust": report.trust.as_json() if report.trust else None,
        "statements": list(report.statements),
    }


def describe(statement: Statement) -> tuple[str, str]:
    """(kind, what it reads or writes) for people."""
    if isinstance(statement, Copy):
        source = statement.source
        where = getattr(source, "uri", None) or getattr(source, "name", None)
        if where is None:
            where = f"emr://{source.cluster_id}/{source.path}"
        elif statement.mode.value == "dynamodb":
            where = f"dynamodb://{where}"
        return f"COPY {statement.mode.value}", f"{statement.table} <- {where}"
    if isinstance(statement, Unload):
        return "UNLOAD", f"-> {statement.target.uri}"
    if isinstance(statement, CreateLibrary):
        return "CREATE LIBRARY", f"{statement.name} <- {statement.url}"
    return "UNMAPPED", statement.what


def _grant_row(grant: Grant) -> dict[str, object]:
    cond = grant.condition
    return {
        "principal": grant.principal.name,
        "action": grant.action,
        "resource": grant.resource,
        "condition": f"{cond.operator} {cond.key} {cond.value}" if cond else None,
        "rule": grant.rule,
        "doc": RULES[grant.rule].doc,
    }


def explain_rows(analysis: Analysis) -> list[dict[str, object]]:
    """One entry per statement that touches AWS, with its grants and their reasons."""
    by_location: dict[Location, list[Grant]] = {}
    for grant in analysis.derivation.grants:
        by_location.setdefault(grant.location, []).append(grant)
    rows = []
    for statement in analysis.script.statements:
        kind, subject = describe(statement)
        grants = by_location.get(statement.loc, [])
        unique = {tuple(_grant_row(g).items()): g for g in grants}
        rows.append({
            "location": statement.loc.short, "kind": kind, "subject": subject,
            "grants": [dict(key) for key in sorted(unique)],
        })
    return rows


def explain_json(analysis: Analysis) -> str:
    return dumps({
        "statements": explain_rows(analysis),
        "folds": [{"principal": f.principal.name, "bucket": f.bucket, "pattern": f.pattern,
                   "replaced": list(f.replaced), "actions": list(f.actions)}
                  for report in analysis.reports for f in report.folds],
        "skipped": analysis.script.skipped,
        "diagnostics": [d.as_json() for d in analysis.diagnostics],
    })


def explain_text(analysis: Analysis) -> str:
    """A readable table: each statement, the grants it needs per principal in aligned columns,
    then the documentation link of every rule used."""
    lines, used = [], set()
    for row in explain_rows(analysis):
        lines.append(f"{row['location']}  {row['kind']}  {row['subject']}")
        if not row["grants"]:
            lines.append("    (no grant)")
        principals = sorted({g["principal"] for g in row["grants"]})
        for principal in principals:
            lines.append(f"  as {principal}")
            cells = [(g["action"], g["resource"], g["condition"] or "", g["rule"])
                     for g in row["grants"] if g["principal"] == principal]
            lines.extend(_aligned(cells))
            used.update(cell[3] for cell in cells)
        lines.append("")
    lines.append(f"{len(analysis.script.statements)} statement(s) touch AWS; "
                 f"{analysis.script.skipped} skipped.")
    folds = [fold for report in analysis.reports for fold in report.folds]
    if folds:
        lines.extend(["", "Folds:"])
        lines.extend(f"    {fold.message()}" for fold in folds)
    if used:
        width = max(len(r) for r in used)
        lines.extend(["", "Rules:"])
        lines.extend(f"    {r.ljust(width)}  {RULES[r].doc}" for r in sorted(used))
    return "\n".join(lines) + "\n"


def _aligned(cells: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(cell[i]) for cell in cells) for i in range(len(cells[0]))]
    return [("    " + "  ".join(v.ljust(w) for v, w in zip(cell, widths, strict=True))).rstrip()
            for cell in cells]

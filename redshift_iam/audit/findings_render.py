"""Lint and check results as text and JSON (SARIF: :mod:`sarif_log`). Deterministic: the same
findings give the same bytes. No secret can appear: findings carry none."""

from __future__ import annotations

import json
from collections.abc import Sequence

from redshift_iam.audit.checker import CheckReport, Missing
from redshift_iam.audit.globs import Glob
from redshift_iam.core.diagnostics import Diagnostic


def findings_text(findings: Sequence[Diagnostic]) -> str:
    """Each finding as the tool prints diagnostics (``file:line:col: severity CODE: ...``,
    snippet, hint), then a count."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    tally = ", ".join(f"{n} {severity}" for severity, n in sorted(counts.items()))
    body = "".join(f.render() + "\n" for f in findings)
    return body + f"{len(findings)} finding(s)" + (f": {tally}" if tally else "") + "\n"


def findings_json(findings: Sequence[Diagnostic]) -> str:
    """``{"findings": [{code, severity, message, location, hint}, ...]}``."""
    return json.dumps({"findings": [f.as_json() for f in findings]}, indent=2,
                      ensure_ascii=False) + "\n"


def _missing_json(item: Missing) -> dict[str, object]:
    decision = item.decision
    found: dict[str, object] = {
        "location": str(item.grant.location), "rule": item.grant.rule,
        "action": item.need.action, "resource": str(item.need.resource),
        "context": {k: (str(v) if isinstance(v, Glob) else list(v))
                    for k, v in sorted(item.need.context.items())},
        "decision": decision.effect, "certain": decision.certain,
        "boundary": decision.boundary,
        "statements": [str(ref) for ref in decision.statements],
    }
    if decision.closest is not None:
        found["closest"] = {"statement": str(decision.closest.statement),
                            "rank": decision.closest.rank, "reason": decision.closest.reason}
    return found


def check_json(report: CheckReport) -> str:
    """The check as JSON: principal, needs, missing (with the decision and the closest
    statement), excess per service and action, and every finding."""
    body = {
        "principal": report.principal.name, "needs": report.needs,
        "missing": [_missing_json(m) for m in report.missing],
        "excess": report.summary(),
        "findings": [d.as_json() for d in report.diagnostics()],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


SHOWN_ACTIONS = 6  # per resource pattern in the text summary; JSON lists them all


def excess_lines(report: CheckReport) -> list[str]:
    """The excess per service and resource pattern, the actions allowed there (the first
    :data:`SHOWN_ACTIONS`, then how many more)."""
    lines = []
    for service, actions in report.summary().items():
        per_resource: dict[str, list[str]] = {}
        for action, resources in actions.items():
            for resource in resources:
                per_resource.setdefault(resource, []).append(action)
        for resource, found in sorted(per_resource.items()):
            more = len(found) - SHOWN_ACTIONS
            shown = ", ".join(found[:SHOWN_ACTIONS]) + (f" and {more} more" if more > 0 else "")
            count = f"{len(found)} actions: " if len(found) > 1 else ""
            lines.append(f"  {service} on {resource}: {count}{shown}")
    return ["allowed beyond the need, per service and resource:", *lines] if lines else []


def check_text(report: CheckReport) -> str:
    """Every finding, the excess per service and resource (:func:`excess_lines`), then one
    line: how many needs, how many missing, where the excess is."""
    lines = [d.render() for d in report.diagnostics()] + excess_lines(report)
    services = ", ".join(report.summary()) or "none"
    lines.append(f"{report.principal.name}: {report.needs} need(s), {len(report.missing)} "
                 f"missing; excess in: {services}")
    return "\n".join(lines) + "\n"

"""What the documents allow beyond the need.

Each Allow statement's actions are expanded with policyuniverse's copy of the AWS action
catalogue (``s3:Get*``, ``*`` and NotAction become the actions they match; an action the
catalogue lacks is kept as written), and each (action, resource pattern) it allows is
compared with the needs of that action:

- no need for the action: *not needed*;
- no need's resource pattern contains the statement's: *wider than the need* (or *not
  needed on this resource* when none even overlaps it);
- the needs restrict a context key (``s3:prefix``) and the statement allows values of it
  (its ``StringLike``/``StringEquals`` values on that key, or every value without one) that
  no need's pattern contains: *beyond the needed KEY*.

A pair that an unconditional Deny statement takes away entirely is not excess. Conditions on
other keys are not weighed (they may narrow the statement further: an overstatement, never
an understatement). A NotResource statement allows everything but its patterns: reported as
``everything but ...`` for every action it allows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from redshift_iam.audit import policy_variables
from redshift_iam.audit.compiled import Compiled
from redshift_iam.audit.decisions import Need, StatementRef, Tri
from redshift_iam.audit.evaluator import applies_to
from redshift_iam.audit.globs import Glob, contains, glob, overlaps, wildcard_regex


class Excess(NamedTuple):
    """``actions`` of ``service`` that ``statement`` allows on ``resource`` beyond the need,
    and why (``reason``)."""

    statement: StatementRef
    service: str
    actions: tuple[str, ...]
    resource: str
    reason: str

    def message(self) -> str:
        shown = ", ".join(self.actions[:4])
        more = f" and {len(self.actions) - 4} more" if len(self.actions) > 4 else ""
        count = f"{len(self.actions)} {self.service} actions" if len(self.actions) > 1 else (
            "")
        what = f"{count} ({shown}{more})" if count else shown
        return f"{self.statement.label} allows {what} on {self.resource}: {self.reason}"


@lru_cache(maxsize=1)
def catalogue() -> tuple[str, ...]:
    """Every ``service:Action`` of policyuniverse's catalogue, canonical case, sorted."""
    import policyuniverse

    return tuple(sorted({f"{s['prefix']}:{name}" for s in policyuniverse.service_data.values()
                         for name in s["actions"]}))


@lru_cache(maxsize=4096)
def expand(pattern: str) -> tuple[str, ...]:
    """The catalogue's actions an Action pattern matches (case-insensitive); the pattern
    itself when it has no wildcard and the catalogue lacks it."""
    regex = re.compile(wildcard_regex(pattern) + r"\Z", re.I | re.S)
    found = tuple(a for a in catalogue() if regex.match(a))
    if not found and "*" not in pattern and "?" not in pattern:
        return (pattern,)
    return found


def _actions(statement: Compiled) -> tuple[str, ...]:
    if statement.not_action:
        return tuple(a for a in catalogue() if not statement.action_regex.match(a))
    return tuple(dict.fromkeys(a for pattern in statement.actions for a in expand(pattern)))


def find_excess(statements: Sequence[Compiled], needs: Sequence[Need]) -> tuple[Excess, ...]:
    """Every (action, resource) the Allow statements allow beyond ``needs``, grouped per
    statement, service, resource and reason, in statement order."""
    by_action: dict[str, list[Need]] = {}
    for need in needs:
        by_action.setdefault(need.action.lower(), []).append(need)
    denies = [s for s in statements if not s.allow]
    groups: dict[tuple[StatementRef, str, str, str], list[str]] = {}
    for statement in statements:
        if not statement.allow:
            continue
        for action in _actions(statement):
            for resource, reason in _beyond(statement, action, by_action.get(action.lower(), []),
                                            denies):
                key = (statement.ref, action.split(":", 1)[0].lower(), resource, reason)
                groups.setdefault(key, []).append(action)
    return tuple(Excess(ref, service, tuple(actions), resource, reason)
                 for (ref, service, resource, reason), actions in groups.items())


def _beyond(statement: Compiled, action: str, needs: list[Need], denies: list[Compiled]
            ) -> list[tuple[str, str]]:
    if statement.not_resource:
        shown = "everything but " + ", ".join(p.text for p in statement.resources)
        return [(shown, "not needed" if not needs else "wider than the need")]
    out = []
    for pattern in statement.resources:
        if pattern.has_variables:
            out.append((pattern.text, "holds a policy variable (not compared with the need)"))
            continue
        target = Glob(pattern.parts)  # type: ignore[arg-type]
        if any(applies_to(d, Need(action, target)) is Tri.ALWAYS for d in denies):
            continue
        reason = _reason(statement, target, needs)
        if reason:
            out.append((pattern.text, reason))
    return out


def _reason(statement: Compiled, target: Glob, needs: list[Need]) -> str:
    if not needs:
        return "not needed"
    covering = [n for n in needs if contains(n.resource, target)]
    if not covering:
        shown = ", ".join(sorted({str(n.resource) for n in needs})[:3])
        if not any(overlaps(n.resource, target) for n in needs):
            return f"not needed on this resource (needed on {shown})"
        return f"wider than the need ({shown})"
    keys = {k for n in covering for k, v in n.context.items() if isinstance(v, Glob)}
    for key in sorted(keys):
        if any(key not in n.context for n in covering):
            continue  # a need takes any value of it
        wanted = [w for n in covering if isinstance(w := n.context[key], Glob)]
        beyond = _beyond_values(statement, key, wanted)
        if beyond is not None:
            return f"{key} {beyond} is beyond the needed " + ", ".join(
                sorted({str(w) for w in wanted})[:3])
    return ""


def _beyond_values(statement: Compiled, key: str, wanted: list[Glob]) -> Glob | None:
    """A value of ``key`` the statement allows that no wanted pattern contains, or None.
    Each positive string condition on the key restricts it to its values (a value holding a
    variable: to anything); conditions are ANDed, so one that stays within the need is
    enough."""
    first: Glob | None = glob("*")
    for cond in statement.conditions:
        if (cond.key != key or cond.base.family != "string" or cond.base.negated
                or cond.qualifier or cond.if_exists):
            continue
        values = [policy_variables.resolve(v, lambda _: policy_variables.UNKNOWN)
                  for v in cond.values]
        outside = next((v for v in values if not isinstance(v, Glob)
                        or not any(contains(w, v) for w in wanted)), None)
        if outside is None:
            return None
        first = outside if isinstance(outside, Glob) else glob("*")
    return first if not any(contains(w, first) for w in wanted) else None

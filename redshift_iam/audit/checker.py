"""Check: do a role's policy documents allow what the SQL needs, and how much more?

:func:`check` takes the derivation (the grants the SQL needs), the policy inputs read by
:func:`~redshift_iam.audit.policies.read_policies`, and the principal whose documents they
are. Every grant becomes a need (:mod:`needs`: a prefix grant stands for every key under it)
and is decided against all the documents together (:mod:`evaluator`): it is covered only when
one Allow statement covers all of it and no Deny statement can touch any of it. A need not
covered is *missing* (RC400, or RC401 when a Deny applies), located at the SQL statement
that needs it and naming the policy statement that came closest. What the documents allow
beyond the needs is *excess* (RC402, :mod:`excess`): information, a failure with ``strict``.

Soundness: the check never passes a need that some request of it would be refused by the
documents: containment of wildcard patterns is exact (``b/k/data*`` does not cover ``b/k*``),
context keys the request is not known to carry make a condition fail for an Allow and apply
for a Deny. It can report a need missing that only several statements cover together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from redshift_iam.audit.decisions import Decision, Need, PolicyDoc
from redshift_iam.audit.evaluator import Evaluator
from redshift_iam.audit.excess import Excess, find_excess
from redshift_iam.audit.needs import need_of
from redshift_iam.audit.policies import PolicyInput
from redshift_iam.core.diagnostics import Diagnostic, InputError, Severity
from redshift_iam.core.grants import Derivation, Grant, Principal


class Missing(NamedTuple):
    """A grant whose requests the documents do not all allow, and the decision."""

    grant: Grant
    need: Need
    decision: Decision

    def diagnostic(self) -> Diagnostic:
        decision = self.decision
        keys = {self.grant.condition.key.lower()} if self.grant.condition else set()
        what = f"{self.need.describe(keys)} (rule {self.grant.rule})"
        if decision.effect == "deny":
            verb = "is denied" if decision.certain else "may be denied"
            by = "; ".join(str(ref) for ref in decision.statements[:3])
            return Diagnostic("RC401", f"{what} {verb} by {by}", self.grant.location)
        where = " by the permissions boundary" if decision.boundary else ""
        message = f"{what} is not allowed{where}"
        if decision.closest is not None:
            message += f"; closest: {decision.closest.statement}: {decision.closest.reason}"
        else:
            message += "; no statement allows this action"
        return Diagnostic("RC400", message, self.grant.location)


class CheckReport(NamedTuple):
    """The result of :func:`check`: the principal, how many distinct needs were decided,
    what is missing and what is in excess, and the notes of the policy inputs (RC405)."""

    principal: Principal
    needs: int
    missing: tuple[Missing, ...]
    excess: tuple[Excess, ...]
    notes: tuple[Diagnostic, ...] = ()

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every finding: the notes, the missing needs (in SQL order), then the excess."""
        excess = tuple(Diagnostic("RC402", e.message(), e.statement.location)
                       for e in self.excess)
        return self.notes + tuple(m.diagnostic() for m in self.missing) + excess

    def failures(self, strict: bool = False, allow_unresolved: bool = False
                 ) -> tuple[Diagnostic, ...]:
        """The findings that make ``check`` exit 1: missing needs and errors, unresolved
        notes unless ``allow_unresolved``, and with ``strict`` the excess."""
        fatal = {Severity.ERROR} | (set() if allow_unresolved else {Severity.UNRESOLVED})
        return tuple(d for d in self.diagnostics()
                     if d.severity in fatal or (strict and d.code == "RC402"))

    def summary(self) -> dict[str, dict[str, list[str]]]:
        """The excess per service, then per action, the resource patterns (sorted)."""
        out: dict[str, dict[str, set[str]]] = {}
        for item in self.excess:
            for action in item.actions:
                out.setdefault(item.service, {}).setdefault(action, set()).add(item.resource)
        return {service: {action: sorted(resources)
                          for action, resources in sorted(actions.items())}
                for service, actions in sorted(out.items())}


def documents_of(inputs: Sequence[PolicyInput | PolicyDoc | Mapping]
                 ) -> tuple[list[PolicyDoc | Mapping], tuple[Diagnostic, ...]]:
    """The documents of every input, and the inputs' notes."""
    docs: list[PolicyDoc | Mapping] = []
    notes: list[Diagnostic] = []
    for item in inputs:
        if isinstance(item, PolicyInput):
            docs += item.documents
            notes += item.diagnostics
        else:
            docs.append(item)
    return docs, tuple(notes)


def pick_principal(derivation: Derivation, principal: Principal | None) -> Principal:
    """``principal``, or the only one the grants name; RC407 otherwise."""
    found = sorted({g.principal for g in derivation.grants})
    names = ", ".join(p.name for p in found) or "none"
    if principal is None and len(found) == 1:
        return found[0]
    if principal is None:
        raise InputError(Diagnostic("RC407", f"the SQL needs permissions for {len(found)} "
                                             f"principals ({names}); choose one"))
    if principal not in found:
        raise InputError(Diagnostic("RC407", f"the SQL needs no permission for "
                                             f"{principal.name} (it names {names})"))
    return principal


def check(derivation: Derivation, inputs: Sequence[PolicyInput | PolicyDoc | Mapping],
          principal: Principal | None = None, context: Mapping[str, str] | None = None
          ) -> CheckReport:
    """The needs of ``principal``'s grants decided against ``inputs`` together (see the
    module docstring). ``context`` adds request context keys the caller knows to every need
    (e.g. ``aws:SourceVpc``). Raises InputError for a malformed document (RC404) or an
    unclear principal (RC407)."""
    chosen = pick_principal(derivation, principal)
    docs, notes = documents_of(inputs)
    evaluator = Evaluator(docs)
    decided: dict[tuple, tuple[Need, Decision]] = {}
    missing = []
    for grant in derivation.grants:
        if grant.principal != chosen:
            continue
        need = need_of(grant, context)
        if need.key not in decided:
            decided[need.key] = (need, evaluator.decide(need))
        decision = decided[need.key][1]
        if not decision.allowed:
            missing.append(Missing(grant, need, decision))
    excess = find_excess(evaluator.identity, [need for need, _ in decided.values()])
    return CheckReport(chosen, len(decided), tuple(missing), excess, notes)

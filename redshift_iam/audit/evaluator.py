"""A general IAM evaluator for a role's permissions: identity policies and, if given, a
permissions boundary.

The logic (IAM User Guide, "Policy evaluation logic", within one account): a request is denied
by default; an applicable Deny statement wins over everything; otherwise an applicable Allow
statement allows it. A statement applies when its Action (or NotAction) matches the action
(``*`` and ``?`` wildcards, case-insensitive), its Resource (or NotResource) matches the
resource (wildcards, case-sensitive, policy variables substituted), and all its conditions
hold. With a permissions boundary the request must be allowed by both sets.

Besides concrete requests (:meth:`Evaluator.evaluate`), the evaluator decides a
:class:`~redshift_iam.audit.decisions.Need`, a set of requests (:meth:`Evaluator.decide`): it is
allowed only if one Allow statement covers all of it and no Deny statement can touch any of
it. For an implicit deny it names the Allow statement that came closest (``RANKS``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import EllipsisType

from redshift_iam.audit import conditions, policy_variables
from redshift_iam.audit.compiled import Compiled, compile_documents
from redshift_iam.audit.decisions import (
    Closest,
    Decision,
    Need,
    PolicyDoc,
    StatementRef,
    Tri,
    request,
    tri_and,
)
from redshift_iam.audit.globs import Glob, contains, overlaps

# An action's statements: those whose Action matches it, and those that can be closest to it.
_View = tuple[tuple[Compiled, ...], tuple[Compiled, ...]]


class Evaluator:
    """The compiled statements of a role's documents (``boundary`` documents apart)."""

    def __init__(self, documents: Sequence[PolicyDoc | Mapping]) -> None:
        docs = [d if isinstance(d, PolicyDoc) else PolicyDoc(f"policy {n}", d)
                for n, d in enumerate(documents, 1)]
        self.identity = compile_documents([d for d in docs if not d.boundary])
        bounds = [d for d in docs if d.boundary]
        self.boundary = compile_documents(bounds) if bounds else None
        self._views: dict[tuple[bool, str], _View] = {}

    def evaluate(self, action: str, resource: str,
                 context: Mapping[str, object] | None = None) -> Decision:
        """The decision on one request; ``context`` maps keys to a string or a list of
        strings (multivalued); a key not given is absent."""
        return self.decide(request(action, resource, context))

    def decide(self, need: Need) -> Decision:
        """The decision on a need (a set of requests; see the module docstring)."""
        found = decide(*self._view(False, need.action), need)
        if found.effect != "deny" and self.boundary is not None:
            bound = decide(*self._view(True, need.action), need)
            if not bound.allowed:
                return bound._replace(boundary=True)
        return found

    def _view(self, boundary: bool, action: str) -> _View:
        """(the statements whose Action matches ``action``, those that can be closest to
        it), computed once per action: requests repeat a few actions."""
        key = (boundary, action.lower())
        if key not in self._views:
            statements = self.boundary if boundary else self.identity
            assert statements is not None  # decide asks for a boundary's view only if it has one
            service = action.split(":", 1)[0].lower()
            self._views[key] = (
                tuple(s for s in statements if action_matches(s, action)),
                tuple(s for s in statements if s.allow and (action_matches(s, action) or any(
                    a.split(":", 1)[0].lower() == service for a in s.actions))))
        return self._views[key]


def decide(statements: Sequence[Compiled], candidates: Sequence[Compiled] | None,
           need: Need) -> Decision:
    """The decision of ``statements`` on ``need``; ``candidates`` are the statements that may
    be closest (all of them when None)."""
    sure: list[StatementRef] = []
    maybe: list[StatementRef] = []
    allows: list[StatementRef] = []
    text = need.resource.literal
    for statement in statements:
        applies = applies_to(statement, need, text)
        if applies is Tri.NEVER:
            continue
        if not statement.allow:
            (sure if applies is Tri.ALWAYS else maybe).append(statement.ref)
        elif applies is Tri.ALWAYS:
            allows.append(statement.ref)
    if sure or maybe:
        return Decision("deny", tuple(sure or maybe), certain=bool(sure))
    if allows:
        return Decision("allow", tuple(allows))
    near = statements if candidates is None else candidates
    return Decision("implicit-deny", closest=closest(near, need))


def applies_to(statement: Compiled, need: Need, text: str | None | EllipsisType = ...) -> Tri:
    """Whether the statement applies to every request of the need, to none, or to some
    (``text``: the need's ``resource.literal``, when the caller has it already)."""
    if not action_matches(statement, need.action):
        return Tri.NEVER
    resource = resource_relation(statement, need, text)
    if resource is Tri.NEVER:
        return Tri.NEVER
    return tri_and([resource, *(conditions.evaluate(c, need.context, need.complete)
                                for c in statement.conditions)])


def action_matches(statement: Compiled, action: str) -> bool:
    return (statement.action_regex.match(action) is not None) != statement.not_action


def _resource_globs(statement: Compiled, need: Need) -> list[object]:
    if statement.globs is not None:
        return list(statement.globs)
    lookup = conditions.lookup(need.context, need.complete)
    return [policy_variables.resolve(p, lookup) for p in statement.resources]


def resource_relation(statement: Compiled, need: Need,
                      text: str | None | EllipsisType = ...) -> Tri:
    """ALWAYS when the statement's Resource (NotResource) takes in every resource of the
    need, NEVER when none, MAYBE when some (or when a variable's value is not known)."""
    if text is ...:
        text = need.resource.literal
    if text is not None and statement.resource_regex is not None:  # the common, fast case
        covered = touched = statement.resource_regex.match(text) is not None
    else:
        covered, touched = _relation(_resource_globs(statement, need), need.resource, text)
    if statement.not_resource:
        covered, touched = not touched, not covered
    return Tri.ALWAYS if covered else Tri.MAYBE if touched else Tri.NEVER


def _relation(patterns: list[object], target: Glob, text: str | None) -> tuple[bool, bool]:
    """(some pattern contains the target, some pattern overlaps it)."""
    touched = False
    for pattern in patterns:
        if pattern is policy_variables.UNKNOWN:
            touched = True
        elif isinstance(pattern, Glob):
            if pattern.matches(text) if text is not None else contains(pattern, target):
                return True, True
            touched = touched or (text is None and overlaps(pattern, target))
    return False, touched


def closest(statements: Sequence[Compiled], need: Need) -> Closest | None:
    """The Allow statement that came closest to allowing the need: best rank (``RANKS``),
    then the longest common prefix of its resources and the needed resource, then the first
    in document order. None when no Allow statement shares the action or (with the same
    service) the resource."""
    want, service = need.resource.prefix, need.action.split(":", 1)[0].lower()
    text = need.resource.literal
    best: tuple[tuple[int, int, int], Compiled] | None = None
    for order, statement in enumerate(statements):
        rank = _rank(statement, need, service, text) if statement.allow else 0
        if not rank:
            continue
        if best is not None and rank < best[0][0]:
            continue
        common = _common_prefix(statement, want) if rank in (2, 3) else 0
        if best is None or (rank, common, -order) > best[0]:
            best = ((rank, common, -order), statement)
    if best is None:
        return None
    rank, statement = best[0][0], best[1]
    return Closest(statement.ref, rank, _reason(statement, need, rank))


def _rank(statement: Compiled, need: Need, service: str, text: str | None) -> int:
    """How close the statement came (``RANKS``), 0 for not at all."""
    if action_matches(statement, need.action):
        return 2 + resource_relation(statement, need, text).value
    if statement.not_action or not any(a.split(":", 1)[0].lower() == service
                                       for a in statement.actions):
        return 0
    return 1 if resource_relation(statement, need, text) is not Tri.NEVER else 0


def _reason(statement: Compiled, need: Need, rank: int) -> str:
    shown = _shown(statement.resources, statement.not_resource)
    if rank == 4:
        return _failing_condition(statement, need)
    if rank == 3:
        return f"its resource {shown} covers only part of {need.resource}"
    if rank == 2:
        return f"its resource {shown} does not match {need.resource}"
    return f"it allows {_shown(statement.actions, False)}, not {need.action}"


def _failing_condition(statement: Compiled, need: Need) -> str:
    for cond in statement.conditions:
        result = conditions.evaluate(cond, need.context, need.complete)
        if result is Tri.ALWAYS:
            continue
        if cond.key not in need.context and not need.complete:
            return (f"its condition {cond} depends on {cond.key}, which the request is not "
                    "known to carry")
        return f"its condition {cond} does not hold" + (
            " for every request" if result is Tri.MAYBE else "")
    return "it allows the request"  # only when a boundary or a Deny decided


def _shown(values: Sequence[object], negated: bool) -> str:
    texts = [getattr(v, "text", v) for v in values]
    shown = ", ".join(str(t) for t in texts[:3]) + (", ..." if len(texts) > 3 else "")
    return ("everything but " if negated else "") + shown


def _common_prefix(statement: Compiled, want: str) -> int:
    return max((len(os.path.commonprefix([p.text, want])) for p in statement.resources),
               default=0)


def evaluate(documents: Sequence[PolicyDoc | Mapping], action: str, resource: str,
             context: Mapping[str, object] | None = None) -> Decision:
    """One request against ``documents`` (compiled each call: use :class:`Evaluator` for
    many requests)."""
    return Evaluator(documents).evaluate(action, resource, context)

"""A general IAM evaluator for a role's permissions: identity policies and, if given, a
permissions boundary.

The logic (IAM User Guide, "Policy evaluation logic", within one account): a request is denied
by default; an applicable Deny statement wins over everything; otherwise an applicable Allow
statement allows it. A statement applies when its Action (or NotAction) matches the action
(``*`` and ``?`` wildcards, case-insensitive), its Resource (or NotResource) matches the
resource (wildcards, case-sensitive, policy variables substituted), and all its conditions
hold. With a permissions boundary the request must be allowed by both sets.

Besides concrete requests (:meth:`Evaluator.evaluate`), the evaluator decides a
:class:`~redshift_iam.audit.model.Need`, a set of requests (:meth:`Evaluator.decide`): it is
allowed only if one Allow statement covers all of it and no Deny statement can touch any of
it. For an implicit deny it names the Allow statement that came closest (``RANKS``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from redshift_iam.audit import conditions, variables
from redshift_iam.audit.globs import Glob, contains, overlaps
from redshift_iam.audit.model import (
    Closest,
    Decision,
    Need,
    PolicyDoc,
    Tri,
    request,
    tri_and,
)
from redshift_iam.audit.statements import Compiled, compile_documents


class Evaluator:
    """The compiled statements of a role's documents (``boundary`` documents apart)."""

    def __init__(self, documents: Sequence[PolicyDoc | Mapping]) -> None:
        docs = [d if isinstance(d, PolicyDoc) else PolicyDoc(f"policy {n}", d)
                for n, d in enumerate(documents, 1)]
        self.identity = compile_documents([d for d in docs if not d.boundary])
        bounds = [d for d in docs if d.boundary]
        self.boundary = compile_documents(bounds) if bounds else None

    def evaluate(self, action: str, resource: str,
                 context: Mapping[str, object] | None = None) -> Decision:
        """The decision on one request; ``context`` maps keys to a string or a list of
        strings (multivalued); a key not given is absent."""
        return self.decide(request(action, resource, context))

    def decide(self, need: Need) -> Decision:
        found = decide(self.identity, need)
        if found.effect != "deny" and self.boundary is not None:
            bound = decide(self.boundary, need)
            if not bound.allowed:
                return bound._replace(boundary=True)
        return found


def decide(statements: Sequence[Compiled], need: Need) -> Decision:
    sure, maybe, allows = [], [], []
    for statement in statements:
        applies = applies_to(statement, need)
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
    return Decision("implicit-deny", closest=closest(statements, need))


def applies_to(statement: Compiled, need: Need) -> Tri:
    """Whether the statement applies to every request of the need, to none, or to some."""
    if not action_matches(statement, need.action):
        return Tri.NEVER
    resource = resource_relation(statement, need)
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
    return [variables.resolve(p, lookup) for p in statement.resources]


def resource_relation(statement: Compiled, need: Need) -> Tri:
    """ALWAYS when the statement's Resource (NotResource) takes in every resource of the
    need, NEVER when none, MAYBE when some (or when a variable's value is not known)."""
    target, text = need.resource, need.resource.literal
    covered = touched = False
    for pattern in _resource_globs(statement, need):
        if pattern is variables.UNKNOWN:
            touched = True
        elif isinstance(pattern, Glob):
            if text is not None:
                hit = pattern.matches(text)
                covered, touched = covered or hit, touched or hit
            elif contains(pattern, target):
                covered = touched = True
            elif overlaps(pattern, target):
                touched = True
        if covered:
            break
    if statement.not_resource:
        covered, touched = not touched, not covered
    return Tri.ALWAYS if covered else Tri.MAYBE if touched else Tri.NEVER


def closest(statements: Sequence[Compiled], need: Need) -> Closest | None:
    """The Allow statement that came closest to allowing the need: best rank (``RANKS``),
    then the longest common prefix of its resources and the needed resource, then the first
    in document order. None when no Allow statement shares the action or (with the same
    service) the resource."""
    best: tuple[tuple[int, int, int], Closest] | None = None
    for order, statement in enumerate(statements):
        if not statement.allow:
            continue
        found = _closeness(statement, need)
        if found is None:
            continue
        rank, reason = found
        common = _common_prefix(statement, need) if rank in (2, 3) else 0
        score = (rank, common, -order)
        if best is None or score > best[0]:
            best = (score, Closest(statement.ref, rank, reason))
    return best[1] if best else None


def _closeness(statement: Compiled, need: Need) -> tuple[int, str] | None:
    resource = resource_relation(statement, need)
    shown = _shown(statement.resources, statement.not_resource)
    if action_matches(statement, need.action):
        if resource is Tri.ALWAYS:
            return 4, _failing_condition(statement, need)
        if resource is Tri.MAYBE:
            return 3, f"its resource {shown} covers only part of {need.resource}"
        return 2, f"its resource {shown} does not match {need.resource}"
    service = need.action.split(":", 1)[0].lower()
    same = any(a.split(":", 1)[0].lower() == service for a in statement.actions)
    if same and resource is not Tri.NEVER and not statement.not_action:
        return 1, f"it allows {_shown(statement.actions, False)}, not {need.action}"
    return None


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


def _common_prefix(statement: Compiled, need: Need) -> int:
    want = need.resource.prefix
    return max((len(os.path.commonprefix([p.text, want])) for p in statement.resources),
               default=0)


def evaluate(documents: Sequence[PolicyDoc | Mapping], action: str, resource: str,
             context: Mapping[str, object] | None = None) -> Decision:
    """One request against ``documents`` (compiled each call: use :class:`Evaluator` for
    many requests)."""
    return Evaluator(documents).evaluate(action, resource, context)

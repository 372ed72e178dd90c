"""Policy documents -> compiled statements, checked against IAM's grammar (RC404).

Each statement is read once: its actions become one case-insensitive regex, its resources
patterns (:mod:`policy_variables`), its conditions rows of :mod:`conditions`. What IAM would refuse
is refused here too, at the statement's file:line:col: an Effect other than Allow or Deny,
both or neither of Action/NotAction (Resource/NotResource), an unknown element or condition
operator, a value that is not a string. A statement with a Principal belongs to a
resource-based or trust policy, not to a role's permissions: refused too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from redshift_iam.audit import conditions, policy_variables
from redshift_iam.audit.conditions import Condition
from redshift_iam.audit.decisions import PolicyDoc, StatementRef
from redshift_iam.audit.globs import Glob, token_regex, wildcard_regex
from redshift_iam.audit.locate import error, where
from redshift_iam.core.diagnostics import InputError, Location

_ELEMENTS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+\Z")


class Compiled(NamedTuple):
    """One statement, ready to evaluate. ``globs`` are the resources when none holds a
    variable (they are then the same for every request)."""

    ref: StatementRef
    allow: bool
    actions: tuple[str, ...]
    action_regex: re.Pattern[str]
    not_action: bool
    resources: tuple[policy_variables.Pattern, ...]
    globs: tuple[Glob, ...] | None
    resource_regex: re.Pattern[str] | None  # the globs as one regex
    not_resource: bool
    conditions: tuple[Condition, ...]


def compile_documents(documents: Sequence[PolicyDoc | Mapping]) -> tuple[Compiled, ...]:
    """Every statement of ``documents`` in order (a plain mapping is named ``policy N``)."""
    out: list[Compiled] = []
    for number, doc in enumerate(documents, 1):
        if not isinstance(doc, PolicyDoc):
            doc = PolicyDoc(f"policy {number}", doc, None)
        out += compile_document(doc)
    return tuple(out)


def compile_document(doc: PolicyDoc) -> tuple[Compiled, ...]:
    body = doc.document
    if not isinstance(body, Mapping):
        raise _bad(f"{doc.name}: a policy document is a JSON object", doc.location)
    unknown = sorted(set(body) - {"Version", "Id", "Statement"})
    if unknown:
        raise _bad(f"{doc.name}: unknown policy element {unknown[0][:60]!r}", doc.location)
    version = body.get("Version", "2008-10-17")
    if version not in ("2012-10-17", "2008-10-17"):
        raise _bad(f"{doc.name}: Version must be 2012-10-17 (or 2008-10-17)", doc.location)
    statements = body.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _bad(f"{doc.name}: Statement must be a statement or a non-empty list of them",
                   doc.location)
    with_variables = version == "2012-10-17"  # 2008-10-17 reads ${...} as literal text
    return tuple(_statement(doc, index, statement, with_variables)
                 for index, statement in enumerate(statements))


def _bad(message: str, at: Location | None) -> InputError:
    return error(message, at, "RC404")


def _statement(doc: PolicyDoc, index: int, body: object, with_variables: bool) -> Compiled:
    at = where(body) or doc.location
    if not isinstance(body, Mapping):
        raise _bad(f"{doc.name}: statement {index + 1} is not an object", at)
    sid = body.get("Sid", "")
    ref = StatementRef(doc.name, index, sid if isinstance(sid, str) else "", at)
    if "Principal" in body or "NotPrincipal" in body:
        raise _bad(f"{ref.label}: has a Principal: this is a resource-based or trust policy, not a "
                   "permissions policy of the role", at)
    unknown = sorted(set(body) - _ELEMENTS)
    if unknown:
        raise _bad(f"{ref.label}: unknown statement element {unknown[0][:60]!r}", at)
    if body.get("Effect") not in ("Allow", "Deny"):
        raise _bad(f"{ref.label}: Effect must be \"Allow\" or \"Deny\"", at)
    action_key, actions = _one_of(ref, body, "Action", "NotAction")
    for action in actions:
        if not _ACTION.match(action):
            raise _bad(f"{ref.label}: {action[:80]!r} is not an action (service:Name, wildcards "
                       "allowed)", at)
    resource_key, resources = _one_of(ref, body, "Resource", "NotResource")
    patterns = tuple(policy_variables.parse(r, with_variables) for r in resources)
    globs = None if any(p.has_variables for p in patterns) else tuple(
        Glob(p.parts) for p in patterns)  # type: ignore[arg-type]
    return Compiled(ref, body["Effect"] == "Allow", actions, _any_of(actions, re.I),
                    action_key == "NotAction", patterns, globs,
                    None if globs is None else _any_glob(globs),
                    resource_key == "NotResource",
                    _conditions(ref, body.get("Condition", {}), with_variables))


def _any_of(patterns: tuple[str, ...], flags: int) -> re.Pattern[str]:
    """One regex matching what any of the wildcard patterns matches, whole."""
    return re.compile("(?:" + "|".join(wildcard_regex(p) for p in patterns) + r")\Z",
                      flags | re.S)


def _any_glob(globs: tuple[Glob, ...]) -> re.Pattern[str]:
    """One regex matching what any of the globs matches, whole (case-sensitive)."""
    return re.compile("(?:" + "|".join(token_regex(g.tokens) for g in globs) + r")\Z", re.S)


def _one_of(ref: StatementRef, body: Mapping, key: str, negated: str
            ) -> tuple[str, tuple[str, ...]]:
    if (key in body) == (negated in body):
        raise _bad(f"{ref.label}: give exactly one of {key} and {negated}", ref.location)
    name = key if key in body else negated
    return name, _strings(ref, body[name], name)


def _strings(ref: StatementRef, value: object, what: str) -> tuple[str, ...]:
    items = [value] if not isinstance(value, list) else value
    if not items or not all(isinstance(item, str) for item in items):
        raise _bad(f"{ref.label}: {what} must be a string or a non-empty list of strings",
                   ref.location)
    return tuple(items)


def _conditions(ref: StatementRef, block: object, with_variables: bool
                ) -> tuple[Condition, ...]:
    if not isinstance(block, Mapping):
        raise _bad(f"{ref.label}: Condition must be an object of operators", ref.location)
    out = []
    for operator, keys in block.items():
        if not isinstance(keys, Mapping) or not keys:
            raise _bad(f"{ref.label}: Condition {operator[:60]!r} must map keys to values",
                       ref.location)
        for key, value in keys.items():
            found = conditions.condition(operator, key, _values(ref, value, operator),
                                         with_variables)
            if found is None:
                raise _bad(f"{ref.label}: unknown condition operator {operator[:60]!r}",
                           ref.location)
            out.append(found)
    return tuple(out)


def _values(ref: StatementRef, value: object, operator: str) -> list[str]:
    """A condition's values as strings: JSON booleans and numbers as IAM reads them."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            raise _bad(f"{ref.label}: the values of {operator[:60]!r} must be strings, numbers or "
                       "booleans", ref.location)
    if not out:
        raise _bad(f"{ref.label}: {operator[:60]!r} has an empty list of values", ref.location)
    return out

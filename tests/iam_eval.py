"""A small IAM evaluator for the documents this tool emits (Allow statements, exact actions,
wildcard resources, StringLike conditions, policy variables). Tests use it to check that
splitting and folding allow exactly what they should; it is not a general IAM engine.

Policy variables (version 2012-10-17 only; in 2008-10-17 ``${...}`` is literal text), in
Resource and in condition values: ``${$}``, ``${*}`` and ``${?}`` are a literal ``$``, ``*``
and ``?``; ``${key}`` is the request context's value of ``key`` (a statement whose variable has
no value in the context matches nothing); ``${key, 'default'}`` falls back to the default.
"""

from __future__ import annotations

import re
from functools import lru_cache

VARIABLES_VERSION = "2012-10-17"
_TOKEN = re.compile(r"\$\{([^}]*)\}|\*|\?|[^$*?]+|\$", re.S)
_LITERALS = {"$": "$", "*": "*", "?": "?"}
_DEFAULT = re.compile(r"\s*([^,\s]+)\s*,\s*'([^']*)'\s*\Z")


@lru_cache(maxsize=4096)
def _pattern(glob: str, variables: bool = True,
             context: tuple[tuple[str, str], ...] = ()) -> re.Pattern[str] | None:
    """IAM wildcards: ``*`` any run of characters (``/`` included), ``?`` one character;
    with ``variables``, the policy variables of the module docstring. None when a variable
    has no value."""
    known = dict(context)
    out = []
    for match in _TOKEN.finditer(glob):
        token, name = match.group(), match.group(1)
        if token == "*":
            out.append(".*")
        elif token == "?":
            out.append(".")
        elif name is None or not variables:
            out.append(re.escape(token))
        elif name in _LITERALS:
            out.append(re.escape(_LITERALS[name]))
        else:
            default = _DEFAULT.match(name)
            key, fallback = (default.group(1), default.group(2)) if default else (name, None)
            value = known.get(key, fallback)
            if value is None:
                return None
            out.append(re.escape(value))
    return re.compile("".join(out) + r"\Z", re.S)


def _values(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _matches(operator: str, wanted: str, value: str, variables: bool,
             context: tuple[tuple[str, str], ...]) -> bool:
    if operator == "StringLike":
        pattern = _pattern(wanted, variables, context)
        return pattern is not None and bool(pattern.match(value))
    if variables and "${" in wanted:  # StringEquals: variables, but * and ? are literal
        pattern = _pattern(wanted.replace("*", "${*}").replace("?", "${?}"), True, context)
        return pattern is not None and bool(pattern.match(value))
    return wanted == value


def _condition_ok(condition: dict, context: dict[str, str], variables: bool) -> bool:
    frozen = tuple(sorted(context.items()))
    for operator, keys in condition.items():
        for key, wanted in keys.items():
            if key not in context:
                return False
            if not any(_matches(operator, w, context[key], variables, frozen)
                       for w in _values(wanted)):
                return False
    return True


def _resource_ok(resources: object, resource: str, variables: bool,
                 context: dict[str, str]) -> bool:
    frozen = tuple(sorted(context.items()))
    patterns = (_pattern(r, variables, frozen) for r in _values(resources))
    return any(p is not None and p.match(resource) for p in patterns)


def allowed(documents: list[dict], action: str, resource: str,
            context: dict[str, str] | None = None) -> bool:
    """Whether any Allow statement of ``documents`` permits the request."""
    context = context or {}
    for document in documents:
        variables = document.get("Version") == VARIABLES_VERSION
        for statement in document["Statement"]:
            if statement["Effect"] != "Allow" or action not in _values(statement["Action"]):
                continue
            if not _resource_ok(statement["Resource"], resource, variables, context):
                continue
            if _condition_ok(statement.get("Condition", {}), context, variables):
                return True
    return False

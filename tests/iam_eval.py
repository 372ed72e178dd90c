"""A small IAM evaluator for the documents this tool emits (Allow statements, exact actions,
wildcard resources, StringLike conditions). Tests use it to check that splitting and folding
allow exactly what they should; it is not a general IAM engine."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def _pattern(glob: str) -> re.Pattern[str]:
    """IAM wildcards: ``*`` any run of characters (``/`` included), ``?`` one character."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in glob) + r"\Z", re.S)


def _values(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _matches(operator: str, wanted: str, value: str) -> bool:
    return bool(_pattern(wanted).match(value)) if operator == "StringLike" else wanted == value


def _condition_ok(condition: dict, context: dict[str, str]) -> bool:
    for operator, keys in condition.items():
        for key, wanted in keys.items():
            if key not in context:
                return False
            if not any(_matches(operator, w, context[key]) for w in _values(wanted)):
                return False
    return True


def allowed(documents: list[dict], action: str, resource: str,
            context: dict[str, str] | None = None) -> bool:
    """Whether any Allow statement of ``documents`` permits the request."""
    context = context or {}
    for document in documents:
        for statement in document["Statement"]:
            if statement["Effect"] != "Allow" or action not in _values(statement["Action"]):
                continue
            if not any(_pattern(r).match(resource) for r in _values(statement["Resource"])):
                continue
            if _condition_ok(statement.get("Condition", {}), context):
                return True
    return False

"""IAM condition operators: one row per operator, and their evaluation against a need.

An operator is ``[ForAnyValue:|ForAllValues:]Base[IfExists]``. The rules (IAM User Guide,
"Condition operators" and "Multivalued context keys"): the values of one key are ORed, keys
and operators are ANDed. A key the request lacks makes a condition false, except that a
negated operator (``StringNotLike``, ``ArnNotEquals``, ``NotIpAddress``, ...) is then true,
``...IfExists`` is true, ``ForAllValues:`` is true and ``Null`` tests exactly that. A key with
several values: ``ForAnyValue:`` wants one value to match, ``ForAllValues:`` every value;
without a qualifier (which AWS does not define) a positive operator wants one value to match
and a negated one none to match. Variables are read in String, Arn and Bool values.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import NamedTuple, TypeVar

from redshift_iam.audit import policy_variables
from redshift_iam.audit.decisions import ContextValue, Tri, tri_of
from redshift_iam.audit.globs import Glob, Token, contains, overlaps

_Value = TypeVar("_Value")  # what a numeric or date operator compares


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    """ISO 8601 (``2024-06-01``, ``2024-06-01T12:00:00Z``) or epoch seconds; UTC if no zone."""
    try:
        if text.lstrip("-").isdigit():
            return datetime.fromtimestamp(int(text), timezone.utc)
        found = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return found if found.tzinfo else found.replace(tzinfo=timezone.utc)


def _compare(parse: Callable[[str], _Value | None], test: Callable[[_Value, _Value], bool]
             ) -> Callable[[Glob, str], bool]:
    def match(wanted: Glob, actual: str) -> bool:
        a, w = parse(actual), parse(str(wanted))
        return a is not None and w is not None and test(a, w)
    return match


def _ip(wanted: Glob, actual: str) -> bool:
    try:
        network = ipaddress.ip_network(str(wanted).strip(), strict=False)
        return ipaddress.ip_address(actual.strip()) in network
    except ValueError:
        return False


def _binary(wanted: Glob, actual: str) -> bool:
    try:
        return (base64.b64decode(str(wanted), validate=True)
                == base64.b64decode(actual, validate=True))
    except (binascii.Error, ValueError):
        return str(wanted) == actual


def _arn(wanted: Glob, actual: str) -> bool:
    """Each of the six colon-separated fields is matched on its own (``*`` stays in it)."""
    parts, fields = actual.split(":", 5), _arn_fields(wanted)
    return len(parts) == 6 and fields is not None and all(
        f.matches(p) for f, p in zip(fields, parts, strict=True))


def _arn_fields(pattern: Glob) -> tuple[Glob, ...] | None:
    fields: list[Glob] = []
    current: list[Token] = []
    for token in pattern.tokens:
        if token == ":" and len(fields) < 5:
            fields.append(Glob(tuple(current)))
            current = []
        else:
            current.append(token)
    fields.append(Glob(tuple(current)))
    return tuple(fields) if len(fields) == 6 else None


class Operator(NamedTuple):
    """A base operator: how one policy value (read as a Glob) matches one request value.
    ``pattern``: ``*`` and ``?`` in the policy value are wildcards; ``variables``: it may
    hold policy variables; ``negated``: the condition holds when no value matches;
    ``family`` "string": a request value that is a pattern (check's ``s3:prefix``) can be
    judged by pattern containment."""

    match: Callable[[Glob, str], bool]
    negated: bool = False
    pattern: bool = False
    variables: bool = False
    family: str = ""


def _equals(wanted: Glob, actual: str) -> bool:
    return wanted.matches(actual)


def _fold(wanted: Glob, actual: str) -> bool:
    return str(wanted).lower() == actual.lower()


def _bool(wanted: Glob, actual: str) -> bool:
    return str(wanted).lower() == actual.lower()


_NUM = _compare(_number, operator.eq)
_DATE = _compare(_date, operator.eq)
OPERATORS: dict[str, Operator] = {
    "StringEquals": Operator(_equals, variables=True, family="string"),
    "StringNotEquals": Operator(_equals, True, variables=True, family="string"),
    "StringEqualsIgnoreCase": Operator(_fold, variables=True, family="fold"),
    "StringNotEqualsIgnoreCase": Operator(_fold, True, variables=True, family="fold"),
    "StringLike": Operator(_equals, pattern=True, variables=True, family="string"),
    "StringNotLike": Operator(_equals, True, pattern=True, variables=True, family="string"),
    "NumericEquals": Operator(_NUM),
    "NumericNotEquals": Operator(_NUM, True),
    "NumericLessThan": Operator(_compare(_number, operator.lt)),
    "NumericLessThanEquals": Operator(_compare(_number, operator.le)),
    "NumericGreaterThan": Operator(_compare(_number, operator.gt)),
    "NumericGreaterThanEquals": Operator(_compare(_number, operator.ge)),
    "DateEquals": Operator(_DATE),
    "DateNotEquals": Operator(_DATE, True),
    "DateLessThan": Operator(_compare(_date, operator.lt)),
    "DateLessThanEquals": Operator(_compare(_date, operator.le)),
    "DateGreaterThan": Operator(_compare(_date, operator.gt)),
    "DateGreaterThanEquals": Operator(_compare(_date, operator.ge)),
    "Bool": Operator(_bool, variables=True),
    "BinaryEquals": Operator(_binary),
    "IpAddress": Operator(_ip),
    "NotIpAddress": Operator(_ip, True),
    "ArnEquals": Operator(_arn, pattern=True, variables=True),
    "ArnLike": Operator(_arn, pattern=True, variables=True),
    "ArnNotEquals": Operator(_arn, True, pattern=True, variables=True),
    "ArnNotLike": Operator(_arn, True, pattern=True, variables=True),
    "Null": Operator(_bool, family="null"),
}


class Condition(NamedTuple):
    """One ``operator: {key: values}`` entry of a statement, read."""

    text: str  # the operator as written
    base: Operator
    qualifier: str  # "", "ForAnyValue" or "ForAllValues"
    if_exists: bool
    key: str  # lower-case
    values: tuple[policy_variables.Pattern, ...]

    def __str__(self) -> str:
        shown = [v.text for v in self.values]
        return f"{self.text} {self.key} {shown[0] if len(shown) == 1 else shown}"


def read_operator(text: str) -> tuple[Operator, str, bool] | None:
    """(base operator, qualifier, IfExists) of an operator name, or None if IAM has none."""
    qualifier, _, base = text.rpartition(":")
    if qualifier not in ("", "ForAnyValue", "ForAllValues"):
        return None
    if_exists = base.endswith("IfExists") and base != "IfExists"
    name = base[: -len("IfExists")] if if_exists else base
    found = OPERATORS.get(name)
    if found is None or (if_exists and name == "Null"):
        return None
    return found, qualifier, if_exists


def condition(text: str, key: str, values: list[str], with_variables: bool) -> Condition | None:
    """A condition entry, or None when ``text`` is not an IAM operator."""
    read = read_operator(text)
    if read is None:
        return None
    base, qualifier, if_exists = read
    patterns = tuple(policy_variables.parse(v, with_variables and base.variables, base.pattern)
                     for v in values)
    return Condition(text, base, qualifier, if_exists, key.lower(), patterns)


Wanted = list  # the policy values of a condition, resolved: Glob, None (no value) or UNKNOWN


def evaluate(cond: Condition, context: Mapping[str, ContextValue], complete: bool) -> Tri:
    """Whether ``cond`` holds for the requests of a need with this context (see the module
    docstring; ``complete``: a key not in ``context`` is absent, else unknown)."""
    value = context.get(cond.key)
    if value is None or value == ():
        if value is None and not complete:
            return Tri.MAYBE
        return _absent(cond)
    if cond.base.family == "null":  # the key is present
        return tri_of(any(v.text.lower() == "false" for v in cond.values))
    wanted = [policy_variables.resolve(p, lookup(context, complete)) for p in cond.values]
    if any(w is policy_variables.UNKNOWN for w in wanted):
        return Tri.MAYBE
    if isinstance(value, Glob):
        if value.literal is None:
            return _over_pattern(cond, value, wanted)
        value = (value.literal,)
    return tri_of(_holds(cond, value, wanted))


def _absent(cond: Condition) -> Tri:
    if cond.base.family == "null":
        return tri_of(any(v.text.lower() == "true" for v in cond.values))
    if cond.if_exists or cond.qualifier == "ForAllValues":
        return Tri.ALWAYS
    if cond.qualifier == "ForAnyValue":
        return Tri.NEVER
    return tri_of(cond.base.negated)


def lookup(context: Mapping[str, ContextValue], complete: bool) -> policy_variables.Lookup:
    """The value of a context key as a policy variable takes it (see :mod:`policy_variables`)."""
    def find(key: str) -> str | None | object:
        value = context.get(key)
        if value is None:
            return None if complete else policy_variables.UNKNOWN
        if isinstance(value, Glob):
            return value.literal if value.literal is not None else policy_variables.UNKNOWN
        return value[0] if len(value) == 1 else None  # AWS: no multivalued key as variable
    return find


def _holds(cond: Condition, values: tuple[str, ...], wanted: Wanted) -> bool:
    base = cond.base

    def ok(actual: str) -> bool:
        return any(w is not None and base.match(w, actual) for w in wanted) != base.negated

    if cond.qualifier == "ForAllValues" or (not cond.qualifier and base.negated):
        return all(ok(v) for v in values)
    return any(ok(v) for v in values)


def _over_pattern(cond: Condition, pattern: Glob, wanted: Wanted) -> Tri:
    """A key that holds one value, any string ``pattern`` matches (check's ``s3:prefix``)."""
    if cond.base.family != "string":
        return Tri.MAYBE
    globs = [w for w in wanted if isinstance(w, Glob)]
    covered = any(contains(w, pattern) for w in globs)
    touched = any(overlaps(w, pattern) for w in globs)
    if cond.base.negated:
        covered, touched = not touched, not covered
    return Tri.ALWAYS if covered else Tri.NEVER if not touched else Tri.MAYBE

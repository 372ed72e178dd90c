"""IAM policy documents as values, and their size as IAM counts it.

A literal ``${`` in a resource or condition value (an S3 key may hold one) is written
``${$}{``: in a policy of version 2012-10-17 IAM reads ``${...}`` as a policy variable, and
``${$}`` is its escape for a literal ``$`` (IAM User Guide, "IAM policy elements: Variables
and tags", "Specifying special characters"). :func:`iam_text` is applied where a statement
becomes JSON (:meth:`PolicyStatement.as_json`), so every writer (JSON, out-dir files,
Terraform, CloudFormation) gets the escaped text, and sizes count it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import NamedTuple

from redshift_iam.core.var_sizes import estimated, has_variables

VERSION = "2012-10-17"


LIST_BUCKET = "s3:ListBucket"

# A statement's conditions: (operator, key, values) each.
Conditions = tuple[tuple[str, str, tuple[str, ...]], ...]


class PolicyStatement(NamedTuple):
    """One Allow statement. ``principals`` is set for trust policies, ``resources`` for
    permissions policies; ``conditions`` holds (operator, key, values)."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ()
    principals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    conditions: Conditions = ()

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"Sid": self.sid, "Effect": "Allow"}
        if self.principals:
            body["Principal"] = {kind: _one_or_list(v) for kind, v in self.principals}
        body["Action"] = _one_or_list(self.actions)
        if self.resources:
            body["Resource"] = _one_or_list(iam_values(self.resources))
        if self.conditions:
            merged: dict[str, dict[str, object]] = {}
            for operator, key, values in self.conditions:
                merged.setdefault(operator, {})[key] = _one_or_list(iam_values(values))
            body["Condition"] = merged
        return body

    @property
    def size(self) -> int:
        """This statement's share of :attr:`PolicyDocument.size` (without a separating comma).
        Counted from its strings when it has no principals and at most one condition."""
        conditions = self.conditions
        if self.principals or len(conditions) > 1 or not self.actions or not all(
                values for _, _, values in conditions):
            return text_size(json.dumps(self.as_json(), separators=(",", ":"),
                                        ensure_ascii=False))
        size = _STATEMENT + strings_size((self.sid,)) + _list_size(self.actions)
        if self.resources:
            size += _RESOURCE + _list_size(self.resources)
        for operator, key, values in conditions:
            size += _CONDITION + strings_size((operator, key)) + _list_size(values)
        return size


class PolicyDocument(NamedTuple):
    statements: tuple[PolicyStatement, ...]

    def as_json(self) -> dict[str, object]:
        return {"Version": VERSION, "Statement": [s.as_json() for s in self.statements]}

    @property
    def size(self) -> int:
        """Characters as IAM counts them against its quotas: white space outside strings is
        free. Characters above U+00FF count as their six-character escape, as printed."""
        count = len(self.statements)
        return _DOCUMENT + sum(s.size for s in self.statements) + max(count - 1, 0)


# The fixed text of the compact JSON around the strings (see PolicyStatement.as_json).
_DOCUMENT = len('{"Version":"2012-10-17","Statement":[]}')


_STATEMENT = len('{"Sid":,"Effect":"Allow","Action":}')


_RESOURCE = len(',"Resource":')


_CONDITION = len(',"Condition":{:{:}}')


# A prefix part's Action and Condition, less the bucket and values.
_LISTING = _CONDITION + len('"s3:ListBucket""StringLike""s3:prefix"')


_WIDE = re.compile("[^\u0000-\u00ff]")
VARIABLE_OPENER = "${"
_LITERAL_OPENER = "${$}{"  # IAM's ${$} is a literal $; the { after it is plain text


def iam_text(value: str) -> str:
    """``value`` as a string of an IAM policy: each literal ``${`` written ``${$}{`` (see the
    module docstring)."""
    return value.replace(VARIABLE_OPENER, _LITERAL_OPENER) if VARIABLE_OPENER in value else value


def iam_values(values: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`iam_text` of each value (the tuple itself when none holds ``${``)."""
    if not any(VARIABLE_OPENER in value for value in values):
        return values
    return tuple(map(iam_text, values))


def text_size(text: str) -> int:
    """IAM's count for compact JSON text, with characters above U+00FF as 6-character escapes
    (as they are printed), and a template variable's marker as the value it may take
    (``core.var_sizes``)."""
    if text.isascii():
        return len(text)
    if has_variables(text):
        text = estimated(text)
    return len(text) + 5 * len(_WIDE.findall(text))


def item_size(item: str) -> int:
    """The size of ``item`` as a JSON string of a policy (:func:`iam_text`); printable ASCII
    without quotes, backslashes or ``${`` needs no encoder."""
    if _plain(item):
        return len(item) + 2
    return text_size(json.dumps(iam_text(item), ensure_ascii=False))


def strings_size(items: Collection[str]) -> int:
    """The summed :func:`item_size` of ``items``, from one look at their joined text when
    none needs escaping (the usual case)."""
    text = "".join(items)
    if _plain(text):
        return len(text) + 2 * len(items)
    return sum(map(item_size, items))


_PLAIN = bytes(c for c in range(32, 127) if chr(c) not in '"\\')


def _plain(text: str) -> bool:
    """Printable ASCII without quotes or backslashes (JSON writes it as it is), found by
    deleting those bytes (a C-level pass, unlike ``str.isprintable``), and without ``${``
    (which IAM text escapes)."""
    return (text.isascii() and not text.encode().translate(None, _PLAIN)
            and VARIABLE_OPENER not in text)


def _list_size(values: Collection[str]) -> int:
    """A value as :func:`_one_or_list` writes it: bare when single, else brackets and commas."""
    count = len(values)
    return strings_size(values) + (count + 1 if count > 1 else 0)


def _plain_list_size(values: Collection[str]) -> int:
    """:func:`_list_size` of values known to need no escaping."""
    count = len(values)
    return sum(map(len, values)) + 2 * count + (count + 1 if count > 1 else 0)


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    """IAM's canonical form: a single value as a string, several as a sorted list."""
    return values[0] if len(values) == 1 else sorted(values)

"""Grants -> IAM policy documents: grouped, sorted, with stable readable Sids.

Grouping never widens: statements share an action set exactly, and ``s3:ListBucket`` prefix
conditions are kept per bucket (a Resource list of two buckets with one prefix list would let
each bucket be listed with the other's prefixes).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable
from itertools import chain, compress, repeat
from operator import is_not
from typing import NamedTuple

from redshift_iam.model import Grant

VERSION = "2012-10-17"
LIST_BUCKET = "s3:ListBucket"


class PolicyStatement(NamedTuple):
    """One Allow statement. ``principals`` is set for trust policies, ``resources`` for
    permissions policies; ``conditions`` holds (operator, key, values)."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ()
    principals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"Sid": self.sid, "Effect": "Allow"}
        if self.principals:
            body["Principal"] = {kind: _one_or_list(v) for kind, v in self.principals}
        body["Action"] = _one_or_list(self.actions)
        if self.resources:
            body["Resource"] = _one_or_list(self.resources)
        if self.conditions:
            merged: dict[str, dict[str, object]] = {}
            for operator, key, values in self.conditions:
                merged.setdefault(operator, {})[key] = _one_or_list(values)
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


def text_size(text: str) -> int:
    """IAM's count for compact JSON text, with characters above U+00FF as 6-character escapes
    (as they are printed)."""
    return len(text) if text.isascii() else len(text) + 5 * len(_WIDE.findall(text))


def item_size(item: str) -> int:
    """The size of ``item`` as a JSON string; printable ASCII without quotes or backslashes
    needs no encoder."""
    if _plain(item):
        return len(item) + 2
    return text_size(json.dumps(item, ensure_ascii=False))


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
    deleting those bytes: a C-level pass, unlike ``str.isprintable``."""
    return text.isascii() and not text.encode().translate(None, _PLAIN)


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


Part = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str, tuple[str, ...]], ...]]


def covered_dropped(patterns: Iterable[str]) -> list[str]:
    """Sorted ``patterns`` less those a shorter ``prefix*`` pattern already matches: a pattern
    goes when its text (less one trailing ``*``) starts with the text before the ``*`` of
    another pattern. IAM reads ``*`` and ``?`` inside a value as wildcards too; a longer value
    that starts with a kept one still matches a subset of it, so dropping it never narrows
    the policy."""
    return uncovered(sorted(set(patterns)))


def uncovered(order: list[str]) -> list[str]:
    """:func:`covered_dropped` of ``order``, which is sorted and holds no pattern twice.

    Only the wildcards :func:`covering` finds can cover anything. Each of them that nothing
    covers (shortest stems first) drops the run of patterns that start with its stem: exactly
    the ones it covers, as a wildcard before its stem is never in the run.
    """
    linked = covering(order)
    if not linked:
        return order
    keep = bytearray(b"\x01") * len(order)
    for index in sorted(linked, key=lambda i: (len(order[i]), i)):
        if keep[index]:
            low, high = prefix_block(order, order[index][:-1])
            keep[low:high] = bytes(high - low)
            keep[index] = 1
    return list(compress(order, keep))


def covering(order: list[str]) -> set[int]:
    """The indexes of the wildcards of sorted ``order`` whose neighbour starts with their stem
    (the text before the ``*``). Everything sorted between a wildcard and a pattern it covers
    starts with its stem, so no other wildcard covers anything.

    ``removeprefix`` returns its text itself unless the prefix is there, and costs less than
    ``startswith``: C-level passes over it find candidates, and the few are checked here (the
    wildcard ``*``, with the empty stem, is looked up on its own).
    """
    stems = list(map(str.removesuffix, order, repeat("*")))
    rest = order[1:]
    ahead = map(is_not, map(str.removeprefix, rest, stems), rest)
    behind = map(is_not, map(str.removeprefix, order, stems[1:]), order)
    found = {index for index in chain(compress(range(len(order) - 1), ahead),
                                      compress(range(1, len(order)), behind))
             if len(stems[index]) < len(order[index])}
    at = bisect_left(order, "*")
    if len(order) > 1 and at < len(order) and order[at] == "*":
        found.add(at)
    return {index for index in found if any(
        order[other].startswith(stems[index]) for other in (index - 1, index + 1)
        if 0 <= other < len(order))}


def prefix_block(order: list[str], prefix: str, low: int = 0) -> tuple[int, int]:
    """The slice of sorted ``order`` (from ``low``) whose items start with ``prefix``."""
    low = bisect_left(order, prefix, low)
    high = bisect_left(order, prefix + "\U0010ffff", low)
    while high < len(order) and order[high].startswith(prefix):
        high += 1
    return low, high


class Compact(NamedTuple):
    """One principal's grants losslessly compacted, before they become statements: per
    action its resources, per bucket its ``s3:prefix`` values (each list sorted, less what a
    wildcard of the same list covers), and every resource listable without a condition."""

    resources: dict[str, list[str]]
    prefixes: dict[str, list[str]]
    listable: frozenset[str]
    plain: bool = False  # no resource or value needs escaping: each is its length and quotes

    def parts(self) -> list[Part]:
        """The statements' (actions, resources, conditions): resources grouped into exact
        action sets; one ``s3:ListBucket`` part per bucket with its prefixes, unless that
        bucket is listable without condition."""
        parts = [(actions, tuple(sorted(arns)), ())
                 for actions, arns in _action_sets(self.resources).items()]
        parts += [((LIST_BUCKET,), (bucket,), (("StringLike", "s3:prefix", tuple(values)),))
                  for bucket, values in self.prefixes.items() if bucket not in self.listable]
        return sorted(parts)

    def size(self) -> int:
        """``PolicyDocument(with_sids(self.parts())).size``, counted without building them
        (unless two parts share a Sid base: the numbering then depends on their order)."""
        items = _plain_list_size if self.plain else _list_size
        sized = [(_sid(actions, ()), _list_size(actions) + items(arns))
                 for actions, arns in _action_sets(self.resources).items()]
        sized += [(_sid((LIST_BUCKET,), (bucket,)), _LISTING + item_size(bucket) + items(values))
                  for bucket, values in self.prefixes.items() if bucket not in self.listable]
        sids = [sid for sid, _ in sized]
        if len(set(sids)) < len(sids):
            return PolicyDocument(with_sids(self.parts())).size
        count = len(sized)
        return (_DOCUMENT + (_STATEMENT + _RESOURCE) * count + max(count - 1, 0)
                + strings_size(sids) + sum(size for _, size in sized))


def _action_sets(resources: dict[str, list[str]]) -> dict[tuple[str, ...], set[str]]:
    """The resources grouped by the exact (sorted) set of actions that list them."""
    blocks: dict[tuple[str, ...], set[str]] = {}
    for action in sorted(resources):
        rest = set(resources[action])
        for actions, block in list(blocks.items()):
            shared = block & rest
            if shared:
                rest -= shared
                if len(shared) == len(block):
                    del blocks[actions]
                else:
                    block -= shared
                blocks[actions + (action,)] = shared
        if rest:
            blocks[(action,)] = rest
    return blocks


def compact(grants: Iterable[Grant]) -> Compact:
    """One principal's grants compacted (see :class:`Compact`)."""
    by_action: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, set[str]] = defaultdict(set)
    for _, action, resource, condition, _, _, _ in grants:
        if condition is None:
            by_action[action].add(resource)
        else:
            prefixes[resource].add(condition[2])
    text = "".join(chain(chain.from_iterable(by_action.values()), *prefixes.values()))
    return Compact({action: uncovered(sorted(arns)) for action, arns in by_action.items()},
                   {bucket: uncovered(sorted(values)) for bucket, values in prefixes.items()},
                   frozenset(by_action.get(LIST_BUCKET, ())), _plain(text))


def statement_parts(grants: Iterable[Grant]) -> list[Part]:
    """(actions, resources, conditions) of one principal's grants, losslessly compacted.

    Per action, a resource covered by a shorter ``prefix*`` of the same action is dropped;
    resources are then grouped into exact action sets. Conditioned ``s3:ListBucket`` grants
    become one part per bucket with its prefixes (covered ones dropped); a bucket listable
    without condition needs none of them.
    """
    return compact(grants).parts()


def build_policy(grants: Iterable[Grant]) -> PolicyDocument:
    """One principal's grants as one deterministic permissions policy (no size limit)."""
    return PolicyDocument(with_sids(statement_parts(grants)))


def with_sids(parts: list[Part]) -> tuple[PolicyStatement, ...]:
    """Statements with Sids unique across ``parts`` (a numeric suffix on a clash)."""
    statements, used = [], set()
    for actions, resources, conditions in parts:
        sid = base = _sid(actions, resources if conditions else ())
        counter = 2
        while sid in used:
            sid, counter = f"{base}{counter}", counter + 1
        used.add(sid)
        statements.append(PolicyStatement(sid, actions, resources, (), conditions))
    return tuple(statements)


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


def _sid(actions: tuple[str, ...], buckets: tuple[str, ...]) -> str:
    """``S3GetObjectPutObject``; a conditioned ListBucket adds its bucket
    (``S3ListBucketMyData``)."""
    services: dict[str, list[str]] = defaultdict(list)
    for action in actions:
        service, _, name = action.partition(":")
        services[service].append(name)
    sid = "".join(_camel(service) + "".join(names) for service, names in services.items())
    return sid + "".join(_camel(arn.rsplit(":", 1)[-1]) for arn in buckets)

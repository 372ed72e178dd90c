"""Grants -> IAM policy documents: grouped, sorted, with stable readable Sids.

Grouping never widens: statements share an action set exactly, and ``s3:ListBucket`` prefix
conditions are kept per bucket (a Resource list of two buckets with one prefix list would let
each bucket be listed with the other's prefixes).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from itertools import chain, compress, repeat
from operator import is_not
from typing import NamedTuple

from redshift_iam.core.grants import Grant
from redshift_iam.core.placeholders import readable
from redshift_iam.core.policy import (
    _DOCUMENT,
    _LISTING,
    _RESOURCE,
    _STATEMENT,
    LIST_BUCKET,
    Conditions,
    PolicyDocument,
    PolicyStatement,
    _list_size,
    _plain,
    _plain_list_size,
    item_size,
    strings_size,
)

Part = tuple[tuple[str, ...], tuple[str, ...], Conditions]  # actions, resources, conditions


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
        parts: list[Part] = [(actions, tuple(sorted(arns)), ())
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
    return sid + "".join(_camel(readable(arn).rsplit(":", 1)[-1]) for arn in buckets)

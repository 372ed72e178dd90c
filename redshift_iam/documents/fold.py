"""Folding: the last resort when a principal's exact grants do not fit IAM's quotas.

docs/rules.md, "Fitting IAM's quotas": only S3 keys that share the principal, the bucket and
the first key segment fold together, and for COPY only among statements that load the same
table (the grant's ``scope``). The segment at the given depth becomes ``*`` (a ``name=value``
segment becomes ``name=*``), deepest segments first, never the first segment, and only where
at least two different keys become one. :class:`Folding` lists the folds possible at a depth
and applies a chosen few, so :func:`~redshift_iam.documents.fitting.fit` folds no more than it
must and reports what each fold now allows beyond the SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from itertools import repeat
from operator import itemgetter, ne, sub
from typing import NamedTuple

from redshift_iam.core.grants import Grant, Principal
from redshift_iam.core.policy import LIST_BUCKET
from redshift_iam.core.reports import Fold
from redshift_iam.documents.grouping import Compact
from redshift_iam.documents.widening import NEVER, Listed, Widening, keyed

_S3 = ":s3:::"


class _Lane(NamedTuple):
    """The keys of one fold group (less the first segment, which a key's pattern keeps) that
    are written alike: the object keys after one bucket ARN (``plain``), or the ``s3:prefix``
    values of one condition on one bucket ARN."""

    number: int  # the principal's index
    action: str
    scope: str
    plain: bool  # object keys in the resource; False: s3:prefix values of a condition
    bucket_arn: str  # "<head>:s3:::<bucket>": the resource, or what its keys follow
    operator: str  # the condition's operator and key; "" for a plain lane
    condition_key: str


class _Group(NamedTuple):
    """A lane's fold group, less the first segment (which the lane's keys carry)."""

    number: int
    action: str
    plain: bool
    bucket: str
    scope: str


class _Renamed(NamedTuple):
    """The keys of one slot a fold renames, with the fold's 1-based rank."""

    rank: int
    keys: Collection[str]


_Slot = tuple[_Lane, str]  # a lane's keys that fold into one pattern at the current depth

# Lanes as _read_lanes collects them, keyed by short tuples: (action, scope, bucket ARN) for
# object keys, (action, scope, resource, operator, condition key) for s3:prefix values.
_Reading = dict[tuple[str, ...], dict[str, int]]

_Alike = tuple[dict[str, int], dict[str, list[str]]]  # a lane's keys, and its keys by pattern


class Folding:
    """The S3 keys of some grants (fit passes one principal's) as
    :func:`~redshift_iam.documents.fitting.fit` folds them, depth by depth, without rebuilding
    grants: each lane maps a key to the position of its first grant, and the keys of
    different principals are in different lanes.

    ``distinct()`` keeps a key that several principals share once; ``candidates(depth)``
    lists the folds possible now; ``widening(state)`` gives the compacted grants with the
    first k of those folds applied; ``apply()`` applies them all.
    """

    def __init__(self, grants: Iterable[Grant]) -> None:
        self._ranks: dict[_Slot, list[_Renamed]] = {}
        self.principals, self._lanes = _read_lanes(grants)
        self.max_depth, self._deepest = _depths(set().union(*self._lanes.values()))
        self._groups = {lane: _group_of(lane) for lane in self._lanes}  # lanes stay; keys go
        self._alone = _alone(self._groups)

    def distinct(self) -> None:
        """Where principals share a key (same action, resource, condition and scope), the
        later grant's principal keeps it, at the earlier position: the key is granted once."""
        if len(self.principals) < 2:
            return
        holders = defaultdict(list)
        for lane, keys in self._lanes.items():
            shared = lane._replace(number=-1)  # the lane, whichever principal holds it
            for key, position in keys.items():
                holders[shared, key].append((position, lane))
        for (_, key), held in holders.items():
            if len(held) > 1:
                (position, _), (_, holder) = min(held), max(held)  # positions differ
                self._lanes[holder][key] = position
                for _, lane in held:
                    if lane != holder:
                        del self._lanes[lane][key]

    def candidates(self, depth: int) -> list[Fold]:
        """Every fold possible at ``depth``: in one group, two or more keys that become the
        same pattern. Actions that fold the same keys the same way share a Fold. Largest
        first, then by bucket and pattern, so the order is deterministic. Remembers which
        keys each of them renames, for ``widening`` and ``apply``."""
        every = set().union(*self._lanes.values()) if depth <= self._deepest else ()
        targets = _targets(every, depth)
        groups, alone = self._groups, self._alone
        slots: dict[_Slot, list[str]] = {}
        seen: dict[tuple[str, int], list[_Alike]] = defaultdict(list)  # by scope, key count
        for lane, keys in self._lanes.items() if targets else ():
            # a COPY's object and prefix lanes, an UNLOAD's actions: the same keys
            alike = seen[lane.scope, len(keys)]
            found = next((by for other, by in alike if other.keys() == keys.keys()), None)
            if found is None:
                found = defaultdict(list)
                patterns = map(targets.get, keys, repeat(""))  # "": the key does not fold
                for target, key in filter(itemgetter(0), zip(patterns, keys, strict=True)):
                    found[target].append(key)
                alike.append((keys, found))
            single = lane in alone  # then a key alone in its pattern never folds
            slots.update(((lane, target), same) for target, same in found.items()
                         if len(same) > 1 or not single)
        folds = _sorted_folds(self.principals, groups, alone, slots)
        self._ranks = _ranks(folds, groups, alone, slots)
        return [fold for fold, _ in folds]

    def apply(self) -> None:
        """Rename every key the last ``candidates`` folds."""
        for (lane, target), ranked in self._ranks.items():
            keys = self._lanes[lane]
            hits = ranked[0].keys if len(ranked) == 1 else set().union(*(h for _, h in ranked))
            position = min(map(keys.pop, hits))
            keys[target] = min(position, keys.get(target, position))
        self._ranks = {}

    def widening(self, state: Compact) -> Widening:
        """``state`` (these keys' grants, compacted) as the last ``candidates`` widen it."""
        resources: dict[str, dict[str, int]] = defaultdict(dict)
        prefixes: dict[str, dict[str, int]] = defaultdict(dict)
        for (lane, target), ranked in self._ranks.items():
            rank = ranked[0].rank
            if lane.plain:
                added, item = resources[lane.action], f"{lane.bucket_arn}/{target}"
            else:
                added, item = prefixes[lane.bucket_arn], target
            added[item] = min(rank, added.get(item, rank))
        listed = [lane for lane in self._lanes if lane.plain and lane.action == LIST_BUCKET]
        return Widening(state, resources, prefixes, self._listable(state, listed))

    def _listable(self, state: Compact, lanes: list[_Lane]) -> list[Listed]:
        """The resources an unconditioned s3:ListBucket lists, each with the ranks from which
        it is listed and until which (an S3 key with ListBucket is odd, but possible)."""
        found = [Listed(arn, 0, NEVER) for arn in state.listable if not keyed(arn)]
        for lane in lanes:
            prefix, renamed = f"{lane.bucket_arn}/", {}
            for (other, target), ranked in self._ranks.items():
                if other == lane:
                    found.append(Listed(prefix + target, ranked[0].rank, NEVER))
                    for rank, hits in reversed(ranked):
                        renamed.update(dict.fromkeys(hits, rank))
            found += [Listed(prefix + key, 0, renamed.get(key, NEVER))
                      for key in self._lanes[lane]]
        return found


def _read_lanes(grants: Iterable[Grant]) -> tuple[list[Principal], dict[_Lane, dict[str, int]]]:
    """The principals of ``grants`` in order, and their S3 keys by lane, each key with the
    position of its first grant. Grants with no S3 key are left out."""
    index: dict[Principal, int] = {}
    found: list[tuple[_Reading, _Reading]] = []  # per principal, object and prefix lanes
    last: Principal | None = None
    s3: dict[str, bool] = {}  # resource -> whether it is an S3 ARN
    for position, (principal, action, resource, condition, _, _, scope) in enumerate(grants):
        if principal is not last:  # short keys below: this loop sees every grant
            number, last = index.setdefault(principal, len(index)), principal
            if number == len(found):
                found.append(({}, {}))
            plain, conditioned = found[number]
        if condition is None:
            arn, slash, key = resource.partition("/")
            if not slash or _S3 not in arn:  # no S3 key, or a head with "/": parse it all
                head, sep, tail = resource.partition(_S3)
                bucket, slash, key = tail.partition("/")
                if not slash:
                    continue
                arn = f"{head}{_S3}{bucket}"
            lanes: _Reading = plain
            lane: tuple[str, ...] = (action, scope, arn)
        else:
            known = s3.get(resource)
            if known is None:
                known = s3[resource] = _S3 in resource
            if not known:
                continue
            operator, name, key = condition
            lanes, lane = conditioned, (action, scope, resource, operator, name)
        keys = lanes.get(lane)
        if keys is None:
            lanes[lane] = keys = {}
        keys.setdefault(key, position)
    return list(index), _named_lanes(found)


def _named_lanes(found: list[tuple[_Reading, _Reading]]) -> dict[_Lane, dict[str, int]]:
    """Per principal, its object and prefix lanes (keyed by short tuples while reading)."""
    lanes: dict[_Lane, dict[str, int]] = {}
    for number, (plain, conditioned) in enumerate(found):
        lanes.update((_Lane(number, action, scope, True, arn, "", ""), keys)
                     for (action, scope, arn), keys in plain.items())
        lanes.update((_Lane(number, action, scope, False, arn, operator, name), keys)
                     for (action, scope, arn, operator, name), keys in conditioned.items())
    return lanes


def _depths(keys: Collection[str]) -> tuple[int, int]:
    """The deepest segment index of any of ``keys`` (the depth folding starts at), and the
    deepest a pattern can be made at: no key has one deeper than its slashes, less one if a
    slash ends it."""
    stripped = list(map(str.rstrip, keys, repeat("*")))
    slashes = list(map(str.count, stripped, repeat("/")))
    ends = map(ne, map(str.removesuffix, stripped, repeat("/")), stripped)
    return max(slashes, default=0), max(map(sub, slashes, ends), default=0)


def _targets(keys: Iterable[str], depth: int) -> dict[str, str]:
    """The keys that have a segment ``depth`` (0-based, never the first, not empty), each
    with its pattern: that segment made a wildcard (``name=*`` for ``name=value``) and what
    follows it dropped."""
    targets = {}
    for key in keys if depth > 0 else ():
        segments = key.rstrip("*").split("/", depth + 1)  # what follows segment depth: whole
        if depth < len(segments) and segments[depth]:
            name, eq, _ = segments[depth].partition("=")
            segments[depth:] = (f"{name}=*" if eq else "*",)
            targets[key] = "/".join(segments)
    return targets



def _group_of(lane: _Lane) -> _Group:
    """The lane's fold group, less the first segment."""
    return _Group(lane.number, lane.action, lane.plain, lane.bucket_arn.partition(_S3)[2],
                  lane.scope)


def _alone(groups: dict[_Lane, _Group]) -> set[_Lane]:
    """The lanes that are all of their group and share no action, bucket and scope with a
    lane of the other kind: their keys fold only among themselves."""
    count: dict[tuple, int] = defaultdict(int)
    for number, action, _, bucket, scope in groups.values():
        count[number, action, bucket, scope] += 1
    return {lane for lane, (number, action, _, bucket, scope) in groups.items()
            if count[number, action, bucket, scope] == 1}


def _sorted_folds(principals: list[Principal], groups: dict[_Lane, _Group], alone: set[_Lane],
                  slots: dict[_Slot, list[str]]) -> list[tuple[Fold, int]]:
    """The folds of ``slots``, each with its principal's index, in the order
    :meth:`Folding.candidates` gives them."""
    shared: dict[tuple, set[str]] = defaultdict(set)
    merged: dict[tuple, set[str]] = defaultdict(set)
    ordered: dict[int, tuple[str, ...]] = {}  # lanes with the same keys share their lists
    for (lane, target), keys in slots.items():
        number, action, _, bucket, scope = group = groups[lane]
        if lane in alone:
            if id(keys) not in ordered:
                ordered[id(keys)] = tuple(sorted(keys))
            merged[number, bucket, target, ordered[id(keys)], scope].add(action)
        else:
            shared[group, target].update(keys)
    for ((number, action, _, bucket, scope), target), union in shared.items():
        if len(union) > 1:
            merged[number, bucket, target, tuple(sorted(union)), scope].add(action)
    order = sorted((-len(keys), bucket, target, scope, keys, principals[number], number, actions)
                   for (number, bucket, target, keys, scope), actions in merged.items())
    return [(Fold(principal, bucket, target, keys, tuple(sorted(actions)), scope), number)
            for _, bucket, target, scope, keys, principal, number, actions in order]


def _ranks(folds: list[tuple[Fold, int]], groups: dict[_Lane, _Group], alone: set[_Lane],
           slots: dict[_Slot, list[str]]) -> dict[_Slot, list[_Renamed]]:
    """Per slot, the keys each fold renames in it with the fold's 1-based rank, lowest first:
    a fold renames its keys in every lane of its group, conditioned or not."""
    lanes: dict[tuple, list[_Lane]] = defaultdict(list)
    for lane, (number, action, _, bucket, scope) in groups.items():
        lanes[number, action, bucket, scope].append(lane)
    ranks: dict[_Slot, list[_Renamed]] = {}
    for rank, (fold, number) in enumerate(folds, 1):
        replaced = None
        for action in fold.actions:
            for lane in lanes[number, action, fold.bucket, fold.scope]:
                keys: Collection[str] | None = slots.get((lane, fold.pattern))
                if keys and lane not in alone:
                    replaced = replaced or set(fold.replaced)
                    keys = replaced.intersection(keys)
                if keys:
                    ranks.setdefault((lane, fold.pattern), []).append(_Renamed(rank, keys))
    return ranks

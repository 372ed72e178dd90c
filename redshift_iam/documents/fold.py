"""Folding: the last resort when a principal's exact grants do not fit IAM's quotas.

docs/rules.md, "Fitting IAM's quotas": only S3 keys that share the principal, the bucket and
the first key segment fold together, and for COPY only among statements that load the same
table (the grant's ``scope``). The segment at the given depth becomes ``*`` (a ``name=value``
segment becomes ``name=*``), deepest segments first, never the first segment, and only where
at least two different keys become one. :func:`candidates` lists the folds possible at a depth and
:func:`apply` makes a chosen few, so the caller can fold no more than it must and report
what each fold now allows beyond the SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from itertools import repeat
from operator import itemgetter, ne, sub

from redshift_iam.core.grants import Condition, Grant, Principal
from redshift_iam.core.policy import LIST_BUCKET
from redshift_iam.core.reports import Fold
from redshift_iam.documents.policy import Compact
from redshift_iam.documents.widening import NEVER, Widening, keyed

_S3 = ":s3:::"




def _key(grant: Grant) -> tuple[str, str] | None:
    """(bucket, key pattern) of an S3 object grant or an s3:prefix condition."""
    head, sep, tail = grant.resource.partition(_S3)
    if not sep:
        return None
    if grant.condition is not None:
        return tail, grant.condition.value
    bucket, slash, key = tail.partition("/")
    return (bucket, key) if slash else None


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


def _with_key(grant: Grant, key: str) -> Grant:
    resource, condition = grant.resource, grant.condition
    if condition is not None:
        condition = Condition(condition.operator, condition.key, key)
    else:
        head, _, tail = resource.partition(_S3)
        resource = f"{head}{_S3}{tail.partition('/')[0]}/{key}"
    return Grant(grant.principal, grant.action, resource, condition, grant.rule, grant.location,
                 grant.scope)


def max_depth(grants: Iterable[Grant]) -> int:
    """The deepest segment index any S3 key of ``grants`` has."""
    return Folding(grants).max_depth


def candidates(grants: Iterable[Grant], depth: int) -> list[Fold]:
    """Every fold possible at ``depth``: in one group, two or more keys that become the same
    pattern. Actions that fold the same keys the same way share a Fold. Largest first, then
    by bucket and pattern, so the order is deterministic."""
    return Folding(grants).candidates(depth)


def apply(grants: list[Grant], folds: list[Fold]) -> list[Grant]:
    """The grants with the keys of ``folds`` replaced by their patterns, each only in its own
    group (principal, action, bucket, first segment and scope)."""
    renames: dict[tuple, str] = {}
    for fold in folds:
        for key in fold.replaced:
            for action in fold.actions:
                renames[(fold.principal, action, fold.bucket, key.split("/", 1)[0], fold.scope,
                         key)] = fold.pattern
    out = []
    for grant in grants:
        found, target = _key(grant), None
        if found:
            bucket, key = found
            target = renames.get((grant.principal, grant.action, bucket, key.split("/", 1)[0],
                                  grant.scope, key))
        out.append(_with_key(grant, target) if target else grant)
    return out


# A lane: the keys of one fold group (less the first segment, which a key's pattern keeps)
# that are written alike: (principal index, action, scope, True, ARN head, bucket) for object
# keys, (principal index, action, scope, False, bucket ARN, operator, condition key) for
# s3:prefix values.
_Lane = tuple
_Slot = tuple[_Lane, str]  # a lane's keys that fold into one pattern at the current depth


class Folding:
    """One principal's S3 keys as :func:`fit <redshift_iam.analysis.fit>` folds them, depth by
    depth, without rebuilding grants: each lane maps a key to the position of its first grant.

    ``distinct()`` merges what ``_distinct`` merges on the grants folded so far;
    ``candidates(depth)`` lists the folds possible now, as :func:`candidates` would on those
    grants; ``widening(state)`` gives the compacted grants with the first k of those folds
    applied; ``apply()`` applies them all.
    """

    def __init__(self, grants: Iterable[Grant]) -> None:
        self._ranks: dict[_Slot, list[tuple[int, Collection[str]]]] = {}
        index: dict[Principal, int] = {}
        found: list[tuple[dict, dict]] = []  # per principal, object and prefix lanes
        last, s3 = None, {}
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
                lanes, lane = plain, (action, scope, arn)
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
        self._lanes: dict[_Lane, dict[str, int]] = {}
        for number, (plain, conditioned) in enumerate(found):
            self._lanes.update(((number, action, scope, True, *arn.split(_S3, 1)), keys)
                               for (action, scope, arn), keys in plain.items())
            self._lanes.update(((number, *lane[:2], False, *lane[2:]), keys)
                               for lane, keys in conditioned.items())
        self.principals = list(index)
        stripped = list(map(str.rstrip, set().union(*self._lanes.values()), repeat("*")))
        slashes = list(map(str.count, stripped, repeat("/")))
        self.max_depth = max(slashes, default=0)  # the deepest segment index of a key
        # no key has a pattern deeper than its slashes, less one that ends it
        ends = map(ne, map(str.removesuffix, stripped, repeat("/")), stripped)
        self._deepest = max(map(sub, slashes, ends), default=0)
        self._groups = {lane: _group_of(lane) for lane in self._lanes}  # lanes stay; keys go
        self._alone = _alone(self._groups)

    def distinct(self) -> None:
        """Like ``_distinct`` on the grants: when principals share a key (same action,
        resource, condition and scope), the later grant's principal keeps it, at the earlier
        position."""
        if len(self.principals) < 2:
            return
        holders = defaultdict(list)
        for lane, keys in self._lanes.items():
            for key, position in keys.items():
                holders[lane[1:], key].append((position, lane))
        for (_, key), found in holders.items():
            if len(found) > 1:
                found.sort()
                self._lanes[found[-1][1]][key] = found[0][0]
                for _, lane in found[:-1]:
                    del self._lanes[lane][key]

    def candidates(self, depth: int) -> list[Fold]:
        """The folds possible at ``depth`` (see :func:`candidates`); remembers which keys
        each of them renames, for ``widening`` and ``apply``."""
        keys = set().union(*self._lanes.values()) if depth <= self._deepest else ()
        targets = _targets(keys, depth)
        groups, alone = self._groups, self._alone
        slots: dict[_Slot, list[str]] = {}
        seen: dict[tuple, list[tuple[dict, dict]]] = defaultdict(list)
        for lane, keys in self._lanes.items() if targets else ():
            # a COPY's object and prefix lanes, an UNLOAD's actions: the same keys
            found = next((by for other, by in seen[lane[2], len(keys)]
                          if other.keys() == keys.keys()), None)
            if found is None:
                found = defaultdict(list)
                for target, key in filter(itemgetter(0), zip(map(targets.get, keys), keys,
                                                              strict=True)):
                    found[target].append(key)
                seen[lane[2], len(keys)].append((keys, found))
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
            hits = ranked[0][1] if len(ranked) == 1 else set().union(*(h for _, h in ranked))
            position = min(map(keys.pop, hits))
            keys[target] = min(position, keys.get(target, position))
        self._ranks = {}

    def widening(self, state: Compact) -> Widening:
        """``state`` (these keys' grants, compacted) as the last ``candidates`` widen it."""
        resources: dict[str, dict[str, int]] = defaultdict(dict)
        prefixes: dict[str, dict[str, int]] = defaultdict(dict)
        for (lane, target), ranked in self._ranks.items():
            rank = ranked[0][0]
            if lane[3]:
                added, item = resources[lane[1]], _prefix(lane) + target
            else:
                added, item = prefixes[lane[4]], target
            added[item] = min(rank, added.get(item, rank))
        listed = [lane for lane in self._lanes if lane[3] and lane[1] == LIST_BUCKET]
        return Widening(state, resources, prefixes, self._listable(state, listed))

    def _listable(self, state: Compact, lanes: list[_Lane]) -> list[tuple[str, int, int]]:
        """The resources an unconditioned s3:ListBucket lists, each with the ranks from which
        it is listed and until which (an S3 key with ListBucket is odd, but possible)."""
        found = [(arn, 0, NEVER) for arn in state.listable if not keyed(arn)]
        for lane in lanes:
            prefix, renamed = _prefix(lane), {}
            for (other, target), ranked in self._ranks.items():
                if other == lane:
                    found.append((prefix + target, ranked[0][0], NEVER))
                    for rank, hits in reversed(ranked):
                        renamed.update(dict.fromkeys(hits, rank))
            found += [(prefix + key, 0, renamed.get(key, NEVER)) for key in self._lanes[lane]]
        return found


def _group_of(lane: _Lane) -> tuple:
    """(principal index, action, unconditioned, bucket, scope): the lane's fold group as
    :func:`_group` gives it, less the first segment."""
    number, action, scope, plain, where = lane[:5]
    return number, action, plain, lane[5] if plain else where.partition(_S3)[2], scope


def _prefix(lane: _Lane) -> str:
    """What an object key's lane writes before the key: ``<head>:s3:::<bucket>/``."""
    return f"{lane[4]}{_S3}{lane[5]}/"


def _alone(groups: dict[_Lane, tuple]) -> set[_Lane]:
    """The lanes that are all of their group and share no action, bucket and scope with a
    lane of the other kind: their keys fold only among themselves."""
    count: dict[tuple, int] = defaultdict(int)
    for number, action, _, bucket, scope in groups.values():
        count[number, action, bucket, scope] += 1
    return {lane for lane, (number, action, _, bucket, scope) in groups.items()
            if count[number, action, bucket, scope] == 1}


def _sorted_folds(principals: list[Principal], groups: dict[_Lane, tuple], alone: set[_Lane],
                  slots: dict[_Slot, list[str]]) -> list[tuple[Fold, int]]:
    """The folds of ``slots`` (see :func:`candidates`), each with its principal's index, in
    :func:`candidates` order."""
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
    for ((number, action, _, bucket, scope), target), keys in shared.items():
        if len(keys) > 1:
            merged[number, bucket, target, tuple(sorted(keys)), scope].add(action)
    order = sorted((-len(keys), bucket, target, scope, keys, principals[number], number, actions)
                   for (number, bucket, target, keys, scope), actions in merged.items())
    return [(Fold(principal, bucket, target, keys, tuple(sorted(actions)), scope), number)
            for _, bucket, target, scope, keys, principal, number, actions in order]


def _ranks(folds: list[tuple[Fold, int]], groups: dict[_Lane, tuple], alone: set[_Lane],
           slots: dict[_Slot, list[str]]) -> dict[_Slot, list[tuple[int, Collection[str]]]]:
    """Per slot, the keys each fold renames in it with the fold's 1-based rank, lowest first:
    a fold renames its keys in every lane of its group, conditioned or not."""
    lanes: dict[tuple, list[_Lane]] = defaultdict(list)
    for lane, (number, action, _, bucket, scope) in groups.items():
        lanes[number, action, bucket, scope].append(lane)
    ranks: dict[_Slot, list[tuple[int, Collection[str]]]] = {}
    for rank, (fold, number) in enumerate(folds, 1):
        replaced = None
        for action in fold.actions:
            for lane in lanes[number, action, fold.bucket, fold.scope]:
                keys = slots.get((lane, fold.pattern))
                if keys and lane not in alone:
                    replaced = replaced or set(fold.replaced)
                    keys = replaced.intersection(keys)
                if keys:
                    ranks.setdefault((lane, fold.pattern), []).append((rank, keys))
    return ranks

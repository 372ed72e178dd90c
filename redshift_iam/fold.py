"""Folding: the last resort when a principal's exact grants do not fit IAM's quotas.

RULES.md, "Folding": only S3 keys that share the principal, the bucket and the first key
segment fold together, and for COPY only among statements that load the same table (the
grant's ``scope``). The segment at the given depth becomes ``*`` (a ``name=value`` segment
becomes ``name=*``), deepest segments first, never the first segment, and only where at least
two different keys become one. :func:`candidates` lists the folds possible at a depth and
:func:`apply` makes a chosen few, so the caller can fold no more than it must and report
what each fold now allows beyond the SQL.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import add, contains, itemgetter, ne, sub

from redshift_iam.model import Condition, Grant, Principal
from redshift_iam.policy import LIST_BUCKET, Compact, covering, prefix_block

_S3 = ":s3:::"


@dataclass(frozen=True, slots=True)
class Fold:
    """``replaced`` keys of ``bucket`` became ``pattern`` for ``actions``."""

    principal: Principal
    bucket: str
    pattern: str
    replaced: tuple[str, ...]
    actions: tuple[str, ...]
    scope: str = ""

    def message(self) -> str:
        shown = ", ".join(self.replaced[:3]) + (", ..." if len(self.replaced) > 3 else "")
        return (f"{self.principal.name}: folded {len(self.replaced)} keys of s3://{self.bucket}/"
                f" ({shown}) into {self.pattern} for {', '.join(self.actions)}; this also "
                f"allows other keys matching {self.pattern}, which the SQL does not name")


def _key(grant: Grant) -> tuple[str, str] | None:
    """(bucket, key pattern) of an S3 object grant or an s3:prefix condition."""
    head, sep, tail = grant.resource.partition(_S3)
    if not sep:
        return None
    if grant.condition is not None:
        return tail, grant.condition.value
    bucket, slash, key = tail.partition("/")
    return (bucket, key) if slash else None


def _folded(key: str, depth: int) -> str | None:
    """``key`` with segment ``depth`` (0-based) made a wildcard, or None if it has none."""
    segments = key.rstrip("*").split("/")
    if depth < 1 or depth >= len(segments) or not segments[depth]:
        return None
    name, eq, _ = segments[depth].partition("=")
    return "/".join(segments[:depth] + [f"{name}=*" if eq else "*"])


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
        self._lanes: dict[_Lane, dict[str, int]] = {}
        self._ranks: dict[_Slot, list[tuple[int, Collection[str]]]] = {}
        index: dict[Principal, int] = {}
        last, number, s3 = None, 0, {}
        for position, (principal, action, resource, condition, _, _, scope) in enumerate(grants):
            if principal is not last:
                number, last = index.setdefault(principal, len(index)), principal
            if condition is None:
                head, sep, tail = resource.partition(_S3)
                bucket, slash, key = tail.partition("/")
                if not slash:
                    continue
                lane = (number, action, scope, True, head, bucket)
            else:
                if resource not in s3:
                    s3[resource] = _S3 in resource
                if not s3[resource]:
                    continue
                operator, name, key = condition
                lane = (number, action, scope, False, resource, operator, name)
            keys = self._lanes.get(lane)
            if keys is None:
                self._lanes[lane] = keys = {}
            keys.setdefault(key, position)
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
        keys = set().union(*self._lanes.values()) if 0 < depth <= self._deepest else ()
        targets = dict(filter(itemgetter(1), zip(keys, map(_folded, keys, repeat(depth)),
                                                  strict=True)))
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
        found = [(arn, 0, _NEVER) for arn in state.listable if not _keyed(arn)]
        for lane in lanes:
            prefix, renamed = _prefix(lane), {}
            for (other, target), ranked in self._ranks.items():
                if other == lane:
                    found.append((prefix + target, ranked[0][0], _NEVER))
                    for rank, hits in reversed(ranked):
                        renamed.update(dict.fromkeys(hits, rank))
            found += [(prefix + key, 0, renamed.get(key, _NEVER)) for key in self._lanes[lane]]
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
                  slots: dict[_Slot, list[str]]) -> list[tuple[Fold, tuple]]:
    """The folds of ``slots`` (see :func:`candidates`), each with its (principal index,
    action, bucket, scope) group, in :func:`candidates` order."""
    shared: dict[tuple, set[str]] = defaultdict(set)
    merged: dict[tuple, set[str]] = defaultdict(set)
    for (lane, target), keys in slots.items():
        number, action, _, bucket, scope = group = groups[lane]
        if lane in alone:
            merged[number, bucket, target, tuple(sorted(keys)), scope].add(action)
        else:
            shared[group, target].update(keys)
    for ((number, action, _, bucket, scope), target), keys in shared.items():
        if len(keys) > 1:
            merged[number, bucket, target, tuple(sorted(keys)), scope].add(action)
    folds = [(Fold(principals[number], bucket, target, keys, tuple(sorted(actions)), scope),
              number) for (number, bucket, target, keys, scope), actions in merged.items()]
    return sorted(folds, key=lambda f: (-len(f[0].replaced), f[0].bucket, f[0].pattern,
                                        f[0].scope, f[0].replaced, f[0].principal))


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


_NEVER = 1 << 62


def _keyed(resource: str) -> bool:
    head, sep, tail = resource.partition(_S3)
    return bool(sep) and "/" in tail


class Widening:
    """A compacted state and the patterns one depth's folds add to it: ``at(count)`` is the
    state the grants would compact to with the first ``count`` folds applied.

    A folded key's pattern covers the key, so compacting the folded grants keeps what
    compacting the state's lists plus the new patterns keeps. Each pattern drops the run of
    a list that starts with its stem; the runs are found once, and each count only cuts them
    out and adds the patterns that nothing covers.
    """

    def __init__(self, state: Compact, resources: dict[str, dict[str, int]],
                 prefixes: dict[str, dict[str, int]], listable: list[tuple[str, int, int]]
                 ) -> None:
        self._state, self._listable = state, listable
        self._resources = {action: _List(state.resources.get(action, []), added)
                           for action, added in resources.items()}
        self._prefixes = {bucket: _List(state.prefixes.get(bucket, []), added)
                          for bucket, added in prefixes.items()}

    def at(self, count: int) -> Compact:
        resources, prefixes = dict(self._state.resources), dict(self._state.prefixes)
        resources.update((action, kept.at(count)) for action, kept in self._resources.items())
        prefixes.update((bucket, kept.at(count)) for bucket, kept in self._prefixes.items())
        listable = frozenset(arn for arn, since, until in self._listable if since <= count < until)
        # a pattern is part of a key and "*" or "=*": it needs escaping only if the key did
        return Compact(resources, prefixes, listable, self._state.plain)


class _List:
    """One list of a compacted state (sorted, nothing in it covered) and the patterns folds
    add to it, each with the rank of the first fold that adds it. A fold's pattern ends in a
    single ``*`` after its stem (``dt=*``, ``/*``)."""

    def __init__(self, items: list[str], added: dict[str, int]) -> None:
        self._items, spans, fresh = items, [], []
        patterns = sorted(added)
        for pattern, low, high, at, covered in zip(patterns, *_runs(items, patterns),
                                                   strict=True):
            rank = added[pattern]
            if at is not None:  # in the list already: it drops the rest of its run
                spans += [(low, at, rank), (at + 1, high, rank)]
                continue
            spans.append((low, high, rank))
            if not covered:
                fresh.append((pattern, rank, _NEVER))
        self._spans = [span for span in sorted(spans) if span[0] < span[1]]
        self._fresh = _cover_ranks(fresh)

    def at(self, count: int) -> list[str]:
        """The list with the patterns of ranks up to ``count`` added, less what they cover."""
        items, cuts, start = self._items, [], 0
        for low, high, rank in self._spans:
            if rank <= count:
                if low > start:
                    cuts.append(items[start:low])
                start = max(start, high)
        kept = list(chain.from_iterable(cuts)) + items[start:] if cuts or start else items
        new = [pattern for pattern, rank, covered in self._fresh if rank <= count < covered]
        return sorted(kept + new) if new else kept


def _runs(items: list[str], patterns: list[str]) -> tuple[list, ...]:
    """For each of the sorted fold ``patterns``: where the run of ``items`` that starts with
    its stem begins and ends, its index if it is there (or None), and whether an item covers
    it (the one that would is next to where its stem sorts). C-level passes, one per column.
    """
    stems = [pattern[:-1] for pattern in patterns]
    lows = list(map(bisect_left, repeat(items), stems))
    # a stem ends in "/" or "=": what starts with it sorts before it with that raised by one
    ends = [stem[:-1] + chr(ord(stem[-1]) + 1) for stem in stems]
    highs = list(map(bisect_left, repeat(items), ends, lows))
    runs = map(items.__getitem__, map(slice, lows, highs))  # short: the keys a pattern folds
    found = [items.index(pattern, low, high) if here else None for pattern, low, high, here
             in zip(patterns, lows, highs, map(contains, runs, patterns), strict=True)]
    padded = ["", *items, ""]  # padded[i + 1] is items[i]; the ends start with no stem
    covered = [False] * len(patterns)
    for shift in (0, 1):  # the items before and at where the stem sorts
        near = list(map(padded.__getitem__, map(add, lows, repeat(shift))))
        near_stems = list(map(str.removesuffix, near, repeat("*")))
        for index in compress(range(len(stems)), map(str.startswith, stems, near_stems)):
            covered[index] = covered[index] or len(near_stems[index]) < len(near[index])
    return lows, highs, found, covered


def _covers(wildcard: str, pattern: str) -> bool:
    """Whether ``wildcard`` covers the wildcard ``pattern`` (see covered_dropped)."""
    return wildcard != pattern and wildcard.endswith("*") and pattern[:-1].startswith(
        wildcard[:-1])


def _cover_ranks(fresh: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """``fresh`` with, for each pattern, the first rank from which another covers it."""
    order = sorted(fresh)
    patterns = [pattern for pattern, _, _ in order]
    covered = [until for _, _, until in order]
    for index in covering(patterns):
        low, high = prefix_block(patterns, patterns[index][:-1])
        for other in range(low, high):
            if _covers(patterns[index], patterns[other]):
                covered[other] = min(covered[other], order[index][1])
    return [(pattern, rank, until)
            for (pattern, rank, _), until in zip(order, covered, strict=True)]

"""How one depth's folds widen a compacted policy, without recompacting every grant.

:class:`~redshift_iam.documents.fold.Folding` ranks the folds possible at a depth;
:class:`Widening` answers "what would the compacted grants be with the first ``count`` folds
applied?" for any ``count``, which is what :func:`redshift_iam.documents.fitting.fit` asks
while it looks for the fewest folds that fit the quota.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import chain, compress, repeat
from operator import add, contains
from typing import NamedTuple

from redshift_iam.documents.grouping import Compact, covering, prefix_block

_S3 = ":s3:::"
NEVER = 1 << 62  # a rank no count reaches


class Listed(NamedTuple):
    """A resource an unconditioned s3:ListBucket lists while ``since <= count < until``."""

    arn: str
    since: int
    until: int


def keyed(resource: str) -> bool:
    """An S3 object ARN (bucket/key), as opposed to a bucket's."""
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
                 prefixes: dict[str, dict[str, int]], listable: list[Listed]) -> None:
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
                fresh.append((pattern, rank, NEVER))
        self._spans = [(low, high, rank) for low, high, rank in sorted(spans) if low < high]
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
    """Whether ``wildcard`` covers the wildcard ``pattern`` (as in
    :func:`~redshift_iam.documents.grouping.covered_dropped`)."""
    return wildcard != pattern and wildcard.endswith("*") and pattern[:-1].startswith(
        wildcard[:-1])


def _cover_ranks(fresh: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """``fresh`` with, for each pattern, the first rank from which another covers it."""
    order = sorted(fresh)
    patterns = [pattern for pattern, _, _ in order]
    ranks = [rank for _, rank, _ in order]
    covered = [until for _, _, until in order]
    for index in covering(patterns):
        wildcard = patterns[index]
        low, high = prefix_block(patterns, wildcard[:-1])
        for other in range(low, high):
            if _covers(wildcard, patterns[other]):
                covered[other] = min(covered[other], ranks[index])
    return list(zip(patterns, ranks, covered, strict=True))

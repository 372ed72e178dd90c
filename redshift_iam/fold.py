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

from collections import defaultdict
from dataclasses import dataclass

from redshift_iam.model import Condition, Grant, Principal

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


def max_depth(grants: list[Grant]) -> int:
    """The deepest segment index any S3 key of ``grants`` has."""
    keys = [k for k in map(_key, grants) if k]
    return max((len(key.rstrip("*").split("/")) - 1 for _, key in keys), default=0)


_Group = tuple  # (principal, action, is unconditioned, bucket, first segment, scope)


def _group(grant: Grant) -> tuple[_Group, str] | None:
    """The fold group of an S3 grant and its key; None for other grants."""
    found = _key(grant)
    if not found:
        return None
    bucket, key = found
    return (grant.principal, grant.action, grant.condition is None, bucket,
            key.split("/", 1)[0], grant.scope), key


def candidates(grants: list[Grant], depth: int) -> list[Fold]:
    """Every fold possible at ``depth``: in one group, two or more keys that become the same
    pattern. Actions that fold the same keys the same way share a Fold. Largest first, then
    by bucket and pattern, so the order is deterministic."""
    targets: dict[_Group, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for grant in grants:
        found = _group(grant)
        target = _folded(found[1], depth) if found else None
        if target:
            targets[found[0]][target].add(found[1])
    merged: dict[tuple, set[str]] = defaultdict(set)
    for group, by_target in targets.items():
        principal, action, _, bucket, _, scope = group
        for target, keys in by_target.items():
            if len(keys) > 1:
                merged[(principal, bucket, target, tuple(sorted(keys)), scope)].add(action)
    folds = [Fold(p, bucket, target, keys, tuple(sorted(actions)), scope)
             for (p, bucket, target, keys, scope), actions in merged.items()]
    return sorted(folds, key=lambda f: (-len(f.replaced), f.bucket, f.pattern, f.scope,
                                        f.replaced, f.principal))


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
        found = _group(grant)
        target = None
        if found:
            (principal, action, _, bucket, first, scope), key = found
            target = renames.get((principal, action, bucket, first, scope, key))
        out.append(_with_key(grant, target) if target else grant)
    return out

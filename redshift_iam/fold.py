"""Folding: the last resort when a principal's exact grants do not fit IAM's quotas.

RULES.md, "Folding": only S3 keys that share the principal, the bucket and the first key
segment fold together, and for COPY only among statements that load the same table (the
grant's ``scope``). The segment at the given depth becomes ``*`` (a ``name=value`` segment
becomes ``name=*``), deepest segments first, never the first segment, and only where at least
two different keys become one. Every fold is returned, so the caller can report what it now
allows beyond the SQL.
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


def fold(grants: list[Grant], depth: int) -> tuple[list[Grant], list[Fold]]:
    """Fold every group's keys at ``depth``; return the new grants and the folds made."""
    groups: dict[tuple, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for grant in grants:
        found = _key(grant)
        target = _folded(found[1], depth) if found else None
        if target:
            group = (grant.principal, grant.action, grant.condition is None, found[0],
                     found[1].split("/", 1)[0], grant.scope)
            groups[group][target].add(found[1])
    renames: dict[tuple, str] = {}
    merged: dict[tuple, set[str]] = defaultdict(set)
    for group, targets in groups.items():
        for target, keys in targets.items():
            if len(keys) > 1:
                renames.update({(group, key): target for key in keys})
                merged[(group[0], group[3], target, tuple(sorted(keys)))].add(group[1])
    out = []
    for grant in grants:
        found = _key(grant)
        group = found and (grant.principal, grant.action, grant.condition is None, found[0],
                           found[1].split("/", 1)[0], grant.scope)
        target = renames.get((group, found[1])) if found else None
        out.append(_with_key(grant, target) if target else grant)
    folds = [Fold(p, bucket, target, keys, tuple(sorted(actions)))
             for (p, bucket, target, keys), actions in sorted(merged.items())]
    return out, folds

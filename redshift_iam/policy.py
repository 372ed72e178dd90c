"""Grants -> IAM policy documents: grouped, sorted, with stable readable Sids.

Grouping never widens: statements share an action set exactly, and ``s3:ListBucket`` prefix
conditions are kept per bucket (a Resource list of two buckets with one prefix list would let
each bucket be listed with the other's prefixes).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from redshift_iam.model import Grant

VERSION = "2012-10-17"
LIST_BUCKET = "s3:ListBucket"


@dataclass(frozen=True, slots=True)
class PolicyStatement:
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


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    statements: tuple[PolicyStatement, ...]

    def as_json(self) -> dict[str, object]:
        return {"Version": VERSION, "Statement": [s.as_json() for s in self.statements]}

    @property
    def size(self) -> int:
        """Characters as IAM counts them against its quotas: white space outside strings is
        free. Characters above U+00FF count as their six-character escape, as printed."""
        return text_size(json.dumps(self.as_json(), separators=(",", ":"), ensure_ascii=False))


_WIDE = re.compile("[^\u0000-\u00ff]")


def text_size(text: str) -> int:
    """IAM's count for compact JSON text, with characters above U+00FF as 6-character escapes
    (as they are printed)."""
    return len(text) if text.isascii() else len(text) + 5 * len(_WIDE.findall(text))


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    """IAM's canonical form: a single value as a string, several as a sorted list."""
    return values[0] if len(values) == 1 else sorted(values)


Part = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str, tuple[str, ...]], ...]]


def covered_dropped(patterns: Iterable[str]) -> list[str]:
    """Sorted ``patterns`` less those a shorter ``prefix*`` pattern already matches.

    Sorting on the text before a trailing ``*`` (a wildcard before an exact value of the same
    text) puts every pattern right after the wildcard that covers it, so one pass that
    remembers the last kept wildcard finds them all. IAM reads ``*`` and ``?`` inside a value
    as wildcards too; a longer value that starts with a kept one still matches a subset of
    it, so dropping it never narrows the policy.
    """
    order = sorted(set(patterns), key=lambda p: (p[:-1], 0) if p.endswith("*") else (p, 1))
    kept, stem = [], None
    for pattern in order:
        if stem is not None and pattern.startswith(stem):
            continue
        kept.append(pattern)
        if pattern.endswith("*"):
            stem = pattern[:-1]
    return sorted(kept)


def statement_parts(grants: Iterable[Grant]) -> list[Part]:
    """(actions, resources, conditions) of one principal's grants, losslessly compacted.

    Per action, a resource covered by a shorter ``prefix*`` of the same action is dropped;
    resources are then grouped into exact action sets. Conditioned ``s3:ListBucket`` grants
    become one part per bucket with its prefixes (covered ones dropped); a bucket listable
    without condition needs none of them.
    """
    by_action: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, set[str]] = defaultdict(set)
    for grant in grants:
        if grant.condition is None:
            by_action[grant.action].add(grant.resource)
        else:
            prefixes[grant.resource].add(grant.condition.value)
    by_resource: dict[str, set[str]] = defaultdict(set)
    for action, resources in by_action.items():
        for resource in covered_dropped(resources):
            by_resource[resource].add(action)
    by_actions: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for arn, actions in by_resource.items():
        by_actions[tuple(sorted(actions))].append(arn)
    parts = [(actions, tuple(sorted(arns)), ()) for actions, arns in by_actions.items()]
    parts += [((LIST_BUCKET,), (bucket,),
               (("StringLike", "s3:prefix", tuple(covered_dropped(values))),))
              for bucket, values in prefixes.items()
              if bucket not in by_action.get(LIST_BUCKET, ())]
    return sorted(parts)


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

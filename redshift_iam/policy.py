"""Grants -> IAM policy documents: grouped, sorted, with stable readable Sids.

Grouping never widens: statements share an action set exactly, and ``s3:ListBucket`` prefix
conditions are kept per bucket (a Resource list of two buckets with one prefix list would let
each bucket be listed with the other's prefixes).
"""

from __future__ import annotations

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


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    """IAM's canonical form: a single value as a string, several as a sorted list."""
    return values[0] if len(values) == 1 else sorted(values)


def build_policy(grants: Iterable[Grant]) -> PolicyDocument:
    """One principal's grants as a deterministic permissions policy.

    Unconditioned grants are grouped by resource into exact action sets; conditioned
    ``s3:ListBucket`` grants become one statement per bucket with its sorted prefixes. A
    bucket listable without condition drops its prefix conditions (they are subsumed).
    """
    by_resource: dict[str, set[str]] = defaultdict(set)
    prefixes: dict[str, set[str]] = defaultdict(set)
    for grant in grants:
        if grant.condition is None:
            by_resource[grant.resource].add(grant.action)
        else:
            prefixes[grant.resource].add(grant.condition.value)
    by_actions: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for arn, actions in by_resource.items():
        by_actions[tuple(sorted(actions))].append(arn)
    unsided = [(actions, tuple(sorted(arns)), ()) for actions, arns in by_actions.items()]
    listed = [((LIST_BUCKET,), (bucket,), (("StringLike", "s3:prefix", tuple(sorted(values))),))
              for bucket, values in prefixes.items()
              if LIST_BUCKET not in by_resource.get(bucket, ())]
    return PolicyDocument(_with_sids(sorted(unsided + listed)))


def _with_sids(parts: list[tuple]) -> tuple[PolicyStatement, ...]:
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

"""Grants -> the requests Redshift sends (as needs: sets of requests).

A grant on ``arn:aws:s3:::b/k*`` stands for a request on every key under ``b/k``: its need's
resource is that pattern, and a policy covers it only if it allows every key the pattern
matches. A ``s3:ListBucket`` grant with ``StringLike s3:prefix k*`` stands for listings with
any prefix ``k*`` matches (the docs do not say which prefix Redshift sends; the tool grants
``k*``, so check asks for ``k*``); with ``StringEquals`` for the one prefix.

What the request context is known to hold is a table (:data:`CONTEXT`), one row per fact;
every other key is unknown (a condition on it is not known to hold):

- a role's requests carry ``aws:PrincipalArn`` (the role ARN) and ``aws:PrincipalAccount``;
- the KMS requests S3 makes for SSE-KMS objects carry ``kms:ViaService``
  ``s3.REGION.amazonaws.com`` (REGION: the key's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from redshift_iam.audit.decisions import ContextValue, Need
from redshift_iam.audit.globs import glob
from redshift_iam.core.grants import Grant
from redshift_iam.core.statements import AuthKind

KMS_VIA_S3 = ("copy-sse-kms", "unload-kms", "unload-bucket-key")


def _principal(grant: Grant) -> dict[str, ContextValue]:
    if grant.principal.kind is not AuthKind.ROLE:
        return {}
    parts = grant.principal.name.split(":")
    return {"aws:principalarn": (grant.principal.name,), "aws:principalaccount": (parts[4],)}


def _kms_via_s3(grant: Grant) -> dict[str, ContextValue]:
    if grant.rule not in KMS_VIA_S3:
        return {}
    region = grant.resource.split(":")[3] if grant.resource.count(":") >= 5 else ""
    return {"kms:viaservice": (f"s3.{region}.amazonaws.com",)} if region else {}


def _condition(grant: Grant) -> dict[str, ContextValue]:
    cond = grant.condition
    if cond is None:
        return {}
    value = glob(cond.value) if cond.operator == "StringLike" else (cond.value,)
    return {cond.key.lower(): value}


# One row per fact the context of Redshift's requests is known to hold.
CONTEXT: tuple[Callable[[Grant], dict[str, ContextValue]], ...] = (
    _principal, _kms_via_s3, _condition)


def need_of(grant: Grant, extra: Mapping[str, str] | None = None) -> Need:
    """The requests ``grant`` stands for; ``extra`` adds context keys the caller knows."""
    context: dict[str, ContextValue] = {k.lower(): (v,) for k, v in (extra or {}).items()}
    for row in CONTEXT:
        context.update(row(grant))
    return Need(grant.action, glob(grant.resource), MappingProxyType(context))

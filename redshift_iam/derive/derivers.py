"""The derive stage's row per statement kind: what each kind's own grants are (the rules it
triggers, on what subject). :data:`DERIVERS` is complete for ``core.statements.Statement``
(tests/test_house.py holds it so)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.placeholders import has_sentinel
from redshift_iam.core.statements import (
    Copy,
    CopyMode,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    Open,
    S3Path,
    Unload,
    Unmapped,
    jsonpaths_slot,
)
from redshift_iam.derive.arns import Unresolved, account_of, kms_arn, region_of
from redshift_iam.derive.collector import Collector, unresolved_module


def _open(out: Collector, slot: Open) -> list[Diagnostic]:
    """The diagnostics of an open slot (its grants are left out)."""
    return unresolved_module().unresolved(slot.what, slot.text, out.places, out.kind, slot.loc)


def _copy(out: Collector, copy: Copy) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if isinstance(copy.jsonpaths, Open):
        found += _open(out, copy.jsonpaths._replace(what=jsonpaths_slot(copy.jsonpaths)))
    elif copy.jsonpaths:
        out.s3("copy-jsonpaths", copy.jsonpaths)
    return found + _copy_source(out, copy)


def _copy_source(out: Collector, copy: Copy) -> list[Diagnostic]:
    if isinstance(copy.source, Open):
        return _open(out, copy.source)
    if isinstance(copy.source, (DynamoTable, EmrCluster)):
        name = copy.source.name if isinstance(copy.source, DynamoTable) \
            else copy.source.cluster_id
        if has_sentinel(name):
            slot = "table" if isinstance(copy.source, DynamoTable) else "cluster"
            return unresolved_module().unresolved(slot, name, out.places, out.kind, copy.source.loc)
    if isinstance(copy.source, DynamoTable):
        region, account = region_of(out, copy.region, copy.source.loc), account_of(out, copy.loc)
        arn = f"arn:{out.settings.partition}:dynamodb:{region}:{account}:table/{copy.source.name}"
        out.arn("copy-dynamodb", arn)
    elif isinstance(copy.source, EmrCluster):
        region = region_of(out, None, copy.source.loc, clause=False)  # EMR takes no REGION
        account = account_of(out, copy.loc)
        out.arn("copy-emr", f"arn:{out.settings.partition}:elasticmapreduce:{region}:{account}:"
                            f"cluster/{copy.source.cluster_id}")
    elif copy.mode is CopyMode.SSH:
        out.s3("copy-ssh-manifest", copy.source)
    elif copy.mode is CopyMode.MANIFEST:
        out.s3("copy-manifest", copy.source)
        return _manifest_entries(out, copy.source)
    else:
        out.s3("copy-shapefile" if copy.data_format == "SHAPEFILE" else "copy-s3-prefix",
               copy.source)
    return []


def _manifest_entries(out: Collector, manifest: S3Path) -> list[Diagnostic]:
    entries = out.settings.manifests.get(manifest.uri)
    if entries is None:
        return [Diagnostic("RI142", f"the data files of manifest {manifest.uri} are unknown",
                           manifest.loc, fix=f"pass --manifest {manifest.uri}=FILE (a local "
                                             "copy of the manifest)")]
    for entry in entries:
        out.s3("copy-manifest-entry", bucket=entry.bucket, key=entry.key)
    return []


def _unload(out: Collector, unload: Unload) -> list[Diagnostic]:
    target = unload.target
    if isinstance(target, Open):
        return _open(out, target) + _unload_key(out, unload)
    out.s3("unload", target)
    if unload.cleanpath:
        out.s3("unload-cleanpath", target)
    found = _unload_key(out, unload)
    if unload.encrypted_auto:
        out.s3("unload-encrypted-auto", target)
        if not any(t.bucket == target.bucket and target.key.startswith(t.prefix)
                   for t in out.settings.kms_targets):
            found.append(Diagnostic("RI144", f"ENCRYPTED AUTO uses the default KMS key of "
                                             f"bucket {target.bucket}, which is unknown",
                                    unload.loc, fix=f"pass --kms-key s3://{target.bucket}="
                                                    "KEY_ARN (the bucket's default key)"))
    return found


def _unload_key(out: Collector, unload: Unload) -> list[Diagnostic]:
    """The grant of UNLOAD's KMS_KEY_ID (a placeholder there is unresolved)."""
    if not unload.kms_key:
        return []
    if has_sentinel(unload.kms_key.value):
        return unresolved_module().unresolved("key", unload.kms_key.value, out.places, out.kind,
                                    unload.kms_key.loc)
    try:
        out.arn("unload-kms", kms_arn(out, unload.kms_key, unload.region))
    except Unresolved as exc:
        return [exc.diagnostic]
    return []


def _library(out: Collector, library: CreateLibrary) -> list[Diagnostic]:
    if isinstance(library.source, Open):
        return _open(out, library.source)
    if library.source is not None:
        out.s3("library-s3", library.source)
    return []


class Deriver(NamedTuple):
    """How this stage handles one statement kind: its name in messages, and the function
    that adds the statement's own grants (None: not mapped yet, RI130). The function takes a
    statement of its row's kind (the table is looked up by type), which its type cannot say."""

    name: str
    grants: Callable[[Collector, Any], list[Diagnostic]] | None


UNMAPPED_MESSAGES = {
    "RI130": "{} is not mapped to IAM permissions yet",
    "RI131": "{} stands for a whole statement without a value: it may be a COPY, UNLOAD or "
             "CREATE LIBRARY that needs permissions",
}


# One row per statement kind of core.statements.Statement (a test holds it complete).
DERIVERS: dict[type, Deriver] = {
    Copy: Deriver("COPY", _copy),
    Unload: Deriver("UNLOAD", _unload),
    CreateLibrary: Deriver("CREATE LIBRARY", _library),
    Unmapped: Deriver("UNMAPPED", None),
}

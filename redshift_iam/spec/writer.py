"""A :class:`Script` -> the YAML spec that reads back to the same permissions.

Deterministic: operations in input order, keys in a fixed order, strings plain when YAML reads
them back as the same string and double-quoted (JSON escapes) otherwise. The top-level
``role`` is written when every operation that needs one uses the same authorization and it is
a role; otherwise each operation names its own. What the Script does not keep (the UNLOAD
query, data-shaping options) is not written.
"""

from __future__ import annotations

import json
import re

from redshift_iam.core.statements import (
    AuthKind,
    Authorization,
    Copy,
    CopyMode,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    Script,
    Unload,
)

_PLAIN = re.compile(r"^[A-Za-z0-9_/][\w./:=,@+*-]*\Z", re.ASCII)


class UnwritableError(Exception):
    """A statement a spec cannot express (an unmapped statement)."""


def scalar(value: object) -> str:
    """A YAML scalar that reads back as ``value``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if _PLAIN.match(text) and _reads_back(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _reads_back(text: str) -> bool:
    import yaml

    return yaml.safe_load(text) == text


def write_spec(script: Script) -> str:
    """The spec of ``script`` (see the module docstring); raises UnwritableError."""
    ops = []
    for statement in script.statements:
        if not isinstance(statement, (Copy, Unload, CreateLibrary)):
            raise UnwritableError(f"{statement.loc.short}: {statement.what} has no spec form")
        ops.append(statement)
    shared = _shared_role(ops)
    lines = []
    if shared is not None:
        lines += _field("role", _role_value(shared), 0)
    lines.append("operations:" if ops else "operations: []")
    for op in ops:
        kind, fields = _fields(op, shared)
        lines.append(f"  - {kind}:")
        for key, value in fields:
            lines += _field(key, value, 6)
    return "\n".join(lines) + "\n"


def _needs_auth(op: Copy | Unload | CreateLibrary) -> bool:
    return not (isinstance(op, CreateLibrary) and op.source is None)


def _shared_role(ops: list) -> Authorization | None:
    auths = {_auth_key(op.auth) for op in ops if _needs_auth(op)}
    if len(auths) != 1:
        return None
    first = next(op.auth for op in ops if _needs_auth(op))
    return first if first.kind is not AuthKind.KEYS else None


def _auth_key(authz: Authorization | None) -> tuple:
    if authz is None:
        return ()
    return (authz.kind, tuple(r.value for r in authz.roles), authz.access_key_id,
            authz.temporary)


def _role_value(authz: Authorization) -> object:
    if authz.kind is AuthKind.DEFAULT_ROLE:
        return "default"
    roles = [r.value for r in authz.roles]
    return roles[0] if len(roles) == 1 else roles


def _field(key: str, value: object, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, list):
        return [f"{pad}{key}:"] + [f"{pad}  - {scalar(item)}" for item in value]
    return [f"{pad}{key}: {scalar(value)}"]


def _auth_fields(authz: Authorization | None, shared: Authorization | None, needed: bool
                 ) -> list[tuple[str, object]]:
    if authz is None or (needed and shared is not None):
        return []
    if authz.kind is AuthKind.KEYS:
        return [("access_key_id", authz.access_key_id)] + (
            [("session_token", True)] if authz.temporary else [])
    return [("role", _role_value(authz))]


def _fields(op, shared: Authorization | None) -> tuple[str, list[tuple[str, object]]]:
    """(operation kind, its keys in order)."""
    if isinstance(op, Copy):
        kind, fields = "copy", _copy_fields(op)
    elif isinstance(op, Unload):
        kind, fields = "unload", _unload_fields(op)
    else:
        kind, fields = "create_library", [("name", op.name), ("from", op.url)]
    fields += [("region", op.region.value)] if op.region else []
    return kind, fields + _auth_fields(op.auth, shared, _needs_auth(op))


def _copy_fields(copy: Copy) -> list[tuple[str, object]]:
    source = copy.source
    if isinstance(source, DynamoTable):
        where = f"dynamodb://{source.name}"
    elif isinstance(source, EmrCluster):
        where = f"emr://{source.cluster_id}" + (f"/{source.path}" if source.path else "")
    else:
        where = source.uri
    fields: list[tuple[str, object]] = [("table", copy.table), ("from", where)]
    if copy.mode is CopyMode.MANIFEST:
        fields.append(("manifest", True))
    if copy.mode is CopyMode.SSH:
        fields.append(("ssh", True))
    if copy.data_format != "TEXT":
        fields.append(("format", copy.data_format.lower()))
    if copy.jsonpaths is not None:
        fields.append((copy.data_format.lower(), copy.jsonpaths.uri))
    if copy.encrypted:
        fields.append(("encrypted", "client"))
    return fields + ([("job", copy.job)] if copy.job else [])


def _unload_fields(unload: Unload) -> list[tuple[str, object]]:
    fields: list[tuple[str, object]] = [("to", unload.target.uri)]
    for option in ("CLEANPATH", "ALLOWOVERWRITE", "MANIFEST"):
        if option in unload.options:
            fields.append((option.lower(), True))
    if unload.encrypted_auto:
        fields.append(("encrypted", "auto"))
    elif unload.kms_key is not None:
        fields += [("encrypted", True), ("kms_key_id", unload.kms_key.value)]
    elif unload.encrypted and unload.client_key:
        fields.append(("encrypted", "client"))
    if unload.partition_by:
        fields.append(("partition_by", list(unload.partition_by)))
    return fields

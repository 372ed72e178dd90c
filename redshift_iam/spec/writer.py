"""A :class:`Script` -> the YAML spec that reads back to the same permissions.

Deterministic: operations in input order, keys in a fixed order, strings plain when YAML reads
them back as the same string and double-quoted (JSON escapes) otherwise. The top-level
``role`` is written when every operation that needs one uses the same authorization and it is
a role; otherwise each operation names its own. What the Script does not keep (the UNLOAD
query, data-shaping options) is not written.

Of templated input, every value is written with its unresolved placeholders as the template
wrote them (``s3://acme/{{ ds }}/``), so the spec reads back, per value, with the same
meaning. What a spec value cannot hold is refused: a slot where options or the whole
authorization may stand, a Jinja block in a name (``PARTITION BY ({% for c in cols %}...)``),
and psql variables (never expanded inside a value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from redshift_iam.core.placeholders import sentinel, shown
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
    for op in ops:
        _check_writable(op)
    shared = _shared_role(ops)
    lines = []
    if shared is not None:
        lines += _field("role", _role_value(*shared), 0)
    lines.append("operations:" if ops else "operations: []")
    for op in ops:
        kind, fields = _fields(op, shared[0] if shared else None)
        lines.append(f"  - {kind}:")
        for key, value in fields:
            lines += _field(key, _as_written(op)(value), 6)
    return "\n".join(lines) + "\n"


def _as_written(op: Copy | Unload | CreateLibrary) -> Callable[[object], object]:
    """A value with the statement's unresolved placeholders as the template wrote them."""
    def show(value: object) -> object:
        if isinstance(value, list):
            return [show(item) for item in value]
        return shown(value, op.placeholders) if isinstance(value, str) else value
    return show


def _check_writable(op: Copy | Unload | CreateLibrary) -> None:
    """Refuse what a spec value cannot hold (see the module docstring)."""
    show = _as_written(op)
    slot = op.open_options[0] if op.open_options else (
        op.auth.open if op.auth is not None and op.auth.kind is AuthKind.OPEN
        and op.auth.open is not None and op.auth.open.what == "authorization" else None)
    if slot is not None:
        raise UnwritableError(f"{op.loc.short}: the placeholder {show(slot.text)} stands where "
                              "options may stand, which a spec cannot say; give its value "
                              "with --var")
    names = " ".join((getattr(op, "table", ""), *getattr(op, "partition_by", ())))
    block = next((p for p in op.placeholders if p.form == "jinja-block" and not p.resolved
                  and sentinel(p.serial) in names), None)
    if block is not None:  # a for/if over names: its one tag would read back as a name
        raise UnwritableError(f"{op.loc.short}: the Jinja block {block.text} stands in a "
                              "table or column name, which a spec value cannot hold; give "
                              "its values with --var")
    psql = next((p for p in op.placeholders if p.form.startswith("psql") and not p.resolved),
                None)
    if psql is not None:
        raise UnwritableError(f"{op.loc.short}: psql variable {psql.text} has no spec form "
                              "(psql does not expand it inside a value); give its value "
                              "with --var")


def _needs_auth(op: Copy | Unload | CreateLibrary) -> bool:
    return not (isinstance(op, CreateLibrary) and op.source is None)


def _shared_role(ops: list) -> tuple[Authorization, Callable] | None:
    """The authorization every operation that needs one shares, if a role, and how its
    statement writes values."""
    auths = {_auth_key(op) for op in ops if _needs_auth(op)}
    if len(auths) != 1:
        return None
    first = next(op for op in ops if _needs_auth(op))
    if first.auth.kind is AuthKind.KEYS or (
            first.auth.kind is AuthKind.OPEN and first.auth.open.what != "role"):
        return None
    return first.auth, _as_written(first)


def _auth_key(op: Copy | Unload | CreateLibrary) -> tuple:
    authz = op.auth
    if authz is None:
        return ()
    show = _as_written(op)
    return (authz.kind, tuple(r.value for r in authz.roles), authz.access_key_id,
            authz.temporary, show(authz.open.text) if authz.open else "")


def _role_value(authz: Authorization, show: Callable[[object], object] = lambda v: v
                ) -> object:
    if authz.kind is AuthKind.DEFAULT_ROLE:
        return "default"
    if authz.kind is AuthKind.OPEN and authz.open is not None:  # OPEN always has its slot
        return show(authz.open.text)
    roles = [r.value for r in authz.roles]
    return show(roles[0] if len(roles) == 1 else roles)


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
    if authz.kind is AuthKind.OPEN and authz.open is not None \
            and authz.open.what == "access key id":
        return [("access_key_id", authz.open.text)]
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

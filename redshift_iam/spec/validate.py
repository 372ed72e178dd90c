"""A spec tree against the shipped JSON Schema (schema.json), with errors that name the file,
the path (``operations[3].unload.kms_key_id``) and the line:col of the offending key or value.

jsonschema is imported on first use. Messages are written here, one per kind of schema
failure, so they never echo a value that might be a secret (only key names, and values of
keys whose type or choice is wrong).
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from redshift_iam.core.aws_names import shown
from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.source import Source
from redshift_iam.spec.loader import Node, diagnostic

# Keys that would hold a secret: named with a fix, never with their value.
SECRET_KEYS = {
    "secret_access_key": "secrets have no place in a spec: leave secret_access_key out "
                         "(access_key_id names the principal)",
    "token": "secrets have no place in a spec: leave token out (session_token: true says the "
             "key is temporary)",
    "master_symmetric_key": "secrets have no place in a spec: leave master_symmetric_key out "
                            "(encrypted: client says the data is client-side encrypted)",
    "credentials": "secrets have no place in a spec: leave credentials out (use role, or "
                   "access_key_id)",
}
_TYPES = {"string": "a string", "boolean": "true or false", "array": "a list",
          "object": "a mapping", "integer": "an integer", "number": "a number", "null": "null"}


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    """The JSON Schema shipped as package data."""
    return json.loads(resources.files("redshift_iam.spec").joinpath("schema.json").read_text())


def path_text(path: list[object]) -> str:
    """``["operations", 3, "unload"]`` -> ``operations[3].unload``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the spec"


def _walk(tree: Node, path: list[object]) -> tuple[Node, int]:
    """The node at ``path`` and the offset of the key that holds it (its own offset at the
    top or in a list)."""
    node, key_offset = tree, tree.offset
    for part in path:
        if isinstance(node.value, dict):
            entry = node.value[part]
            node, key_offset = entry.value, entry.key_offset
        else:
            node = node.value[part]
            key_offset = node.offset
    return node, key_offset


def validate(tree: Node, source: Source, templated: bool = False) -> list[Diagnostic]:
    """Every schema violation of ``tree``, in the order they stand in the text. In a
    templated spec an option slot left open by a placeholder is not judged by its type
    (``spec.templated.pruned``)."""
    from jsonschema import Draft202012Validator

    plain = tree.plain()
    if templated:
        from redshift_iam.spec.templated import pruned

        plain = pruned(tree)
    found: list[tuple[int, str, Diagnostic]] = []
    for error in Draft202012Validator(schema()).iter_errors(plain):
        for offset, message in _messages(tree, list(error.absolute_path), error):
            found.append((offset, message, diagnostic(source, "RI181", message, offset)))
    found.sort(key=lambda item: (item[0], item[1]))
    unique = dict.fromkeys(item[2] for item in found)  # anyOf branches may repeat one error
    return list(unique)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"  # YAML dates and times


def _choice(value: object) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def _messages(tree: Node, path: list[object], error) -> list[tuple[int, str]]:  # noqa: ANN001
    """(offset, message) for one jsonschema error."""
    node, key_offset = _walk(tree, path)
    where = path_text(path)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        return [(node.value[key].key_offset, _unknown(where, key, allowed))
                for key in node.value if key not in error.schema.get("properties", {})]
    if kind == "type":
        expected = error.validator_value
        names = [_TYPES[t] for t in (expected if isinstance(expected, list) else [expected])]
        return [(node.offset, f"{where}: expected {' or '.join(names)}, found "
                              f"{_kind(node.value)}")]
    if kind == "enum":
        choices = ", ".join(_choice(v) for v in error.validator_value)
        return [(node.text_offset, f"{where}: {shown(_choice(node.value))} is not one of "
                                   f"{choices}")]
    if kind == "required":
        missing = [k for k in error.validator_value if k not in node.value]
        return [(key_offset, f"{where}: missing key {k!r}") for k in missing]
    if kind in ("minProperties", "maxProperties") and path and path[0] == "operations":
        return [(node.offset, f"{where}: an operation holds exactly one of copy, unload, "
                              "create_library")]
    if kind == "minItems":
        return [(node.offset, f"{where}: give at least {error.validator_value} item(s)")]
    return [(node.offset, f"{where}: {error.message}")]


def _unknown(where: str, key: str, allowed: list[str]) -> str:
    at = f"{where}.{key}" if where != "the spec" else key
    if SECRET_KEYS.get(key):
        return f"{at}: {SECRET_KEYS[key]}"
    return f"{at}: unknown key; expected one of {', '.join(allowed)}"

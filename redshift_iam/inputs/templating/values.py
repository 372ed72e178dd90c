"""Template values with the place they came from: ``--var``, ``--vars FILE`` and psql ``\\set``.

A :class:`Value` keeps the value an engine receives (a ``--var`` value is the text typed after
its first ``=``, never retyped: ``yes``, ``2020-01-02``, ``' GZIP'`` and ``"'s3://b/k'"`` arrive
as typed; a ``--vars`` file keeps its types for Jinja: numbers, booleans, lists, mappings; a
date is its text), the text a non-Python engine splices, and its ``origin`` (``--var bucket``,
``vars.yaml:3``, ``\\set at line 4``).
:data:`Values` maps normalised dotted names to values; a nested mapping gives one entry per
key path, the mapping itself included (``cfg`` and ``cfg.bucket``), so Jinja sees nested
objects and the other forms see dotted names.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.encodable import SURROGATE_CODE, first_surrogate, surrogate_message
from redshift_iam.core.source import Source
from redshift_iam.core.tree import Entry, ReadTree, TreeError, json_tree
from redshift_iam.inputs.capped import read_utf8
from redshift_iam.inputs.templating.forms import normalise

# A values file holds names and values, not data: 256 KiB is far beyond any real one and
# keeps reading the worst of them (a flow list of 100,000 items; PyYAML composes in Python)
# and its nested values' texts within about a second and tens of MB.
MAX_VALUES_FILE = 256 << 10


class Value(NamedTuple):
    """One value: typed (for Jinja and str.format), as text (for shell/psql), and its origin."""

    value: Any
    text: str
    origin: str


Values = Mapping[str, Value]


def parse_var(spec: str) -> tuple[str, Value]:
    """``NAME=VALUE`` from ``--var``: the name is the text before the first ``=`` (any text a
    hint prints: ``s3-internal``, ``%s#2@etl.py:4``, ``sql.replace("'", "''")``; subscripts
    normalise as placeholders do, ``cfg['bucket']`` -> ``cfg.bucket``), the value the text
    after it, exactly as typed (no typing, no unquoting, spaces kept). Raises InputError:
    RI174 for a missing ``=`` or an empty name, RI128 for text that is not characters (an
    argument that is not UTF-8)."""
    _check_characters("the --var argument", spec)
    name, sep, text = spec.partition("=")
    if not sep or not name.strip():
        raise InputError(Diagnostic(
            "RI174", f"--var {spec!r} is not NAME=VALUE", Location("--var", 1, 1),
            fix="write --var NAME=VALUE, e.g. --var bucket=acme-raw or --var cfg.bucket=acme"))
    dotted = normalise(name)
    return dotted, Value(text, text, f"--var {dotted}")


def _check_characters(what: str, text: str) -> None:
    at = first_surrogate(text)
    if at is not None:
        raise InputError(Diagnostic(SURROGATE_CODE, surrogate_message(what, text, at),
                                    Location("--var", 1, at + 1)))


def load_vars(path: str, read_yaml: ReadTree | None = None) -> dict[str, Value]:
    """Values from a ``.json``, ``.yaml``/``.yml``, ``.env`` or INI (``.ini``, ``.cfg``) file,
    each with origin ``FILE:LINE`` of its key. YAML is read by ``read_yaml`` (the spec stage's
    ``yaml_tree``, which the CLI passes: one YAML reader for the tool) with aliases refused;
    JSON by the core's reader; ``.env`` as python-dotenv reads it (:mod:`.dotenv_values`);
    INI as configparser reads it (:mod:`.ini_values`: ``[S3] LOG_DATA=...`` is
    ``S3.LOG_DATA``). Raises InputError: RI175 for an unreadable or malformed file (naming
    file:line:col, never a value), RI128 for a lone surrogate in a string."""
    try:
        text = read_utf8(path, MAX_VALUES_FILE)
    except (OSError, UnicodeDecodeError) as exc:
        raise _file_error(path, 1, 1, f"cannot read {path}: {getattr(exc, 'strerror', exc)}",
                          _KINDS_FIX) from None
    if path.endswith(".env"):
        from redshift_iam.inputs.templating.dotenv_values import load_env

        return {name: Value(value, "" if value is None else value, origin)
                for name, (value, origin) in load_env(path, text).items()}
    if path.endswith((".ini", ".cfg")):
        from redshift_iam.inputs.templating.ini_values import load_ini

        return {name: Value(value, value if isinstance(value, str) else json.dumps(value), origin)
                for name, (value, origin) in load_ini(path, text).items()}
    if not path.endswith((".json", ".yaml", ".yml")):
        raise _file_error(path, 1, 1, f"{path}: unknown values file type",
                          "name the file .json, .yaml, .yml, .env, .ini or .cfg")
    if read_yaml is None and not path.endswith(".json"):
        raise ValueError("load_vars needs read_yaml (redshift_iam.spec.yaml_tree) for YAML")
    return _tree_values(Source(path, text), None if path.endswith(".json") else read_yaml)


_KINDS_FIX = "give a readable UTF-8 .json, .yaml, .yml, .env, .ini or .cfg file"


def _tree_values(source: Source, read_yaml: ReadTree | None) -> dict[str, Value]:
    """The values of a JSON or YAML file's text (see :func:`load_vars`)."""
    try:
        tree = json_tree(source.text) if read_yaml is None else read_yaml(source.text, False)
    except TreeError as exc:
        raise InputError(Diagnostic(exc.code or "RI175", exc.message, source.location(
            exc.offset), fix="" if exc.code else _TREE_FIX)) from None
    if tree.value is None:
        return {}
    if not isinstance(tree.value, dict):
        raise InputError(Diagnostic("RI175", "the top level is not a mapping of names to values",
                                    source.location(tree.offset),
                                    fix="write NAME: VALUE pairs at the top level"))
    values: dict[str, Value] = {}
    _flatten(source, tree.value, "", values)
    return values


_TREE_FIX = ("fix the file at that place (a mapping of names to strings, numbers, true/false, "
             "null, lists and mappings)")


def _file_error(path: str, line: int, col: int, message: str, fix: str) -> InputError:
    return InputError(Diagnostic("RI175", message, Location(path, line, col), fix=fix))


def _flatten(source: Source, members: dict[str, Entry], prefix: str,
             out: dict[str, Value]) -> None:
    """Each key of a mapping (recursively) as a dotted name; origin = the key's line."""
    for key, entry in members.items():
        name = f"{prefix}{key}"
        value = entry.value.plain()
        text = value if isinstance(value, str) else json.dumps(value) if value is not None else ""
        origin = f"{source.name}:{source.location(entry.key_offset).line}"
        out[name] = Value(value, _scalar_text(value, text), origin)
        if isinstance(entry.value.value, dict):
            _flatten(source, entry.value.value, name + ".", out)


def _scalar_text(value: Any, text: str) -> str:
    """The text a shell-like engine splices: booleans as YAML writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return text


def nested(values: Values) -> dict[str, Any]:
    """The values as Jinja context: dotted names become nested mappings."""
    tree: dict[str, Any] = {}
    for name in sorted(values, key=lambda dotted: dotted.count(".")):
        parts = name.split(".")
        node = tree
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        value = values[name].value
        if not (isinstance(node.get(parts[-1]), dict) and isinstance(value, dict)):
            node[parts[-1]] = copy.deepcopy(value)  # the context may not alter the values
    return tree


def merge(*sources: Values) -> dict[str, Value]:
    """Several value sources as one; a later source wins (``--vars`` files, then ``--var``)."""
    merged: dict[str, Value] = {}
    for source in sources:
        merged.update(source)
    return merged


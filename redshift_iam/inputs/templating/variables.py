"""Template values with the place they came from: ``--var``, ``--vars FILE`` and psql ``\\set``.

A :class:`Value` keeps the typed value (YAML scalar typing, as dbt's ``--vars`` and Helm's
``--set``: ``true``/``false``/``null`` and numbers are typed), the text a non-Python engine
splices, and its ``origin`` (``--var bucket``, ``vars.yaml:3``, ``\\set at line 4``).
:data:`Values` maps normalised dotted names to values; a nested mapping gives one entry per
key path, the mapping itself included (``cfg`` and ``cfg.bucket``), so Jinja sees nested
objects and the other forms see dotted names.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.inputs.templating.forms import normalise

_NAME = re.compile(r"""^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\s*(?:'[^']*'|"[^"]*"|\w+)\s*\])*$""")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][\w.]*)\s*=\s*(?P<value>.*?)\s*$")


class Value(NamedTuple):
    """One value: typed (for Jinja and str.format), as text (for shell/psql), and its origin."""

    value: Any
    text: str
    origin: str


Values = Mapping[str, Value]


def yaml_scalar(text: str) -> Any:
    """``text`` typed as a YAML scalar (``true`` -> True, ``3`` -> 3, ``null`` -> None); text
    YAML cannot read as a scalar stays a string."""
    import yaml  # lazily: plain SQL never needs it

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if value is None or isinstance(value, (bool, int, float, str)) else text


def parse_var(spec: str) -> tuple[str, Value]:
    """``NAME=VALUE`` from ``--var``: split at the first ``=``; the name may be spelled
    ``cfg['bucket']``. Raises InputError (RI174) for a missing ``=`` or a bad name."""
    name, sep, text = spec.partition("=")
    if not sep or not _NAME.match(name.strip()):
        raise InputError(Diagnostic(
            "RI174", f"--var {spec!r} is not NAME=VALUE", Location("--var", 1, 1),
            fix="write --var NAME=VALUE, e.g. --var bucket=acme-raw or --var cfg.bucket=acme"))
    dotted = normalise(name)
    return dotted, Value(yaml_scalar(text), text, f"--var {dotted}")


def load_vars(path: str) -> dict[str, Value]:
    """Values from a ``.json``, ``.yaml``/``.yml`` or ``.env`` file, each with origin
    ``FILE:LINE`` of its key. Raises InputError (RI175) for an unreadable or malformed file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _file_error(path, 1, 1, f"cannot read {path}: {getattr(exc, 'strerror', exc)}",
                          "give a readable UTF-8 .json, .yaml, .yml or .env file") from None
    if path.endswith(".env"):
        return _load_env(path, text)
    if path.endswith((".json", ".yaml", ".yml")):
        return _load_yaml(path, text)
    raise _file_error(path, 1, 1, f"{path}: unknown values file type",
                      "name the file .json, .yaml, .yml or .env")


def _file_error(path: str, line: int, col: int, message: str, fix: str) -> InputError:
    return InputError(Diagnostic("RI175", message, Location(path, line, col), fix=fix))


def _load_env(path: str, text: str) -> dict[str, Value]:
    """``KEY=VALUE`` lines (``export`` allowed, ``#`` comments, single or double quotes)."""
    values: dict[str, Value] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if not match:
            raise _file_error(path, number, 1, f"{path}:{number}: not KEY=VALUE: {line.strip()!r}",
                              "write KEY=VALUE (optionally export KEY=VALUE)")
        raw = match.group("value")
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
            raw = raw[1:-1]
        else:
            raw = re.sub(r"\s+#.*$", "", raw)  # an unquoted value ends at a comment
        name = match.group("name")
        values[name] = Value(raw, raw, f"{path}:{number}")
    return values


def _load_yaml(path: str, text: str) -> dict[str, Value]:
    """A JSON or YAML mapping, flattened to dotted names with each key's line."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _file_error(path, line, col, f"{path}:{line}:{col}: not valid YAML/JSON: "
                          f"{getattr(exc, 'problem', None) or exc}",
                          "fix the syntax (a mapping of names to values)") from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise _file_error(path, node.start_mark.line + 1, node.start_mark.column + 1,
                          f"{path}: the top level is not a mapping of names to values",
                          "write NAME: VALUE pairs at the top level")
    values: dict[str, Value] = {}
    _flatten(path, node, "", values)
    return values


def _flatten(path: str, node: Any, prefix: str, out: dict[str, Value]) -> None:
    """Each key of a mapping node (recursively) as a dotted name; origin = the key's line."""
    import yaml

    for key_node, value_node in node.value:
        name = f"{prefix}{key_node.value}"
        value = yaml.safe_load(yaml.serialize(value_node))
        origin = f"{path}:{key_node.start_mark.line + 1}"
        text = value if isinstance(value, str) else json.dumps(value) if value is not None else ""
        out[name] = Value(value, _scalar_text(value, text), origin)
        if isinstance(value_node, yaml.MappingNode):
            _flatten(path, value_node, name + ".", out)


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


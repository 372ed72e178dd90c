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
# One quoted YAML scalar and nothing else (so composing it never nests).
_QUOTED = re.compile(r"""\A(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\Z""", re.S)
_NAME = re.compile(r"""^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\s*(?:'[^']*'|"[^"]*"|\w+)\s*\])*$""")


class Value(NamedTuple):
    """One value: typed (for Jinja and str.format), as text (for shell/psql), and its origin."""

    value: Any
    text: str
    origin: str


Values = Mapping[str, Value]


def yaml_scalar(text: str) -> Any:
    """``text`` typed as a YAML plain scalar (``true`` -> True, ``3`` -> 3, ``null`` and the
    empty text -> None); a quoted scalar (``"a b"``) is its text without the quotes. Anything
    else (a date, a list, an alias, a tag, a number too long to convert) stays the text as
    written: only the scalar resolver runs, so no document is composed."""
    import yaml  # lazily: plain SQL never needs it

    plain = text.strip()
    if _QUOTED.match(plain):
        return _quoted(plain, text)
    loader = yaml.SafeLoader("")
    tag = loader.resolve(yaml.ScalarNode, plain, (True, False))
    if tag.rpartition(":")[2] not in ("bool", "int", "float", "null"):
        return text
    try:
        return loader.construct_object(yaml.ScalarNode(tag, plain))
    except (ValueError, yaml.YAMLError):  # an integer of more digits than Python converts
        return text


def _quoted(plain: str, text: str) -> str:
    """A quoted YAML scalar's value, or ``text`` when it is not one alone."""
    import yaml

    try:
        node = yaml.compose(plain, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return text
    return node.value if isinstance(node, yaml.ScalarNode) and node.style else text


def parse_var(spec: str) -> tuple[str, Value]:
    """``NAME=VALUE`` from ``--var``: split at the first ``=``; the name may be spelled
    ``cfg['bucket']``. Raises InputError: RI174 for a missing ``=`` or a bad name, RI128 for
    text that is not characters (an argument that is not UTF-8, a ``"\\ud800"`` escape)."""
    _check_characters("the --var argument", spec)
    name, sep, text = spec.partition("=")
    if not sep or not _NAME.match(name.strip()):
        raise InputError(Diagnostic(
            "RI174", f"--var {spec!r} is not NAME=VALUE", Location("--var", 1, 1),
            fix="write --var NAME=VALUE, e.g. --var bucket=acme-raw or --var cfg.bucket=acme"))
    dotted = normalise(name)
    value = yaml_scalar(text)
    if isinstance(value, str):
        _check_characters(f"the value of --var {dotted} (after its YAML escapes)", value)
    return dotted, Value(value, text, f"--var {dotted}")


def _check_characters(what: str, text: str) -> None:
    at = first_surrogate(text)
    if at is not None:
        raise InputError(Diagnostic(SURROGATE_CODE, surrogate_message(what, text, at),
                                    Location("--var", 1, at + 1)))


def load_vars(path: str, read_yaml: ReadTree | None = None) -> dict[str, Value]:
    """Values from a ``.json``, ``.yaml``/``.yml`` or ``.env`` file, each with origin
    ``FILE:LINE`` of its key. YAML is read by ``read_yaml`` (the spec stage's ``yaml_tree``,
    which the CLI passes: one YAML reader for the tool) with aliases refused; JSON by the
    core's reader; ``.env`` as python-dotenv reads it (:mod:`.dotenv_values`). Raises
    InputError: RI175 for an unreadable or malformed file (naming file:line:col, never a
    value), RI128 for a lone surrogate in a string."""
    try:
        text = read_utf8(path, MAX_VALUES_FILE)
    except (OSError, UnicodeDecodeError) as exc:
        raise _file_error(path, 1, 1, f"cannot read {path}: {getattr(exc, 'strerror', exc)}",
                          "give a readable UTF-8 .json, .yaml, .yml or .env file") from None
    if path.endswith(".env"):
        from redshift_iam.inputs.templating.dotenv_values import load_env

        return {name: Value(value, "" if value is None else value, origin)
                for name, (value, origin) in load_env(path, text).items()}
    if not path.endswith((".json", ".yaml", ".yml")):
        raise _file_error(path, 1, 1, f"{path}: unknown values file type",
                          "name the file .json, .yaml, .yml or .env")
    if read_yaml is None and not path.endswith(".json"):
        raise ValueError("load_vars needs read_yaml (redshift_iam.spec.yaml_tree) for YAML")
    return _tree_values(Source(path, text), None if path.endswith(".json") else read_yaml)


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


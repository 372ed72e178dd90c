"""The project config (docs/config.md): option defaults and template values a repository
keeps, as ruff and sqlfluff keep theirs.

- :func:`find_config`: ``.redshift-iam.toml``, else a ``pyproject.toml`` holding a
  ``[tool.redshift-iam]`` table, in the first input's folder or the nearest folder above it;
  the search stops at the repository root (the first folder holding ``.git``) or, outside a
  repository, at the file system root.
- :func:`read_config`: the file, validated: every key known (else ``did you mean``), every
  value of the type and form its option takes; paths relative to the config's folder and
  inside the repository. Any problem raises ``OptionsError`` ``FILE:LINE: ...`` (exit 2).
- :meth:`ProjectConfig.values_for`: the template values of one file: ``[values]``, then each
  ``[per-path."GLOB".values]`` whose glob matches the file's path below the config's folder,
  the least specific first, so for each name the most specific glob that sets it wins.

Nothing in the config runs: values are data spliced into templates as ``--var`` values are.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, NamedTuple

from redshift_iam.core.options import OptionsError
from redshift_iam.inputs.config_find import TABLE, find_config  # noqa: F401 (re-exported)
from redshift_iam.inputs.config_keys import (
    Problem,
    configurable,
    convert,
    fail,
    key_name,
    unknown_key,
)
from redshift_iam.inputs.config_toml import KeyLines, Path, read_toml
from redshift_iam.inputs.templating.values import Value

_NAME = re.compile(r"[A-Za-z_]\w*\Z")
MAX_DEPTH = 32  # values nest at most as deep as a values file's (inputs.templating.values)


class PathValues(NamedTuple):
    """The values of one ``[per-path."GLOB"]`` table; ``rank`` orders by specificity (the
    glob's literal characters), then by place in the file."""

    glob: str
    regex: re.Pattern[str]
    rank: tuple[int, int]
    values: dict[str, Value]


class ProjectConfig(NamedTuple):
    """A config read: its file, the folder its globs and paths are relative to, the
    repository its paths stay in, the options it sets (field -> (value, line)) and its
    values."""

    path: str
    folder: str
    repository: str
    options: dict[str, tuple[Any, int]]
    values: dict[str, Value]
    per_path: tuple[PathValues, ...]

    def values_for(self, file: str | None) -> dict[str, Value]:
        """The values for ``file`` (None or a file outside the folder: the global ones)."""
        merged = dict(self.values)
        where = _below(file, self.folder) if file else None
        if where is None:
            return merged
        for table in sorted(self.per_path, key=lambda t: t.rank):
            if table.regex.fullmatch(where):
                merged.update(table.values)
        return merged


def repository_of(folder: str) -> str:
    """The repository root above ``folder`` (the first folder holding ``.git``), else
    ``folder`` itself."""
    here = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return os.path.abspath(folder)
        here = parent


def read_config(path: str) -> ProjectConfig:
    """The config in ``path`` (see the module docstring); raises OptionsError."""
    data, lines = read_toml(path, _shown(path))
    prefix: Path = ()
    if os.path.basename(path) == "pyproject.toml":
        prefix = TABLE
        data = data.get("tool", {}).get(TABLE[1])
        if not isinstance(data, dict):
            raise OptionsError(f"{path}:1: no [tool.redshift-iam] table")
    folder = os.path.dirname(os.path.abspath(path))
    reader = _Reader(_shown(path), lines, prefix, folder, repository_of(folder))
    return reader.read(data)


class _Reader:
    """Reads one config's table, naming ``FILE:LINE`` in every error."""

    def __init__(self, path: str, lines: KeyLines, prefix: Path, folder: str,
                 repository: str) -> None:
        self.path, self.lines, self.prefix = path, lines, prefix
        self.folder, self.repository = folder, repository

    def error(self, keys: Path, message: str) -> OptionsError:
        table = ".".join(_key(part) for part in self.prefix + keys[:-1])
        return fail(self.path, self.lines.line(self.prefix + keys),
                    f"[{table}] " if table else "", message)

    def read(self, data: dict[str, Any]) -> ProjectConfig:
        keys = configurable()
        options: dict[str, tuple[Any, int]] = {}
        values: dict[str, Value] = {}
        per_path: tuple[PathValues, ...] = ()
        for key, value in data.items():
            if key == "values":
                values = self.values(("values",), value)
            elif key == "per-path":
                per_path = self.per_path(value)
            elif key in keys:
                options[key.replace("-", "_")] = self.option(key, value)
            else:
                raise self.error((key,), unknown_key(key, [*keys, "values", "per-path"]))
        return ProjectConfig(self.path, self.folder, self.repository, options, values,
                             per_path)

    def option(self, key: str, value: Any) -> tuple[Any, int]:
        try:
            converted = convert(key.replace("-", "_"), value, self.folder, self.repository)
        except Problem as exc:
            raise self.error((key,), f"{key}: {exc}") from None
        return converted, self.lines.line(self.prefix + (key,))

    def per_path(self, tables: Any) -> tuple[PathValues, ...]:
        if not isinstance(tables, dict):
            raise self.error(("per-path",), 'per-path: expected tables [per-path."GLOB".values]')
        found = []
        for order, (glob, table) in enumerate(tables.items()):
            keys = ("per-path", glob)
            if not isinstance(table, dict):
                raise self.error(keys, f'per-path "{glob}": expected a table holding [values]')
            for key in table:
                if key in configurable():
                    raise self.error(keys + (key,), f"{key!r} is an option: a per-path table "
                                     "holds only values; set it at the top of the config")
                if key != "values":
                    raise self.error(keys + (key,), unknown_key(key, ["values"]))
            found.append(PathValues(glob, self.glob(keys, glob), (_literal(glob), order),
                                    self.values(keys + ("values",), table.get("values", {}))))
        return tuple(found)

    def glob(self, keys: Path, glob: str) -> re.Pattern[str]:
        from redshift_iam.inputs.scanning.gitignore import translate

        plain = glob.strip("/")
        if not plain or plain.startswith("../") or "/../" in plain or os.path.isabs(glob):
            raise self.error(keys, f"per-path {glob!r}: a glob is relative to the config's "
                                   "folder and stays inside it")
        # A glob matches a path, or a folder and everything below it (sqlfluff's per-folder
        # config); git's wildmatch reads it (as .gitignore's patterns).
        return re.compile(f"(?:{translate(plain)})(?:/.*)?", re.S)

    def values(self, keys: Path, table: Any, prefix: str = "") -> dict[str, Value]:
        if not isinstance(table, dict):
            raise self.error(keys, f"{keys[-1]}: expected a table of NAME = VALUE")
        if prefix.count(".") >= MAX_DEPTH:
            raise self.error(keys, f"values nest more than {MAX_DEPTH} levels")
        found: dict[str, Value] = {}
        for key, value in table.items():
            where = keys + (key,)
            parts = key.split(".")
            if not all(_NAME.match(part) for part in parts):
                raise self.error(where, f"{key!r} is not a variable name (letters, digits and "
                                        "_, not starting with a digit; dotted for nesting)")
            name = prefix + key
            origin = f"{self.path}:{self.lines.line(self.prefix + where)}"
            found[name] = Value(self.scalar(where, value), _text(value), origin)
            if isinstance(value, dict):
                found.update(self.values(where, value, name + "."))
        return found

    def scalar(self, where: Path, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise self.error(where, f"{where[-1]}: values nest more than {MAX_DEPTH} levels")
        if isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, dict):
            return {key: self.scalar(where, item, depth + 1) for key, item in value.items()}
        if isinstance(value, list):
            return [self.scalar(where, item, depth + 1) for item in value]
        raise self.error(where, f"{where[-1]}: a date or time is not a template value; "
                                "quote it")


def _shown(path: str) -> str:
    """How messages and origins name the config: relative to the working directory when
    below it."""
    relative = os.path.relpath(os.path.abspath(path))
    return path if relative.startswith(os.pardir) else relative


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _key(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)


def _literal(glob: str) -> int:
    """How specific a glob is: its characters outside wildcards and bracket expressions."""
    return len(re.sub(r"\*+|\?|\[[^\]]*\]", "", glob.strip("/")))


def _below(file: str, folder: str) -> str | None:
    """``file``'s path below ``folder`` with '/' separators, or None outside it."""
    relative = os.path.relpath(os.path.realpath(file), os.path.realpath(folder))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative.replace(os.sep, "/")


__all__ = ["ProjectConfig", "find_config", "key_name", "read_config", "repository_of"]

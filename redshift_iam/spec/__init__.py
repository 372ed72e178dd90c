"""Operation specs: YAML or JSON that holds what a SQL script would hold (see schema.json and
the README's "Operation specs"). A stage parallel to the SQL reader: Source -> Script.

Input selection lives here so the CLI and the library agree on it:

- :func:`is_spec`: a name ending ``.yaml``, ``.yml`` or ``.json`` is a spec, unless
  ``--input-format`` says ``sql`` or ``spec``;
- :func:`directory_inputs`: what a directory argument stands for.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from redshift_iam.core.lazy import lazy_exports
from redshift_iam.core.lazyre import LazyRegex

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
INPUT_FORMATS = ("auto", "sql", "spec")
# A top-level `operations` key: a YAML line that starts with it, or a JSON member of that name.
_YAML_OPERATIONS = LazyRegex(r"^[\"']?operations[\"']?[ \t]*:", re.M)
_JSON_OPERATIONS = LazyRegex(r"\"operations\"\s*:")


def is_spec(name: str, input_format: str = "auto") -> bool:
    """Whether the input called ``name`` is read as a spec."""
    if input_format != "auto":
        return input_format == "spec"
    return name.lower().endswith(SPEC_SUFFIXES)


def looks_like_spec(name: str, text: str) -> bool:
    """A spec file found in a directory: it has a top-level ``operations`` key."""
    pattern = _JSON_OPERATIONS if name.lower().endswith(".json") else _YAML_OPERATIONS
    return pattern.search(text) is not None


def directory_inputs(directory: str) -> list[str]:
    """Every ``*.sql`` under ``directory`` and every ``*.yaml``/``*.yml``/``*.json`` that looks
    like a spec, recursively, sorted by path; hidden files and folders (``.name``) are left
    out. Files that cannot be read are listed anyway, so reading them reports the error."""
    found = []
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            if name.lower().endswith(".sql") or (
                    name.lower().endswith(SPEC_SUFFIXES) and _spec_file(path)):
                found.append(path)
    return sorted(found, key=lambda p: Path(p).parts)


def _spec_file(path: str) -> bool:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return looks_like_spec(path, text)


__getattr__, __dir__ = lazy_exports(__name__, {
    "read_spec": "reader", "write_spec": "writer", "UnwritableError": "writer",
    "yaml_tree": "yamltree",
})

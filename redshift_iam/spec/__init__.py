"""Operation specs: YAML or JSON that holds what a SQL script would hold (see schema.json and
docs/specs.md). A stage parallel to the SQL reader: Source -> Script.

Input selection lives here so the CLI and the library agree on it:

- :func:`is_spec`: a name ending ``.yaml``, ``.yml`` or ``.json`` is a spec, unless
  ``--input-format`` says ``sql`` or ``spec``;
- :func:`directory_inputs`: what a directory argument stands for.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from redshift_iam.core.lazy import lazy_exports
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.localfiles import FileReader, Judge, NotRead, walk_tree

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
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


class DirectoryInput(NamedTuple):
    """A file a directory argument stands for: the path to read (under the directory), or the
    reason it is not read (``problem``)."""

    path: str
    problem: str = ""


def directory_inputs(directory: str, reader: FileReader | None = None,
                     judge: Judge | None = None) -> list[DirectoryInput]:
    """Every ``*.sql`` under ``directory`` and every ``*.yaml``/``*.yml``/``*.json`` that looks
    like a spec, recursively, sorted by path; hidden files and folders (``.name``) are left
    out, and what ``judge`` leaves out (the front door passes git's rule, as ``scan`` walks:
    inside a work tree, files git ignores are not read). Nothing leads out of the directory
    (``localfiles.walk_tree``): a symbolic link to a file inside it stands for that file (its
    path under the directory); a link out of it (to a folder, or to a file named as an
    input), a loop, a dangling link and a folder that cannot be listed are problems. Files
    that cannot be read (a FIFO, a device, over a limit of ``reader``) are listed anyway, so
    reading them
    (without following links) reports the error."""
    top = os.path.realpath(directory)
    found = []
    def keep(rel: str, is_dir: bool) -> str | None:
        hidden = _not_hidden(rel, is_dir)
        return hidden if hidden is not None or judge is None else judge(rel, is_dir)

    for item in walk_tree(directory, keep, f"{directory}"):
        lowered = item.rel.lower()
        path = os.path.join(directory, item.rel)
        if item.problem:
            if item.folder or lowered.endswith((".sql", *SPEC_SUFFIXES)):
                found.append(DirectoryInput(path, item.problem))
            continue
        if item.linked:  # a link inside the directory: the file it leads to
            path = os.path.join(directory, os.path.relpath(item.path, top))
        if lowered.endswith(".sql") or (lowered.endswith(SPEC_SUFFIXES)
                                        and _spec_file(path, reader or FileReader())):
            found.append(DirectoryInput(path))
    return sorted(dict.fromkeys(found), key=lambda i: Path(i.path).parts)


def _not_hidden(rel: str, is_dir: bool) -> str | None:
    return "" if rel.rpartition("/")[2].startswith(".") else None


def _spec_file(path: str, reader: FileReader) -> bool:
    try:
        text = reader.read(path, follow=False).decode("utf-8", "replace")
    except (NotRead, OSError):
        return True
    return looks_like_spec(path, text)


__getattr__, __dir__ = lazy_exports(__name__, {
    "read_spec": "operations", "write_spec": "writer", "UnwritableError": "writer",
    "yaml_tree": "yamltree",
})

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.spec.operations import read_spec as read_spec
    from redshift_iam.spec.writer import UnwritableError as UnwritableError
    from redshift_iam.spec.writer import write_spec as write_spec
    from redshift_iam.spec.yamltree import yaml_tree as yaml_tree

"""The one door of a stage package: its public names, each imported on first use.

A stage's ``__init__`` lists its public names and the module that defines each; other stages
and the CLI import those names from the package root only (a test holds them to it). Loading
on first use keeps start-up light: ``policy`` on a small script never imports the Terraform
renderer, the templating engine or the spec reader.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, table: Mapping[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``table`` maps each public name to the
    submodule that defines it: relative to the package, or absolute (``redshift_iam.core...``)
    for a name the door re-exports from the core."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        absolute = module.startswith("redshift_iam.")
        value = getattr(importlib.import_module(module if absolute else f"{package}.{module}"),
                        name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    __getattr__.exports = dict(table)  # type: ignore[attr-defined]  # tools/typed_doors.py
    return __getattr__, __dir__

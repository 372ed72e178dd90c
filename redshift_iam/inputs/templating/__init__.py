"""Templated SQL: placeholders of every RULES form, values, and Jinja rendered in a sandbox.

The public entry is :func:`template`; it returns None for plain SQL (one regex search) and a
:class:`Templated` (rendered text, placeholders, offset map) otherwise. :func:`render_source`
is what the CLI runs on each script. The names are loaded on first use, so that reading
plain SQL imports nothing of the engine.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "template": "substitution", "Segment": "mapping", "Templated": "mapping",
    "render_source": "sources", "Value": "values", "Values": "values",
    "load_vars": "values", "merge": "values", "parse_var": "values",
    "Uses": "unused_vars", "unused_vars": "unused_vars",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)

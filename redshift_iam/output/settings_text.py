"""Where each option of a run came from, as ``explain`` shows it when a project config was
read: ``name = value  (origin)``, the origin being ``flag``, the config's ``FILE:LINE`` or
``default``."""

from __future__ import annotations

import json
from collections.abc import Iterable

from redshift_iam.core.options import Setting


def _value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def settings_lines(settings: Iterable[Setting]) -> list[str]:
    """The ``Settings:`` section of explain's text (nothing without settings)."""
    rows = [(s.name, json.dumps(_value(s.value)), s.origin) for s in settings]
    if not rows:
        return []
    width = max(len(name) for name, _, _ in rows)
    return ["", "Settings:"] + [f"    {name:<{width}}  = {value}  ({origin})"
                                for name, value, origin in rows]


def settings_json(settings: Iterable[Setting]) -> list[dict[str, object]]:
    """explain's json ``settings``: one object per option (name, value, origin)."""
    return [{"name": s.name, "value": _value(s.value), "origin": s.origin} for s in settings]

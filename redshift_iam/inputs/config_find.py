"""Where the project config is: the first ``.redshift-iam.toml``, or ``pyproject.toml`` with a
``[tool.redshift-iam]`` table, from the first input's folder upward, stopping at the
repository root (the first folder holding ``.git``). Light on purpose: every run looks, and a
run without a config imports nothing more (``project_config`` reads one)."""

from __future__ import annotations

import os

CONFIG_NAMES = (".redshift-iam.toml", "pyproject.toml")  # in one folder, the first wins
TABLE = ("tool", "redshift-iam")  # pyproject.toml's table; .redshift-iam.toml is the table


def find_config(start: str) -> str | None:
    """The config that applies to the input ``start`` (a file or folder), or None."""
    folder = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_table(candidate)):
                return candidate
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")) or parent == folder:
            return None
        folder = parent


def _has_table(path: str) -> bool:
    """Whether a pyproject.toml has a [tool.redshift-iam] table (read only when it names it)."""
    try:
        with open(path, "rb") as handle:
            if b"redshift-iam" not in handle.read(1 << 20):
                return False
    except OSError:
        return False
    from redshift_iam.inputs.config_toml import read_toml

    relative = os.path.relpath(os.path.abspath(path))
    data, _ = read_toml(path, path if relative.startswith(os.pardir) else relative)
    return isinstance(data.get("tool"), dict) and TABLE[1] in data["tool"]

"""``scan --values-template``: the open variables of a :class:`ScanReport` as a project
config to fill in (``output.values_template``), its globs relative to the folder of the
config that applies, or (without one) of the first path scanned."""

from __future__ import annotations

import os
from collections.abc import Sequence

from redshift_iam.analysis.scan_tree import ScanReport


def values_template(report: ScanReport, paths: Sequence[str]) -> str:
    """The template's TOML text (see the module docstring)."""
    from redshift_iam.output import below
    from redshift_iam.output import values_template as render

    config = report.config
    if config is not None:
        folder = config.folder
        pyproject = os.path.basename(config.path) == "pyproject.toml"
        target, action = config.path, "add these tables to"
    else:
        first = paths[0] if paths else "."
        folder = first if os.path.isdir(first) else os.path.dirname(first) or "."
        pyproject, action = False, "save this as"
        target = os.path.join(folder, ".redshift-iam.toml")
    header = (f"redshift-iam values for the open variables found by scan.\n"
              f"Fill in each value and {action} {target}\n"
              "(globs are relative to its folder); the next scan reads it. Each comment names\n"
              "a place the variable stands and the kind of value it needs there.")
    table = "tool.redshift-iam.per-path" if pyproject else "per-path"
    analysis = report.analysis
    return str(render(report.diagnostics, analysis.script.statements,
                      lambda file: str(below(file, folder)), header, table))

"""The front door of ``lint``: findings about how the SQL authorizes Redshift (keys in
scripts, keys that look live, CREDENTIALS strings Redshift refuses, the default role, ...),
with inline suppressions applied. See ``audit.lint``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from redshift_iam.analysis.audit_sources import scanned
from redshift_iam.analysis.gather import Input
from redshift_iam.core.options import DEFAULTS, SEVERITIES, Options, OptionsError

if TYPE_CHECKING:
    from redshift_iam.audit import LintReport


def lint(inputs: Sequence[Input], options: Options = DEFAULTS, *, scan: bool = False,
         stdin: bytes | None = None, cwd: Path | None = None) -> LintReport:
    """The findings of ``inputs``, read as :func:`read_inputs` reads them (files,
    directories, ``-`` for ``stdin``, Sources; templates rendered with the options' values),
    or with ``scan`` the statements ``scan`` finds in the source trees they name (its
    templating diagnostics are findings, and so is every place it did not read: RC408).
    Nothing is derived: the options of what the SQL does not say do not matter here; which
    findings fail the run is ``report.at_least(Severity(options.min_severity))``. Raises
    OptionsError for a bad option."""
    from redshift_iam.audit import lint as lint_script

    if options.min_severity not in SEVERITIES:
        raise OptionsError(f"--min-severity {options.min_severity!r} is not one of "
                           f"{', '.join(SEVERITIES)}")

    if scan:
        found = scanned(inputs, options)
        script = found.analysis.script
        script = script._replace(diagnostics=found.rendering + script.diagnostics
                                 + found.not_read)
    else:
        from redshift_iam.analysis.pipeline import read_inputs

        script = read_inputs(inputs, options, stdin=stdin, cwd=cwd)
    return lint_script(script)

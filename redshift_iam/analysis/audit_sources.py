"""What the audit jobs (:func:`check`, :func:`lint`) read: the inputs as ``policy`` reads them,
or a source tree through ``scan``'s discovery (``--scan``), where every place the scanner
did not read becomes a finding (RC408) rather than a silent gap."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from redshift_iam.analysis.gather import Input
from redshift_iam.core.diagnostics import Diagnostic, Location, Severity
from redshift_iam.core.options import Options, OptionsError
from redshift_iam.core.reports import Analysis

if TYPE_CHECKING:  # a Protocol costs start-up time to define
    from redshift_iam.core.lookups import Resolver


class Scanned(NamedTuple):
    """A scan as the audit jobs use it: its analysis, its templating diagnostics, and an
    RC408 per place the scanner did not read (the located errors are diagnostics already)."""

    analysis: Analysis
    rendering: tuple[Diagnostic, ...]
    not_read: tuple[Diagnostic, ...]


def scanned(paths: Sequence[Input], options: Options, resolver: Resolver | None = None
            ) -> Scanned:
    """``scan`` of ``paths`` (see :func:`redshift_iam.analysis.scan`)."""
    from redshift_iam.analysis.scan_tree import scan

    names = [_path(item) for item in paths]
    report = scan(names, options, resolver)
    located = {(d.location.file, d.location.line, d.location.col) for d in report.diagnostics
               if d.severity is Severity.ERROR and d.location is not None}
    not_read = tuple(_not_read(place) for place in report.skipped
                     if (place.path, place.line, place.col) not in located)
    return Scanned(report.analysis, report.rendering, not_read)


def _path(item: Input) -> str:
    import os

    if not isinstance(item, (str, os.PathLike)) or os.fspath(item) == "-":
        raise OptionsError("--scan reads paths: a source tree or files, not standard input "
                           "or texts")
    return os.fspath(item)


def _not_read(place: Any) -> Diagnostic:
    """A place the scanner skipped, as RC408 (a whole file at its line 1)."""
    where = Location(place.path, place.line or 1, place.col or 1)
    return Diagnostic("RC408", f"not read: {place.reason}", where)


def read_sql(inputs: Sequence[Input], options: Options, *, scan: bool, stdin: bytes | None,
             cwd: Path | None, resolver: Resolver | None = None) -> Analysis:
    """The analysis of ``inputs`` (as ``analyze`` reads them), or with ``scan`` of the trees
    they name, its inputs' diagnostics holding the templating ones and RC408s."""
    if not scan:
        from redshift_iam.analysis.pipeline import analyze

        return analyze(inputs, options, stdin=stdin, cwd=cwd, resolver=resolver)
    found = scanned(inputs, options, resolver)
    return found.analysis._replace(inputs=found.rendering + found.analysis.inputs
                                   + found.not_read)

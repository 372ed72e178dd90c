"""The front door of ``scan``: the statements in a source tree, analysed as :func:`analyze`
analyses scripts, with the places not read."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from redshift_iam.analysis.configure import configure
from redshift_iam.analysis.gather import load_values, note_uses
from redshift_iam.analysis.pipeline import build, read_sources, resolver_for
from redshift_iam.core.diagnostics import Diagnostic, InputError, Severity
from redshift_iam.core.localfiles import SCAN_READ_LIMITS
from redshift_iam.core.options import DEFAULTS, Options
from redshift_iam.core.reports import Analysis
from redshift_iam.core.source import Hosted, IncludeError, Source

if TYPE_CHECKING:  # a Protocol costs start-up time to define
    from redshift_iam.core.lookups import Resolver

class ScanReport(NamedTuple):
    """What :func:`scan` found: the analysis of every statement read, the places not
    read (``inputs.scanning.Skipped``: the scanner's, then each located error: a statement
    that could not be rendered, read or derived), the templating diagnostics (warnings and
    errors) and how many files were opened."""

    analysis: Analysis
    skipped: tuple[Any, ...]
    rendering: tuple[Diagnostic, ...]
    files_read: int

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Everything to tell the user, templating first."""
        return self.rendering + self.analysis.diagnostics

    @property
    def unresolved(self) -> tuple[Diagnostic, ...]:
        """The unresolved needs, sorted by place (file, line, column, code)."""
        return tuple(sorted((d for d in self.diagnostics if d.severity is Severity.UNRESOLVED),
                            key=_place))

    def clean(self, allow_unresolved: bool = False) -> bool:
        """True when everything found was read, derived and (unless ``allow_unresolved``)
        resolved: ``scan`` exits 0."""
        fatal = {Severity.ERROR} | (set() if allow_unresolved else {Severity.UNRESOLVED})
        return not self.skipped and not any(d.severity in fatal for d in self.diagnostics)


def _place(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    where = diagnostic.location
    return (where.file, where.line, where.col, diagnostic.code) if where else (
        "", 0, 0, diagnostic.code)


def scan(paths: Sequence[str], options: Options = DEFAULTS,
         resolver: Resolver | None = None) -> ScanReport:
    """Find the statements under ``paths`` (``inputs.scan``), render each fragment as the
    template its host implies (``options.template_style`` other than ``auto`` overrides; its
    own bindings, then the options' values, fill its placeholders; its positional slots take
    the names of the arguments passed for them), read, derive and build, as :func:`analyze`
    does (``options.resolve``: with ``resolver`` or boto3's). Every position is the host
    file's. Raises OptionsError for a bad option and
    InputError when the template values cannot be loaded (nothing is scanned then). A PATH
    that does not exist is RI100, as an input of the other commands is; the others are
    scanned."""
    from redshift_iam.inputs import Uses, unused_vars
    from redshift_iam.inputs import scan as find

    configured = configure(options)
    problems: list[Diagnostic] = []
    values = load_values(options, problems)
    if problems:
        raise InputError(*problems)
    style = None if options.template_style == "auto" else options.template_style
    missing = [Diagnostic("RI100", f"{path}: no such file or folder")
               for path in paths if not os.path.lexists(path)]
    found = find([path for path in paths if os.path.lexists(path)],
                 options.read_limits(SCAN_READ_LIMITS))
    sources, rendering, uses = [], list(missing), Uses()
    for fragment in found.fragments:
        source, notes = _render_fragment(fragment, values, style, options.template_path)
        rendering += notes
        if source is not None:
            sources.append(source)
            note_uses(uses, source)
        else:
            uses.add_text(fragment.text, opaque=True)
    if options.template_vars:
        rendering += unused_vars(values, uses)
    analysis = build(read_sources(sources, "sql", _ScanIncludes(paths)), configured, (),
                     resolver_for(options, resolver))
    errors = [d for d in (*rendering, *analysis.diagnostics)
              if d.severity is Severity.ERROR and d.location is not None]
    skipped = [*found.skipped, *map(_not_read, errors)]
    return ScanReport(analysis, tuple(skipped), tuple(rendering), found.files_read)


def _render_fragment(fragment: Any, values: Mapping[str, Any], style: str | None,
                     template_path: str | None) -> tuple[Source | None, list[Diagnostic]]:
    """The fragment as a Source located in its host file, rendered with its bindings (whose
    origin is ``path:line``) and then ``values``; (None, [error]) when it cannot be rendered."""
    from redshift_iam.inputs import Value, render_source

    first = fragment.offsets[0]
    plain = Source(f"{fragment.path}:{first.line}:{first.col}", fragment.text)
    hosted = Source(plain.name, plain.text, Hosted(plain, fragment.location))
    own = {name: Value(b.value, b.value, b.origin) for name, b in fragment.bindings.items()}
    try:
        source, warnings = render_source(hosted, {**own, **values}, style or fragment.style,
                                         template_path, positional_names=fragment.positional)
    except InputError as exc:
        return None, [exc.diagnostic]
    return source, list(warnings)


class _ScanIncludes:
    """The include loader of a scan: scan reads every .sql file under the paths on its own,
    so a psql include (``\\i``, ``\\ir``) of a file under them reads as nothing (its
    statements are reported at their own place, once); an include of a file outside them is
    RI100, a place not read."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.roots = [os.path.realpath(path) for path in paths]

    def __call__(self, name: str, relative: bool, chain: tuple[Source, ...]) -> Source:
        host = chain[-1].name.rsplit(":", 2)[0] if chain else ""
        base = os.path.dirname(host) if relative else os.getcwd()
        target = os.path.realpath(os.path.join(base, name))
        if not os.path.isfile(target):
            where = "the including file" if relative else "the working directory, as psql does"
            raise IncludeError("RI100", f"cannot include {name}: no such file (relative to "
                                        f"{where})")
        if any(target == root or target.startswith(root + os.sep) for root in self.roots):
            return Source(name, "")
        raise IncludeError("RI100", f"cannot include {name}: scan follows no psql include "
                                    "outside the paths scanned (add its folder as a PATH)")


def _not_read(diagnostic: Diagnostic) -> Any:
    """A located error as a place not read."""
    from redshift_iam.inputs import Skipped

    where = diagnostic.location
    return Skipped(where.file, where.line, where.col,
                   f"{diagnostic.code} {diagnostic.shown_message}; {diagnostic.hint}")

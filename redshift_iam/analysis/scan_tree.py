"""The front door of ``scan``: the statements in a source tree, analysed as :func:`analyze`
analyses scripts, with the places not read."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from redshift_iam.analysis.configure import Configured
from redshift_iam.analysis.gather import code_values, load_values, note_uses
from redshift_iam.analysis.host_snippets import analysis_snippets, fragment_hosts, host_snippets
from redshift_iam.analysis.pipeline import build, read_sources, resolver_for
from redshift_iam.analysis.project import first_input, load_project
from redshift_iam.core.diagnostics import Diagnostic, InputError, Location, Severity
from redshift_iam.core.localfiles import SCAN_READ_LIMITS, FileReader
from redshift_iam.core.options import DEFAULTS, Options
from redshift_iam.core.reports import Analysis
from redshift_iam.core.source import Hosted, IncludeError, Source
from redshift_iam.core.statements import Script

if TYPE_CHECKING:  # a Protocol costs start-up time to define
    from redshift_iam.core.lookups import Resolver

class ScanReport(NamedTuple):
    """What :func:`scan` found: the analysis of every statement read, the places not
    read (``inputs.scanning.Skipped``: the scanner's, then each located error: a statement
    that could not be rendered, read or derived), the templating diagnostics (warnings and
    errors), how many files were opened, and the project config read."""

    analysis: Analysis
    skipped: tuple[Any, ...]
    rendering: tuple[Diagnostic, ...]
    files_read: int
    config: Any = None  # the project config read (inputs.ProjectConfig), or None

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
    does (``options.resolve``: with ``resolver`` or boto3's). The project config found
    upward from the first path (``analysis.project``) completes the options; a fragment's
    values are its own bindings, then the config's for its file, then the options'. Every
    position is the host
    file's. Raises OptionsError for a bad option and
    InputError when the template values cannot be loaded (nothing is scanned then). A PATH
    that does not exist is RI100, as an input of the other commands is; the others are
    scanned."""
    from redshift_iam.inputs import Uses, unused_vars
    from redshift_iam.inputs import scan as find

    project = load_project(options, first_input(paths))
    options = project.options
    configured = project.configure()
    problems: list[Diagnostic] = []
    given = load_values(options, problems)
    if problems:
        raise InputError(*problems)
    style = None if options.template_style == "auto" else options.template_style
    missing = [Diagnostic("RI100", f"{path}: no such file or folder")
               for path in paths if not os.path.lexists(path)]
    found = find([path for path in paths if os.path.lexists(path)],
                 options.read_limits(SCAN_READ_LIMITS), options.exclude)
    includes = FileReader(options.read_limits(SCAN_READ_LIMITS))  # what {% include %} reads
    uses = Uses()
    sources, rendering, broken = _render_all(found.fragments, project, given, style,
                                             (options.template_path, includes), uses)
    rendering[:0] = missing
    if options.template_vars:
        rendering += unused_vars(given, uses)
    script = _read_each(sources, _ScanIncludes(paths, found.sql_files, includes), broken)
    analysis = _build_each(script, configured, resolver_for(options, resolver),
                           broken)._replace(settings=project.settings)
    hosts = fragment_hosts(found.fragments)
    again = FileReader(options.read_limits(SCAN_READ_LIMITS))  # the host lines of snippets
    rendering = list(host_snippets(rendering, hosts, again))
    analysis = analysis_snippets(analysis, hosts, again)
    errors = [d for d in (*rendering, *analysis.diagnostics)
              if d.severity is Severity.ERROR and d.location is not None]
    skipped = [*found.skipped, *broken, *map(_not_read, errors)]
    return ScanReport(analysis, tuple(skipped), tuple(rendering), found.files_read,
                      project.config)


def _render_all(fragments: Sequence[Any], project: Any, given: Mapping[str, Any],
                style: str | None, templates: tuple[str | None, FileReader], uses: Any
                ) -> tuple[list[Source], list[Diagnostic], list[Any]]:
    """Each fragment rendered with the config's values for its file, then ``given``: the
    sources, the rendering's diagnostics, and the places a bug stopped (the rest goes on);
    what each template uses is noted in ``uses`` (for RW225)."""
    sources: list[Source] = []
    rendering: list[Diagnostic] = []
    broken: list[Any] = []
    per_file: dict[str, dict[str, Any]] = {}
    for fragment in fragments:
        if fragment.path not in per_file:
            per_file[fragment.path] = {**project.values_for(fragment.path), **given}
        try:
            source, notes = _render_fragment(fragment, per_file[fragment.path], style,
                                             *templates)
        except Exception as exc:  # a bug: this fragment is a place not read, the rest goes on
            broken.append(_broken(exc, "rendering", fragment.location(0)))
            continue
        rendering += notes
        if source is not None:
            sources.append(source)
            note_uses(uses, source)
        else:
            uses.add_text(fragment.text, opaque=True)
    return sources, rendering, broken


def _broken(exc: Exception, doing: str, where: Location) -> Any:
    """A place where a bug stopped the work (re-raised with REDSHIFT_IAM_DEBUG)."""
    from redshift_iam.inputs import Skipped, internal_error

    if os.environ.get("REDSHIFT_IAM_DEBUG"):
        raise exc
    return Skipped(where.file, where.line, where.col, internal_error(exc, doing))


def _read_each(sources: list[Source], loader: _ScanIncludes, broken: list[Any]) -> Script:
    """The fragments read together; when the reader fails on one (a bug), each alone, the
    failing ones as places not read."""
    try:
        return read_sources(sources, "sql", loader)
    except Exception:  # find which
        parts = []
        for source in sources:
            try:
                parts.append(read_sources([source], "sql", loader))
            except Exception as exc:
                broken.append(_broken(exc, "reading", source.location(0)))
        return Script(tuple(s for p in parts for s in p.statements),
                      sum(p.skipped for p in parts), tuple(d for p in parts for d in p.diagnostics),
                      tuple(t for p in parts for t in p.texts))


def _build_each(script: Script, configured: Configured, resolver: Resolver | None,
                broken: list[Any]) -> Analysis:
    """The analysis of every statement; when deriving fails (a bug), without the statements
    that fail alone, each a place not read."""
    try:
        return build(script, configured, (), resolver)
    except Exception:  # find which
        kept = []
        for statement in script.statements:
            try:
                build(script._replace(statements=(statement,)), configured, (), resolver)
                kept.append(statement)
            except Exception as exc:
                broken.append(_broken(exc, "deriving", statement.loc))
        return build(script._replace(statements=tuple(kept)), configured, (), resolver)


def _render_fragment(fragment: Any, values: Mapping[str, Any], style: str | None,
                     template_path: str | None, reader: FileReader
                     ) -> tuple[Source | None, list[Diagnostic]]:
    """The fragment as a Source located in its host file, rendered with its bindings (whose
    origin is ``path:line``) and then ``values``; (None, [error]) when it cannot be rendered."""
    from redshift_iam.inputs import render_source

    first = fragment.offsets[0]
    plain = Source(f"{fragment.path}:{first.line}:{first.col}", fragment.text)
    hosted = Source(plain.name, plain.text, Hosted(plain, fragment.location))
    own = code_values(fragment.bindings)
    try:
        source, warnings = render_source(hosted, {**own, **values}, style or fragment.style,
                                         template_path, positional_names=fragment.positional,
                                         keyword_names=dict(fragment.keyword_names),
                                         reader=reader)
    except InputError as exc:
        return None, [exc.diagnostic]
    return source, list(warnings)


class _ScanIncludes:
    """The include loader of a scan. A psql include (``\\i``, ``\\ir``) of a SQL file the
    scan read whole reads as nothing (its statements are reported at their own place, once);
    of another file under the paths (a name scan does not read, such as ``copies.inc``, or one
    git ignores or ``--exclude`` leaves out), its text through the run's reader, located in
    it; of a file that is missing, or outside the paths, RI100: a place not read."""

    def __init__(self, paths: Sequence[str], read_whole: frozenset[str],
                 reader: FileReader) -> None:
        self.roots = [os.path.realpath(path) for path in paths]
        self.read_whole = read_whole
        self.reader = reader

    def __call__(self, name: str, relative: bool, chain: tuple[Source, ...]) -> Source:
        files = [_file_of(source) for source in chain]
        host = files[-1] if files else ""
        base = os.path.dirname(host) if relative else os.getcwd()
        target = os.path.realpath(os.path.join(base, name))
        if not os.path.isfile(target):
            where = "the including file" if relative else "the working directory, as psql does"
            raise IncludeError("RI100", f"cannot include {name}: no such file (relative to "
                                        f"{where})")
        if not any(target == root or target.startswith(root + os.sep) for root in self.roots):
            raise IncludeError("RI100", f"cannot include {name}: scan follows no psql include "
                                        "outside the paths scanned (add its folder as a PATH)")
        if target in self.read_whole:
            return Source(name, "")
        shown = os.path.join(os.path.dirname(host), name) if relative else name
        if target in map(os.path.realpath, files):
            raise IncludeError("RI106", f"include cycle: {' -> '.join([*files, shown])}")
        return self._read(shown, target)

    def _read(self, shown: str, target: str) -> Source:
        from redshift_iam.inputs import included_text

        try:
            return included_text(self.reader, shown, target)
        except InputError as exc:
            raise IncludeError("RI105", f"cannot include {shown}: "
                                        f"{exc.diagnostic.message}") from None


def _file_of(source: Source) -> str:
    """The file a source is read from (a fragment's is its host file)."""
    return source.location(0).file


def _not_read(diagnostic: Diagnostic) -> Any:
    """A located error as a place not read."""
    from redshift_iam.inputs import Skipped

    where = diagnostic.location
    assert where is not None  # the caller keeps located errors only
    return Skipped(where.file, where.line, where.col,
                   f"{diagnostic.code} {diagnostic.shown_message}; {diagnostic.hint}")

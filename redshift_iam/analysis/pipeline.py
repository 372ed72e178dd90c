"""The pipeline behind :func:`analyze`: inputs -> Sources -> (rendered) -> Script ->
Derivation -> per-principal documents. Each stage is reached through its one door."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from redshift_iam.analysis.configure import Configured, trust_options
from redshift_iam.analysis.gather import ConfigValues, Input, gather
from redshift_iam.analysis.project import first_input, load_project
from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.localfiles import DEFAULT_READ_LIMITS, FileReader
from redshift_iam.core.options import DEFAULTS, Options
from redshift_iam.core.policy import PolicyDocument
from redshift_iam.core.reports import Analysis
from redshift_iam.core.settings import Limits, Settings, TrustOptions
from redshift_iam.core.source import Loader, Render, Source
from redshift_iam.core.statements import Script

if TYPE_CHECKING:  # a Protocol costs start-up time to define
    from redshift_iam.core.lookups import Resolver

DEFAULT_TRUST = TrustOptions()
DEFAULT_LIMITS = Limits()


def analyze(inputs: Sequence[Input], options: Options = DEFAULTS, *,
            stdin: bytes | None = None, cwd: Path | None = None,
            resolver: Resolver | None = None) -> Analysis:
    """Read ``inputs`` (paths of SQL scripts or specs, directories, ``-`` for ``stdin``, or
    :class:`Source` texts), render their templates with the options' values, derive the
    grants and build every principal's permissions and trust policies. psql includes are
    read relative to ``cwd`` (default: the working directory). With ``options.resolve``,
    what the SQL and the options leave open is looked up in the AWS account (``resolver``,
    by default boto3's: see :func:`resolver_for`). The project config that applies
    (``analysis.project``) completes the options and gives each file its values. Problems
    with the input are diagnostics of the result (see ``Analysis.failures``); a bad option
    or config raises ``OptionsError``; a manifest file that cannot be used raises
    ``InputError``."""
    project = load_project(options, first_input(inputs))
    configured = project.configure()
    script, diagnostics = _read(inputs, project.options, stdin, cwd, project.values_for)
    analysis = build(script, configured, diagnostics, resolver_for(project.options, resolver))
    return analysis._replace(settings=project.settings)


def resolver_for(options: Options, resolver: Resolver | None = None) -> Resolver | None:
    """The resolver of a run: none without ``options.resolve``; else the one given, or
    boto3's with the default credential chain (the options' Region first)."""
    if not options.resolve:
        return None
    if resolver is None:
        from redshift_iam.aws import AwsResolver

        resolver = AwsResolver(region=options.region or None)
    return resolver


def build(script: Script, configured: Configured, diagnostics: tuple[Diagnostic, ...] = (),
          resolver: Resolver | None = None) -> Analysis:
    """Derive the grants of ``script`` and build every principal's documents;
    ``diagnostics`` are the problems of reading the inputs, reported first. A ``resolver``
    first fills the settings with what the account says (``derive.resolve_settings``)."""
    from redshift_iam.derive import derive
    from redshift_iam.documents import build_reports
    from redshift_iam.sql import attach_snippets

    settings = configured.settings
    if resolver is not None:
        from redshift_iam.derive import resolve_settings

        resolution = resolve_settings(script, settings, resolver)
        settings = resolution.settings._replace(
            notes=resolution.settings.notes + resolution.diagnostics)
    derivation = derive(script, settings)
    derivation = derivation._replace(
        diagnostics=attach_snippets(derivation.diagnostics, script.texts))
    reports, sizing = build_reports(derivation, configured.trust, configured.limits)
    return Analysis(script, derivation, reports, sizing, diagnostics)


def analyze_sources(sources: Iterable[Source], settings: Settings,
                    trust: TrustOptions = DEFAULT_TRUST, limits: Limits = DEFAULT_LIMITS, *,
                    loader: Loader | None = None, input_format: str = "auto",
                    render: Render | None = None) -> Analysis:
    """:func:`analyze` for a caller that has the Sources (already rendered) and the stages'
    Settings in hand, e.g. Settings completed by lookups in the account."""
    script = read_sources(tuple(sources), input_format, loader, render)
    return build(script, Configured(settings, trust, limits))


def read_inputs(inputs: Sequence[Input], options: Options = DEFAULTS, *,
                stdin: bytes | None = None, cwd: Path | None = None) -> Script:
    """The statements of ``inputs`` (as :func:`analyze` reads them), without deriving
    anything; the problems of reading them are the Script's diagnostics (first)."""
    project = load_project(options, first_input(inputs))
    script, diagnostics = _read(inputs, project.options, stdin, cwd, project.values_for)
    return script._replace(diagnostics=diagnostics + script.diagnostics)


def _read(inputs: Sequence[Input], options: Options, stdin: bytes | None, cwd: Path | None,
          config: ConfigValues) -> tuple[Script, tuple[Diagnostic, ...]]:
    """The Script of ``inputs`` (psql includes read relative to ``cwd`` and rendered as
    their top script, ``analysis.included``) and the problems of gathering and rendering
    them (RW225 last)."""
    from redshift_iam.inputs import IncludeLoader

    reader = FileReader(options.read_limits(DEFAULT_READ_LIMITS))
    gathered = gather(inputs, options, stdin, reader, config)
    loader = gathered.templating.loader(IncludeLoader(cwd or Path.cwd(), reader))
    script = read_sources(gathered.sources, options.input_format, loader, gathered.render)
    return script, gathered.diagnostics + gathered.templating.notes()


def read_sources(sources: Iterable[Source], input_format: str = "auto",
                 loader: Loader | None = None, render: Render | None = None) -> Script:
    """SQL scripts and specs (``spec.is_spec``) -> one Script, statements in input order.
    Runs of SQL sources are read together. ``render`` renders the template placeholders of
    spec values; SQL sources come rendered already."""
    from redshift_iam.spec import is_spec
    from redshift_iam.sql import read_script

    parts: list[Script] = []
    run: list[Source] = []
    for source in sources:
        if not is_spec(source.name, input_format):
            run.append(source)
            continue
        from redshift_iam.spec import read_spec  # loads the spec reader only for a spec
        parts += [read_script(run, loader)] if run else []
        parts.append(read_spec(source, render))
        run = []
    if run or not parts:
        parts.append(read_script(run, loader))
    if len(parts) == 1:
        return parts[0]
    return Script(tuple(s for p in parts for s in p.statements), sum(p.skipped for p in parts),
                  tuple(d for p in parts for d in p.diagnostics),
                  tuple(t for p in parts for t in p.texts))


def standard_trust(options: Options = DEFAULTS) -> PolicyDocument:
    """The trust policy of a role attached to a cluster or workgroup, with no SQL at all."""
    from redshift_iam.documents import standard_trust as build

    return build(trust_options(load_project(options, ".").options))

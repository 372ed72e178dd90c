"""What every command shares: reading the inputs, analysing them, and mapping errors to exit
codes (0 ok; 1 bad input, unresolved needs or nothing to grant; 2 usage). stdout carries only
the requested document; every diagnostic goes to stderr."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.core.diagnostics import InputError

EXIT_CODES = """\b
Exit codes:
  0  success: the document is on stdout
  1  bad input, unresolved needs, findings, or nothing to grant (stdout empty;
     explain alone still prints its review when the only problems are unresolved needs)
  2  usage error: unknown command or option, bad flag value (stdout empty)"""


class Failure(click.ClickException):
    """Exit 1 with a message on stderr (diagnostics, if any, were printed already)."""

    exit_code = 1

    def __init__(self, message: str, severity: str = "error") -> None:
        super().__init__(message)
        self.severity = severity  # of the summary line in --error-format json

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        if self.message:
            cli_errors.summary(self.message, self.severity)


def trust_settings(kwargs):
    """TrustOptions from the trust flags (checked against --partition); a bad one is a usage
    error."""
    from redshift_iam.inputs import FlagError, build_trust_options
    try:
        return build_trust_options(kwargs["partition"], kwargs.get("serverless", False),
                                   tuple(kwargs.get("trust_regions", ())),
                                   tuple(kwargs.get("db_users", ())))
    except FlagError as exc:
        raise click.UsageError(str(exc)) from None


def read_sources(scripts, stdin=None, reader=None):
    """Sources of the scripts (standard input when there are none); ``stdin`` is its bytes
    when the caller has read them already; ``reader`` (a FileReader) reads the files under
    its limits."""
    from redshift_iam.inputs import read_source
    if not scripts:
        if stdin is None and sys.stdin.isatty():
            raise click.UsageError("no SCRIPT given and standard input is a terminal")
        scripts = ("-",)
    if stdin is None and "-" in scripts:
        stdin = sys.stdin.buffer.read()
    sources, problems = [], []
    for path, follow in _expand_directories(scripts, reader).items():
        if not isinstance(follow, bool):
            problems.append(follow)
            continue
        try:
            sources.append(read_source(path, stdin, reader, follow))
        except InputError as exc:
            problems.append(exc.diagnostic)
    return sources, problems


def _expand_directories(scripts, reader):
    """Each directory argument -> its SQL scripts and specs (spec.directory_inputs), read
    without following links (a link inside it stands for its target; one out of it is RI100);
    a file named twice is read once. Returns path -> True (read, following a link), False
    (read, following none) or the Diagnostic that says why it is not read, in input order."""
    from redshift_iam.core.diagnostics import Diagnostic
    from redshift_iam.spec import directory_inputs
    paths = {}
    for path in scripts:
        if path == "-" or not os.path.isdir(path):
            paths.setdefault(path, True)
            continue
        found = directory_inputs(path, reader)
        if not found:
            paths.setdefault(path, Diagnostic("RI100", f"{path} holds no *.sql file and no spec"))
        for item in found:
            paths.setdefault(item.path, Diagnostic("RI100", f"{item.path}: {item.problem}")
                             if item.problem else False)
    return paths


def file_reader(kwargs):
    """The FileReader of one run, with the --max-file-size/--max-total-size limits (every
    command that reads files declares them: cli/options.read_limit_options)."""
    from redshift_iam.core.localfiles import FileReader, ReadLimits
    return FileReader(ReadLimits(kwargs["max_file_size"], kwargs["max_total_size"]))


def render_templates(sources, kwargs, problems):
    """Each SQL script rendered from its template with the --var/--vars values (plain SQL is
    passed through untouched); a template that cannot be rendered, or a bad --vars file, is
    appended to ``problems``. Returns (sources, templating warnings, the renderer of spec
    values): a spec is rendered per value by the spec reader (``spec.templated``)."""
    from redshift_iam.spec import is_spec
    style, given = kwargs.get("template_style", "auto"), kwargs.get("template_vars", ())
    values = template_values(kwargs.get("vars_files", ()), given, problems)
    render_value = functools.partial(_render_value, values=values, style=style,
                                     template_path=kwargs.get("template_path"))
    rendered, notes = [], []
    for source in sources:
        if is_spec(source.name, kwargs.get("input_format", "auto")):
            rendered.append(source)
            continue
        from redshift_iam.inputs import render_source
        try:
            source, warnings = render_source(source, values, style,
                                             kwargs.get("template_path"))
        except InputError as exc:
            problems.append(exc.diagnostic)
            continue
        rendered.append(source)
        notes += warnings
    return rendered, notes, render_value


def _render_value(source, spec, values, style, template_path):
    """One value of ``spec`` rendered as the inside of a SQL string literal."""
    from redshift_iam.inputs import render_source
    return render_source(source, values, style, template_path, literal=True, within=spec)


def template_values(files, given, problems):
    """The --vars files (in order) and then the --var values merged; later wins."""
    if not files and not given:
        return {}
    from redshift_iam.inputs import load_vars, merge
    loaded = []
    for path in files:
        try:
            loaded.append(load_vars(path))
        except InputError as exc:
            problems.append(exc.diagnostic)
    return merge(*loaded, dict(given))


def flag_settings(kwargs):
    """(Settings, TrustOptions, Limits) from the shared flags; a bad value is a usage error."""
    from redshift_iam.core.settings import Limits
    from redshift_iam.inputs import FlagError, build_settings
    trust = trust_settings(kwargs)
    try:
        settings = build_settings(kwargs["partition"], kwargs["account_id"], kwargs["region"],
                                  kwargs["manifests"], kwargs["kms_keys"])
    except FlagError as exc:
        raise click.UsageError(str(exc)) from None
    return settings, trust, Limits(kwargs["max_policies"], kwargs["inline"],
                                   not kwargs["no_fold"])


def analyze_input(kwargs, scripts, stdin=None, review=False, variables=False):
    """Flags and scripts -> Analysis; prints diagnostics; raises Failure when exit must be 1.
    With ``review`` (explain), unresolved needs do not stop it: the caller shows them and
    exits 1 afterwards (``explain``). With ``variables`` (Terraform, CloudFormation) a named
    placeholder without a value where a grant needs one is a variable of the file."""
    from redshift_iam.analysis import analyze
    from redshift_iam.inputs import IncludeLoader
    settings, trust, limits = flag_settings(kwargs)
    settings = settings._replace(variables=variables)
    reader = file_reader(kwargs)
    sources, problems = read_sources(scripts, stdin, reader)
    sources, notes, render_value = render_templates(sources, kwargs, problems)
    analysis = analyze(sources, settings, trust, limits, IncludeLoader(Path.cwd(), reader),
                       kwargs.get("input_format", "auto"), render_value)
    cli_errors.diagnostics(problems + notes + list(analysis.diagnostics))
    failures = problems + list(analysis.failures(kwargs["allow_unresolved"] or review))
    if failures:
        raise Failure(f"{len(failures)} problem(s); no document written")
    return analysis


def guarded(func):
    """No traceback for anything but a bug, and even then a short report."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            cli_errors.diagnostics([exc.diagnostic])
            raise Failure("") from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # a bug: report it without echoing input values
            if os.environ.get("REDSHIFT_IAM_DEBUG"):
                raise
            last = exc.__traceback__
            while last.tb_next is not None:  # the innermost frame: where it went wrong
                last = last.tb_next
            raise Failure(f"internal error {type(exc).__name__} at "
                          f"{Path(last.tb_frame.f_code.co_filename).name}:{last.tb_lineno}; "
                          "please report it "
                          "(REDSHIFT_IAM_DEBUG=1 shows the traceback)") from None
    return wrapper


NOTHING = ("nothing to grant: the input has no COPY, UNLOAD or CREATE LIBRARY that needs AWS "
           "permissions (an empty policy is not a valid IAM document)")


def pick_report(analysis, role):
    from redshift_iam.analysis import SelectionError, select
    if not analysis.reports:
        raise Failure(NOTHING)
    try:
        return select(analysis.reports, role)
    except SelectionError as exc:
        raise Failure(str(exc)) from None



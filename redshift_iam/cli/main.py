"""The ``redshift-iam`` command line: parse flags, read input, call the library, map errors to
exit codes (0 ok; 1 bad input, unresolved needs or nothing to grant; 2 usage). stdout carries
only the requested document; every diagnostic goes to stderr."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from redshift_iam import __version__
from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.options import input_options, role_option, shared_options, trust_options
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


def _trust_settings(kwargs):
    """TrustOptions from the trust flags (checked against --partition); a bad one is a usage
    error."""
    from redshift_iam.inputs import FlagError, build_trust_options
    try:
        return build_trust_options(kwargs["partition"], kwargs.get("serverless", False),
                             tuple(kwargs.get("trust_regions", ())),
                             tuple(kwargs.get("db_users", ())))
    except FlagError as exc:
        raise click.UsageError(str(exc)) from None


def _read_sources(scripts, stdin=None):
    """Sources of the scripts (standard input when there are none); ``stdin`` is its bytes
    when the caller has read them already."""
    from redshift_iam.inputs import read_source
    if not scripts:
        if stdin is None and sys.stdin.isatty():
            raise click.UsageError("no SCRIPT given and standard input is a terminal")
        scripts = ("-",)
    if stdin is None and "-" in scripts:
        stdin = sys.stdin.buffer.read()
    sources, problems = [], []
    for path in _expand_directories(scripts, problems):
        try:
            sources.append(read_source(path, stdin))
        except InputError as exc:
            problems.append(exc.diagnostic)
    return sources, problems


def _expand_directories(scripts, problems):
    """Each directory argument -> its SQL scripts and specs (spec.directory_inputs); a file
    named twice is read once."""
    from redshift_iam.core.diagnostics import Diagnostic
    from redshift_iam.spec import directory_inputs
    paths = []
    for path in scripts:
        if path != "-" and os.path.isdir(path):
            found = directory_inputs(path)
            if not found:
                problems.append(Diagnostic("RI100", f"{path} holds no *.sql file and no spec"))
            paths += found
        else:
            paths.append(path)
    return list(dict.fromkeys(paths))


def _render_templates(sources, kwargs, problems):
    """Each SQL script rendered from its template with the --var/--vars values (plain SQL is
    passed through untouched); a template that cannot be rendered, or a bad --vars file, is
    appended to ``problems``. Returns (sources, templating warnings)."""
    from redshift_iam.spec import is_spec
    style, given = kwargs.get("template_style", "auto"), kwargs.get("template_vars", ())
    values = _template_values(kwargs.get("vars_files", ()), given, problems)
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
    return rendered, notes


def _template_values(files, given, problems):
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


def analyze_input(kwargs, scripts, stdin=None, review=False):
    """Flags and scripts -> Analysis; prints diagnostics; raises Failure when exit must be 1.
    With ``review`` (explain), unresolved needs do not stop it: the caller shows them and
    exits 1 afterwards (``explain``)."""
    from redshift_iam.analysis import analyze
    from redshift_iam.core.settings import Limits
    from redshift_iam.inputs import FlagError, IncludeLoader, build_settings
    trust = _trust_settings(kwargs)
    try:
        settings = build_settings(kwargs["partition"], kwargs["account_id"], kwargs["region"],
                                  kwargs["manifests"], kwargs["kms_keys"])
    except FlagError as exc:
        raise click.UsageError(str(exc)) from None
    sources, problems = _read_sources(scripts, stdin)
    sources, notes = _render_templates(sources, kwargs, problems)
    limits = Limits(kwargs["max_policies"], kwargs["inline"], not kwargs["no_fold"])
    analysis = analyze(sources, settings, trust, limits, IncludeLoader(Path.cwd()),
                       kwargs.get("input_format", "auto"))
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


@click.group(name="redshift-iam", cls=cli_errors.Group,
             context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="redshift-iam")
def main() -> None:
    """Least-privilege IAM for Amazon Redshift COPY, UNLOAD and CREATE LIBRARY.

    Reads SQL scripts (files, '-' or standard input) and prints the IAM permissions policy
    and trust policy the cluster's role needs. Diagnostics go to stderr.
    """

NOTHING = ("nothing to grant: the input has no COPY, UNLOAD or CREATE LIBRARY that needs AWS "
           "permissions (an empty policy is not a valid IAM document)")


def _pick(analysis, role):
    from redshift_iam.analysis import SelectionError, select
    if not analysis.reports:
        raise Failure(NOTHING)
    try:
        return select(analysis.reports, role)
    except SelectionError as exc:
        raise Failure(str(exc)) from None


@main.command(epilog=EXIT_CODES)
@shared_options
@role_option
@click.option("--part", type=click.IntRange(1), metavar="K",
              help="When the principal needs several policies, print the K-th.")
@guarded
def policy(scripts, role, part, **kwargs):
    """Print the permissions policy of the one principal the SQL uses.

    With several principals, --role picks one. When the grants need several policies to
    fit IAM's size quota, --part K prints the K-th (or use generate). Example:

    \b
      redshift-iam policy etl.sql | aws iam put-role-policy --role-name R \\
        --policy-name P --policy-document file:///dev/stdin
    """
    from redshift_iam.output import document
    report = _pick(analyze_input(kwargs, scripts), role)
    docs = report.policies
    if not docs:
        raise Failure(f"nothing to grant to {report.principal.name}")
    if part is None and len(docs) > 1:
        raise Failure(f"{report.principal.name} needs {len(docs)} policies to fit IAM's size "
                      f"quota; print each with --part 1..{len(docs)}, or all with generate")
    if part is not None and part > len(docs):
        raise Failure(f"--part {part}: {report.principal.name} has {len(docs)} "
                      f"polic{'y' if len(docs) == 1 else 'ies'}")
    click.echo(document(docs[(part or 1) - 1]), nl=False)


@main.command(epilog=EXIT_CODES)
@shared_options
@role_option
@trust_options
@guarded
def trust(scripts, role, **kwargs):
    """Print the trust policy of the principal the SQL uses.

    The SQL is read from the SCRIPTs, or from standard input when there is none and it is
    not a terminal (cat chain.sql | redshift-iam trust --role R). With no SCRIPT and a
    terminal or empty standard input (only white space), print the standard Redshift
    service-role trust policy. Example:

    \b
      aws iam create-role --role-name R \\
        --assume-role-policy-document "$(redshift-iam trust </dev/null)"
    """
    from redshift_iam.analysis import standard_trust
    from redshift_iam.output import document
    stdin = None
    if not scripts:
        stdin = b"" if sys.stdin.isatty() else sys.stdin.buffer.read()
        if not stdin.strip():
            click.echo(document(standard_trust(_trust_settings(kwargs))), nl=False)
            return
    report = _pick(analyze_input(kwargs, scripts, stdin), role)
    if report.trust is None:
        raise Failure(f"{report.principal.name} is an IAM user: users have no trust policy")
    click.echo(document(report.trust), nl=False)


@main.command(epilog=EXIT_CODES)
@shared_options
@trust_options
@click.option("--out-dir", type=click.Path(path_type=Path), default=None,
              help="Write one file per document (NAME~ACCOUNT.policy.json, .trust.json; "
                   "the index is .redshift-iam.json) here instead of printing the bundle.")
@click.option("--force", is_flag=True, help="With --out-dir: replace files the tool did not "
                                            "write.")
@click.option("--check", is_flag=True, help="With --out-dir: write nothing; exit 1 with a "
              "unified diff on stdout when the folder is not what generate would write.")
@click.option("--format", "output_format", default="json", show_default=True,
              type=click.Choice(["json", "terraform", "cloudformation", "cloudformation-json"]),
              help="json: the bundle (or one file per document); terraform: roles, policies, "
                   "variables and outputs; cloudformation: a YAML template "
                   "(cloudformation-json: JSON). One account per file: see --account-id.")
@guarded
def generate(scripts, out_dir, force, check, output_format, **kwargs):
    """Print every principal's documents as one JSON bundle, or write them to --out-dir.

    Input that needs no permission gives an empty "principals" list and exit 0.
    """
    if check and out_dir is None:
        raise click.UsageError("--check compares an --out-dir folder with what generate would "
                               "write; give --out-dir DIR")
    pinned = _iac_flags(kwargs) if output_format != "json" else None
    analysis = analyze_input(kwargs, scripts)
    emit_documents(analysis, output_format, out_dir, force, check, pinned, kwargs)


def emit_documents(analysis, output_format, out_dir, force, check, pinned, kwargs):
    """generate's output (also scan's): the JSON bundle or a Terraform/CloudFormation
    rendering on stdout, or the same written to ``out_dir`` (``check``: compared instead)."""
    from redshift_iam.output import plan_documents, plan_single
    if output_format != "json":
        text, name = _render_iac(output_format, analysis, pinned, kwargs)
        if out_dir is None:
            click.echo(text, nl=False)
            return
        plan = plan_single(name, text, analysis.reports)
    elif out_dir is None:
        from redshift_iam.output import bundle
        click.echo(bundle(analysis), nl=False)
        return
    else:
        plan = plan_documents(analysis.reports)
    if check:
        _check_out_dir(out_dir, plan)
    else:
        _write_out_dir(out_dir, plan, force)


def _write_out_dir(out_dir, plan, force):
    """Bring the folder up to date; each file written or removed is reported on stderr."""
    from redshift_iam.output import OutDirError, write_out_dir
    try:
        outcome = write_out_dir(out_dir, plan.files, force, plan.index)
    except OutDirError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"cannot write {out_dir}: {exc.strerror or exc}") from None
    lines = [f"wrote {out_dir / name}" for name in outcome.written]
    lines += [f"removed {out_dir / name}" for name in outcome.removed]
    lines += [f"kept {out_dir / name}: the input no longer produces it, but it was edited "
              "since redshift-iam wrote it" for name in outcome.kept]
    for line in lines:
        cli_errors.info(line)


def _check_out_dir(out_dir, plan):
    """--check: the diff on stdout and exit 1 when the folder is stale; write nothing."""
    from redshift_iam.output import OutDirError, check_out_dir
    try:
        stale = check_out_dir(out_dir, plan.files)
    except OutDirError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"cannot read {out_dir}: {exc.strerror or exc}") from None
    if stale.summary:
        click.echo(stale.diff, nl=False)
        raise Failure(stale.summary)


def _iac_flags(kwargs):
    """What the command line gave (Pinned); the account and Region it did not give are set
    to placeholders that the IaC renderers write as data sources / pseudo-parameters."""
    from click.core import ParameterSource

    from redshift_iam.output import PLACEHOLDER_ACCOUNT, Pinned, placeholder_region
    source = click.get_current_context().get_parameter_source("partition")
    pinned = Pinned(kwargs["partition"] if source is not ParameterSource.DEFAULT else "",
                    kwargs["account_id"] or "", kwargs["region"] or "")
    kwargs["account_id"] = pinned.account or PLACEHOLDER_ACCOUNT
    kwargs["region"] = pinned.region or placeholder_region(kwargs["partition"])
    return pinned


def _render_iac(output_format, analysis, pinned, kwargs):
    """(text, file name) of a Terraform or CloudFormation rendering; notes go to stderr."""
    from redshift_iam.output import FILE_NAMES, IacContext, RenderError, render_iac
    context = IacContext(pinned, kwargs["partition"], kwargs["inline"],
                         analysis.derivation.grants, analysis.derivation.trust_links)
    try:
        text, notes = render_iac(output_format, analysis.reports, context)
    except RenderError as exc:
        raise Failure(str(exc)) from None
    for note in notes:
        click.echo(f"redshift-iam: {note}", err=True)
    return text, FILE_NAMES[output_format]


@main.command(epilog=EXIT_CODES)
@shared_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for machines.")
@guarded
def explain(scripts, output_format, **kwargs):
    """Show each statement, the grants it needs, and why (rule and AWS doc link).

    A review: unresolved needs (a missing account, Region, manifest or key) are marked under
    their statement and the rest is shown; the exit code is still 1 while any is left
    (without --allow-unresolved). Errors in the input print nothing on stdout. The text fits
    100 columns; doc links are relative to the prefixes stated under "Rules:".
    """
    from redshift_iam.output import explain_json, explain_text
    analysis = analyze_input(kwargs, scripts, review=True)
    click.echo((explain_json if output_format == "json" else explain_text)(analysis), nl=False)
    if not kwargs["allow_unresolved"]:
        unresolved = analysis.failures(allow_unresolved=False)
        if unresolved:
            raise Failure(f"{len(unresolved)} unresolved need(s), marked in the explanation; "
                          "supply them (see the hints) or pass --allow-unresolved", "unresolved")


@main.command(name="spec", epilog=EXIT_CODES)
@input_options
@guarded
def spec_command(scripts, input_format):
    """Print the operation spec (YAML) of the input, SQL or specs.

    The spec reads back to the same policies and trust policies. Example:

    \b
      redshift-iam spec etl.sql > etl.yaml && redshift-iam policy etl.yaml
    """
    from redshift_iam.analysis import read_inputs
    from redshift_iam.core.diagnostics import Severity
    from redshift_iam.inputs import IncludeLoader
    from redshift_iam.spec import UnwritableError, write_spec
    sources, problems = _read_sources(scripts)
    script = read_inputs(sources, input_format, IncludeLoader(Path.cwd()))
    cli_errors.diagnostics(problems + list(script.diagnostics))
    failures = problems + [d for d in script.diagnostics if d.severity is Severity.ERROR]
    if failures:
        raise Failure(f"{len(failures)} problem(s); no document written")
    try:
        click.echo(write_spec(script), nl=False)
    except UnwritableError as exc:
        raise Failure(str(exc)) from None


from redshift_iam.cli.scan import scan  # noqa: E402 - the command module uses the group's helpers

main.add_command(scan)

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
from redshift_iam.cli_options import input_options, role_option, shared_options, trust_options
from redshift_iam.diagnostics import InputError

EXIT_CODES = """\b
Exit codes:
  0  success: the document is on stdout
  1  bad input, unresolved needs, findings, or nothing to grant (stdout empty)
  2  usage error: unknown command or option, bad flag value (stdout empty)"""


class Failure(click.ClickException):
    """Exit 1 with a message on stderr (diagnostics, if any, were printed already)."""

    exit_code = 1

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        if self.message:
            click.echo(f"redshift-iam: {self.message}", err=True)


def _trust_settings(kwargs):
    """TrustOptions from the trust flags, which must agree with --partition."""
    from redshift_iam.trust import TrustOptions
    from redshift_iam.values import arn_partition, partition_of_region
    if kwargs.get("trust_regions") and kwargs.get("serverless"):
        raise click.UsageError("--trust-region is documented for provisioned clusters only; "
                               "it can't be combined with --serverless")
    partition = kwargs["partition"]
    for region in kwargs.get("trust_regions", ()):
        if partition_of_region(region) != partition:
            raise click.UsageError(f"--trust-region {region} is not in partition {partition} "
                                   "(--partition)")
    for user in kwargs.get("db_users", ()):
        if arn_partition(user) != partition:
            raise click.UsageError(f"--db-user {user} is not in partition {partition} "
                                   "(--partition)")
    return TrustOptions(kwargs.get("serverless", False), tuple(kwargs.get("trust_regions", ())),
                        tuple(kwargs.get("db_users", ())))


def _read_sources(scripts):
    from redshift_iam.source import read_source
    if not scripts:
        if sys.stdin.isatty():
            raise click.UsageError("no SCRIPT given and standard input is a terminal")
        scripts = ("-",)
    stdin = sys.stdin.buffer.read() if "-" in scripts else None
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
    from redshift_iam.diagnostics import Diagnostic
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


def analyze_input(kwargs, scripts):
    """Flags and scripts -> Analysis; prints diagnostics; raises Failure when exit must be 1."""
    from redshift_iam.analysis import analyze
    from redshift_iam.flags import FlagError, build_settings
    from redshift_iam.packing import Limits
    trust = _trust_settings(kwargs)
    try:
        settings = build_settings(kwargs["partition"], kwargs["account_id"], kwargs["region"],
                                  kwargs["manifests"], kwargs["kms_keys"])
    except FlagError as exc:
        raise click.UsageError(str(exc)) from None
    sources, problems = _read_sources(scripts)
    limits = Limits(kwargs["max_policies"], kwargs["inline"], not kwargs["no_fold"])
    analysis = analyze(sources, settings, trust, limits, kwargs.get("input_format", "auto"))
    found = problems + list(analysis.diagnostics)
    if found:  # one write: a big script can have thousands
        click.echo("\n".join(d.render() for d in found), err=True)
    failures = problems + list(analysis.failures(kwargs["allow_unresolved"]))
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
            click.echo(exc.diagnostic.render(), err=True)
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


@click.group(name="redshift-iam", context_settings={"help_option_names": ["-h", "--help"]},
             epilog=EXIT_CODES)
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
    from redshift_iam.render import document
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

    With no SCRIPT, print the standard Redshift service-role trust policy. Example:

    \b
      aws iam create-role --role-name R \\
        --assume-role-policy-document "$(redshift-iam trust)"
    """
    from redshift_iam.render import document
    from redshift_iam.trust import standard_trust
    if not scripts:
        click.echo(document(standard_trust(_trust_settings(kwargs))), nl=False)
        return
    report = _pick(analyze_input(kwargs, scripts), role)
    if report.trust is None:
        raise Failure(f"{report.principal.name} is an IAM user: users have no trust policy")
    click.echo(document(report.trust), nl=False)


@main.command(epilog=EXIT_CODES)
@shared_options
@trust_options
@click.option("--out-dir", type=click.Path(path_type=Path), default=None,
              help="Write one file per document (<name>.policy.json, <name>.trust.json) here "
                   "instead of printing the bundle.")
@click.option("--force", is_flag=True, help="With --out-dir: replace files the tool did not "
                                            "write.")
@click.option("--format", "output_format", default="json", show_default=True,
              type=click.Choice(["json", "terraform", "cloudformation"]),
              help="json: the bundle (or one file per document); terraform: aws_iam_policy, "
                   "aws_iam_role and attachments; cloudformation: a JSON template.")
@guarded
def generate(scripts, out_dir, force, output_format, **kwargs):
    """Print every principal's documents as one JSON bundle, or write them to --out-dir.

    Input that needs no permission gives an empty "principals" list and exit 0.
    """
    from redshift_iam.outdir import OutDirError, planned_files, write_out_dir
    analysis = analyze_input(kwargs, scripts)
    if output_format != "json":
        text, name = _render_iac(output_format, analysis)
        if out_dir is None:
            click.echo(text, nl=False)
            return
        files = {name: text}
    elif out_dir is None:
        from redshift_iam.render import bundle
        click.echo(bundle(analysis), nl=False)
        return
    else:
        files = planned_files(analysis.reports)
    try:
        written = write_out_dir(out_dir, files, force)
    except OutDirError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"cannot write {out_dir}: {exc.strerror or exc}") from None
    for name in written:
        click.echo(f"wrote {out_dir / name}", err=True)


def _render_iac(output_format, analysis):
    """(text, file name) of a Terraform or CloudFormation rendering."""
    from redshift_iam import iac
    try:
        if output_format == "terraform":
            return iac.render_terraform(analysis.reports), "redshift-iam.tf"
        return iac.render_cloudformation(analysis.reports), "redshift-iam.template.json"
    except iac.RenderError as exc:
        raise Failure(str(exc)) from None


@main.command(epilog=EXIT_CODES)
@shared_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for machines.")
@guarded
def explain(scripts, output_format, **kwargs):
    """Show each statement, the grants it needs, and why (rule and AWS doc link)."""
    from redshift_iam.render import explain_json, explain_text
    analysis = analyze_input(kwargs, scripts)
    click.echo((explain_json if output_format == "json" else explain_text)(analysis), nl=False)


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
    from redshift_iam.diagnostics import Severity
    from redshift_iam.spec.writer import UnwritableError, write_spec
    sources, problems = _read_sources(scripts)
    script = read_inputs(sources, input_format)
    found = problems + list(script.diagnostics)
    if found:
        click.echo("\n".join(d.render() for d in found), err=True)
    failures = problems + [d for d in script.diagnostics if d.severity is Severity.ERROR]
    if failures:
        raise Failure(f"{len(failures)} problem(s); no document written")
    try:
        click.echo(write_spec(script), nl=False)
    except UnwritableError as exc:
        raise Failure(str(exc)) from None

"""The commands that build documents: policy, trust, generate, explain. Each parses its flags,
calls the library through the front door, and prints one document."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.common import (
    EXIT_CODES,
    Failure,
    analyze_input,
    guarded,
    pick_report,
    trust_settings,
)
from redshift_iam.cli.options import role_option, shared_options, trust_options


@click.command(epilog=EXIT_CODES)
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
    report = pick_report(analyze_input(kwargs, scripts), role)
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


@click.command(epilog=EXIT_CODES)
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
            click.echo(document(standard_trust(trust_settings(kwargs))), nl=False)
            return
    report = pick_report(analyze_input(kwargs, scripts, stdin), role)
    if report.trust is None:
        raise Failure(f"{report.principal.name} is an IAM user: users have no trust policy")
    click.echo(document(report.trust), nl=False)


@click.command(epilog=EXIT_CODES)
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
    analysis = analyze_input(kwargs, scripts, variables=output_format != "json")
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
    _special(out_dir, outcome.special)
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
    _special(out_dir, stale.special)
    if stale.summary:
        click.echo(stale.diff, nl=False)
        raise Failure(stale.summary)


def _special(out_dir, special):
    """A warning per entry of the folder that is not a regular file (never opened)."""
    for name, kind in special:
        cli_errors.summary(f"{kind}, not a regular file: never read, written through or "
                           "removed", "warning", str(out_dir / name))


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
                         analysis.derivation.grants, analysis.derivation.trust_links,
                         tuple(p for s in analysis.script.statements
                               for p in getattr(s, "placeholders", ())))
    try:
        text, notes = render_iac(output_format, analysis.reports, context)
    except RenderError as exc:
        raise Failure(str(exc)) from None
    for note in notes:
        click.echo(f"redshift-iam: {note}", err=True)
    return text, FILE_NAMES[output_format]


@click.command(epilog=EXIT_CODES)
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



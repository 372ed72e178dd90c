"""The commands that build documents: policy, trust, generate, explain. Each maps its flags
to the one Options value, calls the front door, and prints one document."""

from __future__ import annotations

import sys

import click

from redshift_iam.cli.click_options import (
    out_dir_options,
    role_option,
    shared_options,
    trust_options,
)
from redshift_iam.cli.common import (
    EXIT_CODES,
    GENERATE_EXIT_CODES,
    Failure,
    analyze_input,
    build_options,
    guarded,
    pick_report,
)
from redshift_iam.cli.documents import DOCUMENT_FORMATS, emit_documents


@click.command(epilog=EXIT_CODES)
@shared_options
@role_option
@click.option("--part", type=click.IntRange(1), metavar="K",
              help="When the principal needs several policies, print the K-th.")
@guarded
def policy(scripts, role, part, allow_unresolved, **flags):
    """Print the permissions policy of the one principal the SQL uses.

    With several principals, --role picks one. When the grants need several policies to
    fit IAM's size quota, --part K prints the K-th (or use generate). Example:

    \b
      redshift-iam policy etl.sql | aws iam put-role-policy --role-name R \\
        --policy-name P --policy-document file:///dev/stdin
    """
    from redshift_iam.analysis import document
    analysis = analyze_input(build_options(flags), scripts, allow_unresolved)
    report = pick_report(analysis, role)
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
def trust(scripts, role, allow_unresolved, **flags):
    """Print the trust policy of the principal the SQL uses.

    The SQL is read from the SCRIPTs, or from standard input when there is none and it is
    not a terminal (cat chain.sql | redshift-iam trust --role R). With no SCRIPT and a
    terminal or empty standard input (only white space), print the standard Redshift
    service-role trust policy. Example:

    \b
      aws iam create-role --role-name R \\
        --assume-role-policy-document "$(redshift-iam trust </dev/null)"
    """
    from redshift_iam.analysis import document, standard_trust
    options = build_options(flags)
    stdin = None
    if not scripts:
        stdin = b"" if sys.stdin.isatty() else sys.stdin.buffer.read()
        if not stdin.strip():
            click.echo(document(standard_trust(options)), nl=False)
            return
        scripts = ("-",)
    report = pick_report(analyze_input(options, scripts, allow_unresolved, stdin), role)
    if report.trust is None:
        raise Failure(f"{report.principal.name} is an IAM user: users have no trust policy")
    click.echo(document(report.trust), nl=False)


@click.command(epilog=GENERATE_EXIT_CODES)
@shared_options
@trust_options
@out_dir_options("generate", "Write one file per document (NAME~ACCOUNT.policy.json, "
                 ".trust.json; the index is .redshift-iam.json) here instead of printing the "
                 "bundle.")
@click.option("--format", "output_format", default="json", show_default=True,
              type=click.Choice(("json", *DOCUMENT_FORMATS[1:])),
              help="json: the bundle (or one file per document); terraform: roles, policies, "
                   "variables and outputs; cloudformation: a YAML template "
                   "(cloudformation-json: JSON). One account per file: see --account-id.")
@guarded
def generate(scripts, out_dir, force, check, output_format, allow_unresolved, **flags):
    """Print every principal's documents as one JSON bundle, or write them to --out-dir.

    Input that needs no permission gives an empty "principals" list and exit 0.
    """
    if check and out_dir is None:
        raise click.UsageError("--check compares an --out-dir folder with what generate would "
                               "write; give --out-dir DIR")
    options = build_options(flags, iac=output_format != "json")
    analysis = analyze_input(options, scripts, allow_unresolved)
    emit_documents(analysis, options, output_format, out_dir, force, check)


@click.command(epilog=EXIT_CODES)
@shared_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for machines.")
@guarded
def explain(scripts, output_format, allow_unresolved, **flags):
    """Show each statement, the grants it needs, and why (rule and AWS doc link).

    A review: unresolved needs (a template placeholder without a value, a missing account,
    Region, manifest or key) are marked under their statement and the rest is shown; the
    exit code is still 1 while any is left (without --allow-unresolved). Errors in the input
    print nothing on stdout. The text fits 100 columns; doc links are relative to the
    prefixes stated under "Rules:".
    """
    from redshift_iam.analysis import explain_json, explain_text
    analysis = analyze_input(build_options(flags), scripts, allow_unresolved, review=True)
    click.echo((explain_json if output_format == "json" else explain_text)(analysis), nl=False)
    if not allow_unresolved:
        unresolved = analysis.failures(allow_unresolved=False)
        if unresolved:
            raise Failure(f"{len(unresolved)} unresolved need(s), marked in the explanation; "
                          "supply them (see the hints) or pass --allow-unresolved", "unresolved")

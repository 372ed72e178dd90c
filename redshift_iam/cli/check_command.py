"""``redshift-iam check --policy FILE [--policy FILE ...] INPUT...``: does a role's policy
allow every request the SQL makes Redshift send, and how much more does it allow?"""

from __future__ import annotations

from collections.abc import Sequence

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.audit_options import audit_inputs, report_of, sql_inputs
from redshift_iam.cli.click_options import check_options, role_option, settings_options
from redshift_iam.cli.common import Failure, build_options, guarded
from redshift_iam.core.diagnostics import Diagnostic

CHECK_EXIT_CODES = """\b
Exit codes:
  0  the documents allow every request the SQL needs (excess is information)
  1  a request is missing or denied (RC400, RC401), the SQL or a policy file
     cannot be read, a need is unresolved (unless --allow-unresolved), or with
     --strict the documents allow more than the need (RC402). The report is on
     stdout unless nothing could be checked (then only stderr says why); the
     problems of the SQL and the policy files are on stderr as well
  2  usage error: unknown option, bad flag value, no --policy or --from-role
     (stdout empty)"""


@click.command(name="check", epilog=CHECK_EXIT_CODES)
@check_options
@audit_inputs
@settings_options
@role_option
@guarded
def check_command(inputs, scan_inputs, output_format, role, allow_unresolved, **flags):
    """Check a role's policies against every request the SQL makes Redshift send.

    Each grant the SQL needs (as policy derives it) is decided against the documents
    together, as IAM does (default deny, an explicit Deny wins, a permissions boundary
    limits). Missing requests (RC400; RC401 when a Deny applies) name the SQL statement
    (file:line:col), the action, resource and context, and the policy statement that came
    closest. What the documents allow beyond the need (wildcards expanded with the AWS action
    catalogue) is reported per service, action and resource (RC402): information, or a
    failure with --strict. With several principals in the SQL, --role picks one. Example:

    \b
      aws iam get-account-authorization-details > account.json
      redshift-iam check --policy account.json --role EtlLoader sql/
    """
    from redshift_iam.analysis import check, check_json, check_text

    options = build_options(flags)
    if "-" in options.policies and not inputs and not scan_inputs:
        raise click.UsageError("--policy - reads standard input: give the SQL as INPUT files")
    report = check(sql_inputs(inputs, scan_inputs, options.input_format), options, role=role,
                   scan=scan_inputs)
    if output_format == "sarif":
        click.echo(report_of(report.diagnostics(), "sarif"), nl=False)
    else:
        click.echo((check_json if output_format == "json" else check_text)(report), nl=False)
    cli_errors.diagnostics(report.notes)  # the inputs' own problems: on stderr as well
    failures = report.failures(options.strict, allow_unresolved)
    if failures:
        raise Failure(_summary(failures))


def _summary(failures: Sequence[Diagnostic]) -> str:
    """The closing line of a failed check: what made it fail, by kind."""
    missing = sum(1 for d in failures if d.code in ("RC400", "RC401"))
    excess = sum(1 for d in failures if d.code == "RC402")
    other = len(failures) - missing - excess
    parts = [f"{missing} needed request(s) not allowed"] if missing else []
    parts += [f"{excess} excess grant(s) (--strict)"] if excess else []
    parts += [f"{other} other problem(s)"] if other else []
    return ", ".join(parts)

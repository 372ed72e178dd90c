"""``redshift-iam lint INPUT...``: findings about how the SQL authorizes Redshift (keys in
scripts, keys that look live, CREDENTIALS strings Redshift refuses, IAM_ROLE default, mixed
forms, unencrypted exports to public-looking paths), as text, JSON or SARIF."""

from __future__ import annotations

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.audit_options import audit_inputs, report_of, sql_inputs
from redshift_iam.cli.click_options import error_format_option, min_severity_option
from redshift_iam.cli.common import Failure, build_options, guarded

LINT_EXIT_CODES = """\b
Exit codes:
  0  no finding at or above --min-severity (the report is on stdout)
  1  a finding at or above --min-severity (a statement that cannot be read
     is an error finding); the report is on stdout all the same
  2  usage error: unknown option, bad flag value (stdout empty)"""


@click.command(name="lint", epilog=LINT_EXIT_CODES)
@audit_inputs
@min_severity_option
@error_format_option
@guarded
def lint_command(inputs, scan_inputs, output_format, **flags):
    """Report how the SQL authorizes Redshift, with stable codes (docs/diagnostics.md).

    Finds access keys in scripts (RW203, RW204), keys that look live (RW230, RW231; never
    printed), CREDENTIALS strings Redshift would refuse (RW232), IAM_ROLE default (RW233),
    mixed authorization forms (RW234), unencrypted UNLOADs to public-looking paths (RW235),
    client-side encryption (RW205), wildcards in keys (RW206), and every statement that
    cannot be read. A comment suppresses codes on its line, the line below, or (on a
    statement's first line or the line above) the whole statement:

    \b
      -- redshift-iam: ignore RW203, RW233
    """
    from redshift_iam.analysis import lint
    from redshift_iam.core.catalogue import Severity

    options = build_options(flags)
    report = lint(sql_inputs(inputs, scan_inputs, options.input_format), options,
                  scan=scan_inputs)
    click.echo(report_of(report.findings, output_format), nl=False)
    if report.suppressed:
        cli_errors.summary(f"{len(report.suppressed)} finding(s) suppressed by "
                           "'-- redshift-iam: ignore' comments", "info")
    failing = report.at_least(Severity(options.min_severity))
    if failing:
        raise Failure(f"{len(failing)} finding(s) at or above {options.min_severity}")

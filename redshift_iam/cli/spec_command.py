"""The spec command: the operation spec (YAML) of the input."""

from __future__ import annotations

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.click_options import input_options, template_options
from redshift_iam.cli.common import EXIT_CODES, Failure, build_options, guarded, stdin_inputs


@click.command(name="spec", epilog=EXIT_CODES)
@input_options
@template_options
@guarded
def spec_command(scripts, **flags):
    """Print the operation spec (YAML) of the input, SQL or specs.

    The spec reads back to the same policies and trust policies. Of templated input,
    --var values are written in and unresolved placeholders as the template wrote them.
    Example:

    \b
      redshift-iam spec etl.sql > etl.yaml && redshift-iam policy etl.yaml
    """
    from redshift_iam.analysis import UnwritableError, read_inputs, write_spec
    from redshift_iam.core.diagnostics import Severity
    script = read_inputs(stdin_inputs(scripts), build_options(flags))
    cli_errors.diagnostics(script.diagnostics)
    failures = [d for d in script.diagnostics if d.severity is Severity.ERROR]
    if failures:
        raise Failure(f"{len(failures)} problem(s); no document written")
    try:
        click.echo(write_spec(script), nl=False)
    except UnwritableError as exc:
        raise Failure(str(exc)) from None

"""The spec command: the operation spec (YAML) of the input."""

from __future__ import annotations

from pathlib import Path

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.common import (
    EXIT_CODES,
    Failure,
    file_reader,
    guarded,
    read_sources,
    render_templates,
)
from redshift_iam.cli.options import input_options, template_options


@click.command(name="spec", epilog=EXIT_CODES)
@input_options
@template_options
@guarded
def spec_command(scripts, input_format, **template):
    """Print the operation spec (YAML) of the input, SQL or specs.

    The spec reads back to the same policies and trust policies. Of templated input,
    --var values are written in and unresolved placeholders as the template wrote them.
    Example:

    \b
      redshift-iam spec etl.sql > etl.yaml && redshift-iam policy etl.yaml
    """
    from redshift_iam.analysis import read_inputs
    from redshift_iam.core.diagnostics import Severity
    from redshift_iam.inputs import IncludeLoader
    from redshift_iam.spec import UnwritableError, write_spec
    reader = file_reader(template)
    sources, problems = read_sources(scripts, reader=reader)
    sources, notes, render_value = render_templates(
        sources, {**template, "input_format": input_format}, problems)
    script = read_inputs(sources, input_format, IncludeLoader(Path.cwd(), reader), render_value)
    cli_errors.diagnostics(problems + notes + list(script.diagnostics))
    failures = problems + [d for d in script.diagnostics if d.severity is Severity.ERROR]
    if failures:
        raise Failure(f"{len(failures)} problem(s); no document written")
    try:
        click.echo(write_spec(script), nl=False)
    except UnwritableError as exc:
        raise Failure(str(exc)) from None

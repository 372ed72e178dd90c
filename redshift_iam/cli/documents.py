"""generate's documents, which scan writes too: the JSON bundle or a Terraform /
CloudFormation rendering on stdout, or the same written to (or checked against) an
``--out-dir`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.common import Failure
from redshift_iam.core.options import IAC_FORMATS, Options

if TYPE_CHECKING:
    from redshift_iam.core.reports import Analysis

DOCUMENT_FORMATS = ("bundle", *IAC_FORMATS)


def emit_documents(analysis: Analysis, options: Options, output_format: str,
                   out_dir: Path | None, force: bool, check: bool) -> None:
    """Print or write the documents of ``analysis`` (``json`` or ``bundle``: the bundle;
    the IaC formats: one file); ``check``: compare the folder instead of writing it."""
    from redshift_iam.analysis import bundle, plan_documents, plan_single
    if output_format in ("json", "bundle"):
        if out_dir is None:
            click.echo(bundle(analysis), nl=False)
            return
        plan = plan_documents(analysis.reports)
    else:
        rendered = _render_iac(analysis, options, output_format)
        if out_dir is None:
            click.echo(rendered.text, nl=False)
            return
        plan = plan_single(rendered.file_name, rendered.text, analysis.reports)
    if check:
        _check_out_dir(out_dir, plan)
    else:
        _write_out_dir(out_dir, plan, force)


def _render_iac(analysis, options, output_format):
    from redshift_iam.analysis import RenderError, render_iac
    try:
        rendered = render_iac(analysis, options, output_format)
    except RenderError as exc:
        raise Failure(str(exc)) from None
    for note in rendered.notes:
        click.echo(f"redshift-iam: {note}", err=True)
    return rendered


def _write_out_dir(out_dir, plan, force):
    """Bring the folder up to date; each file written or removed is reported on stderr."""
    from redshift_iam.analysis import OutDirError, write_out_dir
    try:
        outcome = write_out_dir(out_dir, plan.files, force, plan.by_principal)
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
    from redshift_iam.analysis import OutDirError, check_out_dir
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

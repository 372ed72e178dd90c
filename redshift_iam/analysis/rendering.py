"""The renderers the front door adds to the output stage's (which it re-exports): those
that need the options (:func:`render_iac`) or another stage (:func:`write_spec`)."""

from __future__ import annotations

from typing import NamedTuple

from redshift_iam.core.options import Options
from redshift_iam.core.reports import Analysis
from redshift_iam.core.statements import Script


class IacText(NamedTuple):
    """A Terraform or CloudFormation rendering: the text, the file name it is written to
    under ``--out-dir``, and the notes about it (for stderr)."""

    text: str
    file_name: str
    notes: tuple[str, ...]


def render_iac(analysis: Analysis, options: Options, output_format: str) -> IacText:
    """``terraform``, ``cloudformation`` or ``cloudformation-json`` of ``analysis`` (made with
    ``options.iac``): what the options pinned is written as given, the rest as data sources
    / pseudo-parameters. Raises RenderError when no valid file can be written."""
    from redshift_iam.output import FILE_NAMES, IacContext, Pinned
    from redshift_iam.output import render_iac as render

    pinned = Pinned(options.partition, options.account_id, options.region)
    context = IacContext(pinned, options.partition_or_default, options.inline,
                         analysis.derivation.grants, analysis.derivation.trust_links,
                         tuple(p for s in analysis.script.statements
                               for p in getattr(s, "placeholders", ())))
    text, notes = render(output_format, analysis.reports, context)
    return IacText(text, FILE_NAMES[output_format], tuple(notes))


class UnwritableError(Exception):
    """The statements cannot be written as a spec (the message says which and why)."""


def write_spec(script: Script) -> str:
    """The operation spec (YAML) of ``script``; raises UnwritableError."""
    from redshift_iam.spec import UnwritableError as Unwritable
    from redshift_iam.spec import write_spec as write

    try:
        return str(write(script))
    except Unwritable as exc:
        raise UnwritableError(str(exc)) from None

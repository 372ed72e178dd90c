"""The options ``check`` and ``lint`` share: their inputs (what ``policy`` reads, or with
``--scan`` the source trees ``scan`` reads), the template values, and the report format."""

from __future__ import annotations

import click

from redshift_iam.cli.click_options import apply_options, shown_paths, size_value, template_options
from redshift_iam.core.options import INPUT_FORMATS

REPORT_FORMATS = ("text", "json", "sarif")


def audit_inputs(func):
    """INPUT... (files, directories, '-'; with --scan, source trees), how to read them, and
    the template values (the same options as policy and scan)."""
    options = [
        click.argument("inputs", nargs=-1, metavar="[INPUT]...", callback=shown_paths),
        click.option("--scan", "scan_inputs", is_flag=True,
                     help="Read each INPUT as scan does: every COPY, UNLOAD and CREATE "
                          "LIBRARY in the source tree (SQL, Python, ... string literals); a "
                          "place not read is RC408."),
        click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto",
                     show_default=True,
                     help="auto: files ending .yaml, .yml or .json are operation specs, the "
                          "rest SQL; sql or spec: read every input so (not with --scan)."),
        click.option("--max-file-size", default=None, metavar="SIZE", callback=size_value,
                     show_default="32MiB; with --scan 1MiB",
                     help="Read no file larger than this (KiB, MiB, GiB; or bytes): a larger "
                          "one is an error (RI100; with --scan a place not read), never read."),
        click.option("--max-total-size", default=None, metavar="SIZE", callback=size_value,
                     show_default="256MiB; with --scan 1GiB",
                     help="Read at most this much in all in one run."),
        template_options,
        click.option("--format", "output_format", type=click.Choice(REPORT_FORMATS),
                     default="text", show_default=True,
                     help="text for people; json for machines; sarif: SARIF 2.1.0 for "
                          "code-scanning upload (GitHub, GitLab, Azure DevOps)."),
    ]
    return apply_options(func, options)


def sql_inputs(inputs: tuple[str, ...], scan: bool, input_format: str) -> tuple[str, ...]:
    """The INPUTs to read: with --scan, the paths given (at least one); else the INPUTs or
    standard input (``common.stdin_inputs``)."""
    from redshift_iam.cli.common import stdin_inputs

    if not scan:
        return stdin_inputs(inputs)
    if not inputs:
        raise click.UsageError("--scan reads source trees: give at least one PATH")
    if input_format != "auto":
        raise click.UsageError("--scan reads what it finds as SQL; --input-format is for "
                               "files read as given")
    return inputs


def report_of(findings, output_format: str) -> str:  # noqa: ANN001 - Diagnostic sequence
    """``findings`` as the report ``--format`` asks for (text, json, sarif)."""
    from redshift_iam import __version__
    from redshift_iam.analysis import findings_json, findings_text, sarif

    if output_format == "sarif":
        return sarif(findings, __version__)
    return (findings_json if output_format == "json" else findings_text)(findings)

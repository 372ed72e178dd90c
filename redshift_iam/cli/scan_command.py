"""``redshift-iam scan PATH...``: every COPY, UNLOAD and CREATE LIBRARY in a source tree, with
its grants, its unresolved needs and the places not read.

A report command like a linter: the report (``--format text`` or ``json``; json by default
when stdout is not a terminal) is printed even when something is unresolved; the documents
formats are generate's (``bundle``, ``terraform``, ``cloudformation``,
``cloudformation-json``, ``--out-dir``). Exit 0 when everything found was read and resolved,
1 when anything is unresolved (unless ``--allow-unresolved``), skipped or in error, 2 usage.
"""

from __future__ import annotations

import sys

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.click_options import (
    out_dir_options,
    read_limit_options,
    settings_options,
    shown_paths,
    template_options,
    trust_options,
)
from redshift_iam.cli.common import SCAN_EXIT_CODES, Failure, build_options, guarded
from redshift_iam.cli.documents import DOCUMENT_FORMATS as DOCUMENTS
from redshift_iam.cli.documents import emit_documents

REPORTS = ("text", "json")


@click.command(epilog=SCAN_EXIT_CODES)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...", callback=shown_paths)
@template_options
@settings_options
@trust_options
@read_limit_options("1MiB", "1GiB", "is a place skipped")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Read no file whose path below the PATH, or one of whose folder or file "
                   "names, matches GLOB (* also matches /): --exclude 'snowflake' --exclude "
                   "'*.test.sql'. Repeatable.")
@click.option("--format", "output_format", type=click.Choice(REPORTS + DOCUMENTS), default=None,
              help="text: a table for people (the default on a terminal); json: the report "
                   "for machines (the default otherwise); bundle, terraform, cloudformation, "
                   "cloudformation-json: generate's documents over everything found.")
@out_dir_options("scan", "Write the documents here as generate --out-dir does (one file "
                 "per document; the Terraform/CloudFormation file with those formats); a "
                 "report format still prints the report.")
@click.option("--values-template", is_flag=True,
              help="Print, instead of the report, a project config to fill in: for each "
                   "file, its open variables under [per-path.\"FILE\".values], each with "
                   "the places it stands and the kind of value it needs. Filled in and "
                   "saved as .redshift-iam.toml (the header names where), the next scan "
                   "reads it. Exit 0 unless a place was skipped or in error.")
@guarded
def scan(paths, output_format, out_dir, force, check, allow_unresolved, values_template,
         **flags):
    """Find every COPY, UNLOAD and CREATE LIBRARY under PATHs and derive its grants.

    Reads SQL files (.sql, .ddl, .dml, .psql, .pgsql, .sql.*), Jinja-SQL files, Python (string
    literals, f-strings, .format() and % templates, Airflow transfer operators, awswrangler
    calls) and string literals of Scala, Java, Kotlin, Groovy, Ruby, Go, shell, Terraform,
    JavaScript and TypeScript. Inside a git work tree, files git ignores are not read (the
    index and ignore files are read as data: no git, hook or config of the repository runs).
    Only regular files inside the PATHs are read, within --max-file-size and --max-total-size,
    less --exclude. Statements in function and procedure bodies are read at their own place;
    another database's COPY (Snowflake's COPY INTO, a log line "Copy from ... to ...") is
    skipped with warning RW226. Locations are the host file's path:line:col. --template-style
    auto (the default) reads each literal as its language implies.
    """
    from redshift_iam.analysis import scan as scan_tree
    if values_template:
        _values_template(scan_tree(paths, build_options(flags)), paths, output_format, out_dir)
        return
    output_format = _format(output_format, out_dir, check)
    documents = output_format in DOCUMENTS or out_dir is not None
    options = build_options(flags, iac=output_format in DOCUMENTS[1:])
    report = scan_tree(paths, options)
    # the report formats list the places skipped; the document formats have no room for them
    cli_errors.diagnostics(report.diagnostics,
                           () if output_format in REPORTS else _skipped(report))
    if output_format in REPORTS:
        _print_report(report, output_format)
    if documents:
        _documents(report, options, output_format, out_dir, force, check, allow_unresolved)
    if not report.clean(allow_unresolved):
        raise Failure(_summary(report, allow_unresolved))


def _values_template(report, paths, output_format, out_dir):
    """The values template on stdout; the diagnostics but the unresolved needs (the
    template lists them) and the places skipped on stderr; exit 1 when any was skipped or
    in error."""
    from redshift_iam.analysis import values_template
    from redshift_iam.core.diagnostics import Severity
    if output_format or out_dir is not None:
        raise click.UsageError("--values-template prints the values template alone: give no "
                               "--format and no --out-dir")
    cli_errors.diagnostics([d for d in report.diagnostics
                            if d.severity is not Severity.UNRESOLVED], _skipped(report))
    click.echo(values_template(report, paths), nl=False)
    if not report.clean(allow_unresolved=True):
        raise Failure(_summary(report, True))


def _format(output_format, out_dir, check):
    """The format asked for, else text on a terminal and json otherwise (bundle with
    --check, whose stdout is the diff alone); --check needs --out-dir and a document format."""
    if check and out_dir is None:
        raise click.UsageError("--check compares an --out-dir folder with what scan would "
                               "write; give --out-dir DIR")
    if check and output_format in REPORTS:
        raise click.UsageError("--check prints only the diff on stdout: give --format bundle, "
                               "terraform, cloudformation or cloudformation-json, or no --format")
    if output_format:
        return output_format
    return "bundle" if check else ("text" if sys.stdout.isatty() else "json")


def _print_report(report, output_format):
    from redshift_iam.analysis import scan_json, scan_text
    unresolved = report.unresolved
    if output_format == "json":
        click.echo(scan_json(report.analysis, unresolved, report.skipped), nl=False)
    else:
        click.echo(scan_text(report.analysis, unresolved, report.skipped, report.files_read),
                   nl=False)


def _skipped(report):
    """The places not read, for stderr; a place skipped for an error printed already (the
    diagnostic, with its snippet) is not printed again."""
    printed = {(d.location.file, d.location.line, d.location.col) for d in report.diagnostics
               if d.severity.value == "error" and d.location is not None}
    return [cli_errors.Place(*place) for place in report.skipped
            if (place.path, place.line, place.col) not in printed]


def _documents(report, options, output_format, out_dir, force, check, allow_unresolved):
    """generate's documents of everything read; refused (exit 1) while a need is unresolved
    (unless --allow-unresolved) or an error has no place (the documents would be wrong)."""
    from redshift_iam.core.diagnostics import Severity
    failures = [d for d in report.analysis.failures(allow_unresolved)
                if d.severity is Severity.UNRESOLVED or d.location is None]
    if failures:
        only_unresolved = all(d.severity is Severity.UNRESOLVED for d in failures)
        raise Failure(f"{len(failures)} problem(s); no document written" + (
            " (--allow-unresolved writes what is known)" if only_unresolved else ""))
    fmt = "json" if output_format in REPORTS else output_format
    emit_documents(report.analysis, options, fmt, out_dir, force, check)


def _summary(report, allow):
    unresolved = 0 if allow else len(report.unresolved)
    errors = sum(1 for d in report.diagnostics if d.severity.value == "error")
    parts = [f"{unresolved} unresolved need(s)"] if unresolved else []
    parts += [f"{len(report.skipped)} place(s) skipped"] if report.skipped else []
    parts += [f"{errors} error(s)"] if errors and not report.skipped else []
    return ", ".join(parts) or "problems found"

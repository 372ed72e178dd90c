"""The ``redshift-iam`` command line: the group and its commands (``COMMANDS``: each loaded
from the module that defines it when it runs; see cli/common.py for exit codes)."""

from __future__ import annotations

import click

from redshift_iam import __version__
from redshift_iam.cli import errors as cli_errors

# Each command and the module that defines it: a command's module (and its options) is
# imported only when that command runs, or when the help lists them all.
COMMANDS = {
    "policy": "redshift_iam.cli.document_commands:policy",
    "trust": "redshift_iam.cli.document_commands:trust",
    "generate": "redshift_iam.cli.document_commands:generate",
    "explain": "redshift_iam.cli.document_commands:explain",
    "spec": "redshift_iam.cli.spec_command:spec_command",
    "scan": "redshift_iam.cli.scan_command:scan",
    "apply": "redshift_iam.cli.apply_command:apply_command",
    "check": "redshift_iam.cli.check_command:check_command",
    "lint": "redshift_iam.cli.lint_command:lint_command",
}

GROUP_EXIT_CODES = """\b
Exit codes:
  0  success: the document (or report) is on stdout
  1  bad input, unresolved needs, findings, or nothing to grant (stdout empty,
     except: check, lint and scan print their report all the same, explain its
     review when the only problems are unresolved needs; see each --help)
  2  usage error: unknown command or option, bad flag value (stdout empty)"""


@click.group(name="redshift-iam", cls=cli_errors.Group, lazy_commands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]}, epilog=GROUP_EXIT_CODES)
@click.version_option(__version__, prog_name="redshift-iam")
def main() -> None:
    """Least-privilege IAM for Amazon Redshift COPY, UNLOAD and CREATE LIBRARY.

    Reads SQL scripts (files, '-' or standard input) and prints the IAM permissions policy
    and trust policy the cluster's role needs; checks a deployed role's policies against
    the SQL (check) and lints how the SQL authorizes Redshift (lint). Diagnostics go to
    stderr.
    """


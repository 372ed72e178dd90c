"""The ``redshift-iam`` command line: the group and its commands, each registered with
``add_command`` from the module that defines it (see cli/common.py for exit codes)."""

from __future__ import annotations

import click

from redshift_iam import __version__
from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.build import explain, generate, policy, trust
from redshift_iam.cli.common import EXIT_CODES
from redshift_iam.cli.scan import scan
from redshift_iam.cli.spec import spec_command


@click.group(name="redshift-iam", cls=cli_errors.Group,
             context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="redshift-iam")
def main() -> None:
    """Least-privilege IAM for Amazon Redshift COPY, UNLOAD and CREATE LIBRARY.

    Reads SQL scripts (files, '-' or standard input) and prints the IAM permissions policy
    and trust policy the cluster's role needs. Diagnostics go to stderr.
    """


for command in (policy, trust, generate, explain, spec_command, scan):
    main.add_command(command)

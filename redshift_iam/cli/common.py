"""What every command shares: reading the inputs, analysing them, and mapping errors to exit
codes (0 ok; 1 bad input, unresolved needs or nothing to grant; 2 usage). stdout carries only
the requested document; every diagnostic goes to stderr."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.options import Options, OptionsError

if TYPE_CHECKING:
    from redshift_iam.core.reports import Analysis

EXIT_CODES = """\b
Exit codes:
  0  success: the document is on stdout
  1  bad input, unresolved needs, findings, or nothing to grant (stdout empty;
     explain alone still prints its review when the only problems are unresolved needs)
  2  usage error: unknown command or option, bad flag value (stdout empty)"""
GENERATE_EXIT_CODES = """\b
Exit codes:
  0  success: the documents are on stdout or in --out-dir (an input with nothing to grant
     gives an empty bundle; --check: the folder is up to date, stdout empty)
  1  bad input, unresolved needs, a Terraform/CloudFormation file with nothing to grant or
     with principals in several accounts (give --account-id), a folder that cannot be
     written (stdout empty); --check: the folder is stale (the unified diff on stdout,
     nothing written)
  2  usage error: unknown option, bad flag value, --check without --out-dir (stdout empty)"""
SCAN_EXIT_CODES = """\b
Exit codes:
  0  everything found was read, derived and resolved: the report or documents on stdout
     (--check: the folder is up to date, stdout empty)
  1  something unresolved (unless --allow-unresolved), skipped or in error, or a PATH that
     does not exist: the report formats still print the report; the document formats print
     the documents of what was read, or nothing while a need is unresolved, or when a
     Terraform/CloudFormation file has nothing to grant or principals in several accounts;
     --check prints the unified diff when the folder is stale
  2  usage error: no PATH, unknown option, bad flag value, --check without --out-dir or with
     --format text/json (stdout empty)"""


class Failure(click.ClickException):
    """Exit 1 with a message on stderr (diagnostics, if any, were printed already)."""

    exit_code = 1

    def __init__(self, message: str, severity: str = "error") -> None:
        super().__init__(message)
        self.severity = severity  # of the summary line in --error-format json

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        if self.message:
            cli_errors.summary(self.message, self.severity)


OPTION_FLAGS = tuple(Options._fields)  # the flags whose values make the one Options value


def build_options(flags: dict, iac: bool = False) -> Options:
    """The run's one Options value from the parsed flags (those a command has; the rest keep
    their defaults). Only the flags named like an Options field are read."""
    given = {name: flags[name] for name in OPTION_FLAGS
             if name in flags and flags[name] is not None}
    for name in ("manifests", "kms_keys", "trust_regions", "db_users", "template_vars",
                 "vars_files", "policies", "context"):
        if name in given:
            given[name] = tuple(given[name])
    if "no_fold" in flags:
        given["fold"] = not flags["no_fold"]
    return Options(**given)._replace(iac=iac, given=_on_command_line())


def _on_command_line() -> tuple[str, ...] | None:
    """The Options fields whose flags the command line gave (the project config never
    overrides them); None outside a click command (every field then counts as given when it
    differs from its default)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None
    from click.core import ParameterSource

    names = {"fold" if name == "no_fold" else name for name in ctx.params
             if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE,
                                                   ParameterSource.ENVIRONMENT)}
    return tuple(sorted(names & set(OPTION_FLAGS)))


def stdin_inputs(scripts: tuple[str, ...]) -> tuple[str, ...]:
    """The inputs: the SCRIPTs, or ``-`` (standard input) when there are none; with no
    SCRIPT and a terminal on standard input, a usage error."""
    if scripts:
        return scripts
    if sys.stdin.isatty():
        raise click.UsageError("no SCRIPT given and standard input is a terminal")
    return ("-",)


def analyze_input(options: Options, scripts: tuple[str, ...], allow_unresolved: bool,
                  stdin: bytes | None = None, review: bool = False) -> Analysis:
    """The front door's analysis of ``scripts``; prints the diagnostics; raises Failure when
    the exit code must be 1. With ``review`` (explain), unresolved needs do not stop it: the
    caller shows them and exits 1 afterwards."""
    from redshift_iam.analysis import analyze

    analysis = analyze(stdin_inputs(scripts), options, stdin=stdin)
    cli_errors.diagnostics(analysis.diagnostics)
    failures = analysis.failures(allow_unresolved or review)
    if failures:
        raise Failure(f"{len(failures)} problem(s); no document written")
    return analysis


def guarded(func):
    """No traceback for anything but a bug, and even then a short report."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            cli_errors.diagnostics(exc.diagnostics)
            raise Failure("") from None
        except OptionsError as exc:
            raise click.UsageError(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # a bug: report it without echoing input values
            if os.environ.get("REDSHIFT_IAM_DEBUG"):
                raise
            last = exc.__traceback__
            assert last is not None  # a caught exception has its traceback
            while last.tb_next is not None:  # the innermost frame: where it went wrong
                last = last.tb_next
            raise Failure(f"internal error {type(exc).__name__} at "
                          f"{Path(last.tb_frame.f_code.co_filename).name}:{last.tb_lineno}; "
                          "please report it "
                          "(REDSHIFT_IAM_DEBUG=1 shows the traceback)") from None
    return wrapper


NOTHING = ("nothing to grant: the input has no COPY, UNLOAD or CREATE LIBRARY that needs AWS "
           "permissions (an empty policy is not a valid IAM document)")


def pick_report(analysis, role):
    from redshift_iam.analysis import SelectionError, select
    if not analysis.reports:
        raise Failure(NOTHING)
    try:
        return select(analysis.reports, role)
    except SelectionError as exc:
        raise Failure(str(exc)) from None



"""The front door of ``check``: does a role's policy allow what the SQL needs, and how much
more? The SQL is read as :func:`analyze` reads it (or a tree as ``scan`` does), the policies
from files in any form ``audit.read_policies`` knows and/or from IAM (``aws``), and the
``audit`` stage decides every need against them together."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redshift_iam.analysis.audit_sources import read_sql
from redshift_iam.analysis.gather import Input
from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.grants import Principal
from redshift_iam.core.localfiles import DEFAULT_READ_LIMITS, FileReader
from redshift_iam.core.options import DEFAULTS, Options, OptionsError
from redshift_iam.core.reports import Analysis
from redshift_iam.core.source import Source
from redshift_iam.core.statements import AuthKind

if TYPE_CHECKING:
    from redshift_iam.audit import CheckReport, PolicyDoc, PolicyInput
    from redshift_iam.core.lookups import Resolver

ROLE_FIX = ("pick it with --policy-role ROLE (its name or ARN, a Terraform address or a "
            "CloudFormation logical id)")


def check(inputs: Sequence[Input], options: Options = DEFAULTS, *,
          policies: Sequence[str | Source] = (), role: str | None = None,
          policy_role: str | None = None, from_role: str | None = None,
          context: Mapping[str, str] | None = None, scan: bool = False,
          stdin: bytes | None = None, cwd: Path | None = None,
          resolver: Resolver | None = None, session: Any = None) -> CheckReport:
    """Check the policies of one principal of the SQL ``inputs`` (read as :func:`analyze`
    reads them; with ``scan``, the source trees they name, as :func:`scan` does).

    ``policies``: files (``-`` for ``stdin``) or Sources, each a policy document, an aws-cli
    response, a Terraform plan or a CloudFormation template; ``policy_role`` picks the role
    of a file that holds several (default: the principal's role name). ``from_role``: a role
    name or ARN whose policies are read from IAM with boto3 (``session``, default the
    credential chain). ``role`` picks the principal of the SQL as ``select`` does (default:
    the only one, else ``from_role``). ``context``: request context keys the caller knows.

    The report's notes begin with the SQL's diagnostics (and, with ``scan``, an RC408 per
    place not read). Raises OptionsError for a bad combination, InputError for input that
    cannot be checked (an unreadable or malformed policy file, no clear principal: RC407,
    a role IAM does not give: RC409)."""
    from redshift_iam.audit import check as decide

    _check_arguments(inputs, policies, from_role, scan)
    analysis = read_sql(inputs, options, scan=scan, stdin=None if _reads_stdin(policies)
                        else stdin, cwd=cwd, resolver=resolver)
    principal = _principal(analysis, role, from_role)
    reader = FileReader(options.read_limits(DEFAULT_READ_LIMITS))
    documents: list[PolicyInput | PolicyDoc] = [
        _read_file(item, stdin, reader, policy_role, principal) for item in policies]
    if from_role:
        documents += _from_role(from_role, session)
    report = decide(analysis.derivation, documents, principal, context)
    return report._replace(notes=analysis.diagnostics + report.notes)


def _reads_stdin(policies: Sequence[str | Source]) -> bool:
    return any(not isinstance(item, Source) and item == "-" for item in policies)


def _check_arguments(inputs: Sequence[Input], policies: Sequence[str | Source],
                     from_role: str | None, scan: bool) -> None:
    if not policies and not from_role:
        raise OptionsError("give the policies to check: --policy FILE (repeatable) or "
                           "--from-role NAME")
    if sum(1 for item in policies if not isinstance(item, Source) and item == "-") > 1:
        raise OptionsError("--policy - reads standard input, which can be read once")
    if _reads_stdin(policies) and not scan and any(
            not isinstance(item, Source) and str(item) == "-" for item in inputs):
        raise OptionsError("standard input can be read once: give the SQL as files when the "
                           "policy is --policy -")


def _principal(analysis: Analysis, role: str | None, from_role: str | None) -> Principal:
    """The principal ``role`` names (as ``--role`` does), else the only one, else the one
    ``from_role`` names; RC407 otherwise (after the SQL's own diagnostics)."""
    from redshift_iam.analysis.selection import SelectionError, select

    if not analysis.reports:
        raise InputError(*analysis.diagnostics, Diagnostic(
            "RC407", "the input needs no permission: no COPY, UNLOAD or CREATE LIBRARY that "
                     "calls AWS (nothing to check)"))
    wanted = role
    if wanted is None and from_role and len(analysis.reports) > 1:
        wanted = from_role
    try:
        return select(analysis.reports, wanted).principal
    except SelectionError as exc:
        raise InputError(*analysis.diagnostics, Diagnostic("RC407", str(exc))) from None


def _read_file(item: str | Source, stdin: bytes | None, reader: FileReader,
               policy_role: str | None, principal: Principal) -> PolicyInput:
    """One policy file; when it holds several roles and ``policy_role`` is not given, the
    principal's role (by name)."""
    from redshift_iam.audit import read_policies

    source = item if isinstance(item, Source) else _source(item, stdin, reader)
    try:
        return read_policies(source, policy_role)
    except InputError as exc:
        guess = principal.slug if principal.kind is AuthKind.ROLE else None
        if exc.diagnostic.code != "RC406" or policy_role is not None or guess is None:
            raise _with_fix(exc) from None
    try:
        return read_policies(source, guess)
    except InputError as exc:
        raise _with_fix(exc) from None


def _with_fix(exc: InputError) -> InputError:
    """RC406 (which role?) with the flag that answers it."""
    if exc.diagnostic.code != "RC406":
        return exc
    return InputError(exc.diagnostic._replace(fix=ROLE_FIX), *exc.diagnostics[1:])


def _source(path: str, stdin: bytes | None, reader: FileReader) -> Source:
    from redshift_iam.inputs import read_source

    if path == "-" and stdin is None:
        stdin = sys.stdin.buffer.read()
    return read_source(path, stdin, reader)


def _from_role(role: str, session: Any) -> list[PolicyDoc]:
    """The role's policies, read from IAM, as documents (no file positions)."""
    from redshift_iam.audit import PolicyDoc
    from redshift_iam.aws import read_role_policies

    return [PolicyDoc(p.name, p.document, None, p.boundary)
            for p in read_role_policies(role, session)]

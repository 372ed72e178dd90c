"""The front door of ``check``: does a role's policy allow what the SQL needs, and how much
more? The SQL is read as :func:`analyze` reads it (or a tree as ``scan`` does), the policies
from files in any form ``audit.read_policies`` knows and/or from IAM (``aws``), and the
``audit`` stage decides every need against them together."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
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
          sources: Sequence[Source] = (), role: str | None = None, scan: bool = False,
          stdin: bytes | None = None, cwd: Path | None = None,
          resolver: Resolver | None = None, session: Any = None) -> CheckReport:
    """Check the policies of one principal of the SQL ``inputs`` (read as :func:`analyze`
    reads them; with ``scan``, the source trees they name, as :func:`scan` does).

    The policies: ``options.policies`` (files, ``-`` for ``stdin``) and ``sources`` (texts),
    each a policy document, an aws-cli response, a Terraform plan or a CloudFormation
    template; ``options.policy_role`` picks the role of a file that holds several (default:
    the principal's role name); ``options.from_role``, a role name or ARN whose policies are
    read from IAM with boto3 (``session``, default the credential chain). ``role`` picks the
    principal of the SQL as ``select`` does (default: the only one, else ``from_role``).
    ``options.context``: KEY=VALUE request context keys the caller knows. Whether the report
    fails is ``report.failures(options.strict, ...)``.

    The report's notes begin with the SQL's diagnostics (and, with ``scan``, an RC408 per
    place not read). Raises OptionsError for a bad option or combination, InputError for
    input that cannot be checked (an unreadable or malformed policy file, no clear
    principal: RC407, a role IAM does not give: RC409)."""
    from redshift_iam.audit import check as decide

    files = options.policies
    context = parse_context(options.context)
    _check_arguments(inputs, files, bool(sources) or bool(options.from_role), scan)
    analysis = read_sql(inputs, options, scan=scan, stdin=None if "-" in files else stdin,
                        cwd=cwd, resolver=resolver)
    principal = _principal(analysis, role, options.from_role or None)
    reader = FileReader(options.read_limits(DEFAULT_READ_LIMITS))
    items: list[str | Source] = [*files, *sources]
    documents: list[PolicyInput | PolicyDoc] = [
        _read_file(item, stdin, reader, options.policy_role or None, principal)
        for item in items]
    if options.from_role:
        documents += _from_role(options.from_role, session)
    report = decide(analysis.derivation, documents, principal, context)
    return report._replace(notes=analysis.diagnostics + report.notes)


def parse_context(pairs: Sequence[str]) -> dict[str, str]:
    """``--context KEY=VALUE`` texts -> {key (lower case, as IAM compares keys): value};
    OptionsError for one that is not KEY=VALUE with a condition key, or a key given twice."""
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or ":" not in key:
            raise OptionsError(f"--context {pair!r} is not KEY=VALUE with a condition key such "
                               "as aws:SourceVpc")
        if key.lower() in found:
            raise OptionsError(f"--context {key} is given twice (give each key once)")
        found[key.lower()] = value
    return found


def _check_arguments(inputs: Sequence[Input], files: Sequence[str], other: bool,
                     scan: bool) -> None:
    if not files and not other:
        raise OptionsError("give the policies to check: --policy FILE (repeatable) or "
                           "--from-role NAME")
    if list(files).count("-") > 1:
        raise OptionsError("--policy - reads standard input, which can be read once")
    if "-" in files and not scan and (not inputs or any(
            not isinstance(item, Source) and str(item) == "-" for item in inputs)):
        raise OptionsError("--policy - reads standard input: give the SQL as INPUT files")


def _principal(analysis: Analysis, role: str | None, from_role: str | None) -> Principal:
    """The principal ``role`` names (as ``--role`` does), else the only one, else the one
    ``from_role`` names; RC407 otherwise (after the SQL's own diagnostics)."""
    from redshift_iam.analysis.selection import SelectionError, select

    if not analysis.reports and analysis.failures(True):
        raise InputError(*analysis.diagnostics)  # the SQL's errors say why nothing is left
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
    if path != "-" and os.path.isdir(path):  # read_source would call it "not a script"
        raise InputError(Diagnostic("RI100", f"--policy {path} is a directory; give the "
                                             "policy file"))
    return read_source(path, stdin, reader)


def _from_role(role: str, session: Any) -> list[PolicyDoc]:
    """The role's policies, read from IAM, as documents (no file positions)."""
    from redshift_iam.audit import PolicyDoc
    from redshift_iam.aws import read_role_policies

    return [PolicyDoc(p.name, p.document, None, p.boundary)
            for p in read_role_policies(role, session)]

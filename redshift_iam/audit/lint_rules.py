"""Lint: findings about how a script authorizes Redshift, with stable codes and severities.

:func:`lint` takes the :class:`~redshift_iam.core.statements.Script` the reader made (its
``texts`` are the raw inputs) and returns every finding: the reader's own diagnostics
(RW203 keys, RW204 temporary credentials, RW205 client-side encryption, RW206 wildcards in a
key, RI113 a chain over 10 roles, RI1xx errors: a statement that could not be read is a
finding too), then one row of :data:`RULES` each:

- RW230/RW231: credentials that look live, anywhere in the text (:mod:`credentials`);
- RW232: a CREDENTIALS string with white space, a misspelled key or pairs joined by ``,``
  (it replaces the reader's RI110 or RI115 for that string, with the likely fix);
- RW233: ``IAM_ROLE default``; RW234: mixed authorization forms in one file;
- RW235: an UNLOAD without KMS or client-side encryption to a public-looking path: a bucket or
  key with one of :data:`PUBLIC_WORDS` as a word (split on ``-_./=``).

Then inline suppressions apply (:mod:`suppress`), and findings are sorted by place. Secrets
never reach a finding: the reader drops them, and the raw-text findings name no value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from redshift_iam.audit import credentials, suppress
from redshift_iam.core.catalogue import Severity
from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.source import Source
from redshift_iam.core.statements import (
    AuthKind,
    Authorization,
    Copy,
    CreateLibrary,
    S3Path,
    Script,
    Unload,
)

PUBLIC_WORDS = frozenset({"public", "www", "web", "website", "static", "cdn", "assets",
                          "shared", "share", "open", "download", "downloads", "media", "pub"})
_WORDS = re.compile(r"[-_./=]+")


class LintReport(NamedTuple):
    """Every finding, sorted by place, and those an inline comment suppressed."""

    findings: tuple[Diagnostic, ...]
    suppressed: tuple[Diagnostic, ...] = ()

    def at_least(self, severity: Severity) -> tuple[Diagnostic, ...]:
        """The findings at or above ``severity`` (info < warning < unresolved < error)."""
        return tuple(f for f in self.findings if f.severity.rank >= severity.rank)

    def failed(self, min_severity: Severity = Severity.WARNING) -> bool:
        """Whether ``lint`` exits 1: a finding at or above ``min_severity``."""
        return bool(self.at_least(min_severity))


def _texts(script: Script) -> list[Source]:
    seen, out = set(), []
    for source in script.texts:
        if (source.name, source.text) not in seen:
            seen.add((source.name, source.text))
            out.append(source)
    return out


def _authorized(script: Script) -> Iterator[tuple[Copy | Unload | CreateLibrary, Authorization]]:
    """Each statement that names an authorization, with it."""
    for statement in script.statements:
        if isinstance(statement, (Copy, Unload, CreateLibrary)) and statement.auth is not None:
            yield statement, statement.auth


def _live(script: Script) -> Iterator[Diagnostic]:
    for source in _texts(script):
        yield from credentials.live_keys(source)


def _default_role(script: Script) -> Iterator[Diagnostic]:
    for _, auth in _authorized(script):
        if auth.kind is AuthKind.DEFAULT_ROLE:
            yield Diagnostic("RW233", "IAM_ROLE default: the SQL does not say which role this "
                                      "statement runs as", auth.loc)


_FORMS = {AuthKind.ROLE: "a named role", AuthKind.DEFAULT_ROLE: "the default role",
          AuthKind.KEYS: "access keys"}


def _mixed(script: Script) -> Iterator[Diagnostic]:
    first: dict[str, dict[str, Location]] = {}  # file -> form -> where it is first used
    for statement, auth in _authorized(script):
        form = _FORMS.get(auth.kind)
        if form is not None:
            first.setdefault(statement.loc.file, {}).setdefault(form, auth.loc)
    for forms in first.values():
        (lead, lead_at), *others = forms.items()
        for form, at in others:
            yield Diagnostic("RW234", f"this statement authorizes with {form}, but the script "
                                      f"uses {lead} at {lead_at.short}", at)


def _public_unload(script: Script) -> Iterator[Diagnostic]:
    for statement in script.statements:
        if (not isinstance(statement, Unload) or not isinstance(statement.target, S3Path)
                or statement.kms_key or statement.client_key or statement.encrypted_auto):
            continue
        target = statement.target
        words = {w.lower() for w in _WORDS.split(f"{target.bucket}/{target.key}") if w}
        public = sorted(words & PUBLIC_WORDS)
        if public:
            yield Diagnostic("RW235", f"UNLOAD to {target.uri[:120]} without KMS encryption: the "
                                      f"path looks public ({', '.join(public)})", target.loc)


Rule = Callable[[Script], Iterable[Diagnostic]]
# One row per lint rule (the reader's own findings come first, see lint()).
RULES: tuple[tuple[str, Rule], ...] = (
    ("RW230/RW231 live-looking credentials", _live),
    ("RW233 IAM_ROLE default", _default_role),
    ("RW234 mixed authorization forms", _mixed),
    ("RW235 unencrypted UNLOAD to a public-looking path", _public_unload),
)


def _reader_findings(script: Script) -> list[Diagnostic]:
    """The reader's diagnostics, with RI110/RI115 on a CREDENTIALS string replaced by
    RW232."""
    replaced: list[tuple[Location, Location]] = []
    found: list[Diagnostic] = []
    for source in _texts(script):
        for start, end, finding in credentials.credentials_strings(source):
            replaced.append((source.location(start), source.location(end)))
            found.append(finding)
    for diagnostic in script.diagnostics:
        where = diagnostic.location
        if diagnostic.code in ("RI110", "RI115") and where and any(
                a.file == where.file and (a.line, a.col) <= (where.line, where.col)
                <= (b.line, b.col) for a, b in replaced):
            continue
        found.append(diagnostic)
    return found


def _place(finding: Diagnostic) -> tuple:
    where = finding.location
    return (where.file, where.line, where.col, finding.code) if where else ("", 0, 0,
                                                                            finding.code)


def lint(script: Script) -> LintReport:
    """Every finding of ``script`` (see the module docstring), suppressions applied."""
    findings = _reader_findings(script)
    for _, rule in RULES:
        findings += rule(script)
    found = suppress.ignores(_texts(script))
    starts = suppress.statement_lines((s.loc.file, s.loc.line) for s in script.statements)
    kept: list[Diagnostic] = []
    dropped: list[Diagnostic] = []
    for finding in sorted(set(findings), key=_place):
        (dropped if suppress.suppressed(finding, found, starts) else kept).append(finding)
    return LintReport(tuple(kept), tuple(dropped))

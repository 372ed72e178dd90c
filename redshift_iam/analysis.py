"""The library's front door: sources and settings in, per-principal documents out.

The CLI calls :func:`analyze`, then picks what to print. Everything here is pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter, itemgetter
from typing import NamedTuple

from redshift_iam.derive import derive
from redshift_iam.diagnostics import Diagnostic, Severity
from redshift_iam.fold import Fold, Folding
from redshift_iam.model import Derivation, Grant, Principal, Settings
from redshift_iam.packing import TRUST_LIMIT, Limits, TooLarge, pack
from redshift_iam.policy import Compact, PolicyDocument, compact, with_sids
from redshift_iam.reader import read_script
from redshift_iam.source import Source
from redshift_iam.statements import AuthKind, Script
from redshift_iam.trust import TrustOptions, build_trust


class PrincipalReport(NamedTuple):
    """One principal's documents, the folds made to fit them, and the statements
    (``file:line``) that need them. ``policies`` is empty when nothing could be granted."""

    principal: Principal
    policies: tuple[PolicyDocument, ...]
    trust: PolicyDocument | None
    statements: tuple[str, ...]
    folds: tuple[Fold, ...] = ()


class Analysis(NamedTuple):
    script: Script
    derivation: Derivation
    reports: tuple[PrincipalReport, ...]
    sizing: tuple[Diagnostic, ...] = ()  # folds made, and documents that do not fit

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.script.diagnostics + self.derivation.diagnostics + self.sizing

    def failures(self, allow_unresolved: bool) -> tuple[Diagnostic, ...]:
        """The diagnostics that make the run exit 1."""
        fatal = {Severity.ERROR} | (set() if allow_unresolved else {Severity.UNRESOLVED})
        return tuple(d for d in self.diagnostics if d.severity in fatal)


def _packed(state: Compact, size: int, limits: Limits) -> tuple[PolicyDocument, ...] | None:
    """The compacted grants (of ``size`` characters as one document) in at most
    ``limits.count`` documents, or None. Splitting only adds characters, so when all of them
    together exceed the room, packing is not even tried."""
    if size > limits.count * limits.size:
        return None
    docs = pack(with_sids(state.parts()), limits.size)
    return tuple(docs) if len(docs) <= limits.count else None


def _first_guess(size: int, possible: list[Fold], limits: Limits) -> int:
    """How many of the largest folds should be enough, by the characters each saves from the
    ``size`` of the grants as one document. The guess leans low (it counts every replaced key
    in full), so packing confirms it and the caller doubles it when it falls short."""
    excess = size - limits.count * limits.size
    saved = 0
    for count, fold in enumerate(possible, 1):
        keys = fold.replaced
        saved += len(fold.actions) * (sum(map(len, keys)) + (len(fold.bucket) + 18) * len(keys))
        if saved >= excess:
            return count
    return max(len(possible), 1)


def _needed(state: Compact, limits: Limits) -> int:
    return len(pack(with_sids(state.parts()), limits.size))


def fit(grants: list[Grant], limits: Limits) -> tuple[tuple[PolicyDocument, ...], list[Fold]]:
    """Pack a principal's grants into at most ``limits.count`` documents. Only when the exact
    grants need more (and folding is allowed) are keys folded: deepest segment first, and at
    each depth the largest folds first, 1, 2, 4... of them, so no more is widened than the
    quota requires. Raises TooLarge when they cannot fit.

    The grants are compacted once; each trial widens the compacted state by the folds' patterns
    (:class:`~redshift_iam.widening.Widening`) and counts its size without rendering it."""
    exact = state = compact(grants)
    size = state.size()
    docs = _packed(state, size, limits)
    if docs is not None:
        return docs, []
    if not limits.fold:
        raise TooLarge(f"needs {_needed(state, limits)} policies of at most {limits.size} "
                       f"characters; the limit is {limits.count} and folding is off (--no-fold)")
    folding, folds = Folding(grants), []
    for depth in range(folding.max_depth, 0, -1):
        folding.distinct()
        possible = folding.candidates(depth)
        if not possible:
            continue
        widening = folding.widening(state)
        count = _first_guess(size, possible, limits)
        while True:  # the largest folds first, doubling how many, until it fits
            trial = widening.at(count)
            trial_size = trial.size()
            docs = _packed(trial, trial_size, limits)
            if docs is not None:
                return docs, folds + possible[:count]
            if count >= len(possible):
                break
            count = min(2 * count, len(possible))
        folding.apply()
        state, size, folds = trial, trial_size, folds + possible
    raise TooLarge(f"needs {_needed(exact, limits)} policies of at most {limits.size} "
                   f"characters, and still {_needed(state, limits)} after folding every key it "
                   f"may fold; the limit is {limits.count}")


_LOCATION, _FILE_LINE = attrgetter("location"), itemgetter(0, 1)


def _report(principal: Principal, derivation: Derivation, trust: TrustOptions,
            limits: Limits) -> tuple[PrincipalReport, list[Diagnostic]]:
    grants = [g for g in derivation.grants if g.principal == principal]
    links = [t for t in derivation.trust_links if t.principal == principal]
    where = set(map(_FILE_LINE, map(_LOCATION, grants)))  # C-level: a 10 MB script has 37k
    where.update(map(_FILE_LINE, map(_LOCATION, links)))
    found: list[Diagnostic] = []
    docs, folds = (), []
    try:
        docs, folds = fit(grants, limits) if grants else ((), [])
    except TooLarge as exc:
        found.append(Diagnostic("RI160", f"{principal.name} {exc}"))
    found += [Diagnostic("RW210", f.message()) for f in folds]
    trust_doc = build_trust(links, trust)
    if trust_doc and trust_doc.size > TRUST_LIMIT:
        found.append(Diagnostic("RI161", f"the trust policy of {principal.name} has "
                                         f"{trust_doc.size} characters; IAM allows {TRUST_LIMIT}"))
    statements = tuple(f"{file}:{line}" for file, line in sorted(where))
    return PrincipalReport(principal, docs, trust_doc, statements, tuple(folds)), found


DEFAULT_LIMITS = Limits()


def read_inputs(sources: Iterable[Source], input_format: str = "auto") -> Script:
    """SQL scripts and specs (:func:`redshift_iam.spec.is_spec`) -> one Script, statements
    in input order. Runs of SQL sources are read together, as before specs existed."""
    from redshift_iam.spec import is_spec

    parts: list[Script] = []
    run: list[Source] = []
    for source in sources:
        if not is_spec(source.name, input_format):
            run.append(source)
            continue
        from redshift_iam.spec.reader import read_spec
        parts += [read_script(run)] if run else []
        parts.append(read_spec(source))
        run = []
    if run or not parts:
        parts.append(read_script(run))
    if len(parts) == 1:
        return parts[0]
    return Script(tuple(s for p in parts for s in p.statements), sum(p.skipped for p in parts),
                  tuple(d for p in parts for d in p.diagnostics))


def analyze(sources: Iterable[Source], settings: Settings, trust: TrustOptions,
            limits: Limits = DEFAULT_LIMITS, input_format: str = "auto") -> Analysis:
    """Read (SQL and specs), derive and build every principal's permissions and trust
    policies."""
    script = read_inputs(sources, input_format)
    derivation = derive(script, settings)
    reports, sizing = [], []
    for principal in derivation.principals():
        report, found = _report(principal, derivation, trust, limits)
        reports.append(report)
        sizing += found
    return Analysis(script, derivation, tuple(reports), tuple(sizing))


class SelectionError(Exception):
    """``--role`` matched no principal, or several principals and no ``--role``."""


def select(reports: tuple[PrincipalReport, ...], role: str | None) -> PrincipalReport:
    """The one report ``--role`` names (ARN, ``default``, ``user``, ``user:<key id>``), or
    the only one when ``role`` is None."""
    if role is None:
        if len(reports) == 1:
            return reports[0]
        raise SelectionError("the input uses several principals; pick one with --role: "
                             + ", ".join(r.principal.name for r in reports))
    matches = [r for r in reports if _matches(r.principal, role)]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(r.principal.name for r in reports) or "none"
    if not matches:
        raise SelectionError(f"--role {role} matches no principal of the input ({names})")
    raise SelectionError(f"--role {role} matches several principals; use user:<access key id> "
                         f"({names})")


def _matches(principal: Principal, role: str) -> bool:
    if role == "user":
        return principal.kind is AuthKind.KEYS
    return principal.name == role

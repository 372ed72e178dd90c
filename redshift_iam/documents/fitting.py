"""One principal's grants -> documents that fit IAM's quotas."""

from __future__ import annotations

from operator import attrgetter, itemgetter

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.grants import Derivation, Grant, Principal
from redshift_iam.core.policy import PolicyDocument
from redshift_iam.core.reports import Fold, PrincipalReport
from redshift_iam.core.settings import TRUST_LIMIT, Limits, TrustOptions
from redshift_iam.documents.grouping import Compact, compact, with_sids
from redshift_iam.documents.packing import TooLarge, pack
from redshift_iam.documents.trust import build_trust


def _packed(state: Compact, size: int, limits: Limits) -> tuple[PolicyDocument, ...] | None:
    """The compacted grants (of ``size`` characters as one document) in at most
    ``limits.max_documents`` documents, or None. Splitting only adds characters, so when all of them
    together exceed the room, packing is not even tried."""
    if size > limits.max_documents * limits.size:
        return None
    docs = pack(with_sids(state.parts()), limits.size)
    return tuple(docs) if len(docs) <= limits.max_documents else None


def _first_guess(size: int, possible: list[Fold], limits: Limits) -> int:
    """How many of the largest folds should be enough, by the characters each saves from the
    ``size`` of the grants as one document. The guess leans low (it counts every replaced key
    in full), so packing confirms it and the caller doubles it when it falls short."""
    excess = size - limits.max_documents * limits.size
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
    """Pack a principal's grants into at most ``limits.max_documents`` documents. Only when the
    exact grants need more (and folding is allowed) are keys folded: deepest segment first, and at
    each depth the largest folds first, 1, 2, 4... of them, so no more is widened than the
    quota requires. Raises TooLarge when they cannot fit.

    The grants are compacted once; each trial widens the compacted state by the folds' patterns
    (:class:`~redshift_iam.documents.widening.Widening`) and counts its size without rendering
    it."""
    exact = state = compact(grants)
    size = state.size()
    docs = _packed(state, size, limits)
    if docs is not None:
        return docs, []
    if not limits.fold:
        raise TooLarge(f"needs {_needed(state, limits)} policies of at most {limits.size} "
                       f"characters; the limit is {limits.max_documents} and folding is off "
                       "(--no-fold)")
    from redshift_iam.documents.fold import Folding  # loaded only when folding is needed

    folding = Folding(grants)
    folds: list[Fold] = []
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
                   f"may fold; the limit is {limits.max_documents}")


_LOCATION, _FILE_LINE = attrgetter("location"), itemgetter(0, 1)


def report(principal: Principal, derivation: Derivation, trust: TrustOptions,
           limits: Limits) -> tuple[PrincipalReport, list[Diagnostic]]:
    """One principal's documents within ``limits``, its trust policy, the statements
    (``file:line``) that need them, and the diagnostics of fitting them."""
    grants = [g for g in derivation.grants if g.principal == principal]
    links = [t for t in derivation.trust_links if t.principal == principal]
    where = set(map(_FILE_LINE, map(_LOCATION, grants)))  # C-level: a 10 MB script has 37k
    where.update(map(_FILE_LINE, map(_LOCATION, links)))
    found: list[Diagnostic] = []
    docs: tuple[PolicyDocument, ...] = ()
    folds: list[Fold] = []
    try:
        docs, folds = fit(grants, limits) if grants else ((), [])
    except TooLarge as exc:
        found.append(Diagnostic("RI160", f"{principal.name} {exc}", fix=too_large_hint(limits)))
    found += [Diagnostic("RW210", f.message()) for f in folds]
    found += near_quota(principal, grants, docs, limits)
    trust_doc = build_trust(links, trust)
    if trust_doc and trust_doc.size > TRUST_LIMIT:
        found.append(Diagnostic("RI161", f"the trust policy of {principal.name} has "
                                         f"{trust_doc.size} characters; IAM allows {TRUST_LIMIT}"))
    statements = tuple(f"{file}:{line}" for file, line in sorted(where))
    return PrincipalReport(principal, docs, trust_doc, statements, tuple(folds)), found


NEAR_QUOTA = 0.9  # an estimate above this share of the quota is RW229


def near_quota(principal: Principal, grants: list[Grant], docs: tuple[PolicyDocument, ...],
               limits: Limits) -> list[Diagnostic]:
    """RW229 for each document holding a template variable counted at an assumed length
    rather than at a bound (``core.var_sizes``) whose size is above :data:`NEAR_QUOTA` of
    the quota: a longer value can make it exceed the quota when the file is applied."""
    from redshift_iam.core.var_sizes import ASSUMPTIONS, has_variables, unbounded

    if not any(has_variables(g.resource) or (g.condition and has_variables(
            g.condition.value)) for g in grants):
        return []
    from redshift_iam.core.placeholders import readable

    found = []
    for number, doc in enumerate(docs, 1):
        size = doc.size
        if size <= NEAR_QUOTA * limits.size or not any(
                unbounded(value) for s in doc.statements
                for value in (*s.resources, *(v for _, _, vs in s.conditions for v in vs))):
            continue
        which = f"policy {number} of {len(docs)}" if len(docs) > 1 else "the policy"
        found.append(Diagnostic("RW229", (
            f"{which} for {readable(principal.name)} is estimated at {size:,} of "
            f"{limits.size:,} characters, counting each template variable as the longest value "
            f"assumed for it ({ASSUMPTIONS}): a longer value can make it exceed IAM's quota "
            "when the file is applied")))
    return found


def too_large_hint(limits: Limits) -> str:
    """RI160's hint: only the ways out that the flags given leave open."""
    ways = ["drop --inline (managed policies: up to 20 of 6,144 characters each)"
            if limits.inline else
            "raise --max-policies (IAM allows up to 20 managed policies per role on request)"]
    if not limits.fold:
        ways.append("drop --no-fold to allow folding")
    ways.append("or split the statements between several roles")
    return ", ".join(ways)


DEFAULT_LIMITS = Limits()


def build_reports(derivation: Derivation, trust: TrustOptions, limits: Limits = DEFAULT_LIMITS
                  ) -> tuple[tuple[PrincipalReport, ...], tuple[Diagnostic, ...]]:
    """Every principal's documents (sorted by principal), and the diagnostics of sizing them:
    folds made (RW210), documents that do not fit (RI160, RI161)."""
    reports, sizing = [], []
    for principal in derivation.principals():
        built, found = report(principal, derivation, trust, limits)
        reports.append(built)
        sizing += found
    return tuple(reports), tuple(sizing)

"""The answers of ``--resolve`` -> Settings fields and diagnostics; and the loop that asks.

:func:`resolve_settings` asks a :class:`~redshift_iam.core.lookups.Resolver` the lookups
:func:`~redshift_iam.derive.lookup_needs.needs_for` lists, round after round (a manifest's entries
name more buckets, a bucket's default key id needs its Region), each distinct lookup once,
until nothing new is needed. :func:`apply_facts` is pure: the same needs and answers give the
same settings and the same diagnostics, in the order of the needs.

An answer fills what a flag would: the account (``--account-id``), the Region
(``--region``), a manifest's entries (``--manifest``), a bucket's default SSE-KMS key
(``--kms-key s3://bucket=KEY``: ENCRYPTED AUTO and the SSE-KMS rules read it from there), an
alias's key (``--kms-key alias/NAME=KEY``). A failed lookup the policy depends on is an error
(RI190-RI194, RI150 for a manifest that is not one); a failed check is a warning (RW240).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.core.aws_names import check_region, kms_arn_parts, kms_kind, partition_of_region
from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.lookups import (
    GLOBAL_REASONS,
    KINDS,
    REASONS,
    Answer,
    Fact,
    Failure,
    Lookup,
    Need,
    Resolver,
    subject,
    thing,
)
from redshift_iam.core.manifests import parse_manifest
from redshift_iam.core.settings import KmsTarget, ManifestEntry, Settings
from redshift_iam.core.statements import Script
from redshift_iam.derive.lookup_needs import needs_for

# Rounds of lookups: the Region, manifests and buckets; the account, the entries' buckets,
# aliases; their default key ids; one more to find nothing new (a bound, never reached).
MAX_ROUNDS = 6
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")  # SSE-KMS and DSSE-KMS use the KMS key
_STOPPED = ("TERMINATING", "TERMINATED", "TERMINATED_WITH_ERRORS")  # EMR cluster states


class Resolution(NamedTuple):
    """What ``--resolve`` found: the settings with the answers in, the diagnostics (errors
    for failed lookups the policy needs, warnings for checks), every need and answer."""

    settings: Settings
    diagnostics: tuple[Diagnostic, ...]
    needs: tuple[Need, ...]
    facts: Mapping[Lookup, Answer]


def resolve_settings(script: Script, settings: Settings, resolver: Resolver) -> Resolution:
    """Ask ``resolver`` what ``script`` needs beyond ``settings`` (see module docstring)."""
    facts: dict[Lookup, Answer] = {}
    needs: dict[Need, None] = {}
    current = settings
    for _ in range(MAX_ROUNDS):
        found = needs_for(script, current, facts)
        needs.update(dict.fromkeys(found))
        asked = list(dict.fromkeys(n.lookup for n in found if n.lookup not in facts))
        if not asked:
            break
        answers = resolver.resolve(asked)
        facts.update({lookup: answers.get(lookup, Failure("aws", "no answer"))
                      for lookup in asked})
        current = apply_facts(settings, tuple(needs), facts)[0]
    current, diagnostics = apply_facts(settings, tuple(needs), facts)
    return Resolution(current, diagnostics, tuple(needs), MappingProxyType(facts))


class _State:
    """The settings being filled and the diagnostics found (internal to apply_facts)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.account, self.region = settings.account_id, settings.region
        self.manifests: dict[str, tuple[ManifestEntry, ...]] = dict(settings.manifests)
        self.targets: list[KmsTarget] = list(settings.kms_targets)
        self.aliases: dict[str, str] = dict(settings.kms_aliases)
        self.notes: list[Diagnostic] = []  # warnings about manifest entries
        self.found: list[Diagnostic] = []

    def result(self) -> tuple[Settings, tuple[Diagnostic, ...]]:
        settings = self.settings._replace(
            account_id=self.account, region=self.region,
            manifests=MappingProxyType(self.manifests),
            kms_targets=tuple(sorted(dict.fromkeys(self.targets), key=str)),
            kms_aliases=MappingProxyType(self.aliases),
            notes=self.settings.notes + tuple(self.notes))
        return settings, tuple(dict.fromkeys(self.found))

    def error(self, code: str, message: str, need: Need, fix: str = "") -> None:
        self.found.append(Diagnostic(code, message, need.loc, fix=fix))


def apply_facts(settings: Settings, needs: tuple[Need, ...], facts: Mapping[Lookup, Answer]
                ) -> tuple[Settings, tuple[Diagnostic, ...]]:
    """``settings`` with the answers to ``needs`` in, and the diagnostics (module docstring).
    The account and Region are read first: the other readers compare with the Region."""
    state = _State(settings)
    ordered = sorted(needs, key=lambda need: need.purpose not in ("account", "region"))
    first, required = _first_needs(ordered)
    for need in ordered:
        answer = facts.get(need.lookup)
        if answer is None:
            continue
        if isinstance(answer, Failure):
            if first[need.lookup] is need:
                _failed(state, need, answer, len(required.get(need.lookup, ())) - 1)
        elif not answer.exists:
            _missing(state, need, answer)
        else:
            READERS[need.purpose](state, need, answer)
    _global_failures(state, first, required, facts)
    return state.result()


def _first_needs(needs: list[Need]) -> tuple[dict[Lookup, Need], dict[Lookup, set[object]]]:
    """The need each failed lookup is reported at (its first required one, else its first),
    and the places of each lookup's required needs."""
    first: dict[Lookup, Need] = {}
    required: dict[Lookup, set[object]] = {}
    for need in needs:
        known = first.get(need.lookup)
        if known is None or (need.required and not known.required):
            first[need.lookup] = need
        if need.required:
            required.setdefault(need.lookup, set()).add(need.loc)
    return first, required


def _failed(state: _State, need: Need, failure: Failure, others: int) -> None:
    """One line per failed lookup (``others``: how many more places need it): an error when
    the policy needs it, else a warning; a check that failed for a reason every lookup
    shares is left to :func:`_global_failures`."""
    if not need.required and failure.reason in GLOBAL_REASONS:
        return
    lookup, reason = need.lookup, REASONS[failure.reason]
    more = f"; {others} more statement(s) need it too" if others > 0 else ""
    said = f"{subject(lookup)} ({KINDS[lookup.kind].call}): {reason.says}: {failure.message}"
    remedy = reason.remedy.format(action=KINDS[lookup.kind].action or "that permission")
    if need.required:
        fix = " or ".join(part for part in (remedy, need.instead) if part)
        state.error(reason.code, f"--resolve could not get {said}{more}", need, fix)
    else:
        left = need.instead or "the policy does not depend on it"
        state.error("RW240", f"--resolve could not check {said}", need,
                    fix="; ".join(part for part in (remedy, left) if part))


def _global_failures(state: _State, first: Mapping[Lookup, Need],
                     required: Mapping[Lookup, set[object]], facts: Mapping[Lookup, Answer]
                     ) -> None:
    """The checks that failed for a reason every lookup shares: one warning per reason."""
    failed: dict[str, list[Failure]] = {}
    for lookup in first:
        answer = facts.get(lookup)
        if isinstance(answer, Failure) and answer.reason in GLOBAL_REASONS and \
                lookup not in required:
            failed.setdefault(answer.reason, []).append(answer)
    for reason, found in failed.items():
        state.found.append(Diagnostic("RW240", f"--resolve could not make {len(found)} "
                                               f"check(s): {REASONS[reason].says}: "
                                               f"{found[0].message}",
                                      fix=REASONS[reason].remedy.format(action="")))


def _missing(state: _State, need: Need, fact: Fact) -> None:
    """AWS says the thing is not there: an error when the policy needs it, else a warning
    (for a thing of another account than the credentials', nothing: it was not checked)."""
    said = f"{thing(need.lookup)} does not exist" + (f" ({fact.detail})" if fact.detail
                                                         else "")
    if need.required:
        state.error("RI191", f"--resolve: {said}", need,
                    fix=need.instead and f"check the name, or {need.instead}")
    elif not need.account or not fact.account or need.account == fact.account:
        state.error("RW241", said, need)


def _account(state: _State, need: Need, fact: Fact) -> None:
    state.account = state.account or fact.value


def _region(state: _State, need: Need, fact: Fact) -> None:
    partition = state.settings.partition
    if check_region(fact.value) or partition_of_region(fact.value) != partition:
        state.error("RI195", f"the Region of your session, {fact.value}, is not a Region of "
                             f"partition {partition}", need,
                    fix="pass --region REGION (the cluster's Region), or --partition")
        return
    state.region = state.region or fact.value


def _manifest(state: _State, need: Need, fact: Fact) -> None:
    uri = need.lookup.name
    try:
        state.manifests[uri] = parse_manifest(uri, fact.value, state.notes)
    except InputError as exc:
        state.found.append(exc.diagnostic._replace(
            fix=f"fix the manifest in S3, or {need.instead}"))


def _bucket_encryption(state: _State, need: Need, fact: Fact) -> None:
    """SSE-KMS with a key ARN: that key for the whole bucket. A key id or alias waits for
    its DescribeKey (``bucket-key``); SSE-KMS without a key is the AWS managed key aws/s3,
    whose key policy already lets the account's principals use it through S3."""
    if fact.detail in KMS_ALGORITHMS and kms_kind(fact.value) == "arn":
        state.targets.append(KmsTarget(need.about, "", fact.value))
    elif fact.detail not in KMS_ALGORITHMS or not fact.value:  # SSE-S3, or aws/s3
        state.targets.append(KmsTarget(need.about, "", ""))


def _bucket_key(state: _State, need: Need, fact: Fact) -> None:
    state.targets.append(KmsTarget(need.about, "", fact.value))
    _key_state(state, need, fact)


def _kms_alias(state: _State, need: Need, fact: Fact) -> None:
    """An alias's key ARN, which must be in the account of the statement's role (the alias
    was looked up in the credentials' account), and one key per alias name."""
    account = (kms_arn_parts(fact.value) or {"account": ""})["account"]
    if need.account and account != need.account:
        state.error("RI195", f"KMS alias {need.about} names key {fact.value} in the account of "
                             f"your credentials, but the statement's role is in account "
                             f"{need.account}", need,
                    fix=f"pass --kms-key {need.about}=KEY_ARN with the key of account "
                        f"{need.account}")
        return
    known = state.aliases.get(need.about)
    if known and known != fact.value:
        state.error("RI195", f"KMS alias {need.about} names {known} and {fact.value} in two "
                             "Regions", need, fix="write the alias ARN in KMS_KEY_ID")
        return
    state.aliases[need.about] = fact.value
    _key_state(state, need, fact)


def _key_state(state: _State, need: Need, fact: Fact) -> None:
    if fact.detail and fact.detail != "Enabled":
        state.error("RW243", f"KMS key {fact.value} is {fact.detail}: Redshift cannot use it",
                    need)


def _exists(state: _State, need: Need, fact: Fact) -> None:
    """A checked thing that is there: a KMS key or EMR cluster that cannot serve is a
    warning."""
    if need.lookup.kind == "kms-key":
        _key_state(state, need, fact)
    elif need.lookup.kind == "emr-cluster" and fact.detail in _STOPPED:
        state.error("RW243", f"EMR cluster {need.lookup.name} is {fact.detail}: COPY cannot "
                             "read from it", need)


def _bucket_region(state: _State, need: Need, fact: Fact) -> None:
    """COPY, UNLOAD and CREATE LIBRARY need REGION when the bucket is in another Region than
    the cluster, and REGION must then name the bucket's Region."""
    kind, written = need.about.split("|", 1)
    bucket, region = need.lookup.name, fact.value
    if written and region != written:
        state.error("RW242", f"bucket {bucket} is in {region}, but the {kind} says REGION "
                             f"'{written}'", need, fix=f"write REGION '{region}'")
    elif not written and state.region and region != state.region:
        state.error("RW242", f"bucket {bucket} is in {region}, not in the cluster's Region "
                             f"{state.region}: the {kind} needs REGION '{region}'", need,
                    fix=f"add REGION '{region}' to the {kind} (or pass --region if the "
                        "cluster is there)")


# purpose (core.lookups.Need.purpose) -> what an answer that exists means
READERS: Mapping[str, Callable[[_State, Need, Fact], None]] = {
    "account": _account,
    "region": _region,
    "manifest": _manifest,
    "bucket-encryption": _bucket_encryption,
    "bucket-key": _bucket_key,
    "bucket-region": _bucket_region,
    "kms-alias": _kms_alias,
    "exists": _exists,
}

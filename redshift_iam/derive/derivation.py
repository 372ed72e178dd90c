"""Statements -> grants and trust links, by the rules table.

This module decides *which* rules a statement triggers and on what subject; the rules table
says what each grants. Anything the SQL does not settle (an account, a Region, a manifest's
entries, a key) becomes an RI14x "unresolved" diagnostic naming the flag that supplies it;
the grant it would have produced is left out, never guessed (see :mod:`arns`).
"""

from __future__ import annotations

import functools

from redshift_iam.core.aws_names import arn_partition, role_account
from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.grants import Derivation, Grant, Principal, TrustLink
from redshift_iam.core.placeholders import from_default, has_marker, has_sentinel
from redshift_iam.core.settings import Settings
from redshift_iam.core.statements import (
    AuthKind,
    Authorization,
    Copy,
    CreateLibrary,
    Script,
    Text,
    Unload,
    Unmapped,
)
from redshift_iam.derive.arns import Unresolved, region_of, sse_kms
from redshift_iam.derive.collector import NO_PLACES, Collector, arn_grants, unresolved_module
from redshift_iam.derive.derivers import DERIVERS, UNMAPPED_MESSAGES
from redshift_iam.derive.rules import RULE_DOCS


def derive(script: Script, settings: Settings) -> Derivation:
    """Every grant and trust link the script's statements need (see module docstring). The
    diagnostics start with the settings' own notes (warnings about flag values)."""
    grants: list[Grant] = []
    links: list[TrustLink] = []
    diagnostics: list[Diagnostic] = list(settings.notes)
    for statement in script.statements:
        if isinstance(statement, Unmapped):  # its row has no grants: not mapped yet
            diagnostics.append(Diagnostic(statement.code, UNMAPPED_MESSAGES[statement.code].format(
                statement.what), statement.loc))
        elif not _needs_nothing(statement):
            diagnostics.extend(_derive_one(statement, settings, grants, links))
    return Derivation(tuple(grants), tuple(links), tuple(diagnostics), script.skipped,
                      RULE_DOCS)


def _derive_one(statement: Copy | Unload | CreateLibrary, settings: Settings,
                grants: list[Grant], links: list[TrustLink]) -> list[Diagnostic]:
    """Append one statement's grants and trust links; return its diagnostics. With
    ``settings.variables`` the open values a variable can stand for are variables first
    (:mod:`iac_variables`)."""
    before = len(grants)
    if not (settings.variables and statement.placeholders):
        found = _derive_statement(statement, settings, grants, links)
    else:
        from redshift_iam.derive import iac_variables  # only IaC formats of a template

        marked, notes = iac_variables.substitute(statement, unresolved_module().table(
            statement), DERIVERS[type(statement)].name)
        found = _derive_statement(marked, settings, grants, links)
        found = list(dict.fromkeys(iac_variables.used(notes, grants[before:]) + found))
    if len(grants) > before and any(from_default(p) for p in statement.placeholders):
        found = unresolved_module().default_warnings(statement.placeholders) + found
    return found


def _derive_statement(statement: Copy | Unload | CreateLibrary, settings: Settings,
                      grants: list[Grant], links: list[TrustLink]) -> list[Diagnostic]:
    """See :func:`_derive_one`. What is known is kept (for --allow-unresolved). A statement
    that needs no AWS access (CREATE LIBRARY from https://, with any authorization) names no
    principal: no chain grant, no trust."""
    kind = DERIVERS[type(statement)].name
    places = unresolved_module().table(statement) if statement.placeholders else NO_PLACES
    if statement.auth is not None and statement.auth.kind is AuthKind.OPEN:
        return unresolved_module().open_slots(statement, places, kind)
    if statement.open_options:
        settled = _settled(statement, settings, grants, links)
        if settled is not None:
            return settled
    # derive skips what needs nothing (CREATE LIBRARY from https://); the readers require an
    # authorization for everything else
    assert statement.auth is not None, statement.loc
    try:
        principal, account, chain, chain_links = _principals(statement.auth, settings,
                                                             statement.loc)
    except Unresolved as exc:
        return [exc.diagnostic]
    scope = f"copy:{statement.table}" if isinstance(statement, Copy) else ""
    out = Collector(settings, principal, account, statement.loc, scope, kind, places)
    found = _statement(out, statement)
    for slot in statement.open_options:
        found += unresolved_module().unresolved("options", slot.text, places, kind, slot.loc)
    if out.grants or found:
        grants.extend(chain)
        grants.extend(out.grants)
        links.extend(chain_links)
    return found




def _needs_nothing(statement: Copy | Unload | CreateLibrary) -> bool:
    """CREATE LIBRARY from https:// reads nothing from AWS: its authorization (if any) is not
    used, so it is not checked either."""
    return isinstance(statement, CreateLibrary) and statement.source is None


def _principals(authz: Authorization, settings: Settings, loc: Location
                ) -> tuple[Principal, str, list[Grant], list[TrustLink]]:
    """The data principal, its account, and the chain's AssumeRole grants and trust links
    (located at the statement ``loc``)."""
    if authz.kind is AuthKind.DEFAULT_ROLE:
        principal = Principal(AuthKind.DEFAULT_ROLE, "default")
        return principal, "", [], [TrustLink(principal, "service", loc)]
    if authz.kind is AuthKind.KEYS:
        return Principal(AuthKind.KEYS, f"user:{authz.access_key_id}"), "", [], []
    grants, links, previous = [], [], None
    for role in authz.roles:
        _check_partition(role, settings)
        current = _role_principal(role.value)
        links.append(TrustLink(current, previous.name if previous else "service", loc))
        if previous:
            grants += arn_grants("role-chain", previous, role.value, loc)
        previous = current
    assert previous is not None  # a role authorization names at least one role
    return previous, role_account(previous.name), grants, links


@functools.lru_cache(maxsize=1024)  # one value per role, not one per statement
def _role_principal(arn: str) -> Principal:
    return Principal(AuthKind.ROLE, arn)


def _check_partition(role: Text, settings: Settings) -> None:
    if has_marker(role.value):  # a variable of the IaC file (derive.variables)
        return
    partition = arn_partition(role.value)
    if partition != settings.partition:
        raise Unresolved(Diagnostic("RI125", f"role {role.value} is in partition {partition}, "
                                             f"but the policy is for {settings.partition}; pass "
                                             f"--partition {partition}", role.loc))


def _statement(out: Collector, statement: Copy | Unload | CreateLibrary) -> list[Diagnostic]:
    """The statement's grants by kind, then the SSE-KMS grants of every object it reads or
    writes (so no read kind can miss them); each distinct diagnostic once."""
    found: list[Diagnostic] = []
    try:
        if statement.region and not has_sentinel(statement.region.value):
            region_of(out, statement.region, statement.region.loc)  # its partition must match
        grants = DERIVERS[type(statement)].grants
        assert grants is not None  # only Unmapped has none, and derive reports it before
        found += grants(out, statement)
    except Unresolved as exc:
        found.append(exc.diagnostic)
    own_key = isinstance(statement, Unload) and statement.kms_key is not None
    found += sse_kms(out, statement.region, own_key)
    return list(dict.fromkeys(out.notes + found if out.notes else found))














def _settled(statement: Copy | Unload | CreateLibrary, settings: Settings,
             grants: list[Grant], links: list[TrustLink]) -> list[Diagnostic] | None:
    """A statement whose open option slots are Jinja blocks read once per branch: when every
    reading gives the same grants, the blocks do not matter and the first reading stands;
    None when they differ (or were not read)."""
    if not statement.alternatives:
        return None
    readings = []
    for alternative in statement.alternatives:
        found_grants: list[Grant] = []
        found_links: list[TrustLink] = []
        found = _derive_one(alternative, settings, found_grants, found_links)
        readings.append((found_grants, found_links, found))
    shapes = {frozenset((g.principal, g.action, g.resource, g.condition) for g in reading[0])
              for reading in readings}
    if len(shapes) != 1:
        return None
    first_grants, first_links, first_found = readings[0]
    grants.extend(first_grants)
    links.extend(first_links)
    return first_found








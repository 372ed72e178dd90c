"""Trust policies for the roles Redshift assumes (RULES.md, "Trust policy")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from redshift_iam.model import TrustLink
from redshift_iam.policy import PolicyDocument, PolicyStatement

ASSUME = ("sts:AssumeRole",)


class TrustOptions(NamedTuple):
    """``serverless`` adds redshift-serverless.amazonaws.com; ``regions`` replaces the global
    principal with ``redshift.<region>.amazonaws.com``; ``db_users`` adds an sts:ExternalId
    condition with those dbuser ARNs."""

    serverless: bool = False
    regions: tuple[str, ...] = ()
    db_users: tuple[str, ...] = ()

    def services(self) -> tuple[str, ...]:
        if self.regions:
            return tuple(sorted(f"redshift.{r}.amazonaws.com" for r in set(self.regions)))
        if self.serverless:
            return ("redshift-serverless.amazonaws.com", "redshift.amazonaws.com")
        return ("redshift.amazonaws.com",)


def service_statement(options: TrustOptions) -> PolicyStatement:
    conditions = ()
    if options.db_users:
        conditions = (("StringEquals", "sts:ExternalId", tuple(sorted(set(options.db_users)))),)
    return PolicyStatement("RedshiftAssumeRole", ASSUME, (), (("Service", options.services()),),
                           conditions)


def standard_trust(options: TrustOptions) -> PolicyDocument:
    """The trust policy of a role attached to a cluster or workgroup."""
    return PolicyDocument((service_statement(options),))


def build_trust(links: Iterable[TrustLink], options: TrustOptions) -> PolicyDocument | None:
    """One role's trust policy from its links: the Redshift service if it is attached
    directly (or first in a chain), and the previous roles of the chains it ends or continues.
    None when there is nothing to trust (IAM users)."""
    links = list(links)
    if not links:
        return None
    statements = []
    if any(link.trusted == "service" for link in links):
        statements.append(service_statement(options))
    roles = tuple(sorted({link.trusted for link in links if link.trusted != "service"}))
    if roles:
        statements.append(PolicyStatement("RoleChainAssumeRole", ASSUME, (), (("AWS", roles),)))
    return PolicyDocument(tuple(statements))

"""Trust policies for the roles Redshift assumes (docs/rules.md, "Trust policies")."""

from __future__ import annotations

from collections.abc import Iterable

from redshift_iam.core.grants import TrustLink
from redshift_iam.core.policy import Conditions, PolicyDocument, PolicyStatement
from redshift_iam.core.settings import TrustOptions

ASSUME = ("sts:AssumeRole",)




def service_statement(options: TrustOptions) -> PolicyStatement:
    conditions: Conditions = ()
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

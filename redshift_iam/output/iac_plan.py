"""What a Terraform or CloudFormation file holds, before any syntax: which principals go in
(one account per file), their stable names, ARNs with the parts the file computes itself, and
the statements (``file:line``) behind each policy statement.

The account, Region and partition the command line did not give are written as symbols
(:class:`Sym`) that each format renders as a data source or a pseudo-parameter. To derive
without ``--account-id``/``--region``, the CLI runs the analysis with :data:`PLACEHOLDER_ACCOUNT`
and a placeholder Region (:func:`placeholder_region`) in their place; this module turns them,
and the account of the roles in the SQL, back into symbols.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from redshift_iam.core.aws_names import role_account, role_arn_parts
from redshift_iam.core.grants import Grant, Principal, TrustLink
from redshift_iam.core.iac_names import cfn_logical
from redshift_iam.core.placeholders import (
    MARKER,
    PART_CLOSE,
    PART_OPEN,
    PART_SEP,
    PARTS,
    RESERVED,
    has_marker,
    readable,
)
from redshift_iam.core.policy import LIST_BUCKET, PolicyStatement
from redshift_iam.core.reports import PrincipalReport
from redshift_iam.core.statements import AuthKind

PLACEHOLDER_ACCOUNT = "000000000000"
_PLACEHOLDER_REGION = {"aws": "us-applyingregion-0", "aws-cn": "cn-applyingregion-0",
                       "aws-us-gov": "us-gov-applyingregion-0"}
_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)\Z", re.S)
_MAX_SOURCES = 8  # file:line entries shown per statement; the rest is counted


def placeholder_region(partition: str) -> str:
    """A valid Region code of ``partition`` that no real Region has (see module docstring)."""
    return _PLACEHOLDER_REGION[partition]


class Sym(NamedTuple):
    """A value the file computes: ``partition``, ``account``, ``region`` (the applying
    account's), ``role_arn`` or ``role_name`` of the role resource named ``label``; ``var``,
    the template variable named ``label``; ``bucket``, ``key`` or ``path`` (bucket/key) of
    the S3 location whose text is ``label`` (hex of literal text and variable markers, see
    :func:`location_parts`); ``role_in``, the name of the role whose ARN is ``label`` (hex
    of its text: one variable's marker, or literal text and markers, see
    :func:`location_parts`)."""

    kind: str
    label: str = ""


Text = tuple  # of str and Sym parts, concatenated


class Pinned(NamedTuple):
    """What the command line gave: the partition (when given, else ''), ``--account-id``
    and ``--region`` (else '')."""

    partition: str = ""
    account: str = ""
    region: str = ""


class PlanError(Exception):
    """The principals cannot go into one file (several accounts, clashing names)."""


class Unit(NamedTuple):
    """One principal in the file: its Terraform label, CloudFormation logical id base, and
    (for a named role) its name and path as the SQL wrote them, or (for a role the template
    names by variables, ``IAM_ROLE '{role}'``, ``'arn:aws:iam::{acct}:role/{name}'``) its ARN
    as written with the variables' names (``role_variable``) and with their markers
    (``role_text``): the role exists, and the file attaches the policies to it."""

    report: PrincipalReport
    label: str
    logical: str
    role_name: str = ""
    role_path: str = "/"
    role_variable: str = ""
    role_text: str = ""


class Plan(NamedTuple):
    units: tuple[Unit, ...]
    pinned: Pinned
    applying: frozenset[str]  # accounts written as the applying account
    placeholder_region: str  # written as the applying Region ('' when --region was given)
    left_out: tuple[str, ...]  # notes for stderr: principals of other accounts

    def roles(self) -> dict[str, str]:
        """Role ARN -> label, for the roles that are resources of this file."""
        return {u.report.principal.name: u.label for u in self.units if u.role_name}


def _base_name(principal: Principal) -> str:
    if principal.kind is AuthKind.ROLE:
        return principal.name.rsplit("/", 1)[-1]
    return principal.slug  # default-role, user-<key id>


def tf_label(name: str) -> str:
    """A Terraform identifier from a name: other characters become ``_``; ``r_`` in front when
    it would start with a digit or hyphen."""
    label = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return label if re.match(r"[A-Za-z_]", label) else f"r_{label}"


def _unit(report: PrincipalReport) -> Unit:
    if report.principal.kind is AuthKind.ROLE and has_marker(report.principal.name):
        variable = readable(report.principal.name)
        base = variable.rsplit("/", 1)[-1]  # a partial ARN: named by its role name's part
        return Unit(report, tf_label(base.replace(".", "_")), cfn_logical(base),
                    role_variable=variable, role_text=report.principal.name)
    name = _base_name(report.principal)
    unit = Unit(report, tf_label(name), cfn_logical(name))
    match = role_arn_parts(report.principal.name)
    if report.principal.kind is AuthKind.ROLE and report.trust is not None and match:
        path = match.group("name").rpartition("/")[0]
        unit = unit._replace(role_name=name, role_path=f"/{path}/" if path else "/")
    return unit


def _accounts(reports: Iterable[PrincipalReport]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for report in reports:
        account = role_account(report.principal.name)
        if account and account != PLACEHOLDER_ACCOUNT:
            found[account].append(report.principal.name)
    return found


def _one_account(reports: tuple[PrincipalReport, ...], pinned: Pinned
                 ) -> tuple[list[PrincipalReport], frozenset[str], list[str]]:
    """The reports that go into the file, the accounts written as the applying account, and
    notes on the principals left out. See docs/iac.md, "One account per file"."""
    accounts = _accounts(reports)
    if pinned.account:
        kept = [r for r in reports if role_account(r.principal.name) in ("", pinned.account)]
        notes = [f"left out {r.principal.name}: it is in account "
                 f"{role_account(r.principal.name)}, not {pinned.account} (--account-id)"
                 for r in reports if r not in kept]
        return kept, frozenset(), notes
    if len(accounts) > 1:
        listed = "; ".join(f"{a}: {', '.join(names)}" for a, names in sorted(accounts.items()))
        raise PlanError(f"the principals are in {len(accounts)} accounts ({listed}); a template "
                        "is applied in one account: run once per account with --account-id "
                        "ACCOUNT (the file then holds that account's principals)")
    return list(reports), frozenset(accounts) | {PLACEHOLDER_ACCOUNT}, []


def plan(reports: tuple[PrincipalReport, ...], pinned: Pinned, partition: str,
         inline: bool = False) -> Plan:
    """The file's principals and names; raises PlanError (see :func:`_one_account`), when two
    principals would get the same resource name, and with ``inline`` for principals that
    have no role resource to hold an inline policy."""
    kept, applying, notes = _one_account(reports, pinned)
    units = tuple(_unit(r) for r in kept if r.policies or r.trust)
    if not units:
        raise PlanError("; ".join(["nothing to grant: no principal of the input needs a role "
                                   "or policy" + (f" in account {pinned.account}"
                                                  if pinned.account and reports else ""),
                                   *notes]))
    for attribute in ("label", "logical"):
        seen: dict[str, str] = {}
        for unit in units:
            name = getattr(unit, attribute)
            if name in seen:
                raise PlanError(f"{seen[name]} and {_shown(unit)} would both be "
                                f"named {name}; render them in separate runs")
            seen[name] = _shown(unit)
    if inline:
        for unit in units:
            if not unit.role_name:
                raise PlanError(f"--inline: {_shown(unit)} has no role in the "
                                "file to hold an inline policy; drop --inline to get a managed "
                                "policy to attach")
    region = "" if pinned.region else placeholder_region(partition)
    return Plan(units, pinned, applying, region, tuple(notes))


def _shown(unit: Unit) -> str:
    """The principal as messages name it."""
    if unit.role_variable.startswith("arn:"):
        return f"the role {unit.role_variable}"
    if unit.role_variable:
        return f"the role given by template variable {unit.role_variable}"
    return unit.report.principal.name


def symbolic(value: str, plan: Plan, trust: bool = False) -> Text:
    """:func:`_symbolic`, with the template variables' markers as symbols."""
    parts = _symbolic(value, plan, trust)
    if not any(isinstance(p, str) and has_marker(p) for p in parts):
        return parts
    return _joined([piece for p in parts for piece in (
        _variables(p) if isinstance(p, str) else (p,))])


_PATH = re.compile(f"{PART_OPEN}bucket{PART_SEP}([0-9a-f]*){PART_CLOSE}/"
                   f"{PART_OPEN}key{PART_SEP}\\1{PART_CLOSE}")


def _variables(text: str) -> list[object]:
    """``text`` split at its markers (a location's bucket, ``/`` and key read as its path);
    a marker cut (by widening) is an error."""
    text = _PATH.sub(lambda m: f"{PART_OPEN}path{PART_SEP}{m.group(1)}{PART_CLOSE}", text)
    out: list[object] = []
    end = 0
    for match in MARKER.finditer(text):
        out.append(text[end:match.start()])
        out.append(Sym("var", match.group("name")) if match.group("name")
                   else Sym(match.group("part"), match.group("hex")))
        end = match.end()
    out.append(text[end:])
    if any(isinstance(p, str) and re.search(f"[{RESERVED}]", p) for p in out):
        raise PlanError("folding cut a template variable out of a resource; pass --no-fold, "
                        "or --var values for the variables")
    return out


def location_parts(label: str) -> tuple[object, ...]:
    """The text of a location symbol's label: literal strings and ``Sym("var", name)``."""
    return tuple(p for p in _variables(bytes.fromhex(label).decode("utf-8")) if p != "")


def variable_names(node: object) -> set[str]:
    """The template variables a document node uses, in locations too."""
    if isinstance(node, Sym):
        if node.kind == "var":
            return {node.label}
        if node.kind in PARTS:
            return {p.label for p in location_parts(node.label) if isinstance(p, Sym)}
        if node.kind == "role_in":
            return {p.label for p in location_parts(node.label) if isinstance(p, Sym)}
        return set()
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, (tuple, list)):
        return set().union(*map(variable_names, node)) if node else set()
    return set()


def _symbolic(value: str, plan: Plan, trust: bool = False) -> Text:
    """``value`` with the parts the file computes as symbols: the partition (unless given),
    the applying account and Region; in a trust policy a role of this file becomes a
    reference to its ARN, elsewhere an ARN built from its name (no dependency cycle)."""
    match = _ARN.match(value)
    if not match:
        return (value,)
    roles = plan.roles()
    if trust and value in roles:
        return (Sym("role_arn", roles[value]),)
    partition, service, region, account, rest = match.groups()
    parts: list[object] = ["arn:", partition if plan.pinned.partition else Sym("partition"),
                           f":{service}:"]
    parts += [Sym("region") if region and region == plan.placeholder_region else region, ":"]
    if value in roles:  # created by this file, so in the account that applies it
        account = plan.pinned.account or PLACEHOLDER_ACCOUNT
    parts += [Sym("account") if account in plan.applying else account, ":"]
    if value in roles:
        parts += [rest[: rest.rindex("/") + 1], Sym("role_name", roles[value])]
    else:
        parts.append(rest)
    return _joined(parts)


def _joined(parts: list[object]) -> Text:
    out: list[object] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return tuple(out)


def document(doc: dict, plan: Plan, trust: bool = False) -> dict:
    """An IAM document (``as_json``) with every string made :func:`symbolic`."""
    if isinstance(doc, dict):
        return {key: document(value, plan, trust) for key, value in doc.items()}
    if isinstance(doc, list):
        return [document(value, plan, trust) for value in doc]
    return symbolic(doc, plan, trust) if isinstance(doc, str) else doc


def _patterns(resources: list[str]) -> re.Pattern[str] | None:
    """One regex matching what any of the IAM wildcard ``resources`` matches; None if none."""
    if not resources:
        return None
    return re.compile("|".join(f"(?:{re.escape(r)})\\Z".replace(r"\*", ".*").replace(r"\?", ".")
                               for r in sorted(resources)), re.S)


def statement_sources(statement: PolicyStatement, grants: Iterable[Grant]) -> tuple[str, ...]:
    """The ``file:line`` of the grants a permissions statement covers (action in its actions,
    resource matched by one of its resources; a conditioned ListBucket only by conditioned
    grants), sorted, at most :data:`_MAX_SOURCES` and a count of the rest."""
    actions, exact = set(statement.actions), set(statement.resources)
    wild = _patterns([r for r in exact if "*" in r or "?" in r])
    conditioned = bool(statement.conditions) and statement.actions == (LIST_BUCKET,)
    found = {(g.location[0], g.location[1]) for g in grants
             if g.action in actions and (not conditioned or g.condition is not None)
             and (g.resource in exact or (wild is not None and wild.match(g.resource)))}
    return _sources(found)


def trust_sources(statement: PolicyStatement, links: Iterable[TrustLink]) -> tuple[str, ...]:
    """The ``file:line`` of the trust links behind a trust statement (the service statement,
    or the role-chain statement)."""
    service = statement.sid == "RedshiftAssumeRole"
    return _sources({(t.location[0], t.location[1]) for t in links
                     if (t.trusted == "service") == service})


def _sources(found: set[tuple[str, int]]) -> tuple[str, ...]:
    shown = [f"{file}:{line}" for file, line in sorted(found)]
    if len(shown) > _MAX_SOURCES:
        return (*shown[:_MAX_SOURCES], f"and {len(shown) - _MAX_SOURCES} more")
    return tuple(shown)

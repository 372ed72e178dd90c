"""``terraform show -json`` (a plan, or the state) -> one role's documents.

Read from ``planned_values`` (a plan) or ``values`` (the state), modules included:

- ``aws_iam_role``: its ``inline_policy`` blocks, and its ``managed_policy_arns``;
- ``aws_iam_role_policy``: an inline policy of the role it names;
- ``aws_iam_role_policy_attachment``: joins the role to a managed policy: an
  ``aws_iam_policy`` of the plan (by its ARN when known, else by the attachment's reference to
  it in ``configuration``), or a policy outside the plan (an RC405 note: its document is not
  in the file);
- ``aws_iam_policy``: a managed policy (all of them, when the plan holds no role at all).

A role is chosen by its name or its address (``aws_iam_role.etl``). A value Terraform knows
only after apply (``after_unknown``, e.g. a policy built from another new resource's ARN) is
an RC405 note and its document is left out: run ``terraform plan`` again after apply, or check
the state (``terraform show -json`` without a plan file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from redshift_iam.audit.decisions import PolicyDoc
from redshift_iam.audit.locate import error, where
from redshift_iam.audit.policy_input import PolicyInput, choose, decode_document
from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.source import Source

_INDEX = re.compile(r"\[[^\]]*\]\Z")


class Resource(NamedTuple):
    address: str
    type: str
    values: Mapping[str, Any]
    unknown: Mapping[str, Any]  # after_unknown of its change
    refs: Mapping[str, tuple[str, ...]]  # attribute -> the addresses its expression references
    at: Location | None


def read_plan(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    resources = list(_resources(body))
    plan = _Plan(source, resources)
    return plan.read(role, where(body) or Location(source.name, 1, 1))


def _resources(body: Mapping) -> Iterator[Resource]:
    unknown = {c.get("address"): (c.get("change") or {}).get("after_unknown") or {}
               for c in body.get("resource_changes") or [] if isinstance(c, Mapping)}
    refs = _references(((body.get("configuration") or {}).get("root_module")) or {}, "")
    root = (body.get("planned_values") or body.get("values") or {}).get("root_module") or {}
    for module in _modules(root):
        for item in module.get("resources") or []:
            if not isinstance(item, Mapping) or item.get("mode", "managed") != "managed":
                continue
            address = str(item.get("address", ""))
            yield Resource(address, str(item.get("type", "")), item.get("values") or {},
                           unknown.get(address, {}), refs.get(_INDEX.sub("", address), {}),
                           where(item))


def _modules(module: Mapping) -> Iterator[Mapping]:
    yield module
    for child in module.get("child_modules") or []:
        if isinstance(child, Mapping):
            yield from _modules(child)


def _references(module: Mapping, prefix: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """Config address (module prefix included, no instance index) -> attribute -> the
    resource addresses its expression references (in the same module)."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for item in module.get("resources") or []:
        if not isinstance(item, Mapping):
            continue
        expressions = item.get("expressions") or {}
        out[prefix + str(item.get("address", ""))] = {
            key: tuple(prefix + ".".join(ref.split(".")[:2])
                       for ref in (value or {}).get("references") or []
                       if isinstance(ref, str) and ref.startswith("aws_"))
            for key, value in expressions.items() if isinstance(value, Mapping)}
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, Mapping):
            out.update(_references(call.get("module") or {}, f"{prefix}module.{name}."))
    return out


class _Plan:
    def __init__(self, source: Source, resources: list[Resource]) -> None:
        self.source = source
        self.notes: list[Diagnostic] = []
        self.roles = [r for r in resources if r.type == "aws_iam_role"]
        self.policies = [r for r in resources if r.type == "aws_iam_policy"]
        self.inline = [r for r in resources if r.type == "aws_iam_role_policy"]
        self.attachments = [r for r in resources
                            if r.type == "aws_iam_role_policy_attachment"]

    def read(self, role: str | None, start: Location) -> PolicyInput:
        names: dict[str, Resource | None] = {self._role_name(r): r for r in self.roles}
        for item in self.inline + self.attachments:
            name = item.values.get("role")
            if isinstance(name, str) and name not in names:
                names[name] = None
        if not names:
            docs = [d for p in self.policies if (d := self._document(p, "policy", p.address))]
            return PolicyInput("terraform-plan", tuple(docs), (), tuple(self.notes))
        aliases = {r.address: self._role_name(r) for r in self.roles}
        chosen = choose(list(names), role, self.source.name, start, aliases)
        docs = self._for_role(chosen, names[chosen])
        return PolicyInput("terraform-plan", tuple(docs), tuple(sorted(names)),
                           tuple(self.notes))

    @staticmethod
    def _role_name(role: Resource) -> str:
        name = role.values.get("name")
        return name if isinstance(name, str) and name else role.address

    def _for_role(self, name: str, role: Resource | None) -> list[PolicyDoc]:
        docs: list[PolicyDoc | None] = []
        if role is not None:
            docs += self._inline_blocks(role)
            for arn in role.values.get("managed_policy_arns") or []:
                docs.append(self._managed(str(arn), role.refs.get("managed_policy_arns", ()),
                                          role))
        for item in self.inline:
            if self._targets(item, name, role):
                docs.append(self._document(item, "policy", f"{item.address}"))
        for item in self.attachments:
            if self._targets(item, name, role):
                arn = item.values.get("policy_arn")
                docs.append(self._managed(arn if isinstance(arn, str) else "",
                                          item.refs.get("policy_arn", ()), item))
        return [d for d in docs if d is not None]

    @staticmethod
    def _targets(item: Resource, name: str, role: Resource | None) -> bool:
        value = item.values.get("role")
        if isinstance(value, str):
            return value == name
        return role is not None and _INDEX.sub("", role.address) in item.refs.get("role", ())

    def _inline_blocks(self, role: Resource) -> list[PolicyDoc | None]:
        blocks = role.values.get("inline_policy") or []
        unknown = role.unknown.get("inline_policy")
        if unknown is True:
            self._unknown(role, "inline_policy")
            return []
        out = []
        for index, block in enumerate(b for b in blocks if isinstance(b, Mapping)):
            flags = unknown[index] if isinstance(unknown, list) and index < len(unknown) else {}
            item = role._replace(values=block, at=where(block) or role.at,
                                 unknown=flags if isinstance(flags, Mapping) else {})
            out.append(self._document(item, "policy",
                                      f"{role.address} inline {block.get('name', index)}"))
        return out

    def _managed(self, arn: str, refs: tuple[str, ...], via: Resource) -> PolicyDoc | None:
        by_arn = [p for p in self.policies if arn and p.values.get("arn") == arn]
        by_ref = [p for p in self.policies if _INDEX.sub("", p.address) in refs]
        found = by_arn or by_ref
        if len(found) == 1:
            return self._document(found[0], "policy", found[0].address)
        what = arn or "known only after apply"
        reason = ("several instances match its reference" if len(found) > 1
                  else "the plan holds no aws_iam_policy with it")
        self.notes.append(Diagnostic("RC405", f"{via.address} attaches a policy ({what}) whose "
                                              f"document is not in the plan: {reason}",
                                     via.at))
        return None

    def _document(self, item: Resource, key: str, name: str) -> PolicyDoc | None:
        value = item.values.get(key)
        if value is None and item.unknown.get(key):
            self._unknown(item, key)
            return None
        if not isinstance(value, str) or not value:
            raise error(f"{item.address} has no {key} document", item.at)
        return PolicyDoc(name, decode_document(value, item.at, f"{item.address}.{key}"),
                         item.at)

    def _unknown(self, item: Resource, key: str) -> None:
        self.notes.append(Diagnostic(
            "RC405", f"{item.address}.{key} is known only after apply: its statements are not "
                     "checked", item.at,
            fix="check again after apply (terraform show -json of the state or a new plan)"))

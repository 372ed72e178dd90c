"""A CloudFormation template (JSON or YAML) -> one role's documents.

Read: ``AWS::IAM::Role`` (its ``Policies``, its ``ManagedPolicyArns`` that ``Ref`` a managed
policy of the template, its ``PermissionsBoundary`` likewise), and the ``AWS::IAM::Policy``,
``AWS::IAM::ManagedPolicy`` and ``AWS::IAM::RolePolicy`` resources that name it (``Roles`` /
``RoleName``: a ``Ref`` to the role, or its literal name). A role is chosen by logical id or
``RoleName``. With no role in the template, every managed policy and policy is read.

Intrinsic functions inside a document are resolved when the result is literal: ``Fn::Join``,
``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap`` (from ``Mappings``), and ``Fn::Sub`` whose
variables are given in its own map (``${!Literal}`` is the literal ``${Literal}``, as an IAM
policy variable must be written in a Sub). Anything else (``Ref`` to a Parameter, a pseudo
parameter or a resource, ``Fn::GetAtt``, ``Fn::If``, ``Fn::ImportValue``, ...) is not guessed:
the statement holding it is left out with an RC405 note naming the function and where it
stands. So is a resource with a ``Condition`` (it may not be created) and a managed policy
outside the template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from redshift_iam.audit.decisions import PolicyDoc
from redshift_iam.audit.locate import Located, error, where
from redshift_iam.audit.policy_input import PolicyInput, choose, decode_document
from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.source import Source

ROLE, POLICY = "AWS::IAM::Role", "AWS::IAM::Policy"
MANAGED, ROLE_POLICY = "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"
_SUB = re.compile(r"\$\{([^}]*)\}")


class Unresolved(Exception):
    def __init__(self, message: str, at: Location | None) -> None:
        super().__init__(message)
        self.message, self.at = message, at


class _Template:
    def __init__(self, source: Source, body: Mapping) -> None:
        self.source, self.body = source, body
        resources = body.get("Resources")
        if not isinstance(resources, Mapping):
            raise error("a template's Resources must be a mapping", where(body))
        self.resources = {k: v for k, v in resources.items() if isinstance(v, Mapping)}
        self.notes: list[Diagnostic] = []

    def of_type(self, kind: str) -> dict[str, Mapping]:
        return {k: v for k, v in self.resources.items() if v.get("Type") == kind}

    def props(self, logical: str) -> Mapping:
        found = self.resources[logical].get("Properties") or {}
        return found if isinstance(found, Mapping) else {}

    def note(self, message: str, at: Location | None) -> None:
        self.notes.append(Diagnostic("RC405", message, at))


def read_template(source: Source, body: Mapping, role: str | None) -> PolicyInput:
    template = _Template(source, body)
    roles = template.of_type(ROLE)
    names = {_role_name(template, logical): logical for logical in roles}
    if not names:
        docs = [d for kind in (MANAGED, POLICY, ROLE_POLICY)
                for logical in template.of_type(kind) for d in _documents(template, logical)]
        return PolicyInput("cloudformation", tuple(docs), (), tuple(template.notes))
    aliases = {logical: name for name, logical in names.items()}
    chosen = choose(list(names), role, source.name, where(body), aliases)
    docs = _for_role(template, names[chosen], chosen)
    return PolicyInput("cloudformation", tuple(docs), tuple(sorted(names)),
                       tuple(template.notes))


def _role_name(template: _Template, logical: str) -> str:
    name = template.props(logical).get("RoleName")
    return name if isinstance(name, str) and name else logical


def _for_role(template: _Template, logical: str, name: str) -> list[PolicyDoc]:
    docs = _documents(template, logical)
    props = template.props(logical)
    for arn in props.get("ManagedPolicyArns") or []:
        docs += _managed(template, arn, where(props), boundary=False)
    if "PermissionsBoundary" in props:
        docs += _managed(template, props["PermissionsBoundary"], where(props), boundary=True)
    for kind, key in ((POLICY, "Roles"), (MANAGED, "Roles"), (ROLE_POLICY, "RoleName")):
        for other in template.of_type(kind):
            named = template.props(other).get(key)
            targets = named if isinstance(named, list) else [named]
            if any(_names_role(t, logical, name) for t in targets):
                docs += _documents(template, other)
    return docs


def _names_role(target: object, logical: str, name: str) -> bool:
    if isinstance(target, Mapping):
        return target.get("Ref") == logical
    return target == name


def _managed(template: _Template, arn: object, at: Location | None, boundary: bool
             ) -> list[PolicyDoc]:
    what = "permissions boundary" if boundary else "managed policy"
    target = arn.get("Ref") if isinstance(arn, Mapping) else None
    if isinstance(target, str) and template.resources.get(target, {}).get("Type") == MANAGED:
        return [d._replace(boundary=boundary) for d in _documents(template, target)]
    shown = arn if isinstance(arn, str) else _describe(arn)
    template.note(f"the {what} {str(shown)[:120]} is not a managed policy of the template: its "
                  "statements are not checked (give its document with another policy file)",
                  where(arn) or at)
    return []


def _documents(template: _Template, logical: str) -> list[PolicyDoc]:
    """The documents a Role (its Policies) or a policy resource holds, intrinsics resolved."""
    resource, props = template.resources[logical], template.props(logical)
    if "Condition" in resource and resource.get("Type") != ROLE:
        template.note(f"{logical} has Condition {resource['Condition']!s:.60}: whether it is "
                      "created is not known; its statements are not checked", where(resource))
        return []
    if resource.get("Type") == ROLE:
        entries = [(f"{logical} inline {p.get('PolicyName', i)}", p.get("PolicyDocument"),
                    where(p)) for i, p in enumerate(props.get("Policies") or [])
                   if isinstance(p, Mapping)]
    else:
        label = props.get("PolicyName") or props.get("ManagedPolicyName") or logical
        entries = [(f"{logical} ({label})" if label != logical else logical,
                    props.get("PolicyDocument"), where(props) or where(resource))]
    out = []
    for name, document, at in entries:
        found = _resolve_document(template, name, document, at)
        if found is not None:
            out.append(PolicyDoc(name, found, where(found) or at))
    return out


def _resolve_document(template: _Template, name: str, document: object,
                      at: Location | None) -> object | None:
    if document is None:
        raise error(f"{name} has no PolicyDocument", at)
    resolver = _Resolver(template.body)
    try:
        document = decode_document(document, at, name)
        if not isinstance(document, Mapping):
            return document  # the evaluator refuses it (RC404)
        top = {k: resolver.value(v) for k, v in document.items() if k != "Statement"}
        statements = document.get("Statement")
        if not isinstance(statements, list):
            statements = resolver.value(statements)
    except Unresolved as exc:
        template.note(f"{name}: {exc.message}; the document is not checked", exc.at or at)
        return None
    kept = []
    for statement in statements if isinstance(statements, list) else [statements]:
        try:
            kept.append(resolver.value(statement))
        except Unresolved as exc:
            template.note(f"{name}: {exc.message}; that statement is not checked",
                          exc.at or where(statement) or at)
    out = _copy(document, {**top, "Statement": kept})
    return out if kept else None


def _copy(original: object, value: dict) -> dict:
    out = Located(value)
    out.where = where(original)
    return out


def _describe(value: object) -> str:
    if isinstance(value, Mapping) and len(value) == 1:
        key, arg = next(iter(value.items()))
        return f"{key} {str(arg)[:60]}"
    return str(value)[:60]


class _Resolver:
    """Intrinsic functions -> literal values, or :class:`Unresolved`."""

    def __init__(self, body: Mapping) -> None:
        self.parameters = body.get("Parameters") or {}
        self.mappings = body.get("Mappings") or {}
        self.resources = body.get("Resources") or {}

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            key = next(iter(value))
            if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                return self._function(key, value[key], where(value))
        return _copy(value, {k: self.value(v) for k, v in value.items()})

    def _function(self, name: str, arg: Any, at: Location | None) -> Any:
        handler = {"Fn::Join": self._join, "Fn::Select": self._select,
                   "Fn::Split": self._split, "Fn::FindInMap": self._find,
                   "Fn::Sub": self._sub}.get(name)
        if handler is None:
            raise Unresolved(f"{name} {_describe(arg)} is not literal{self._what(name, arg)}",
                             at)
        return handler(self.value(arg), at)

    def _what(self, name: str, arg: object) -> str:
        if name != "Ref" or not isinstance(arg, str):
            return ""
        if arg.startswith("AWS::"):
            return " (a pseudo parameter)"
        return " (a Parameter)" if arg in self.parameters else " (a resource)"

    @staticmethod
    def _strings(values: object, name: str, at: Location | None) -> list[str]:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise Unresolved(f"{name} needs a list of literal strings", at)
        return values

    def _join(self, arg: Any, at: Location | None) -> str:
        if not isinstance(arg, list) or len(arg) != 2 or not isinstance(arg[0], str):
            raise Unresolved("Fn::Join needs [delimiter, [values]]", at)
        return arg[0].join(self._strings(arg[1], "Fn::Join", at))

    def _select(self, arg: Any, at: Location | None) -> Any:
        if (not isinstance(arg, list) or len(arg) != 2 or not isinstance(arg[1], list)
                or not str(arg[0]).isdigit() or int(arg[0]) >= len(arg[1])):
            raise Unresolved("Fn::Select needs [index, [values]] with the index in range", at)
        return arg[1][int(arg[0])]

    def _split(self, arg: Any, at: Location | None) -> list[str]:
        if not isinstance(arg, list) or len(arg) != 2 or not all(isinstance(a, str)
                                                                 for a in arg):
            raise Unresolved("Fn::Split needs [delimiter, literal string]", at)
        return arg[1].split(arg[0])

    def _find(self, arg: Any, at: Location | None) -> Any:
        keys = self._strings(arg, "Fn::FindInMap", at)
        found: Any = self.mappings
        for key in keys:
            if not isinstance(found, Mapping) or key not in found:
                raise Unresolved(f"Fn::FindInMap {keys} is not in Mappings", at)
            found = found[key]
        return found

    def _sub(self, arg: Any, at: Location | None) -> str:
        text, given = (arg, {}) if isinstance(arg, str) else (arg + [None, None])[:2]
        if not isinstance(text, str) or not isinstance(given, Mapping):
            raise Unresolved("Fn::Sub needs a string or [string, {variables}]", at)

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if isinstance(given.get(name), str):
                return given[name]
            hint = (f" (write ${{!{name}}} for the IAM policy variable)" if ":" in name
                    and not name.startswith("AWS::") else "")
            raise Unresolved(f"Fn::Sub ${{{name}}} is not literal{self._what('Ref', name)}"
                             f"{hint}", at)
        return _SUB.sub(substitute, text)

"""CloudFormation (YAML or JSON) from a :class:`~redshift_iam.output.iac_plan.Plan`: per role an
``AWS::IAM::Role`` (name from a Parameter that defaults to the SQL's name) with its trust, an
``AWS::IAM::ManagedPolicy`` per document (or the role's ``Policies`` with ``--inline``), and
``Outputs``; the policies of a role given by a template variable (``IAM_ROLE '{role}'``) are
attached to it by name. Symbols become ``Fn::Sub`` with ``${AWS::Partition}``,
``${AWS::AccountId}``, ``${AWS::Region}``, or ``Fn::GetAtt``/``Ref``; template variables are
Parameters (``cfn_vars``); ``file:line`` provenance goes in ``Metadata`` only, never in a
value IAM stores.
"""

from __future__ import annotations

import json

from redshift_iam.output.cfn_vars import CfnVars, role_variable
from redshift_iam.output.iac_common import (
    DESCRIPTION,
    IacContext,
    RenderError,
    description_of,
    environment,
    install_hint,
    name_of,
    policies_of,
    role_trust,
    trust_of,
)
from redshift_iam.output.iac_plan import Plan, Sym, Unit, variable_names
from redshift_iam.output.iac_vars import variables

_PSEUDO = {"partition": "AWS::Partition", "account": "AWS::AccountId", "region": "AWS::Region"}


def _value(node: object, logical: dict[str, str], cfn: CfnVars | None = None) -> object:
    """A document node with every text (tuple of parts) as a string, ``Fn::GetAtt``, ``Ref``
    (a lone template variable), an expression of one (``CfnVars.lone``) or ``Fn::Sub``
    (literal ``${`` escaped as ``${!``; with a map when a role's name is taken out of its
    ARN)."""
    cfn = cfn or CfnVars({}, {}, (), ())
    if isinstance(node, dict):
        return {key: _value(value, logical, cfn) for key, value in node.items()}
    if isinstance(node, list):
        return [_value(value, logical, cfn) for value in node]
    if not isinstance(node, tuple):
        return node
    if all(isinstance(part, str) for part in node):
        return "".join(node)
    if len(node) == 1 and node[0].kind == "role_arn":
        return {"Fn::GetAtt": [f"{logical[node[0].label]}Role", "Arn"]}
    if len(node) == 1 and node[0].kind not in ("role_name", *_PSEUDO):
        return cfn.lone(node[0])
    names: dict[str, object] = {}
    text = "".join(part.replace("${", "${!") if isinstance(part, str)
                   else _symbol(part, logical, cfn, names) for part in node)
    return {"Fn::Sub": [text, names] if names else text}


def _symbol(symbol: Sym, logical: dict[str, str], cfn: CfnVars, names: dict[str, object]
            ) -> str:
    if symbol.kind == "role_arn":
        return f"${{{logical[symbol.label]}Role.Arn}}"
    if symbol.kind == "role_name":
        return f"${{{logical[symbol.label]}RoleName}}"
    if symbol.kind in _PSEUDO:
        return f"${{{_PSEUDO[symbol.kind]}}}"
    return cfn.sub(symbol, names)


def _metadata(sids: list[str], sources: tuple[tuple[str, ...], ...]) -> dict:
    return {sid: list(where) for sid, where in zip(sids, sources, strict=True) if where}


def _role(unit: Unit, plan: Plan, context: IacContext, inline: list) -> dict:
    trust, sources = trust_of(unit, plan, context)
    properties: dict[str, object] = {"RoleName": {"Ref": f"{unit.logical}RoleName"},
                                     "Path": unit.role_path, "AssumeRolePolicyDocument": trust}
    metadata = {"TrustStatements": _metadata([s.sid for s in role_trust(unit).statements],
                                             sources)}
    if inline:
        properties["Policies"] = [{"PolicyName": p.name, "PolicyDocument": p.body}
                                  for p in inline]
        metadata["Statements"] = {k: v for p, doc in zip(inline, unit.report.policies, strict=True)
                                  for k, v in _metadata([s.sid for s in doc.statements],
                                                        p.sources).items()}
    return {"Type": "AWS::IAM::Role", "Metadata": {"redshift-iam": metadata},
            "Properties": properties}


def _unit(unit: Unit, plan: Plan, context: IacContext) -> tuple[dict, dict, dict]:
    """(parameters, resources, outputs) of one principal."""
    name, parameters, resources, outputs = unit.logical, {}, {}, {}
    policies = policies_of(unit, plan, context)
    if unit.role_name:
        parameters[f"{name}RoleName"] = {
            "Type": "String", "Default": unit.role_name,
            "Description": f"Name of the IAM role the SQL calls {unit.role_name}"}
        resources[f"{name}Role"] = _role(unit, plan, context, policies if context.inline else [])
        outputs[f"{name}RoleArn"] = {
            "Description": f"ARN of the IAM role the SQL calls {unit.role_name}",
            "Value": {"Fn::GetAtt": [f"{name}Role", "Arn"]}}
    if context.inline:
        return parameters, resources, outputs
    for policy, doc in zip(policies, unit.report.policies, strict=True):
        logical = f"{name}Policy{policy.suffix.lstrip('_')}"
        properties = {"ManagedPolicyName": policy.name, "Description": description_of(unit),
                      "PolicyDocument": policy.body}
        if unit.role_name:
            properties["Roles"] = [{"Ref": f"{name}Role"}]
        elif unit.role_variable:  # the role exists: attached by the name in its ARN
            properties["Roles"] = [name_of(unit)]
        else:
            outputs[f"{logical}Arn"] = {
                "Description": f"ARN of the policy for {unit.report.principal.name}",
                "Value": {"Ref": logical}}
        resources[logical] = {"Type": "AWS::IAM::ManagedPolicy", "Metadata": {"redshift-iam": {
            "Statements": _metadata([s.sid for s in doc.statements], policy.sources)}},
            "Properties": properties}
    return parameters, resources, outputs


def _variables(sections: tuple[dict, dict, dict], plan: Plan, context: IacContext
               ) -> CfnVars:
    """The template variables the resources use (clashing with no parameter or resource)."""
    taken = [*sections[0], *sections[1], *sections[2]]
    found = variables(variable_names(sections[1]), context.placeholders, taken)
    roles = [role_variable(name_of(u)[0]) for u in plan.units if u.role_variable]
    return CfnVars(found, sections[1], roles, taken)


def render_cloudformation_plan(plan: Plan, context: IacContext, yaml: bool) -> str:
    """The template as YAML (``yaml``) or JSON, parsed back before it is returned."""
    logical = {unit.label: unit.logical for unit in plan.units}
    sections: tuple[dict, dict, dict] = ({}, {}, {})
    for unit in plan.units:
        for section, part in zip(sections, _unit(unit, plan, context), strict=True):
            section.update(part)
    cfn = _variables(sections, plan, context)
    sections[0].update(cfn.parameters())
    parameters, resources, outputs = (_value(s, logical, cfn) for s in sections)
    text = environment().get_template("cloudformation.json.j2").render(
        description=DESCRIPTION, parameters=parameters, resources=resources, outputs=outputs)
    try:
        template = json.loads(text)
    except ValueError as exc:
        raise RenderError(f"rendered CloudFormation does not parse: {exc}") from None
    if not yaml:
        return json.dumps(template, indent=2, ensure_ascii=False) + "\n"
    return _yaml(template)


def _yaml(template: dict) -> str:
    try:
        import yaml
    except ImportError:  # pragma: no cover - the render extra brings it
        raise RenderError(f"YAML output needs PyYAML: {install_hint()}") from None
    text = yaml.safe_dump(template, sort_keys=False, allow_unicode=True, width=10**6)
    if yaml.safe_load(text) != template:
        raise RenderError("rendered CloudFormation YAML does not read back the same")
    return text

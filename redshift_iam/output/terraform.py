"""Terraform (``generate --format terraform``) from an :class:`~redshift_iam.output.iac_plan.Plan`:
per role an ``aws_iam_role`` with its trust, an ``aws_iam_policy`` (or ``aws_iam_role_policy``
with ``--inline``) per document and its attachment, variables for open values, data sources
for what the command line did not give, and outputs. The text is written by
:mod:`hcl` (``terraform fmt`` layout) and, when python-hcl2 is installed, parsed by it before it
is returned."""


from __future__ import annotations

from redshift_iam.core.placeholders import PARTS
from redshift_iam.output import hcl
from redshift_iam.output.iac_common import (
    IacContext,
    RenderError,
    description_of,
    environment,
    name_of,
    policies_of,
    trust_of,
)
from redshift_iam.output.iac_plan import (
    Plan,
    Sym,
    Unit,
    variable_names,
)
from redshift_iam.output.iac_vars import Variable, tf_expression, variables


def _commented(body: dict, sources: tuple[tuple[str, ...], ...]) -> dict:
    """The document with a ``# file:line`` comment over each statement."""
    statements = [hcl.Commented((", ".join(where),), s) if where else s
                  for s, where in zip(body["Statement"], sources, strict=True)]
    return {**body, "Statement": statements}


def _tf_unit(unit: Unit, plan_: Plan, context: IacContext) -> list[hcl.Block]:
    """A principal's blocks: role variable and role, policies (and attachments, or inline
    role policies), outputs."""
    label, blocks = unit.label, []
    if unit.role_name:
        variable = f"{label}_role_name"
        blocks.append(hcl.Block("variable", (variable,), (
            ("description", f"Name of the IAM role the SQL calls {unit.role_name}"),
            ("type", hcl.Ref("string")), ("default", unit.role_name))))
        trust, sources = trust_of(unit, plan_, context)
        blocks.append(hcl.Block("resource", ("aws_iam_role", label), (
            ("name", hcl.Ref(f"var.{variable}")), ("path", unit.role_path),
            ("assume_role_policy", hcl.Call("jsonencode", _commented(trust, sources))))))
    for policy in policies_of(unit, plan_, context):
        name, body = label + policy.suffix, hcl.Call("jsonencode",
                                                     _commented(policy.body, policy.sources))
        if context.inline:
            blocks.append(hcl.Block("resource", ("aws_iam_role_policy", name), (
                ("name", policy.name), ("role", hcl.Ref(f"aws_iam_role.{label}.id")),
                ("policy", body))))
            continue
        blocks.append(hcl.Block("resource", ("aws_iam_policy", name), (
            ("name", policy.name), ("description", description_of(unit)), ("policy", body))))
        if unit.role_name or unit.role_variable:
            role = hcl.Ref(f"aws_iam_role.{label}.name") if unit.role_name else name_of(unit)
            blocks.append(hcl.Block("resource", ("aws_iam_role_policy_attachment", name), (
                ("role", role), ("policy_arn", hcl.Ref(f"aws_iam_policy.{name}.arn")))))
        else:
            blocks.append(_tf_output(f"{name}_policy_arn", f"aws_iam_policy.{name}.arn",
                                     f"ARN of the policy for {unit.report.principal.name}"))
    if unit.role_name:
        blocks.append(_tf_output(f"{label}_role_arn", f"aws_iam_role.{label}.arn",
                                 f"ARN of the IAM role the SQL calls {unit.role_name}"))
    return blocks


def _tf_output(name: str, value: str, description: str) -> hcl.Block:
    return hcl.Block("output", (name,), (("description", description), ("value", hcl.Ref(value))))


_TF_DATA = {"partition": ("aws_partition", "data.aws_partition.current.partition"),
            "account": ("aws_caller_identity", "data.aws_caller_identity.current.account_id"),
            "region": ("aws_region", "data.aws_region.current.name")}
_PROVIDERS = hcl.Block("terraform", (), (("required_providers", hcl.Block(
    "required_providers", (), (("aws", {"source": "hashicorp/aws", "version": ">= 4.0"}),))),))


def _tf_resolver(found: dict[str, Variable]):
    """Symbol -> reference or expression, template variables included."""
    def resolve(symbol: Sym) -> str | hcl.Expr | hcl.Ref:
        if symbol.kind in ("var", "role_in") or symbol.kind in PARTS:
            expression = tf_expression(symbol, found)
            return expression.expression if isinstance(expression, hcl.Ref) else expression
        return _tf_resolve(symbol)
    return resolve


def _tf_variables(blocks: list[hcl.Block], plan_: Plan, context: IacContext
                  ) -> tuple[dict[str, Variable], list[hcl.Block]]:
    """The template variables the blocks use, and their ``variable`` blocks."""
    taken = [f"{unit.label}_role_name" for unit in plan_.units if unit.role_name]
    found = variables(variable_names([b.attributes for b in blocks]), context.placeholders,
                      taken)
    return found, [hcl.Block("variable", (v.tf,), (
        ("description", v.description), ("type", hcl.Ref("string")))) for v in found.values()]


def _tf_resolve(symbol: Sym) -> str:
    if symbol.kind == "role_arn":
        return f"aws_iam_role.{symbol.label}.arn"
    if symbol.kind == "role_name":
        return f"var.{symbol.label}_role_name"
    return _TF_DATA[symbol.kind][1]


def _symbols(node: object) -> set[str]:
    """The kinds of the symbols anywhere in ``node``."""
    if isinstance(node, Sym):
        return {node.kind}
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, (tuple, list)):
        return set().union(*map(_symbols, node)) if node else set()
    return set()


def render_terraform_plan(plan_: Plan, context: IacContext) -> str:
    """The Terraform text of ``plan_``, parsed by python-hcl2 before it is returned when
    python-hcl2 is installed (the ``render`` extra; the tests always install it)."""
    blocks = [b for unit in plan_.units for b in _tf_unit(unit, plan_, context)]
    used = _symbols([b.attributes for b in blocks])
    data = [hcl.Block("data", (source, "current"), ())
            for kind, (source, _) in sorted(_TF_DATA.items()) if kind in used]
    found, declared = _tf_variables(blocks, plan_, context)
    resolve = _tf_resolver(found)
    env = environment()
    env.filters["hcl_block"] = lambda b: hcl.block(b, 0, resolve)
    text = env.get_template("terraform.tf.j2").render(
        blocks=[_PROVIDERS, *data, *declared, *blocks])
    try:
        import hcl2
    except ImportError:  # the self-check is optional (the render extra); the text is the same
        return text
    try:
        hcl2.loads(text)
    except Exception as exc:  # the parser raises several types; any is our bug
        raise RenderError(f"rendered Terraform does not parse: {exc}") from None
    return text



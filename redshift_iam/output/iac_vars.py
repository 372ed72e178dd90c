"""The template variables of a Terraform or CloudFormation file: a named placeholder the SQL
leaves without a value where a grant needs one (see ``derive.variables``) is a Terraform
``variable`` / a CloudFormation ``Parameter``, used in the ARN exactly where it stands.

An S3 location whose bucket/key boundary only the value shows (``'{s3_path}'``) is taken
apart by Terraform's ``trimprefix``, ``split`` and ``replace``; CloudFormation's forms are
``output.cfn_vars``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from redshift_iam.core.iac_names import cfn_logical, tf_variable
from redshift_iam.core.placeholders import Placeholder
from redshift_iam.output import hcl
from redshift_iam.output.iac_plan import PlanError, Sym, location_parts

_MAX_PLACES = 8
_KEY_PATTERN = "/^s3://[^/]*/?/"  # a regex (Terraform's replace): the scheme and the bucket


class Variable(NamedTuple):
    """One template variable: its name in the template, in Terraform and in CloudFormation,
    and its description (the placeholder and the places it stands, ``file:line``)."""

    name: str
    tf: str
    cfn: str
    description: str


def variables(names: Iterable[str], placeholders: Iterable[Placeholder],
              taken: Iterable[str]) -> dict[str, Variable]:
    """The variables ``names`` by template name; ``taken`` are the file's other names (a
    clash is a PlanError)."""
    found: dict[str, Variable] = {}
    seen = {name: "" for name in taken}
    for name in sorted(names):
        variable = Variable(name, tf_variable(name), cfn_logical(name),
                            _description(name, placeholders))
        for key in dict.fromkeys((variable.tf, variable.cfn)):  # ROLE is both: no clash
            if key in seen:
                other = f"template variable {seen[key]}" if seen[key] else "another name"
                raise PlanError(f"template variable {name} and {other} would both be named "
                                f"{key} in the file; pass --var {name}=VALUE")
            seen[key] = name
        found[name] = variable
    return found


def _description(name: str, placeholders: Iterable[Placeholder]) -> str:
    mine = [p for p in placeholders if p.name == name and not p.resolved]
    places = sorted({(p.location.file, p.location.line) for p in mine})
    shown = [f"{file}:{line}" for file, line in places[:_MAX_PLACES]]
    if len(places) > _MAX_PLACES:
        shown.append(f"and {len(places) - _MAX_PLACES} more")
    written = mine[0].text if mine else name
    return f"Value of {written} in the SQL at {', '.join(shown) or 'the input'}"


def tf_expression(symbol: Sym, found: dict[str, Variable]) -> hcl.Ref | hcl.Expr:
    """A variable or a part of a location, in Terraform."""
    if symbol.kind == "var":
        return hcl.Ref(f"var.{found[symbol.label].tf}")
    parts = tuple(hcl.Ref(f"var.{found[p.label].tf}") if isinstance(p, Sym) else p
                  for p in location_parts(symbol.label))
    where = parts[0] if len(parts) == 1 and isinstance(parts[0], hcl.Ref) else parts
    if symbol.kind == "role_in":  # a role's name is the last part of its ARN
        return hcl.call("regex", "[^/]+$", where)
    if symbol.kind == "key":
        return hcl.call("replace", where, _KEY_PATTERN, "")
    path = hcl.call("trimprefix", where, "s3://")
    return path if symbol.kind == "path" else hcl.index(hcl.call("split", "/", path), 0)

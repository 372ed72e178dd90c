"""CloudFormation's template variables: the Parameters a template declares and the
expressions that use them (``Ref``, or ``${Name}`` inside ``Fn::Sub``).

Two values CloudFormation's functions cannot take apart get a documented form:

- A whole S3 location (``FROM '{src}'``, or ``'s3://{src}'``): ``Fn::Split`` splits at every
  ``/`` (its delimiter is a literal) and nothing joins the rest again, so no function takes
  the key out of one value. The variable is two Parameters instead, ``SrcBucket`` (an S3
  bucket name, checked by ``AllowedPattern``) and ``SrcKey`` (what follows the bucket and its
  ``/``; empty for the whole bucket): ``{src}`` is ``s3://${SrcBucket}/${SrcKey}``
  (``${SrcBucket}/${SrcKey}`` after a literal ``s3://``). A location in which only the value
  shows which variable ends the bucket (``s3://{a}{b}/k``, ``'{base}/k'``) stays a
  PlanError: no pair of Parameters says it without guessing.
- The whole ARN of the role (``IAM_ROLE '{role}'``): a Parameter ``Role`` whose
  ``AllowedPattern`` takes a role ARN without a path, so that the role's name is
  ``Fn::Select [1, Fn::Split ["/", Role]]``; CloudFormation refuses a value with a path when
  the stack is created, never attaching the policy to a wrong name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from redshift_iam.core.placeholders import PARTS
from redshift_iam.output.iac_plan import PlanError, Sym, location_parts
from redshift_iam.output.iac_vars import Variable

BUCKET_PATTERN = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"  # S3 bucket naming rules, 3-63
ROLE_PATTERN = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@-]{1,64}$"  # no path


class Whole(NamedTuple):
    """A whole-location variable's two Parameters, and whether the variable holds the
    scheme (``'{src}'``) or follows a literal ``s3://``."""

    bucket: str
    key: str
    scheme: bool

    def text(self) -> str:
        """The variable's value, as ``Fn::Sub`` text."""
        return ("s3://" if self.scheme else "") + f"${{{self.bucket}}}/${{{self.key}}}"


class CfnVars:
    """The variables of one template: ``found`` (``iac_vars.variables``), the whole-location
    ones (see the module docstring) and the role variables."""

    def __init__(self, found: dict[str, Variable], resources: object, roles: Iterable[str],
                 taken: Iterable[str]) -> None:
        self.found, self.roles = found, frozenset(roles)
        self.wholes = _wholes(found, _location_symbols(resources))
        names = [*taken, *(v.cfn for n, v in found.items() if n not in self.wholes),
                 *(p for w in self.wholes.values() for p in (w.bucket, w.key))]
        clash = next((n for n in names if names.count(n) > 1), None)
        if clash is not None:
            raise PlanError(f"two names would both be {clash} in the CloudFormation file; "
                            "pass --var values for the template variables")

    def parameters(self) -> dict[str, dict]:
        """The Parameters the variables are, by logical name."""
        out: dict[str, dict] = {}
        for name, variable in self.found.items():
            whole = self.wholes.get(name)
            if whole is None:
                out[variable.cfn] = {"Type": "String", "Description": variable.description}
                if name in self.roles:
                    out[variable.cfn].update(
                        AllowedPattern=ROLE_PATTERN,
                        ConstraintDescription="the ARN of an IAM role without a path "
                                              "(arn:aws:iam::ACCOUNT:role/NAME)")
                continue
            where = variable.description.removeprefix("Value of ")
            out[whole.bucket] = {
                "Type": "String", "AllowedPattern": BUCKET_PATTERN,
                "ConstraintDescription": "an S3 bucket name",
                "Description": f"Bucket of the S3 location {where}"
                               f" ({_form(whole)})"}
            out[whole.key] = {
                "Type": "String",
                "Description": f"Key (after the bucket and its /; empty for the whole bucket) "
                               f"of the S3 location {where}"
                               f" ({_form(whole)})"}
        return out

    def sub(self, symbol: Sym, names: dict[str, object]) -> str:
        """``symbol`` as ``Fn::Sub`` text; a role's name goes in ``names`` (the Sub's map)."""
        if symbol.kind == "var":
            whole = self.wholes.get(symbol.label)
            return whole.text() if whole else f"${{{self.found[symbol.label].cfn}}}"
        if symbol.kind == "role_in":
            variable = role_variable(symbol)
            local = f"{self.found[variable].cfn}NameInArn"
            names[local] = self.role_name(variable)
            return f"${{{local}}}"
        whole = self.wholes[_whole_variable(symbol)]
        return {"bucket": f"${{{whole.bucket}}}", "key": f"${{{whole.key}}}",
                "path": f"${{{whole.bucket}}}/${{{whole.key}}}"}[symbol.kind]

    def lone(self, symbol: Sym) -> object:
        """A value that is ``symbol`` alone: ``Ref``, or an expression."""
        if symbol.kind == "var" and symbol.label not in self.wholes:
            return {"Ref": self.found[symbol.label].cfn}
        if symbol.kind == "role_in":
            return self.role_name(role_variable(symbol))
        return {"Fn::Sub": self.sub(symbol, {})}

    def role_name(self, variable: str) -> dict:
        """The name in a role ARN without a path (``ROLE_PATTERN``): what follows its ``/``."""
        return {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": self.found[variable].cfn}]}]}


def role_variable(symbol: Sym) -> str:
    """The variable whose value is the whole ARN of a ``role_in`` symbol's role; a PlanError
    for a role ARN holding variables among literal text (Terraform's ``regex`` takes its name,
    CloudFormation's functions cannot: the name after a path is no fixed ``/`` part)."""
    parts = location_parts(symbol.label)
    if len(parts) == 1 and isinstance(parts[0], Sym):
        return parts[0].label
    names = sorted({p.label for p in parts if isinstance(p, Sym)})
    written = "".join("{" + p.label + "}" if isinstance(p, Sym) else str(p) for p in parts)
    fills = " ".join(f"--var {name}=VALUE" for name in names)
    raise PlanError(f"the role {written} holds template variables in its ARN, and "
                    "CloudFormation has no function to take the role's name out of it "
                    f"(ManagedPolicy Roles takes names): pass {fills}, or use --format "
                    "terraform")


def _form(whole: Whole) -> str:
    return ("the SQL's value is s3://BUCKET/KEY" if whole.scheme
            else "the SQL's value is BUCKET/KEY, after s3://")


def _location_symbols(node: object) -> list[Sym]:
    """Every bucket/key/path symbol in a document node."""
    if isinstance(node, Sym):
        return [node] if node.kind in PARTS else []
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, (tuple, list)):
        return [s for item in node for s in _location_symbols(item)]
    return []


def _whole_variable(symbol: Sym) -> str:
    """The variable a location symbol's text is (``'{v}'`` or ``'s3://{v}'``), or a
    PlanError naming its variables."""
    parts = location_parts(symbol.label)
    if len(parts) == 1 and isinstance(parts[0], Sym):
        return parts[0].label
    if len(parts) == 2 and parts[0] == "s3://" and isinstance(parts[1], Sym):
        return parts[1].label
    names = sorted({p.label for p in parts if isinstance(p, Sym)})
    fills = " ".join(f"--var {name}=VALUE" for name in names)
    written = "".join("{" + p.label + "}" if isinstance(p, Sym) else str(p) for p in parts)
    held = ("template variables " if len(names) > 1 else "template variable ") + ", ".join(names)
    raise PlanError(f"the S3 location {written} holds {held} where only the values show "
                    "where the bucket ends, and CloudFormation has "
                    "no function to take a bucket and key apart (the ListBucket s3:prefix "
                    "condition needs the key); a whole location ('{src}' or 's3://{src}') is "
                    f"two Parameters, but this one is not: pass {fills}, or use --format "
                    "terraform")


def _wholes(found: dict[str, Variable], symbols: list[Sym]) -> dict[str, Whole]:
    """Each whole-location variable's Parameters; one written both with and without the
    scheme is a PlanError."""
    wholes: dict[str, Whole] = {}
    for symbol in symbols:
        name = _whole_variable(symbol)
        scheme = len(location_parts(symbol.label)) == 1
        whole = Whole(f"{found[name].cfn}Bucket", f"{found[name].cfn}Key", scheme)
        if wholes.setdefault(name, whole) != whole:
            raise PlanError(f"template variable {name} is a whole S3 location in one place "
                            "and follows s3:// in another: pass --var "
                            f"{name}=VALUE, or use --format terraform")
    return wholes

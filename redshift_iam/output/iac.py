"""Terraform and CloudFormation renderers (``generate --format terraform|cloudformation``).

Values reach the Jinja templates only through ``|tojson`` (``StrictUndefined`` catches a
missing one); Terraform output is also escaped against HCL's ``${`` and ``%{`` templates. Each
renderer parses its own output (python-hcl2, json) before returning it, so a template bug
can never hand a broken file to ``terraform`` or ``aws cloudformation``.
jinja2 and python-hcl2 are imported here only, when one of these formats is asked for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from redshift_iam import __version__
from redshift_iam.core.aws_names import role_arn_parts
from redshift_iam.core.reports import PrincipalReport
from redshift_iam.core.statements import AuthKind

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
POLICY_NAME = "redshift-iam-{0}"


@dataclass(frozen=True)
class Resource:
    """One resource block: its type, its name (label or logical id) and its properties in
    order. ``json_properties`` are IAM documents (``jsonencode`` in Terraform); ``references``
    name other resources' attributes."""

    kind: str
    name: str
    properties: tuple[tuple[str, object], ...]
    json_properties: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()


class RenderError(Exception):
    """The renderer could not produce a valid document, or its libraries are missing."""


def _label(report: PrincipalReport, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", report.principal.slug)
    base = base if _IDENT.match(base) else f"p_{base}"
    label, n = base, 2
    while label in used:
        label, n = f"{base}_{n}", n + 1
    used.add(label)
    return label


def _description(report: PrincipalReport) -> str:
    where = ", ".join(report.statements)
    return f"redshift-iam: {report.principal.name} for {where}"[:1000]


def _role(report: PrincipalReport) -> tuple[str, str] | None:
    """(name, path) when the principal is a named role."""
    if report.principal.kind is not AuthKind.ROLE or report.trust is None:
        return None
    full = role_arn_parts(report.principal.name).group("name")
    path, _, name = full.rpartition("/")
    return name, f"/{path}/" if path else "/"


def _numbered(report: PrincipalReport, base: str) -> list[tuple[str, dict[str, object]]]:
    """(name, document) per policy: ``base``, or ``base_1``, ``base_2``... when several."""
    docs = report.policies
    return [(f"{base}_{i}" if len(docs) > 1 else base, doc.as_json())
            for i, doc in enumerate(docs, 1)]


def terraform_resources(reports: tuple[PrincipalReport, ...]) -> list[Resource]:
    resources, used = [], set()
    for report in reports:
        label, role = _label(report, used), _role(report)
        policies = _numbered(report, label)
        resources += [Resource("aws_iam_policy", name, (
            ("name", POLICY_NAME.format(name)), ("description", _description(report)),
            ("policy", doc)), frozenset({"policy"})) for name, doc in policies]
        if role:
            resources.append(Resource("aws_iam_role", label, (
                ("name", role[0]), ("path", role[1]),
                ("assume_role_policy", report.trust.as_json())),
                frozenset({"assume_role_policy"})))
            resources += [Resource("aws_iam_role_policy_attachment", name, (
                ("role", f"aws_iam_role.{label}.name"),
                ("policy_arn", f"aws_iam_policy.{name}.arn")),
                references=frozenset({"role", "policy_arn"})) for name, _ in policies]
    return resources


def cloudformation_resources(reports: tuple[PrincipalReport, ...]) -> list[Resource]:
    resources, used = [], set()
    for report in reports:
        label, role = _label(report, used), _role(report)
        logical = "".join(part[:1].upper() + part[1:] for part in label.split("_"))
        if role:
            resources.append(Resource("AWS::IAM::Role", f"{logical}Role", (
                ("RoleName", role[0]), ("Path", role[1]),
                ("AssumeRolePolicyDocument", report.trust.as_json()))))
        for name, doc in _numbered(report, label):
            number = name[len(label):].replace("_", "")
            properties = [("ManagedPolicyName", POLICY_NAME.format(name)),
                          ("Description", _description(report)), ("PolicyDocument", doc)]
            if role:
                properties.append(("Roles", [{"Ref": f"{logical}Role"}]))
            resources.append(Resource("AWS::IAM::ManagedPolicy", f"{logical}Policy{number}",
                                      tuple(properties)))
    return resources


def _hcl_escape(text: str) -> str:
    """Keep HCL from reading ``${`` or ``%{`` inside a string as a template."""
    return text.replace("${", "$${").replace("%{", "%%{")


PACKAGE_DIR = Path(__file__).resolve().parent


def install_hint() -> str:
    """The command that adds the render extra the way the tool was installed: a source
    checkout (a pyproject.toml next to the package) installs itself editable, ``.`` when it
    is the working directory; anything else installs from PyPI."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file():
        where = "." if root == Path.cwd().resolve() else str(root)
        return f"pip install -e '{where}[render]'"
    return "pip install 'redshift-iam[render]'"


def _environment():
    try:
        import jinja2
    except ImportError:
        raise RenderError(f"this format needs jinja2: {install_hint()}") from None
    from importlib.resources import files

    folder = files("redshift_iam.templates")  # the top-level templates/, shipped in the wheel
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: folder.joinpath(name).read_text("utf-8")),
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": False}
    env.filters["hcl"] = _hcl_escape
    return env


def render_terraform(reports: tuple[PrincipalReport, ...]) -> str:
    resources = terraform_resources(reports)
    for resource in resources:
        for key, value in resource.properties:
            if key in resource.references and not re.match(r"^[a-z_]+\.[A-Za-z0-9_]+\.[a-z]+$",
                                                           str(value)):
                raise RenderError(f"bad reference {value!r}")
    text = _environment().get_template("terraform.tf.j2").render(resources=resources)
    try:
        import hcl2
    except ImportError:
        raise RenderError(f"terraform output needs python-hcl2: {install_hint()}") from None
    try:
        hcl2.loads(text)
    except Exception as exc:  # the parser raises several types; any is our bug
        raise RenderError(f"rendered Terraform does not parse: {exc}") from None
    return text


def render_cloudformation(reports: tuple[PrincipalReport, ...]) -> str:
    text = _environment().get_template("cloudformation.json.j2").render(
        description=f"Generated by redshift-iam {__version__} from Redshift SQL",
        resources=cloudformation_resources(reports))
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise RenderError(f"rendered CloudFormation does not parse: {exc}") from None
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

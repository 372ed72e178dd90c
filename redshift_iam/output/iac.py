"""Terraform and CloudFormation renderers (``generate --format terraform|cloudformation|
cloudformation-json``); what goes into the file is decided by :mod:`iac_plan`.

The Jinja templates (shipped as ``redshift_iam.templates``, ``StrictUndefined``) interpolate
values only through ``|tojson`` or the ``hcl_block`` filter, which writes every string
with ``json.dumps`` plus HCL's ``$${``/``%%{`` and only the tool's own references bare
(:mod:`hcl`). Each renderer parses its own output
(python-hcl2, json, yaml) before returning it, so a template bug never reaches ``terraform``
or ``aws cloudformation``. jinja2, hcl2 and yaml are imported only when a format needs them.
"""

from __future__ import annotations

from redshift_iam.core.reports import PrincipalReport
from redshift_iam.output import hcl
from redshift_iam.output.iac_common import (  # noqa: F401 (the names callers import from here)
    DEFAULT_CONTEXT,
    FILE_NAMES,
    FORMATS,
    IacContext,
    RenderError,
    Rendering,
)
from redshift_iam.output.iac_plan import PlanError, plan


def render_terraform(reports: tuple[PrincipalReport, ...], context: IacContext = DEFAULT_CONTEXT
                     ) -> str:
    """The Terraform text (see :func:`render_iac`); kept for library callers."""
    return render_iac("terraform", reports, context).text


def render_cloudformation(reports: tuple[PrincipalReport, ...],
                          context: IacContext = DEFAULT_CONTEXT) -> str:
    """The CloudFormation JSON text (see :func:`render_iac`); kept for library callers."""
    return render_iac("cloudformation-json", reports, context).text


def render_iac(output_format: str, reports: tuple[PrincipalReport, ...],
               context: IacContext = DEFAULT_CONTEXT) -> Rendering:
    """The file of ``output_format`` (one of :data:`FORMATS`) and notes for stderr; raises
    RenderError when the principals cannot go into one file or the output does not parse."""
    try:
        plan_ = plan(reports, context.pinned, context.partition, context.inline)
        if output_format == "terraform":
            from redshift_iam.output.terraform import render_terraform_plan
            text = render_terraform_plan(plan_, context)
        else:
            from redshift_iam.output.cloudformation import render_cloudformation_plan
            text = render_cloudformation_plan(plan_, context,
                                              yaml=output_format == "cloudformation")
    except (PlanError, hcl.HclError) as exc:
        raise RenderError(str(exc)) from None
    return Rendering(text, plan_.left_out)

"""Output: documents -> JSON, the explain report, files in a folder, Terraform and
CloudFormation.

Public names (the stage's one door; each loads on first use, so a ``policy`` run never
imports the Terraform renderer).
"""

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

_EXPORTS = {
    "document": "text", "dumps": "text", "bundle": "text",
    "explain_text": "text", "explain_json": "text",
    "render_iac": "iac", "IacContext": "iac", "RenderError": "iac", "FILE_NAMES": "iac",
    "Pinned": "iac_plan", "PLACEHOLDER_ACCOUNT": "iac_plan", "placeholder_region": "iac_plan",
    "plan_documents": "outdir", "plan_single": "outdir", "write_out_dir": "outdir",
    "check_out_dir": "outdir", "OutDirError": "outdir",
    "scan_json": "scan_report", "scan_text": "scan_report",
    "values_template": "values_toml", "below": "values_toml",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.output.iac import FILE_NAMES as FILE_NAMES
    from redshift_iam.output.iac import IacContext as IacContext
    from redshift_iam.output.iac import RenderError as RenderError
    from redshift_iam.output.iac import render_iac as render_iac
    from redshift_iam.output.iac_plan import PLACEHOLDER_ACCOUNT as PLACEHOLDER_ACCOUNT
    from redshift_iam.output.iac_plan import Pinned as Pinned
    from redshift_iam.output.iac_plan import placeholder_region as placeholder_region
    from redshift_iam.output.outdir import OutDirError as OutDirError
    from redshift_iam.output.outdir import check_out_dir as check_out_dir
    from redshift_iam.output.outdir import plan_documents as plan_documents
    from redshift_iam.output.outdir import plan_single as plan_single
    from redshift_iam.output.outdir import write_out_dir as write_out_dir
    from redshift_iam.output.scan_report import scan_json as scan_json
    from redshift_iam.output.scan_report import scan_text as scan_text
    from redshift_iam.output.text import bundle as bundle
    from redshift_iam.output.text import document as document
    from redshift_iam.output.text import dumps as dumps
    from redshift_iam.output.text import explain_json as explain_json
    from redshift_iam.output.text import explain_text as explain_text
    from redshift_iam.output.values_toml import below as below
    from redshift_iam.output.values_toml import values_template as values_template

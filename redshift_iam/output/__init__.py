"""Output: documents -> JSON, the explain report, files in a folder, Terraform and
CloudFormation.

Public names (the stage's one door; each loads on first use, so a ``policy`` run never
imports the Terraform renderer).
"""

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

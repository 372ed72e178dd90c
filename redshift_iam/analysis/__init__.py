"""The library's front door: one call per job, used by the command line and by library
callers alike.

- :func:`analyze` (inputs, :class:`Options`) -> :class:`Analysis`: read the inputs (files,
  directories, ``-``, or :class:`Source` texts), load the template values, render templates,
  read SQL and specs, derive the grants and build every principal's documents.
- :func:`read_inputs`: the same up to the statements (a :class:`Script`), for ``spec``.
- :func:`scan` (paths, :class:`Options`) -> :class:`ScanReport`: find the statements in a
  source tree and analyse them.
- :func:`values_template`: a scan's open variables as a project config to fill in.
- :func:`select`: one principal's report (``--role``); :func:`standard_trust`: the trust
  policy with no SQL at all.
- :func:`apply`: put an analysis' roles and policies in the AWS account (boto3).
- :func:`check` (inputs, :class:`Options`, policies=...) -> ``audit.CheckReport``: does a
  role's policy allow what the SQL needs, and what more; :func:`lint` (inputs,
  :class:`Options`) -> ``audit.LintReport``: how the SQL authorizes Redshift. Both read
  what :func:`analyze` reads, or a source tree as :func:`scan` does (``scan=True``).
- Rendering what a job returns: :func:`document`, :func:`bundle`, :func:`explain_text`,
  :func:`explain_json`, :func:`render_iac`, :func:`scan_json`, :func:`scan_text`,
  :func:`write_spec`, and the ``--out-dir`` planners and writers; :func:`check_text`,
  :func:`check_json`, :func:`findings_text`, :func:`findings_json` and :func:`sarif` for
  what :func:`check` and :func:`lint` return.

Problems with the input come back as diagnostics (``Analysis.failures``); a bad option
raises :class:`OptionsError`. Names load on first use, so ``policy`` on a small script stays
light (see ``redshift_iam.core.lazy``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

_EXPORTS = {
    "Options": "redshift_iam.core.options", "OptionsError": "redshift_iam.core.options",
    "Analysis": "redshift_iam.core.reports", "Source": "redshift_iam.core.source",
    "analyze": "pipeline", "analyze_sources": "pipeline", "read_inputs": "pipeline",
    "standard_trust": "pipeline",
    "scan": "scan_tree", "ScanReport": "scan_tree", "values_template": "values_file",
    "select": "selection", "SelectionError": "selection", "apply": "deploy",
    "check": "checking", "lint": "linting",
    "render_iac": "rendering", "IacText": "rendering",
    "write_spec": "rendering", "UnwritableError": "rendering",
    **{name: "redshift_iam.output" for name in (
        "document", "bundle", "explain_text", "explain_json", "RenderError", "scan_json",
        "scan_text", "plan_documents", "plan_single", "write_out_dir", "check_out_dir",
        "OutDirError")},
    **{name: "redshift_iam.audit" for name in (
        "CheckReport", "LintReport", "check_text", "check_json", "findings_text",
        "findings_json", "sarif")},
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = ["Analysis", "CheckReport", "IacText", "LintReport", "Options", "OptionsError",
    "OutDirError", "RenderError", "ScanReport", "SelectionError", "Source", "UnwritableError",
    "analyze", "analyze_sources", "apply", "bundle", "check", "check_json", "check_out_dir",
    "check_text", "document", "explain_json", "explain_text", "findings_json", "findings_text",
    "lint", "plan_documents", "plan_single", "read_inputs", "render_iac", "sarif", "scan",
    "scan_json", "scan_text", "select", "standard_trust", "values_template", "write_out_dir",
    "write_spec"]

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.analysis.checking import check as check
    from redshift_iam.analysis.deploy import apply as apply
    from redshift_iam.analysis.linting import lint as lint
    from redshift_iam.analysis.pipeline import analyze as analyze
    from redshift_iam.analysis.pipeline import analyze_sources as analyze_sources
    from redshift_iam.analysis.pipeline import read_inputs as read_inputs
    from redshift_iam.analysis.pipeline import standard_trust as standard_trust
    from redshift_iam.analysis.rendering import IacText as IacText
    from redshift_iam.analysis.rendering import UnwritableError as UnwritableError
    from redshift_iam.analysis.rendering import render_iac as render_iac
    from redshift_iam.analysis.rendering import write_spec as write_spec
    from redshift_iam.analysis.scan_tree import ScanReport as ScanReport
    from redshift_iam.analysis.scan_tree import scan as scan
    from redshift_iam.analysis.selection import SelectionError as SelectionError
    from redshift_iam.analysis.selection import select as select
    from redshift_iam.analysis.values_file import values_template as values_template
    from redshift_iam.audit import CheckReport as CheckReport
    from redshift_iam.audit import LintReport as LintReport
    from redshift_iam.audit import check_json as check_json
    from redshift_iam.audit import check_text as check_text
    from redshift_iam.audit import findings_json as findings_json
    from redshift_iam.audit import findings_text as findings_text
    from redshift_iam.audit import sarif as sarif
    from redshift_iam.core.options import Options as Options
    from redshift_iam.core.options import OptionsError as OptionsError
    from redshift_iam.core.reports import Analysis as Analysis
    from redshift_iam.core.source import Source as Source
    from redshift_iam.output import OutDirError as OutDirError
    from redshift_iam.output import RenderError as RenderError
    from redshift_iam.output import bundle as bundle
    from redshift_iam.output import check_out_dir as check_out_dir
    from redshift_iam.output import document as document
    from redshift_iam.output import explain_json as explain_json
    from redshift_iam.output import explain_text as explain_text
    from redshift_iam.output import plan_documents as plan_documents
    from redshift_iam.output import plan_single as plan_single
    from redshift_iam.output import scan_json as scan_json
    from redshift_iam.output import scan_text as scan_text
    from redshift_iam.output import write_out_dir as write_out_dir

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
- Rendering what a job returns: :func:`document`, :func:`bundle`, :func:`explain_text`,
  :func:`explain_json`, :func:`render_iac`, :func:`scan_json`, :func:`scan_text`,
  :func:`write_spec`, and the ``--out-dir`` planners and writers.

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
    "render_iac": "rendering", "IacText": "rendering",
    "write_spec": "rendering", "UnwritableError": "rendering",
    **{name: "redshift_iam.output" for name in (
        "document", "bundle", "explain_text", "explain_json", "RenderError", "scan_json",
        "scan_text", "plan_documents", "plan_single", "write_out_dir", "check_out_dir",
        "OutDirError")},
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = ["Analysis", "IacText", "Options", "OptionsError", "OutDirError", "RenderError",
    "ScanReport", "SelectionError", "Source", "UnwritableError", "analyze", "analyze_sources",
    "apply", "bundle", "check_out_dir", "document", "explain_json", "explain_text",
    "plan_documents", "plan_single", "read_inputs", "render_iac", "scan", "scan_json",
    "scan_text", "select", "standard_trust", "values_template", "write_out_dir", "write_spec"]

if TYPE_CHECKING:  # the real signatures, for type checkers (the names load lazily at run time)
    from redshift_iam.analysis.deploy import apply
    from redshift_iam.analysis.pipeline import (
        analyze,
        analyze_sources,
        read_inputs,
        standard_trust,
    )
    from redshift_iam.analysis.rendering import IacText, UnwritableError, render_iac, write_spec
    from redshift_iam.analysis.scan_tree import ScanReport, scan
    from redshift_iam.analysis.selection import SelectionError, select
    from redshift_iam.analysis.values_file import values_template
    from redshift_iam.core.options import Options, OptionsError
    from redshift_iam.core.reports import Analysis
    from redshift_iam.core.source import Source
    from redshift_iam.output import (
        OutDirError,
        RenderError,
        bundle,
        check_out_dir,
        document,
        explain_json,
        explain_text,
        plan_documents,
        plan_single,
        scan_json,
        scan_text,
        write_out_dir,
    )

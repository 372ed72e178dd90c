"""Inputs: what the user gives -> Sources and Settings. Files (read safely, psql includes
confined to their folders), flags, and, on first use, templating and source scanning.

Public names (the stage's one door; each loads on first use).
"""

from redshift_iam.core.lazy import lazy_exports

_EXPORTS = {
    "read_source": "files", "read_input": "files", "decode": "files", "IncludeLoader": "files",
    "build_settings": "flags", "FlagError": "flags", "check_account": "flags",
    "check_region_code": "flags", "build_trust_options": "flags",
    "render_source": "templating.sources", "load_vars": "templating.values",
    "merge": "templating.values",
    "parse_var": "templating.values", "Value": "templating.values",
    "Uses": "templating.unused_vars", "unused_vars": "templating.unused_vars",
    "scan": "scanning", "Skipped": "scanning",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

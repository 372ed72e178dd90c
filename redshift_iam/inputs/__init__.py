"""Inputs: what the user gives -> Sources and Settings. Files (read safely, psql includes
confined to their folders), flags, and, on first use, templating and source scanning.

Public names (the stage's one door; each loads on first use).
"""

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

_EXPORTS = {
    "read_source": "files", "read_input": "files", "decode": "files", "IncludeLoader": "files",
    "included_text": "files",
    "build_settings": "flags", "FlagError": "flags", "check_account": "flags",
    "check_region_code": "flags", "build_trust_options": "flags",
    "render_source": "templating.sources", "load_vars": "templating.values",
    "merge": "templating.values",
    "parse_var": "templating.values", "Value": "templating.values",
    "expression_name": "templating.forms",
    "git_judge": "scanning.walk",
    "Uses": "templating.unused_vars", "unused_vars": "templating.unused_vars",
    "scan": "scanning", "Skipped": "scanning", "internal_error": "scanning",
    "script_vars": "scanning.cfgfiles",
    "find_config": "config_find", "read_config": "project_config",
    "ProjectConfig": "project_config", "configurable": "config_keys",
    "NOT_CONFIGURABLE": "config_keys",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.inputs.config_find import find_config as find_config
    from redshift_iam.inputs.config_keys import NOT_CONFIGURABLE as NOT_CONFIGURABLE
    from redshift_iam.inputs.config_keys import configurable as configurable
    from redshift_iam.inputs.files import IncludeLoader as IncludeLoader
    from redshift_iam.inputs.files import decode as decode
    from redshift_iam.inputs.files import included_text as included_text
    from redshift_iam.inputs.files import read_input as read_input
    from redshift_iam.inputs.files import read_source as read_source
    from redshift_iam.inputs.flags import FlagError as FlagError
    from redshift_iam.inputs.flags import build_settings as build_settings
    from redshift_iam.inputs.flags import build_trust_options as build_trust_options
    from redshift_iam.inputs.flags import check_account as check_account
    from redshift_iam.inputs.flags import check_region_code as check_region_code
    from redshift_iam.inputs.project_config import ProjectConfig as ProjectConfig
    from redshift_iam.inputs.project_config import read_config as read_config
    from redshift_iam.inputs.scanning import Skipped as Skipped
    from redshift_iam.inputs.scanning import internal_error as internal_error
    from redshift_iam.inputs.scanning import scan as scan
    from redshift_iam.inputs.scanning.cfgfiles import script_vars as script_vars
    from redshift_iam.inputs.scanning.walk import git_judge as git_judge
    from redshift_iam.inputs.templating.forms import expression_name as expression_name
    from redshift_iam.inputs.templating.sources import render_source as render_source
    from redshift_iam.inputs.templating.unused_vars import Uses as Uses
    from redshift_iam.inputs.templating.unused_vars import unused_vars as unused_vars
    from redshift_iam.inputs.templating.values import Value as Value
    from redshift_iam.inputs.templating.values import load_vars as load_vars
    from redshift_iam.inputs.templating.values import merge as merge
    from redshift_iam.inputs.templating.values import parse_var as parse_var

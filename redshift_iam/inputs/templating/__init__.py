"""Templated SQL: placeholders of every RULES form, values, and Jinja rendered in a sandbox.

The public entry is :func:`template`; it returns None for plain SQL (one regex search) and a
:class:`Templated` (rendered text, placeholders, offset map) otherwise.
"""

from redshift_iam.inputs.templating.engine import template
from redshift_iam.inputs.templating.mapping import Segment, Templated
from redshift_iam.inputs.templating.sources import render_source
from redshift_iam.inputs.templating.variables import Value, Values, load_vars, merge, parse_var

__all__ = ["Segment", "Templated", "Value", "Values", "load_vars", "merge", "parse_var",
           "render_source", "template"]

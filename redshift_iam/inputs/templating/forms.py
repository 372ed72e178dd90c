"""The placeholder forms of docs/rules.md, "Templated SQL", one row each, and the names they carry.

Each :class:`Form` row says how a placeholder is written (``regex``, with a ``name`` group or a
``body`` group that :func:`normalise` turns into a dotted name), whether it is read inside SQL
string literals (psql variables never are), how a value is spliced (``raw`` text, a quoted SQL
``literal`` with ``''`` escaping, a quoted ``ident``) and which ``--template-style`` enables it.
Jinja rows only detect a template; jinja2 renders it (``jinja.py``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.inputs.templating.triggers import LEADS, TRIGGERS  # noqa: F401 (re-exported)

STYLES = ("auto", "jinja", "format", "percent", "shell", "psql", "ruby", "angle", "none")

# A path as templates write it: cfg.bucket, cfg['bucket'], cfg["bucket"], cfg[bucket].
_PATH = r"""[A-Za-z_]\w*(?:\s*(?:\.\s*[A-Za-z_]\w*|\[\s*(?:'[^'\n]*'|"[^"\n]*"|\w+)\s*\]))*"""


class Form(NamedTuple):
    """One row of the RULES table of placeholder forms."""

    form: str  # Placeholder.form
    style: str  # the --template-style that enables it
    regex: str  # one alternative; groups named <form>_name / <form>_body / <form>_pos
    in_strings: bool  # recognised inside '...' literals too
    splice: str  # raw | literal | ident
    example: str


FORMS: tuple[Form, ...] = (
    Form("jinja", "jinja", r"\{\{.*?\}\}", True, "raw", "{{ params.bucket }}"),
    Form("jinja-block", "jinja", r"\{%.*?%\}|\{\#.*?\#\}", True, "raw", "{% if full %}"),
    # {} / {0} positional, {name}, {cfg.bucket}, {cfg['bucket']}; an optional !r and :spec
    Form("format", "format",
         rf"\{{(?:(?P<format_name>{_PATH})|(?P<format_pos>\d*))(?:![rsa])?(?::[^{{}}'\n]*)?\}}",
         True, "raw", "{bucket}"),
    # %(name)s, %s (also glued: '%smanifest'), %d; never %% (an escaped percent)
    Form("percent", "percent",
         r"%(?<!%%)(?:\((?P<percent_name>[A-Za-z_]\w*)\)[sdifr]|(?P<percent_pos>s|d(?!\w)))",
         True, "raw", "%(bucket)s"),
    # ${x}, ${x:-default}, ${x%%-*}; $X and $X$ only where no word character or $ precedes
    Form("shell", "shell",
         r"\$\{(?P<shell_body>[^{}\n]+)\}|\$(?<![\w$]\$)(?P<shell_name>[A-Za-z_]\w*)\$?",
         True, "raw", "${BUCKET}"),
    Form("ruby", "ruby", r"\#\{(?P<ruby_body>[^{}\n]+)\}", True, "raw", "#{bucket}"),
    Form("psql-literal", "psql", r":(?<![\w:]:)'(?P<psqllit_name>[A-Za-z_]\w*)'", False,
         "literal", ":'bucket'"),
    Form("psql-ident", "psql", r':(?<![\w:]:)"(?P<psqlid_name>[A-Za-z_]\w*)"', False, "ident",
         ':"bucket"'),
    Form("psql", "psql", r":(?<![\w:]:)(?P<psql_name>[A-Za-z_]\w*)", False, "raw", ":bucket"),
    Form("angle", "angle", r"<(?P<angle_name>[A-Za-z_][\w.-]*)>", True, "raw", "<bucket_name>"),
)
BY_FORM = {row.form: row for row in FORMS}
JINJA_DETECT = LazyRegex(r"\{\{|\{%|\{\#")

_SUBSCRIPT = LazyRegex(r"""\s*\[\s*(?:'([^']*)'|"([^"]*)"|(\w+))\s*\]|\s*\.\s*(\w+)""")
_DBT_CALL = LazyRegex(r"""^(?:var|env_var)\s*\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,.*)?\)$""", re.S)
_SHELL_DEFAULT = LazyRegex(rf"^(?P<name>{_PATH})(?:(?P<colon>:?)-(?P<default>.*))?$", re.S)
_SIMPLE = LazyRegex(rf"^{_PATH}$")


def forms_for(style: str) -> tuple[Form, ...]:
    """The rows ``--template-style STYLE`` enables (``auto``: all; ``none``: none)."""
    if style == "auto":
        return FORMS
    return tuple(row for row in FORMS if row.style == style)


def normalise(text: str) -> str:
    """A path as one dotted name: ``cfg['bucket']``, ``cfg["bucket"]``, ``cfg.bucket`` ->
    ``cfg.bucket``; dbt ``var('x')``/``env_var('X')`` -> ``x``/``X``. Text that is not a path
    (an expression) is returned stripped, so it still names its placeholder."""
    text = text.strip()
    call = _DBT_CALL.match(text)
    if call:
        return call.group(1) if call.group(1) is not None else call.group(2)
    if not _SIMPLE.match(text):
        return text
    head = re.match(r"[A-Za-z_]\w*", text)
    assert head is not None  # _SIMPLE matched
    parts = [head.group()]
    for match in _SUBSCRIPT.finditer(text, head.end()):
        parts.append(next(group for group in match.groups() if group is not None))
    return ".".join(parts)


class Shell(NamedTuple):
    """A ``${...}`` body read: its name, and the default ``${x:-d}`` gives (None if none)."""

    name: str
    default: str | None
    if_empty: bool = False  # ${x:-d}: d also when x is empty (${x-d}: only when unset)


def shell_body(body: str) -> Shell:
    """``x`` -> x; ``x:-d`` / ``x-d`` -> x with default d (``:-`` also replaces an empty
    value, as the shell does); any other operator (``x%%-*``, ``x/a/b``) -> one placeholder
    named by the whole text ``${...}``."""
    match = _SHELL_DEFAULT.match(body)
    if not match:
        return Shell("${" + body + "}", None)
    return Shell(normalise(match.group("name")), match.group("default"),
                 bool(match.group("colon")))


def splice(form: str, text: str) -> str:
    """A value as the form's engine splices it: raw text, psql ``:'x'`` as a SQL literal
    (quotes doubled), ``:"x"`` as a quoted identifier (double quotes doubled)."""
    how = BY_FORM[form].splice
    if how == "literal":
        return "'" + text.replace("'", "''") + "'"
    if how == "ident":
        return '"' + text.replace('"', '""') + '"'
    return text

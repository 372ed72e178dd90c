"""The placeholder forms of docs/rules.md, "Templated SQL", one row each, and the names they carry.

Each :class:`Form` row says how a placeholder is written (``regex``, whose groups are named
``<key>_name``, ``<key>_body``, ``<key>_pos``, ``<key>_spec`` or ``<key>_conv``), whether it is
read inside SQL string literals (psql variables never are), how a value is spliced (``raw``
text, a quoted SQL ``literal`` with ``''`` escaping, a quoted ``ident``) and which styles read
it. A row with ``close`` matches only its opening (``$(``, ``{``, ``%{``...): the placeholder
runs to the bracket that balances it (``brackets.Brackets``). ``read`` says how the engine turns
the text into a name and a value: ``name`` (a path), ``field`` (a str.format / f-string field:
name, ``!conversion``, ``:spec``), ``percent`` (a printf spec), ``shell`` (``${x:-default}``),
``text`` (named by its whole text: command substitution, ``$1``), ``expr`` (an expression
named by its text: Terraform, Scala, JavaScript ``${...}``), ``directive`` (a Terraform
``%{ if }``/``%{ for }`` block). Jinja rows only detect a template; jinja2 renders it.

Styles: the ``--template-style`` values (:data:`STYLES`) and three that ``scan`` gives the
literals of some hosts (:data:`HOST_STYLES`): ``fstring`` (Python f-strings: fields are
expressions), ``dollar`` (Scala, Kotlin, Groovy, JavaScript: ``${expr}``, ``$name``) and
``terraform`` (``${expr}``, ``%{ }`` directives, ``$${``/``%%{`` escapes).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.options import TEMPLATE_STYLES
from redshift_iam.inputs.templating.brackets import field_parts
from redshift_iam.inputs.templating.triggers import LEADS, TRIGGERS  # noqa: F401 (re-exported)

STYLES = TEMPLATE_STYLES
HOST_STYLES = ("fstring", "dollar", "terraform")

# A path as templates write it: cfg.bucket, cfg['bucket'], cfg["bucket"], cfg[bucket].
_PATH = r"""[A-Za-z_]\w*(?:\s*(?:\.\s*[A-Za-z_]\w*|\[\s*(?:'[^'\n]*'|"[^"\n]*"|\w+)\s*\]))*"""
# printf flags, width, precision and length modifier (Python ignores the modifier)
_PRINTF = r"[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*)?)?[hlL]?"
_PRINTF_AUTO = r"[-#0+]*\d*(?:\.\d*)?"  # no space flag, no *: '50% sale' is not a spec
_CONVERSIONS = "diouxXeEfFgGcrsa"


class Form(NamedTuple):
    """One row of the RULES table of placeholder forms."""

    form: str  # Placeholder.form
    key: str  # the prefix of its regex groups (unique)
    styles: tuple[str, ...]  # the styles that read it ("auto" included when auto does)
    regex: str
    in_strings: bool  # recognised inside '...' literals too
    splice: str  # raw | literal | ident
    example: str
    read: str = "name"
    close: str = ""  # "": the regex matches it whole; else the closing bracket of its opening
    guarded: bool = False  # its whole text must pass typable_field, else it is left as text


FORMS: tuple[Form, ...] = (
    Form("jinja", "jinja", ("auto", "jinja"), r"\{\{.*?\}\}", True, "raw", "{{ params.bucket }}"),
    Form("jinja-block", "jblock", ("auto", "jinja"), r"\{%.*?%\}|\{\#.*?\#\}", True, "raw",
         "{% if full %}"),
    # auto: {} / {0} positional, {name}, {cfg.bucket}, {cfg['bucket']}; an optional !r and :spec
    Form("format", "format", ("auto",),
         rf"\{{(?:(?P<format_name>{_PATH})|(?P<format_pos>\d*))(?P<format_conv>![rsa])?"
         rf"(?::(?P<format_spec>[^{{}}'\n]*))?\}}", True, "raw", "{bucket}", read="field"),
    # auto: any other field a user can name, up to the } that balances it: a str.format key
    # with any character Python accepts ({s3-internal}), or an expression with its brackets
    # and quotes ({sql.replace("'", "''")}, {",".join(cols)}); typable_field decides
    Form("format", "fexpr", ("auto",), r"""\{(?=[A-Za-z_"'])""", True, "raw", "{s3-internal}",
         read="field", close="}", guarded=True),
    # format / f-string: every { that is not {{ opens a field, up to the } that balances it
    Form("format", "field", ("format", "fstring"), r"\{(?!\{)", True, "raw", "{x[1:]:>3}",
         read="field", close="}"),
    # %(name)s with any flags and conversion; positional %s (also glued: '%smanifest'), and
    # the other conversions where no word character follows (LIKE '%abc%' is SQL); Go's %v
    # (fmt.Sprintf in Go literals, which scan reads in auto style) renders as %s
    Form("percent", "pctn", ("auto",),
         rf"%(?<!%%)\((?P<pctn_name>[A-Za-z_]\w*)\)(?P<pctn_spec>{_PRINTF_AUTO})"
         rf"(?P<pctn_conv>[{_CONVERSIONS}])", True, "raw", "%(bucket)s", read="percent"),
    Form("percent", "pctp", ("auto",),
         rf"%(?<!%%)(?P<pctp_spec>{_PRINTF_AUTO})(?P<pctp_conv>s|[diu](?!\w)|[oxXeEfFgGcrav]"
         r"(?![\w%]))", True, "raw", "%02d", read="percent"),
    # percent style: Python's grammar, every % is a spec (%% is the escape)
    Form("percent", "pct", ("percent",),
         rf"%(?:\((?P<pct_name>[^()\n]*)\))?(?P<pct_spec>{_PRINTF})(?P<pct_conv>[{_CONVERSIONS}])",
         True, "raw", "%(m)02d", read="percent"),
    # ${x}, ${x:-default}, ${x%%-*}; $X and $X$ only where no word character or $ precedes
    Form("shell", "sh", ("auto", "shell"), r"\$\{", True, "raw", "${BUCKET}", read="shell",
         close="}"),
    Form("shell", "shn", ("auto",), r"\$(?<![\w$]\$)(?P<shn_name>[A-Za-z_]\w*)\$?", True, "raw",
         "$BUCKET"),
    Form("shell", "shu", ("shell",), r"\$(?P<shu_name>[A-Za-z_]\w*)", True, "raw", "data_$DAY"),
    # command substitution and arithmetic: never SQL, so auto reads them too
    Form("shell", "cmd", ("auto", "shell"), r"\$\(", True, "raw", "$(date +%F)", read="text",
         close=")"),
    Form("shell", "tick", ("shell",), r"`", True, "raw", "`date +%F`", read="text", close="`"),
    # positional and special parameters: $1, $@, $*, $#, $?, $$, $!, $-
    Form("shell", "spc", ("shell",), r"\$(?P<spc_name>[0-9@*#?$!-])", True, "raw", "$1",
         read="text"),
    Form("shell", "dex", ("dollar", "terraform"), r"\$\{", True, "raw", "${var.bucket}",
         read="expr", close="}"),
    Form("shell", "dnm", ("dollar",),
         r"\$(?<![\w$]\$)(?P<dnm_name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)", True, "raw", "$bucket"),
    Form("directive", "dir", ("terraform",), r"%\{", True, "raw", "%{ if var.gzip }",
         read="directive", close="}"),
    Form("ruby", "ruby", ("auto", "ruby"), r"\#\{", True, "raw", "#{bucket}", read="expr",
         close="}"),
    Form("psql-literal", "psqllit", ("auto", "psql"),
         r":(?<![\w:]:)'(?P<psqllit_name>[A-Za-z_]\w*)'", False, "literal", ":'bucket'"),
    Form("psql-ident", "psqlid", ("auto", "psql"),
         r':(?<![\w:]:)"(?P<psqlid_name>[A-Za-z_]\w*)"', False, "ident", ':"bucket"'),
    Form("psql", "psql", ("auto", "psql"), r":(?<![\w:]:)(?P<psql_name>[A-Za-z_]\w*)", False,
         "raw", ":bucket"),
    Form("angle", "angle", ("auto", "angle"), r"<(?P<angle_name>[A-Za-z_][\w.-]*)>", True, "raw",
         "<bucket_name>"),
)
BY_FORM = {row.form: row for row in FORMS}
JINJA_DETECT = LazyRegex(r"\{\{|\{%|\{\#")
# Escapes, per style: the text after the first character is what the engine renders.
ESCAPES = {"format": r"\{\{|\}\}", "fstring": r"\{\{|\}\}", "percent": "%%",
           "terraform": r"\$\$\{|%%\{"}

_SUBSCRIPT = LazyRegex(r"""\s*\[\s*(?:'([^']*)'|"([^"]*)"|(\w+))\s*\]|\s*\.\s*(\w+)""")
_DBT_CALL = LazyRegex(r"""^(?:var|env_var)\s*\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,.*)?\)$""", re.S)
_SHELL_DEFAULT = LazyRegex(rf"^(?P<name>{_PATH})(?:(?P<colon>:?)-(?P<default>.*))?$", re.S)
_SHELL_SPECIAL = LazyRegex(r"^(?:\d+|[@*#?$!-])$")
_SIMPLE = LazyRegex(rf"^{_PATH}$")
_BARE_SUBSCRIPT = LazyRegex(r"\[\s*[A-Za-z_]")


# An auto field's name with its quoted text and bracket contents taken out: a key (hyphens
# allowed, as str.format allows them) or a string, then attributes, subscripts and calls.
_FIELD_SKELETON = LazyRegex(r"""(?:[A-Za-z_][\w-]*|''|"")(?:\.[A-Za-z_]\w*|\[\]|\(\))*""")
_SKELETON_DROP = LazyRegex(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\((?:[^()]|\([^()]*\))*\)"""
                           r"""|\[(?:[^\[\]]|\[[^\[\]]*\])*\]""")


def typable_field(text: str) -> bool:
    """Whether ``{...}`` (``text``, braces included) is a field an auto-style template fills:
    one line; its name a key (``s3-internal``) or an expression on a name or a string
    (``sql.replace("'", "''")``, ``",".join(cols)``), never a string alone (JSON's
    ``{"a": 1}``) nor a list of names (``{a,b}``); a spec without quotes."""
    body = text[1:-1]
    if "\n" in body:
        return False
    field = split_field(body)
    if any(quote in field.spec for quote in "'\""):
        return False

    def bracket(match: re.Match[str]) -> str:
        found = match.group()
        return found[0] * 2 if found[0] in "'\"" else found[0] + found[-1]

    skeleton = _SKELETON_DROP.sub(bracket, field.name.strip())
    return skeleton not in ("''", '""') and bool(_FIELD_SKELETON.fullmatch(skeleton))


def forms_for(style: str) -> tuple[Form, ...]:
    """The rows style ``style`` reads (``none``: none)."""
    return tuple(row for row in FORMS if style in row.styles)


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


def expression_name(text: str) -> str:
    """An expression's name (f-strings, ``${...}`` of Terraform or JavaScript): a path is
    normalised, but ``cfg[key]`` subscripts by the variable ``key``, so it is named by its
    text, as any other expression."""
    text = text.strip()
    return text if _BARE_SUBSCRIPT.search(text) else normalise(text)


class Shell(NamedTuple):
    """A ``${...}`` body read: its name, and the default ``${x:-d}`` gives (None if none)."""

    name: str
    default: str | None
    if_empty: bool = False  # ${x:-d}: d also when x is empty (${x-d}: only when unset)


def shell_body(body: str) -> Shell:
    """``x`` -> x; ``x:-d`` / ``x-d`` -> x with default d (``:-`` also replaces an empty
    value, as the shell does; a default that itself expands, ``${x:-$(date)}``, is no known
    text); ``1``, ``@`` -> the parameter ``$1``, ``$@``; any other operator (``x%%-*``,
    ``x/a/b``) -> one placeholder named by the whole text ``${...}``."""
    if _SHELL_SPECIAL.match(body):
        return Shell("$" + body, None)
    match = _SHELL_DEFAULT.match(body)
    if not match:
        return Shell("${" + body + "}", None)
    default = match.group("default")
    if default is not None and ("$" in default or "`" in default):
        default = None
    return Shell(normalise(match.group("name")), default, bool(match.group("colon")))


class Field(NamedTuple):
    """A str.format / f-string replacement field: ``{name!conversion:spec}``."""

    name: str
    conversion: str  # '', 'r', 's' or 'a' (another letter: Python raises)
    spec: str


def split_field(body: str) -> Field:
    """The parts of a field body (the text between its braces): the name runs to the first
    ``!`` (not ``!=``) or ``:`` outside brackets and quotes."""
    index, char = field_parts(body)
    if char == "!":
        conversion, _, spec = body[index + 1:].partition(":")
        return Field(body[:index], conversion, spec)
    if char == ":":
        return Field(body[:index], "", body[index + 1:])
    return Field(body, "", "")


def splice(form: str, text: str) -> str:
    """A value as the form's engine splices it: raw text, psql ``:'x'`` as a SQL literal
    (quotes doubled), ``:"x"`` as a quoted identifier (double quotes doubled)."""
    how = BY_FORM[form].splice
    if how == "literal":
        return "'" + text.replace("'", "''") + "'"
    if how == "ident":
        return '"' + text.replace('"', '""') + '"'
    return text

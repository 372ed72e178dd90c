"""Template placeholders as frozen values, and the sentinels that stand for unresolved ones.

The templating stage (``redshift_iam.inputs.templating``) renders a template to SQL text. A
placeholder that got a value is spliced in as text; one that did not is written into the text
as a *sentinel*, ``\\ue000<index>\\ue001`` (two private-use characters around the decimal index
of its :class:`Placeholder`). Private-use characters never occur in SQL, so the SQL lexer can
recognise a sentinel anywhere, bare (``FROM \\ue0000\\ue001``) or inside a string literal
(``'s3://acme/\\ue0001\\ue001/'``), and look its placeholder up by index.
"""

from __future__ import annotations

import re
import shlex
from typing import NamedTuple

from redshift_iam.core.diagnostics import Location
from redshift_iam.core.lazyre import LazyRegex

SENTINEL_OPEN = "\ue000"
SENTINEL_CLOSE = "\ue001"
# Characters the templating stage reserves (sentinels and its own trace markers): a template
# that holds one of them is refused rather than misread.
RESERVED = "\ue000-\ue00f"
SENTINEL = LazyRegex(f"{SENTINEL_OPEN}(?P<index>[0-9]+){SENTINEL_CLOSE}")

# The forms of the RULES table ("Templated SQL"), one per recognisable syntax.
FORMS = ("jinja", "jinja-block", "format", "percent", "shell", "ruby", "psql", "psql-literal",
         "psql-ident", "angle")


class Placeholder(NamedTuple):
    """One placeholder of a template, resolved or not.

    ``name`` is the normalised dotted name (``cfg['bucket']`` -> ``cfg.bucket``), ``''`` for a
    positional slot (``{}``, ``{0}``, ``%s``), whose ``ordinal`` (1-based among the positional
    slots of the file) names it instead. ``value`` is the text spliced into the rendering, or
    ``None`` when unresolved (a sentinel stands there); ``origin`` says where the value came
    from (``--var bucket``, ``vars.yaml:3``, ``\\set at line 4``, ``default in template``).
    A ``jinja-block`` is an ``if``/``for``/``include`` whose outcome depends on unknown
    variables: its ``name`` lists them (comma-separated) and its sentinel replaces the block's
    whole output.
    """

    serial: int
    name: str
    form: str
    text: str
    location: Location
    ordinal: int = 0
    value: str | None = None
    origin: str = ""

    @property
    def resolved(self) -> bool:
        return self.value is not None

    @property
    def label(self) -> str:
        """How messages name it: the name, or ``%s #2 of file:line`` for a positional slot."""
        if self.name:
            return self.name
        return f"{self.text} #{self.ordinal} of {self.location.short}"


def positional_address(text: str, ordinal: int, location: Location) -> str:
    """The name ``--var`` fills a positional slot by: ``%s#2@etl.py:14`` (its text, its
    ordinal among the file's positional slots, the file and line where it stands)."""
    return f"{text}#{ordinal}@{location.file}:{location.line}"


def var_name(placeholder: Placeholder) -> str:
    """The NAME of the ``--var NAME=VALUE`` that fills ``placeholder``: its name, or the
    address of a positional slot (:func:`positional_address`)."""
    if placeholder.name:
        return placeholder.name
    return positional_address(placeholder.text, placeholder.ordinal, placeholder.location)


def fill_command(name: str, value: str = "VALUE") -> str:
    """``--var NAME=VALUE`` quoted for a POSIX shell: it works pasted as it is printed
    (``--var 'sql.replace("'"'"'", ...)=VALUE'``); a plain name is left unquoted."""
    text = f"{name}={value}"
    if "'" in text and not _DOUBLE_QUOTE_SPECIAL.search(text):
        return f'--var "{text}"'  # "jp='s3://b/p.json'" reads better than '"'"' runs
    return "--var " + shlex.quote(text)


# What a POSIX shell still reads inside double quotes (or ends them).
_DOUBLE_QUOTE_SPECIAL = LazyRegex(r'["$`\\!]')


def provenance(found: Placeholder | None) -> str:
    """What a message about text that came from a template value adds: where the
    placeholder stands and where its value came from (never the value: it may be a secret)."""
    if found is None:
        return ""
    return (f" (the text comes from placeholder {found.text} at {found.location}, "
            f"value from {found.origin})")


# How an origin says its value is only a default that the running code may replace (the
# templating and scan stages write these words): shell ``${B:-dev}`` and dbt ``var('b', 'dev')``
# ("default in template"), ``os.environ.get('B', 'dev')`` and Airflow ``Variable.get``
# ("... default of ..."), a function parameter's default ("(parameter default)").
_DEFAULT_ORIGIN = LazyRegex(r"\bdefault (?:in template|of )|\(parameter default\)")


def from_default(placeholder: Placeholder) -> bool:
    """Whether ``placeholder`` is filled by a default the template or code states (RULES: used,
    and marked as a default: the value set where the script runs wins over it)."""
    return placeholder.resolved and bool(_DEFAULT_ORIGIN.search(placeholder.origin))


def sentinel(index: int) -> str:
    """The text that stands for unresolved placeholder ``index`` in a rendering."""
    return f"{SENTINEL_OPEN}{index}{SENTINEL_CLOSE}"


# Template placeholders that can stand inside a string literal too...
TEMPLATE = (r"\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\{#[^\n]*?#\}|\$\{[^}\n]*\}|\{[A-Za-z_0-9]*\}"
            r"|%\([A-Za-z_]\w*\)s|%s\b")


# ...and psql variables, which psql only expands outside literals.
PLACEHOLDER = TEMPLATE + r"""|:'[A-Za-z_]\w*'|:"[A-Za-z_]\w*"|(?<!:):[A-Za-z_]\w*"""


def has_sentinel(text: str) -> bool:
    """Whether ``text`` holds an unresolved placeholder."""
    return SENTINEL_OPEN in text


def indices(text: str) -> tuple[int, ...]:
    """The placeholder index of every sentinel in ``text``, in order."""
    return tuple(int(match.group("index")) for match in SENTINEL.finditer(text))


def wildcard(text: str) -> str:
    """``text`` with each sentinel as ``*`` (glued ones as one ``*``): the pattern every
    rendering of an S3 key matches."""
    return re.sub(r"\*{2,}", "*", SENTINEL.sub("*", text)) if has_sentinel(text) else text


def shown(text: str, placeholders: tuple[Placeholder, ...] | dict[int, Placeholder]) -> str:
    """``text`` as the template writes it: each sentinel (and variable marker) as its
    placeholder's text."""
    if VARIABLE_OPEN in text:
        named = {p.name: p.text for p in (placeholders.values() if isinstance(
            placeholders, dict) else placeholders)}
        text = MARKER.sub(lambda m: named.get(m.group("name") or "", "{?}"), text)
    if not has_sentinel(text):
        return text
    table = placeholders if isinstance(placeholders, dict) else {
        p.serial: p for p in placeholders}

    def one(match: re.Match[str]) -> str:
        found = table.get(int(match.group("index")))
        return found.text if found else "{?}"

    return SENTINEL.sub(one, text)


# Infrastructure-as-code variables. With ``Settings.variables`` (``generate --format
# terraform|cloudformation``) the derive stage writes a named unresolved placeholder into the
# grants as a *variable marker* instead of leaving the grant out, and the IaC renderers turn
# each marker into a Terraform ``var.NAME`` / CloudFormation Parameter at the same place:
# - ``\ue004NAME\ue005``: the variable's value, at its place (a bucket, Region, table...);
# - ``\ue002PART\ue006HEX\ue003``: the ``bucket``, ``key`` or ``path`` (bucket/key) of the
#   S3 location whose text (variable markers and literal text) is hex-encoded as HEX, for a
#   location whose bucket/key boundary only its value shows (``'{s3_path}'``). Hex keeps
#   ``/``, ``:`` and ``*`` out of the marker, so code that splits ARNs never cuts one.
VARIABLE_OPEN, VARIABLE_CLOSE = "\ue004", "\ue005"
PART_OPEN, PART_SEP, PART_CLOSE = "\ue002", "\ue006", "\ue003"
PARTS = ("bucket", "key", "path")
VARIABLE_NAME = LazyRegex(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
MARKER = LazyRegex(f"{VARIABLE_OPEN}(?P<name>[^{VARIABLE_OPEN}{VARIABLE_CLOSE}]+){VARIABLE_CLOSE}"
                   f"|{PART_OPEN}(?P<part>bucket|key|path){PART_SEP}(?P<hex>[0-9a-f]*)"
                   f"{PART_CLOSE}")


def variable(name: str) -> str:
    """The marker of variable ``name`` (see above)."""
    return f"{VARIABLE_OPEN}{name}{VARIABLE_CLOSE}"


def part(kind: str, location: str) -> str:
    """The marker of the ``bucket``, ``key`` or ``path`` of S3 ``location`` (its text, with
    variable markers where its variables stand)."""
    return f"{PART_OPEN}{kind}{PART_SEP}{location.encode('utf-8').hex()}{PART_CLOSE}"


def has_marker(text: str) -> bool:
    """Whether ``text`` holds a variable or part marker."""
    return VARIABLE_OPEN in text or PART_OPEN in text


def can_be_variable(placeholder: Placeholder) -> bool:
    """Whether an unresolved placeholder can become an IaC variable: it has a name a value
    can be given for (not a positional slot, a shell expression or a Jinja block)."""
    return placeholder.form != "jinja-block" and bool(VARIABLE_NAME.match(placeholder.name))


def readable(text: str) -> str:
    """``text`` with each marker as the names of its variables (for Sids and messages)."""
    if not has_marker(text):
        return text

    def one(match: re.Match[str]) -> str:
        if match.group("name"):
            return match.group("name")
        return readable(bytes.fromhex(match.group("hex")).decode("utf-8"))

    return MARKER.sub(one, text)


def marker_names(text: str) -> set[str]:
    """The names of the variables whose markers ``text`` holds (in locations too)."""
    found: set[str] = set()
    for match in MARKER.finditer(text) if has_marker(text) else ():
        if match.group("name"):
            found.add(match.group("name"))
        else:
            found |= marker_names(bytes.fromhex(match.group("hex")).decode("utf-8"))
    return found

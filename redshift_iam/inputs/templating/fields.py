"""What one placeholder of the non-Jinja forms names, and the text its engine renders there.

:func:`read` turns a matched placeholder (a ``forms.FORMS`` row and its text) into a
:class:`Found`: the name (a dotted path, an expression's text, or ``''`` for a positional
slot, with its ordinal), the value it takes and the rendering, or no rendering when no value
is known (the engine writes a sentinel). A psql variable takes the value its meta-commands
left (``psqlvars``), else the user's; the other forms the user's (or the scanned code's)
values. Python forms render as Python does (``pyformat``); where Python would raise, the
template cannot be rendered: InputError RI177 names the placeholder and where the value
came from (never the value).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, Protocol

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.placeholders import positional_address
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating.forms import (
    Form,
    expression_name,
    normalise,
    shell_body,
    splice,
    split_field,
)
from redshift_iam.inputs.templating.psqlvars import PsqlVars, Unknown
from redshift_iam.inputs.templating.pyformat import FormatProblem, format_field, format_percent
from redshift_iam.inputs.templating.values import Value

_POSITIONAL = re.compile(r"(\d*)((?:\.[^.\[]*|\[[^\]]*\])*)")
_NESTED = re.compile(r"\{([^{}]*)\}")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


class Context(Protocol):
    """What the readers need of the scan: the values, psql's state, the positional names,
    the names of renamed keyword fields and the count of positional slots read so far."""

    source: Source
    style: str
    values: Mapping[str, Value]
    psql: PsqlVars
    positional_names: Sequence[str]
    keyword_names: Mapping[str, str]
    ordinal: int


class Found(NamedTuple):
    """One placeholder read: ``text`` is its rendering, None when it has no value."""

    name: str
    ordinal: int = 0
    value: Value | None = None
    text: str | None = None
    set_by_meta: bool = False  # a psql variable some meta-command set (its value may be None)
    unknown: Unknown | None = None  # why a meta-command left it without a known value


def read(context: Context, row: Form, match: re.Match[str], text: str) -> Found:
    """The name, value and rendering of the placeholder ``text`` matched by ``row``."""
    return _READERS[row.read](context, row, match, text)


def _groups(row: Form, match: re.Match[str]) -> dict[str, str]:
    prefix = row.key + "_"
    return {key[len(prefix):]: value for key, value in match.groupdict().items()
            if value is not None and key.startswith(prefix)}


def _resolved(context: Context, form: str, name: str, default: str | None = None,
              if_empty: bool = False) -> Found:
    """A named placeholder of a form that splices text."""
    if form.startswith("psql"):
        set_by_meta, found = context.psql.lookup(name)
        if isinstance(found, Unknown):
            return Found(name, 0, None, None, True, found)
        value = found if set_by_meta else context.values.get(name)
        return Found(name, 0, value, None if value is None else splice(form, value.text),
                     set_by_meta)
    value = context.values.get(name) if name else None
    if value is not None and if_empty and value.text == "":
        value = None
    if value is None and default is not None:
        value = Value(default, default, "default in template")
    return Found(name, 0, value, None if value is None else splice(form, value.text))


def _by_name(context: Context, row: Form, match: re.Match[str], text: str) -> Found:
    groups = _groups(row, match)
    return _resolved(context, row.form, normalise(groups.get("body") or groups["name"]))


def _shell(context: Context, row: Form, match: re.Match[str], text: str) -> Found:
    body = shell_body(text[2:-1])
    return _resolved(context, row.form, body.name, body.default, body.if_empty)


def _text(context: Context, row: Form, match: re.Match[str], text: str) -> Found:
    """Command substitution, ``$1``, ``$@``: named by the whole text."""
    return _resolved(context, row.form, text)


def _expression(context: Context, row: Form, match: re.Match[str], text: str) -> Found:
    """``${expr}`` of Terraform, Scala, JavaScript: an expression, never a shell default."""
    return _resolved(context, row.form, expression_name(text[2:-1]))


def _slot(context: Context, text: str) -> tuple[str, int]:
    """The name and ordinal of a str.format field name (f-strings: an expression)."""
    if context.style == "fstring":
        return expression_name(text), 0
    positional = _POSITIONAL.fullmatch(text)
    if positional is None:
        return _keyword(context, normalise(text)), 0
    context.ordinal += 1
    index, path = positional.groups()
    ordinal = int(index) + 1 if index else context.ordinal
    names = context.positional_names
    base = expression_name(names[ordinal - 1]) if ordinal <= len(names) else ""
    if path:  # {0.bucket}: an attribute of the argument
        base = normalise(base + path) if _DOTTED.fullmatch(base) else ""
    return base, ordinal


def _keyword(context: Context, name: str) -> str:
    """A named slot under the name its keyword argument gives it (``{b}`` of
    ``.format(b=cfg.bucket)`` is ``cfg.bucket``; ``{b.x}`` is ``cfg.bucket.x``), else
    ``name`` itself (also when the argument's text cannot take an attribute path)."""
    head, dot, path = name.partition(".")
    given = context.keyword_names.get(head)
    if given is None:
        return name
    base = expression_name(given)
    if not dot:
        return base
    return normalise(f"{base}.{path}") if _DOTTED.fullmatch(base) else name


def _spec(context: Context, spec: str) -> str | None:
    """A format spec with its nested fields (``{x:{width}}``) filled; None if one is unknown."""
    known, parts, position = True, [], 0
    for nested in _NESTED.finditer(spec):
        name, _ = _slot(context, split_field(nested.group(1)).name)
        value = context.values.get(name) if name else None
        known = known and value is not None
        parts.append(spec[position:nested.start()] + (str(value.value) if value else ""))
        position = nested.end()
    return "".join(parts) + spec[position:] if known else None


def _field(context: Context, row: Form, match: re.Match[str], text: str) -> Found:
    """``{name!r:spec}``: the value formatted by Python's ``format``."""
    field = split_field(text[1:-1])
    name, ordinal = _slot(context, field.name)
    spec = _spec(context, field.spec)
    value = _value(context, name, ordinal, text, match.start())
    if value is None or spec is None:
        return Found(name, ordinal)
    rendered = _python(context, match.start(), text, name, value,
                       lambda: format_field(value.value, field.conversion, spec))
    return Found(name, ordinal, value, rendered)


def _percent(context: Context, row: Form, match: re.Match[str], text: str) -> Found:
    """``%(name)02d``, ``%5s``: the value formatted by Python's ``%`` (``*`` widths take a
    positional argument each: no known value)."""
    groups = _groups(row, match)
    spec = groups["spec"] + groups["conv"].replace("v", "s")  # Go's %v: the value as text
    if "name" in groups:
        name, ordinal = _keyword(context, normalise(groups["name"])), 0
    else:
        context.ordinal += 1 + spec.count("*")
        ordinal = context.ordinal
        names = context.positional_names
        name = expression_name(names[ordinal - 1]) if ordinal <= len(names) else ""
    value = _value(context, name, ordinal, text, match.start()) if "*" not in spec else None
    if value is None:
        return Found(name, ordinal)
    rendered = _python(context, match.start(), text, name, value,
                       lambda: format_percent(value.value, spec))
    return Found(name, ordinal, value, rendered)


def _value(context: Context, name: str, ordinal: int, text: str, start: int) -> Value | None:
    """The value of a named slot, or of a positional one given by its address
    (``--var '%s#2@etl.py:14=VALUE'``, see ``core.placeholders.positional_address``)."""
    if name:
        return context.values.get(name)
    if not ordinal:
        return None
    return context.values.get(positional_address(text, ordinal, context.source.location(start)))


def _python(context: Context, start: int, text: str, name: str, value: Value,
            render: Callable[[], str]) -> str:
    """``render()``; where Python would raise, RI177 (the spec and the value's origin)."""
    try:
        return render()
    except FormatProblem as exc:
        raise InputError(context.source.diagnostic(
            "RI177", f"{text} cannot format the value of {name} (from {value.origin}): "
            f"{exc}", start)) from None


_READERS: dict[str, Callable[[Context, Form, re.Match[str], str], Found]] = {
    "name": _by_name, "shell": _shell, "text": _text, "expr": _expression, "field": _field,
    "percent": _percent,
}

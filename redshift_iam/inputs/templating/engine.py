"""The one entry of the templating stage: :func:`template` renders a templated script.

Plain SQL pays one regex search (:func:`template` returns None). Otherwise a Jinja template is
rendered by jinja2 (``jinja.py``); any other form is substituted by a SQL-aware scan: SQL
comments and dollar-quoted bodies are skipped, psql variables are read only outside quotes,
the other forms bare and inside literals; psql ``\\set`` lines define values from their line on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.placeholders import RESERVED, Placeholder, sentinel
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating.forms import (
    FORMS,
    JINJA_DETECT,
    STYLES,
    forms_for,
    normalise,
    shell_body,
    splice,
)
from redshift_iam.inputs.templating.mapping import Builder, Templated
from redshift_iam.inputs.templating.triggers import may_hold
from redshift_iam.inputs.templating.variables import Value, Values

_ESCAPES = {"format": r"\{\{|\}\}", "percent": "%%"}  # only when that style is chosen
_SQL = (r"(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))"
        r"|(?P<dollar>\$(?P<dtag>(?:[A-Za-z_]\w*)?)\$.*?\$(?P=dtag)\$"
        # outside quotes, $tag$ that never closes is an unterminated SQL body (the reader
        # reports it), not a $NAME$ placeholder
        r"|\$(?:[A-Za-z_]\w*)?\$.*\Z)"
        r"|(?P<meta>\\set\b[^\n]*)"
        # strings as the SQL lexer reads them: '' and a backslash escape stay inside
        r"|(?P<string>'(?:''|\\.|[^'\\])*'?|\"(?:\"\"|[^\"])*\"?)")
# Every alternative starts with one of these: the lookahead lets re skip other text fast (10x).
_FIRST = r"(?=[-/$\\'\"{}%#:<])"
_SET = re.compile(r"\\set[ \t]+(?P<name>[A-Za-z_]\w*)(?:[ \t]+(?P<value>.*?))?[ \t]*$")
_SET_WORD = re.compile(r"'((?:[^']|'')*)'|(\S+)")


def _alternatives(rows: Sequence, in_strings: bool) -> str:
    return "|".join(f"(?P<f{FORMS.index(row)}>{row.regex})" for row in rows
                    if row.style != "jinja" and (row.in_strings or not in_strings))


def _has_placeholder(style: str, text: str) -> bool:
    """The cheap check: a literal-led search per enabled style (over-matching is fine)."""
    return may_hold(text, style)


@functools.cache
def _scanner(style: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The bare scan (SQL structure first, then placeholders) and the in-literal scan."""
    rows = forms_for(style)
    escape = f"|(?P<escape>{_ESCAPES[style]})" if style in _ESCAPES else ""
    bare = re.compile(f"{_FIRST}(?:{_SQL}|{_alternatives(rows, False)}{escape})", re.S)
    inner = re.compile(f"{_FIRST}(?:{_alternatives(rows, True) or '(?!)'}{escape})", re.S)
    return bare, inner


def template(source: Source, values: Values | None = None, style: str = "auto",
             template_path: str | None = None, positional_names: Sequence[str] = ()
             ) -> Templated | None:
    """Render ``source`` with ``values``; None when it holds no placeholder of ``style``.

    Raises InputError (RI17x) for a template that cannot be rendered safely.
    """
    if style not in STYLES:
        raise ValueError(f"unknown template style {style!r}")
    if style == "none" or not _has_placeholder(style, source.text):
        return None
    refuse_reserved(source)
    values = values or {}
    if style in ("auto", "jinja") and JINJA_DETECT.search(source.text):
        from redshift_iam.inputs.templating.jinja import render

        return render(source, values, template_path)
    return _Scan(source, values, style, positional_names).run()


def refuse_reserved(source: Source) -> None:
    match = re.search(f"[{RESERVED}]", source.text)
    if match:
        raise InputError(source.diagnostic(
            "RI176", f"the template holds the reserved character U+{ord(match.group()):04X}",
            match.start()))


class _Scan:
    """The non-Jinja substitution of one script."""

    def __init__(self, source: Source, values: Values, style: str,
                 positional_names: Sequence[str]) -> None:
        self.source, self.values, self.style = source, values, style
        self.positional_names = positional_names
        self.out = Builder()
        self.placeholders: list[Placeholder] = []
        self.psql_set: dict[str, Value] = {}
        self.ordinal = 0
        self.done = 0  # template offset up to which text has been emitted

    def run(self) -> Templated | None:
        bare, inner = _scanner(self.style)
        for match in bare.finditer(self.source.text):
            kind = match.lastgroup
            if kind == "string":
                for found in inner.finditer(self.source.text, match.start(), match.end()):
                    self._emit(found)
            elif kind == "meta":
                self._psql_set(match)
            elif kind not in ("comment", "dollar"):
                self._emit(match)
        if not self.placeholders:
            return None
        self._literal(len(self.source.text))
        return Templated(self.out.text(), tuple(self.placeholders), tuple(self.out.segments),
                         self.source, self._set_late())

    def _set_late(self) -> tuple[Diagnostic, ...]:
        """RW220 for each psql variable used above the ``\\set`` that defines it."""
        return tuple(Diagnostic(
            "RW220", f"psql variable {p.text} is used before {self.psql_set[p.name].origin}; "
            "psql does not expand it there", p.location,
            fix=f"move \\set {p.name} above line {p.location.line}, or pass --var {p.name}=VALUE")
            for p in self.placeholders
            if p.form.startswith("psql") and p.value is None and p.name in self.psql_set)

    def _literal(self, end: int) -> None:
        self.out.add(self.source.text[self.done:end], self.source, self.done, end - self.done)
        self.done = end

    def _emit(self, match: re.Match[str]) -> None:
        """Splice one placeholder (or a style's escape) at ``match``."""
        self._literal(match.start())
        self.done = match.end()
        if match.lastgroup == "escape":
            self.out.add(match.group()[0], self.source, match.start())
            return
        row = FORMS[int(match.lastgroup[1:])]  # type: ignore[index]
        name, ordinal, default, if_empty = self._name(row.form, match)
        value = self._value(row.form, name, default, if_empty)
        index = len(self.placeholders)
        text = None if value is None else _spliced(row.form, value)
        self.placeholders.append(Placeholder(
            index, name, row.form, match.group(), self.source.location(match.start()), ordinal,
            text, value.origin if value else ""))
        self.out.add(sentinel(index) if text is None else text, self.source, match.start())

    def _name(self, form: str, match: re.Match[str]) -> tuple[str, int, str | None, bool]:
        """The placeholder's dotted name, positional ordinal and shell default (and whether
        the default also replaces an empty value)."""
        groups = {key.split("_", 1)[1]: value for key, value in match.groupdict().items()
                  if value is not None and "_" in key}
        if "body" in groups and form == "shell":
            body = shell_body(groups["body"])
            return body.name, 0, body.default, body.if_empty
        if "body" in groups or "name" in groups:
            return normalise(groups.get("body") or groups["name"]), 0, None, False
        position = groups.get("pos", "")
        self.ordinal += 1
        ordinal = int(position) + 1 if position.isdigit() else self.ordinal
        names = self.positional_names
        return (names[ordinal - 1] if ordinal <= len(names) else ""), ordinal, None, False

    def _value(self, form: str, name: str, default: str | None, if_empty: bool
               ) -> Value | None:
        if form.startswith("psql") and name in self.psql_set:
            return self.psql_set[name]
        if name and name in self.values and not (if_empty and self.values[name].text == ""):
            return self.values[name]
        if default is not None:
            return Value(default, default, "default in template")
        return None

    def _psql_set(self, match: re.Match[str]) -> None:
        """``\\set NAME VALUE``: psql joins the words, unquoting '...' ('' is a quote)."""
        found = _SET.match(match.group("meta"))
        line_start = self.source.text.rfind("\n", 0, match.start()) + 1
        if (not found or self.style not in ("auto", "psql")
                or self.source.text[line_start:match.start()].strip()):
            return  # \set is a meta-command only at the start of a line
        words = _SET_WORD.findall(found.group("value") or "")
        text = "".join(quoted.replace("''", "'") if quoted or not bare else bare
                       for quoted, bare in words)
        line = self.source.location(match.start("meta")).line
        self.psql_set[found.group("name")] = Value(text, text, f"\\set at line {line}")


def _spliced(form: str, value: Value) -> str:
    """Python forms splice ``str(value)``; the others the value's text."""
    if form in ("format", "percent"):
        return str(value.value)
    return splice(form, value.text)

"""The one entry of the templating stage: :func:`template` renders a templated script.

Plain SQL pays one regex search (:func:`template` returns None). Otherwise a Jinja template is
rendered by jinja2 (``jinja.py``); any other form is substituted by a scan. Styles whose
engine knows SQL (``auto``, ``psql``, ``shell``, ``angle``) read SQL structure: comments and
dollar-quoted bodies are skipped, psql variables are read only outside quotes, the other forms
bare and inside literals; psql meta-commands define values from their line on
(``psqlvars``). The engines of the other styles (Python, Terraform, Scala...) substitute
every placeholder whatever SQL surrounds it, so they read the whole text. A placeholder that
opens a bracket runs to the one that balances it (``brackets``); a value is rendered as the
form's engine renders it (``pyformat`` for ``{x:02d}``, ``%5s``...).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.localfiles import FileReader
from redshift_iam.core.placeholders import Placeholder, sentinel
from redshift_iam.core.source import Source
from redshift_iam.core.sqllex import (
    DOLLAR_TAG,
    FLAT_BLOCK,
    LINE_COMMENT,
    QIDENT,
    QIDENT_BODY,
    STRING,
    STRING_BODY,
    block_end,
)
from redshift_iam.inputs.templating import directives
from redshift_iam.inputs.templating.brackets import Brackets, TooMuchScanning
from redshift_iam.inputs.templating.fields import Found, read
from redshift_iam.inputs.templating.forms import (
    ESCAPES,
    FORMS,
    HOST_STYLES,
    JINJA_DETECT,
    STYLES,
    Form,
    forms_for,
    typable_field,
)
from redshift_iam.inputs.templating.mapping import Builder, Templated
from redshift_iam.inputs.templating.psqlvars import PsqlVars
from redshift_iam.inputs.templating.reserved import refuse_reserved
from redshift_iam.inputs.templating.triggers import may_hold
from redshift_iam.inputs.templating.values import Values

NONE: Mapping[str, str] = MappingProxyType({})

# SQL structure, from core.sqllex: comments (a ``/*`` whose comment is not flat is matched
# alone: ``block`` then counts the nesting), dollar bodies, psql meta-commands, strings.
_SQL = (f"(?P<comment>{LINE_COMMENT}|{FLAT_BLOCK})|(?P<block>/\\*)"
        rf"|(?P<dollar>\$(?P<dtag>(?:{DOLLAR_TAG})?)\$.*?\$(?P=dtag)\$"
        # outside quotes, $$ that never closes is an unterminated SQL body (the reader
        # reports it); a $NAME$ that never closes is a placeholder (auto style)
        r"|\$\$.*\Z)"
        r"|(?P<meta>\\(?:set|unset|if|elif|else|endif|prompt|getenv|gset|include_relative|"
        r"include|ir|i)\b[^\n]*)"
        # strings as the SQL lexer reads them: '' and a backslash escape stay inside
        f"|(?P<string>{STRING}'?|{QIDENT}\"?)")
_STRING_REST = {"'": re.compile(f"{STRING_BODY}'?", re.S), '"': re.compile(f'{QIDENT_BODY}"?')}
# Every alternative starts with one of these: the lookahead lets re skip other text fast (10x).
_FIRST = r"(?=[-/$\\'\"{}%#:<`])"
_STRUCTURED = ("auto", "psql", "shell", "angle")  # styles whose engine knows SQL


def _alternatives(rows: Sequence[Form], in_strings: bool) -> str:
    return "|".join(f"(?P<f{FORMS.index(row)}>{row.regex})" for row in rows
                    if not row.form.startswith("jinja") and (row.in_strings or not in_strings))


@functools.cache
def _scanner(style: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The bare scan (SQL structure first, then placeholders) and the in-literal scan."""
    rows = forms_for(style)
    escape = f"|(?P<escape>{ESCAPES[style]})" if style in ESCAPES else ""
    bare = re.compile(f"{_FIRST}(?:{_SQL}|{_alternatives(rows, False)}{escape})", re.S)
    inner = re.compile(f"{_FIRST}(?:{_alternatives(rows, True) or '(?!)'}{escape})", re.S)
    return bare, inner


def template(source: Source, values: Values | None = None, style: str = "auto",
             template_path: str | None = None, positional_names: Sequence[str] = (),
             literal: bool = False, reader: FileReader | None = None,
             keyword_names: Mapping[str, str] = NONE) -> Templated | None:
    """Render ``source`` with ``values``; None when it holds no placeholder of ``style``.
    With ``literal`` the text is the inside of a string literal (a spec value): only the
    forms read inside SQL literals are recognised (never psql variables), and nothing in it
    is SQL structure. ``positional_names`` name the positional slots (``{}``, ``%s``) in
    order; ``keyword_names`` rename named ``{field}``/``%(field)s`` slots (field -> name:
    scanned code's ``.format(field=expr)`` names the field by the expression's text).

    Raises InputError (RI17x) for a template that cannot be rendered safely.
    """
    if style not in STYLES and style not in HOST_STYLES:
        raise ValueError(f"unknown template style {style!r}")
    if style == "none" or not may_hold(source.text, style):
        return None
    refuse_reserved(source)
    values = values or {}
    if style in ("auto", "jinja") and JINJA_DETECT.search(source.text):
        from redshift_iam.inputs.templating.jinja import render_jinja

        return render_jinja(source, values, template_path, reader)
    scan = _Scan(source, values, style, positional_names, keyword_names)
    try:
        return scan.run(literal)
    except TooMuchScanning as exc:
        raise InputError(source.diagnostic("RI177", str(exc), 0)) from None


class _Late(NamedTuple):
    """A psql variable used while no meta-command had set it."""

    serial: int
    name: str


class _Scan:
    """The non-Jinja substitution of one script."""

    def __init__(self, source: Source, values: Values, style: str,
                 positional_names: Sequence[str], keyword_names: Mapping[str, str] = NONE
                 ) -> None:
        self.source, self.values, self.style = source, values, style
        self.positional_names, self.keyword_names = positional_names, keyword_names
        self.out = Builder()
        self.placeholders: list[Placeholder] = []
        self.psql = PsqlVars(values)
        self.late: list[_Late] = []
        self.notes: dict[str, Diagnostic] = {}  # RW223 per psql variable without a value
        self.brackets = Brackets(source.text, multiline=style != "auto")
        self.blocks: dict[int, directives.Block] | None = None
        self.branches: dict[int, tuple[str, ...]] = {}
        self.ordinal = 0
        self.escaped = False  # an escape ({{, %%) was rendered: the text changed
        self.done = 0  # template offset up to which text has been emitted

    def run(self, literal: bool = False) -> Templated | None:
        bare, inner = _scanner(self.style)
        text = self.source.text
        if literal or self.style not in _STRUCTURED:
            self._inner(inner, 0, len(text))
        else:
            position = 0
            while (match := bare.search(text, position)) is not None:
                kind, end = match.lastgroup, match.end()
                if kind == "string":
                    end = self._string(inner, match)
                elif kind == "block":  # a comment holding /*: they nest
                    end = block_end(text, match.start()) or len(text)
                elif kind == "meta":
                    self._meta(match)
                elif kind not in ("comment", "dollar", "block"):
                    self._emit(match)
                position = max(end, self.done)
        if not self.placeholders and not self.escaped:
            return None  # nothing to render: the text is read as it stands
        self._literal(len(text))
        return Templated(self.out.text(), tuple(self.placeholders), tuple(self.out.segments),
                         self.source, (*self._set_late(), *self.notes.values()), self.branches)

    def _inner(self, inner: re.Pattern[str], start: int, end: int) -> None:
        while (match := inner.search(self.source.text, start, end)) is not None:
            self._emit(match)
            start = max(match.end(), self.done)

    def _string(self, inner: re.Pattern[str], match: re.Match[str]) -> int:
        """The placeholders in a quoted string; its end. A placeholder that runs past the
        quote the lexer saw (``'$(date '+%F')'``) leaves the string open after it."""
        start, end = match.start() + 1, match.end()
        while (found := inner.search(self.source.text, start, end)) is not None:
            self._emit(found)
            start = max(found.end(), self.done)
            if self.done > end:
                quote = self.source.text[match.start()]
                rest = _STRING_REST[quote].match(self.source.text, self.done)
                assert rest is not None  # the rest of a string may be empty
                end = rest.end()
        return end

    def _set_late(self) -> tuple[Diagnostic, ...]:
        """RW220 for each psql variable used above the ``\\set`` that defines it."""
        found = []
        for late in self.late:
            if late.name not in self.psql.defined:
                continue
            where = self.placeholders[late.serial].location
            found.append(Diagnostic(
                "RW220", f"psql variable {self.placeholders[late.serial].text} is used before "
                f"{self.psql.defined[late.name]}; psql does not expand it there", where,
                fix=f"move \\set {late.name} above line {where.line}, or pass --var "
                    f"{late.name}=VALUE"))
        return tuple(found)

    def _literal(self, end: int) -> None:
        self.out.add(self.source.text[self.done:end], self.source, self.done, end - self.done)
        self.done = end

    def _emit(self, match: re.Match[str]) -> None:
        """Splice one placeholder (or a style's escape) at ``match``."""
        start = match.start()
        if match.lastgroup == "escape":
            self._literal(start)
            self.out.add(match.group()[1:], self.source, start)
            self.done, self.escaped = match.end(), True
            return
        row = FORMS[int(match.lastgroup[1:])]  # type: ignore[index]
        end = self.brackets.end(match.end(), row.close) if row.close else match.end()
        if end < 0 or (row.guarded and not typable_field(self.source.text[start:end])):
            return  # an opening that never closes (the engine's own error), or no field
        if row.read == "directive":
            self._directive(start)
            return
        found = read(self, row, match, self.source.text[start:end])
        self._literal(start)
        self.done = end
        self._place(row.form, found, self.source.text[start:end], start)

    def _place(self, form: str, found: Found, text: str, start: int) -> None:
        index = len(self.placeholders)
        if form.startswith("psql") and found.value is None and not found.set_by_meta:
            self.late.append(_Late(index, found.name))
        if found.unknown is not None and found.name not in self.notes:
            self.notes[found.name] = Diagnostic(
                "RW223", f"psql variable {text} has no known value here: {found.unknown.reason}",
                self.source.location(start), fix=found.unknown.fix)
        origin = found.value.origin if found.value is not None and found.text is not None else ""
        self.placeholders.append(Placeholder(
            index, found.name, form, text, self.source.location(start), found.ordinal,
            found.text, origin))
        self.out.add(sentinel(index) if found.text is None else found.text, self.source, start)

    def _meta(self, match: re.Match[str]) -> None:
        """A psql meta-command line: it acts only at the start of a line, in psql's styles."""
        text = self.source.text
        line_start = text.rfind("\n", 0, match.start()) + 1
        ends_query = match.group("meta").startswith("\\gset")  # SELECT ... \gset: mid-line
        if self.style in ("auto", "psql") and (
                ends_query or not text[line_start:match.start()].strip()):
            self.psql.command(match.group("meta"), self.source.location(match.start()).line)

    def _directive(self, start: int) -> None:
        """A Terraform ``%{ if }``/``%{ for }`` block: one placeholder for all its text."""
        if self.blocks is None:
            self.blocks = directives.blocks(self.source.text, self.brackets)
        block = self.blocks.get(start)
        if block is None:
            return  # a stray or unclosed directive: Terraform's error; left as text
        text = self.source.text
        cut = len(text[self.done:start].rstrip()) + self.done if block.opening.strip_before \
            else start
        self._literal(max(cut, self.done))
        end = block.closing.end
        if block.closing.strip_after:
            end += len(text[end:]) - len(text[end:].lstrip())
        self.done = end
        index = len(self.placeholders)
        tag = text[start:block.opening.end]
        self.placeholders.append(Placeholder(index, tag, "directive", tag,
                                             self.source.location(start)))
        if block.branches is not None:
            self.branches[index] = block.branches
        self.out.add(sentinel(index), self.source, start)

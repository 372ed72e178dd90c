"""The arguments of one visible call, turned into template text (``format`` style).

A literal argument becomes its value (Jinja ``{{ x }}`` becomes ``{x}``, other braces
doubled, every character mapped to the literal's
own character); any other argument becomes ``{source text}`` standing at the argument; generated
text stands at the call's first character.
"""

from __future__ import annotations

import ast
import re

from redshift_iam.inputs.scanning.fragments import Fragment, TextBuilder
from redshift_iam.inputs.scanning.host import HostText
from redshift_iam.inputs.scanning.pystrings import read_literals

JINJA = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.DOTALL)
MISSING = object()
UNKNOWN = object()


class CallArgs:
    """Named access to a call's arguments; ``order`` names the positional parameters."""

    def __init__(self, call: ast.Call, host: HostText, order: tuple[str, ...]) -> None:
        self.host, self.call = host, call
        self.args: dict[str, ast.AST] = dict(zip(order, call.args, strict=False))
        self.args.update({kw.arg: kw.value for kw in call.keywords if kw.arg})
        self.builder = TextBuilder()
        self.at = host.offset(call.lineno, call.col_offset)

    def value(self, name: str, default: object = MISSING) -> object:
        """The literal value of ``name`` (strings, numbers, booleans, None, lists of those),
        ``default`` when absent, ``UNKNOWN`` when it is not a literal."""
        node = self.args.get(name)
        if node is None:
            return default
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            return UNKNOWN

    def source(self, name: str) -> str:
        """The argument's source text on one line."""
        node = self.args[name]
        start = self.host.offset(node.lineno, node.col_offset)
        end = self.host.offset(node.end_lineno, node.end_col_offset)
        return " ".join(self.host.text[start:end].split())

    def text(self, text: str) -> None:
        """Generated text, standing at the call."""
        self.host.put(self.builder, text.replace("{", "{{").replace("}", "}}"), self.at)

    def raw(self, text: str, name: str = "") -> None:
        """Generated template text (placeholders kept), standing at the argument ``name``
        when the call passes it, else at the call."""
        node = self.args.get(name)
        at = self.host.offset(node.lineno, node.col_offset) if node is not None else self.at
        self.host.put(self.builder, text, at)

    def emit(self, name: str, node: ast.AST | None = None, quotes: bool = False) -> None:
        """The argument ``name`` (or the list item ``node``): a string literal's value, an
        f-string's template text, another constant's text, else ``{source}``. ``quotes``
        doubles single quotes (the value stands inside a quoted SQL string)."""
        node = node if node is not None else self.args[name]
        start = self.host.offset(node.lineno, node.col_offset)
        end = self.host.offset(node.end_lineno, node.end_col_offset)
        is_text = isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str))
        if is_text and read_literals(self.host, start, end, probe := TextBuilder()):
            self._value(probe, template=isinstance(node, ast.JoinedStr), quotes=quotes)
        elif isinstance(node, ast.Constant):
            self.host.put(self.builder, str(node.value), start)
        else:
            source = " ".join(self.host.text[start:end].split())
            self.host.put(self.builder, "{" + source + "}", start)

    def _value(self, probe: TextBuilder, template: bool, quotes: bool) -> None:
        """Copy ``probe`` character by character. A plain literal's braces are doubled and its
        Jinja ``{{ expr }}`` (Airflow renders its template fields before building the SQL)
        becomes the placeholder ``{expr}``; an f-string's text is a template already."""
        text, index = probe.text(), 0
        fragment = Fragment("", "", text, "", tuple(probe.runs), {}, ())
        matches = [] if template else list(JINJA.finditer(text))
        for match in [*matches, None]:
            stop = match.start() if match else len(text)
            for offset in range(index, stop):
                _, line, col, _ = fragment.location(offset)
                char = text[offset]
                doubled = (char in "{}" and not template) or (char == "'" and quotes)
                self.builder.add(char * 2 if doubled else char, line, col, 0 if doubled else 1)
            if match:
                _, line, col, _ = fragment.location(match.start())
                self.builder.add("{" + match.group(1) + "}", line, col, 0)
                index = match.end()

    def items(self, name: str, separator: str) -> None:
        """A list argument: each item emitted, joined by ``separator``; non-list: ``{source}``."""
        node = self.args[name]
        if not isinstance(node, (ast.List, ast.Tuple)):
            self.emit(name)
            return
        for index, item in enumerate(node.elts):
            if index:
                self.text(separator)
            self.emit(name, item)

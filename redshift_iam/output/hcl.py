"""HCL text in ``terraform fmt`` layout: two-space indents, ``=`` aligned across consecutive
single-line attributes (a multi-line value, a comment or a nested block ends the run, as
``terraform fmt`` does), lists one item per line with a trailing comma.

Every string is written by :func:`string`: ``json.dumps`` escaping plus ``$${``/``%%{`` so
HCL never reads a template in it; only the tool's own references (:class:`Ref`, checked
against :data:`REFERENCE`) are written bare or interpolated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import NamedTuple

REFERENCE = re.compile(r"^(?:string|(?:data\.)?[a-z][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\Z")
_BARE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*\Z")


class HclError(Exception):
    """A value the writer refuses (a reference that is not one of the tool's)."""


class Ref(NamedTuple):
    """A bare expression such as ``aws_iam_role.etl.arn`` or ``var.etl_role_name``."""

    expression: str


class Expr(NamedTuple):
    """An expression this module built (:func:`call`, :func:`index`): Terraform functions
    over references, numbers and quoted strings, written as is."""

    text: str


# The functions :func:`call` writes: what the renderer needs to take S3 locations and role
# ARNs apart.
FUNCTIONS = frozenset({"trimprefix", "split", "replace", "regex"})


class Call(NamedTuple):
    """``name(argument)``, e.g. ``jsonencode({...})``."""

    name: str
    argument: object


class Block(NamedTuple):
    """``kind "label" ... { attributes }``; attributes are (key, value) pairs, and a value
    may itself be a Block (written without ``=``)."""

    kind: str
    labels: tuple[str, ...]
    attributes: tuple[tuple[str, object], ...]


class Commented(NamedTuple):
    """A list item with ``#`` comment lines above it."""

    comments: tuple[str, ...]
    node: object


Resolver = Callable[[object], str]  # a symbol -> the reference that computes it


def reference(expression: str | Expr) -> str:
    if isinstance(expression, Expr):
        return expression.text
    if not REFERENCE.match(expression):
        raise HclError(f"not a reference: {expression!r}")
    return expression


def string(parts: tuple, resolve: Resolver) -> str:
    """A quoted HCL string of literal parts and symbols (interpolated)."""
    out = []
    for index, part in enumerate(parts):
        if isinstance(part, str):
            text = json.dumps(part, ensure_ascii=False)[1:-1]
            if index + 1 < len(parts) and text.endswith("$"):  # "$${" would be a literal
                raise HclError(f"{part!r} ends with '$' before an interpolation")
            out.append(text.replace("${", "$${").replace("%{", "%%{"))
        elif isinstance(part, (Ref, Expr)):
            out.append("${" + reference(part if isinstance(part, Expr) else part.expression)
                       + "}")
        else:
            out.append("${" + reference(resolve(part)) + "}")
    return '"' + "".join(out) + '"'


def _unresolvable(symbol: object) -> str:
    raise HclError(f"no reference for {symbol!r} here")


def call(name: str, *arguments: object) -> Expr:
    """``name(argument, ...)``: each argument a :class:`Ref`, an :class:`Expr`, an int, or a
    string (a tuple of literal text, Refs and Exprs, quoted and interpolated)."""
    if name not in FUNCTIONS:
        raise HclError(f"not a function the writer uses: {name!r}")
    return Expr(f"{name}({', '.join(map(_argument, arguments))})")


def _argument(node: object) -> str:
    if isinstance(node, Ref):
        return reference(node.expression)
    if isinstance(node, Expr):
        return node.text
    if isinstance(node, int):
        return str(node)
    return string(node if isinstance(node, tuple) else (node,), _unresolvable)


def index(node: Expr, position: int) -> Expr:
    """``node[position]``."""
    return Expr(f"{node.text}[{int(position)}]")


def comment(text: str) -> str:
    """A one-line ``#`` comment; control characters (a newline in a file name) escaped."""
    return "# " + "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)


def expression(node: object, depth: int, resolve: Resolver) -> str:
    """``node`` as an HCL expression whose continuation lines are indented for ``depth``."""
    if isinstance(node, Ref):
        return reference(node.expression)
    if isinstance(node, Call):
        return f"{node.name}({expression(node.argument, depth, resolve)})"
    if isinstance(node, str):
        return string((node,), resolve)
    if isinstance(node, tuple) and len(node) == 1 and not isinstance(node[0], str):
        return reference(resolve(node[0]))  # a lone symbol: bare, as terraform fmt prefers
    if isinstance(node, tuple):
        return string(node, resolve)
    if isinstance(node, dict):
        return body(tuple(node.items()), depth, resolve)
    if isinstance(node, list):
        return _list(node, depth, resolve)
    return json.dumps(node)  # numbers, booleans


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def body(entries: tuple[tuple[str, object], ...], depth: int, resolve: Resolver) -> str:
    """``{ key = value ... }`` (an object or a block's body) with aligned runs of ``=``."""
    if not entries:
        return "{}"
    pad = "  " * (depth + 1)
    lines: list[str] = []
    run: list[tuple[str, str]] = []  # key = value lines whose "=" align

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in run)
        run.clear()

    for key, value in entries:
        if isinstance(value, Block):
            flush()
            lines.append(pad + block(value, depth + 1, resolve))
            continue
        text = expression(value, depth + 1, resolve)
        if "\n" in text:
            flush()
            lines.append(f"{pad}{_key(key)} = {text}")
        else:
            run.append((_key(key), text))
    flush()
    return "{\n" + "\n".join(lines) + "\n" + "  " * depth + "}"


def _list(items: list, depth: int, resolve: Resolver) -> str:
    if not items:
        return "[]"
    pad, lines = "  " * (depth + 1), []
    for item in items:
        if isinstance(item, Commented):
            lines += [pad + comment(c) for c in item.comments]
            item = item.node
        lines.append(f"{pad}{expression(item, depth + 1, resolve)},")
    return "[\n" + "\n".join(lines) + "\n" + "  " * depth + "]"


def block(node: Block, depth: int, resolve: Resolver) -> str:
    labels = "".join(f" {json.dumps(label)}" for label in node.labels)
    return f"{node.kind}{labels} {body(node.attributes, depth, resolve)}"

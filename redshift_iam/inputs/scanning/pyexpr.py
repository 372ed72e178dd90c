"""Pure readings of Python expressions for ``pyvalues``: a ``configparser`` constructor, the
default an environment or Airflow ``Variable`` read states, and ``str.format``/``%`` applied to
known texts (only plain fields and ``%s``: nothing but the given texts is read)."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable

from redshift_iam.inputs.scanning.fragments import Binding

PARSERS = {"ConfigParser": False, "SafeConfigParser": False, "RawConfigParser": True}
PERCENT = re.compile(r"%(.)")
MAX_TEXT = 1 << 16  # a composed value longer than 64 KiB is not followed (A = B + B + ...)


def parser(node: ast.AST) -> bool | None:
    """Is ``node`` a configparser constructor call (its value: raw), else None."""
    if not isinstance(node, ast.Call) or node.args or any(
            k.arg not in ("interpolation", "allow_no_value") for k in node.keywords):
        return None
    name = dotted(node.func).rsplit(".", 1)[-1]
    raw = PARSERS.get(name)
    if raw is None:
        return None
    return raw or any(k.arg == "interpolation" and isinstance(k.value, ast.Constant)
                      and k.value.value is None for k in node.keywords)


def default(path: str, call: ast.Call, name: str) -> Binding | None:
    """The default an environment or Airflow Variable read states (marked a default):
    ``os.environ.get(K, D)``, ``os.getenv(K, D)`` (or ``default=D``),
    ``Variable.get(K, D)`` (or ``default_var=D``); K and D literals."""
    keyword = "default_var" if name.endswith("Variable.get") else "default"
    if keyword == "default" and name not in ("os.environ.get", "environ.get", "os.getenv",
                                             "getenv"):
        return None
    given = call.args[1] if len(call.args) == 2 else next(
        (k.value for k in call.keywords if k.arg == keyword), None)
    text = literal(given) if given is not None else None
    if text is None or given is None or not call.args or literal(call.args[0]) is None:
        return None
    return Binding(text, f"{path}:{given.lineno} default of {name}({call.args[0].value!r})",
                   True)


def joined(parts: list[Binding | None], combine: Callable[[list[str]], str | None],
            path: str, node: ast.AST) -> Binding | None:
    """A value composed of known parts: ``combine`` of their texts. Its origin: the parts'
    origins but those of literals written in ``node`` itself (its own line if none is left)."""
    if any(part is None for part in parts):
        return None
    known = [part for part in parts if part is not None]
    if sum(len(part.value) for part in known) > MAX_TEXT:
        return None
    try:
        text = combine([part.value for part in known])
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if text is None or len(text) > MAX_TEXT:
        return None
    first, last = node.lineno, node.end_lineno or node.lineno
    inside = {f"{path}:{line}" for line in range(first, last + 1)}
    origins = [p.origin for p in known if p.origin and p.origin not in inside]
    origin = ", ".join(dict.fromkeys(origins)) or f"{path}:{first}"
    return Binding(text, origin, any(p.default for p in known))


def format_known(template: str, args: list[str], keywords: dict[str, str]) -> str | None:
    """``template.format`` when every field is a plain name or index (no attribute,
    index, conversion or format spec: ``{:99999999}`` would build a huge text): nothing but
    the given texts is read."""
    count = 0
    for _, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        count += 1
        if conversion or spec or not (
                field == "" or field.isdigit() or field.isidentifier()):
            return None
    longest = max(map(len, [*args, *keywords.values()]), default=0)
    return None if count * longest > MAX_TEXT else template.format(*args, **keywords)


def percent_known(template: str, args: list[str]) -> str | None:
    """``template % args`` for ``%s`` and ``%%`` only."""
    if any(m.group(1) not in "s%" for m in PERCENT.finditer(template)):
        return None
    return template % tuple(args)


def literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return node.id if isinstance(node, ast.Name) else ""

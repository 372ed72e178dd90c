"""How ``pyscan`` reads one statement literal: its :class:`Template` (style, positional
names, the values its call gives and the expressions its placeholders name), a :class:`Found`
place, and the small readings of literals both ``pyscan`` and ``pybind`` use."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import NamedTuple

from redshift_iam.inputs.scanning.fragments import Binding, Fragment, Skipped
from redshift_iam.inputs.scanning.host import HostText
from redshift_iam.inputs.scanning.sqlstart import starts_statement

Nodes = tuple[tuple[str, ast.expr], ...]  # placeholder name -> the expression it names


class Template:
    """How one literal node is read: its style, positional names, the bindings its call
    gives (``keywords``; ``aliases``: field name -> the module constant passed for it;
    ``renames``: field name -> the source text of the expression passed for it, see
    :func:`keyword_names`) and which module constants it reads (``names``; None: every
    one)."""

    def __init__(self, style: str, positional: tuple[str, ...] = (),
                 keywords: dict[str, Binding] | None = None,
                 aliases: dict[str, str] | None = None,
                 names: frozenset[str] | None = frozenset(), nodes: Nodes = (),
                 place: ast.AST | None = None, renames: dict[str, str] | None = None) -> None:
        self.style, self.positional, self.keywords = style, positional, keywords or {}
        self.aliases, self.names, self.renames = aliases or {}, names, renames or {}
        self.nodes, self.place = nodes, place  # expressions named; where it is formatted

    def reads(self) -> frozenset[str] | None:
        """The module constants its placeholders may name (positional slots and renamed
        keyword fields are named by the argument's source text); ``aliases`` are looked up
        apart."""
        if self.names is None:
            return None
        return self.names | frozenset(self.positional) | frozenset(self.renames.values())


class Found(NamedTuple):
    """A fragment or skipped place, where it stands, and (fragments) what it reads."""

    position: tuple[int, int]
    item: Fragment | Skipped
    place: ast.AST | None = None
    template: Template | None = None


def positional(host: HostText, items: list[ast.expr]) -> tuple[str, ...]:
    """Each positional argument's source text; none after a ``*args`` (its length is unknown)."""
    names: list[str] = []
    for item in items:
        if isinstance(item, ast.Starred) or (names and names[-1] == ""):
            names.append("")
        else:
            names.append(source_text(host, item))
    return tuple(names)


def keyword_names(host: HostText, pairs: Iterable[tuple[str | None, ast.expr]]
                  ) -> dict[str, str]:
    """Field name -> the source text of the expression passed for it, for each keyword
    argument (or ``%`` dict entry) that is neither a literal (a binding) nor a plain name (an
    alias: the field keeps its name): ``.format(bucket=cfg.bucket)`` names ``{bucket}``
    ``cfg.bucket``, as a positional slot is named. A ``None`` key (an unpacking) may override
    every entry before it, so those are dropped."""
    names: dict[str, str] = {}
    for key, value in pairs:
        if key is None:
            names = {}
        elif not isinstance(value, (ast.Constant, ast.Name)):
            names[key] = source_text(host, value)
    return names


def renamed(pairs: Iterable[tuple[str | None, ast.expr]], names: dict[str, str]
            ) -> list[tuple[str | None, ast.expr]]:
    """``pairs`` with each field that ``names`` renames under its new name."""
    return [(names.get(key, key) if key else key, value) for key, value in pairs]


def is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str))


def quick_check(node: ast.AST) -> bool:
    """Could this literal hold a statement? (its constant parts, fields as ``{}``)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and starts_statement(node.value)
    if isinstance(node, ast.JoinedStr):
        return starts_statement("".join(
            v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))
    return False


def source_text(host: HostText, node: ast.AST) -> str:
    start = host.offset(node.lineno, node.col_offset)
    return " ".join(host.text[start: host.offset(node.end_lineno, node.end_col_offset)].split())

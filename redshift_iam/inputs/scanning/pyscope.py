"""Which module-level string constants Python would read at a place of a module.

A module constant is a name the module binds exactly once, by one ``NAME = "literal"`` (or
``NAME: T = "literal"``, ``A = B = "literal"``) statement at its top level. Any other binding
of the name in the module's scope makes it no constant, wherever it stands: a second
assignment, one inside ``if``/``for``/``while``/``try``/``with``/``match``, ``+=``, a
``for``/``with``/``except``/``match`` target, an import, ``def``/``class``, ``del``, a walrus,
an assignment in a function or class that declares the name ``global``, or a
``from m import *`` after the constant.

:meth:`Scopes.visible` gives the constants a place reads under Python's scoping: a name that
the place's own scope binds (a parameter, a local, a loop or comprehension variable, ``with
... as``, ``except ... as``, an import, a walrus...) or that an enclosing function binds is
not the module's; class bodies hide their names from the functions inside them. A place that
runs at import time (not inside a function or lambda) and stands before the constant does
not read it. When the tool cannot be sure, the name has no binding.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from redshift_iam.inputs.scanning.fragments import Binding
from redshift_iam.inputs.scanning.host import HostText

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_STAR = "*"


@dataclass
class _Scope:
    kind: str  # module, function, class, comprehension
    parent: _Scope | None
    bound: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)


@dataclass
class _Constant:
    name: str
    binding: Any  # a Binding (or a pyvalues value)
    position: tuple[int, int]  # where its statement ends


class Scopes:
    """The module's scopes, its constants, and the scope of each place asked about."""

    def __init__(self, tree: ast.Module, host: HostText, path: str,
                 candidates: dict[int, tuple[str, Any, tuple[int, int]]] | None = None) -> None:
        """``candidates``: the top-level ``NAME = value`` targets whose value is known (by id
        of the Name node: name, value, where the statement ends; ``pyvalues``); None: the
        string literals."""
        literals = _top_literals(tree, path) if candidates is None else {
            key: _Constant(*value) for key, value in candidates.items()}
        self.module = _Scope("module", None)
        self.places: dict[int, _Scope] = {}
        records: list[tuple[_Scope, str, int]] = []  # (scope, name, id of the binding node)
        stars: list[int] = []
        for node, scope in _walk(_mentioning(tree, host, literals), self.module, self.places):
            for name, where in _bindings_of(node, scope):
                if name == _STAR:
                    stars.append(node.lineno)
                else:
                    records.append((where, name, id(node)))
        self.constants = {} if _rebinds_namespace(tree) else _constants(records, literals, stars)

    def visible(self, place: ast.AST) -> dict[str, Any]:
        """The module constants the code at ``place`` reads, by name."""
        scope = self.places.get(id(place), self.module)
        position = (getattr(place, "lineno", 0), getattr(place, "col_offset", 0))
        deferred = _deferred(scope)
        return {name: constant.binding for name, constant in self.constants.items()
                if _reads_module(scope, name) and (deferred or constant.position <= position)}


def _mentioning(tree: ast.Module, host: HostText,
                literals: dict[int, _Constant]) -> list[ast.stmt]:
    """The top-level statements whose text names a candidate constant (or imports ``*``),
    and every one that holds other than ASCII (Python reads ``Ｐ`` as ``P``): a statement
    that never writes the name can neither bind it nor read it, so it need not be walked (a
    module of 10,000 lines is then read at the cost of a few statements)."""
    names = sorted({constant.name for constant in literals.values()})
    if not names:
        return []
    mention = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b|import\s*\*")
    found = []
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        last = stmt.end_lineno or stmt.lineno
        end = host.starts[last] if last < len(host.starts) else len(host.text)
        text = host.text[host.starts[first - 1]:end]
        if not text.isascii() or mention.search(text):
            found.append(stmt)
    return found


def _top_literals(tree: ast.Module, path: str) -> dict[int, _Constant]:
    """The targets of top-level ``NAME = "literal"`` statements, by id of the Name node."""
    found: dict[int, _Constant] = {}
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        value = getattr(stmt, "value", None)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            end = (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0)
            for target in targets:
                if isinstance(target, ast.Name):
                    found[id(target)] = _Constant(
                        target.id, Binding(value.value, f"{path}:{stmt.lineno}"), end)
    return found


_NAMESPACE_WRITERS = frozenset({"globals", "vars", "setattr", "locals", "exec", "eval"})
_NAMESPACE_ATTRS = frozenset({"modules", "__dict__", "setattr"})


def _rebinds_namespace(tree: ast.Module) -> bool:
    """Might the module rebind its names through its namespace (``globals()["B"] = ...``,
    ``vars().update(...)``, ``setattr(sys.modules[__name__], ...)``)? Then no constant of it
    is known: every one may be rebound, so each is left unresolved rather than granted as its
    first value."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _NAMESPACE_WRITERS:
            return True
        if isinstance(node, ast.Attribute) and node.attr in _NAMESPACE_ATTRS:
            return True
    return False


def _constants(records: list[tuple[_Scope, str, int]], literals: dict[int, _Constant],
               stars: list[int]) -> dict[str, _Constant]:
    """Names bound in module scope once, by a top-level literal assignment, after any star
    import."""
    module_bindings: dict[str, list[int]] = {}
    for scope, name, node in records:
        if scope.kind == "module" or name in scope.globals:
            module_bindings.setdefault(name, []).append(node)
    found = {}
    for name, nodes in module_bindings.items():
        constant = literals.get(nodes[0]) if len(nodes) == 1 else None
        if constant is not None and all(line < constant.position[0] for line in stars):
            found[name] = constant
    return dict(sorted(found.items()))


def _reads_module(scope: _Scope, name: str) -> bool:
    """Does ``name`` read at ``scope`` resolve to the module's binding?"""
    current: _Scope | None = scope
    while current is not None and current.kind != "module":
        if current is scope or current.kind != "class":  # outer class bodies are skipped
            if name in current.globals:
                return True
            if name in current.nonlocals or name in current.bound:
                return False
        current = current.parent
    return True


def _deferred(scope: _Scope) -> bool:
    """Does code in ``scope`` run later than the module's top level (inside a function)?"""
    current: _Scope | None = scope
    while current is not None:
        if current.kind == "function":
            return True
        current = current.parent
    return False


def _walk(statements: list[ast.stmt], module: _Scope,
          places: dict[int, _Scope]) -> Iterator[tuple[ast.AST, _Scope]]:
    """Every node of ``statements`` with the scope it belongs to (a function's defaults
    and decorators are put in its own scope: a name they read is then seen as more shadowed,
    never less)."""
    stack: list[tuple[ast.AST, _Scope]] = [(stmt, module) for stmt in reversed(statements)]
    while stack:
        node, scope = stack.pop()
        if isinstance(node, (ast.Constant, ast.JoinedStr, ast.Call, ast.BinOp, ast.Name)):
            places[id(node)] = scope
        yield node, scope
        inner = scope
        if isinstance(node, _FUNCTIONS):
            inner = _Scope("function", scope, set(_parameters(node.args)))
        elif isinstance(node, ast.ClassDef):
            inner = _Scope("class", scope)
        elif isinstance(node, _COMPREHENSIONS):
            inner = _Scope("comprehension", scope)
        elif isinstance(node, ast.Global):
            scope.globals.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            scope.nonlocals.update(node.names)
        for param in getattr(node, "type_params", ()):  # Python 3.12: def f[T]()
            inner.bound.add(param.name)
        stack.extend(reversed(_children(node, scope, inner)))


def _children(node: ast.AST, scope: _Scope, inner: _Scope) -> list[tuple[ast.AST, _Scope]]:
    """The child nodes to visit, with their scope: a walrus binds in the nearest scope that
    is not a comprehension; ``x: int`` without a value binds nothing at module or class
    level (in a function it makes ``x`` local)."""
    if isinstance(node, ast.NamedExpr):
        target = scope
        while target.kind == "comprehension" and target.parent is not None:
            target = target.parent
        return [(node.target, target), (node.value, scope)]
    if isinstance(node, ast.AnnAssign) and node.value is None and scope.kind != "function":
        return [(node.annotation, scope)]
    return [(child, inner) for child in ast.iter_child_nodes(node)]


def _parameters(arguments: ast.arguments) -> Iterator[str]:
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
    return (arg.arg for arg in every)


def _bindings_of(node: ast.AST, scope: _Scope) -> Iterator[tuple[str, _Scope]]:
    """The names ``node`` binds, each with the scope it binds in (``*`` for a star import)."""
    names: list[str] = []
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        names = [node.id]
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names = [node.name]
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [alias.asname or alias.name.split(".")[0] for alias in node.names]
    elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        names = [node.name]
    elif isinstance(node, ast.MatchMapping) and node.rest:
        names = [node.rest]
    for name in names:
        scope.bound.add(name)
        yield name, scope

"""Where a name of a Python module is bound, for :mod:`pyvalues`: the top-level functions
and the methods of top-level classes (a *frame*), the names each binds and how often, and
what ``__init__`` stores on the instance. Read with ``ast``; nothing runs.

A local is known only when its function binds it exactly once, by a plain ``NAME = value``
statement directly in the function's body (not under ``if``/``for``/``try``/``with``), and
does not declare it ``global``/``nonlocal``; a use before that statement reads nothing. An
instance attribute ``self.x`` is known when ``__init__`` assigns it once, directly in its
body, and no other method of the class assigns it; else a class attribute ``x = value``
bound once in the class body. Anything else is unknown (never a guess).
"""

from __future__ import annotations

import ast
from collections import Counter
from typing import NamedTuple

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Frame(NamedTuple):
    """A function (or method): its node, class (None for a module function), the names it
    binds (with counts), its once-bound plain assignments, and its parameters."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    owner: ast.ClassDef | None
    bound: Counter[str]
    assigned: dict[str, ast.Assign]
    params: dict[str, ast.expr | None]  # parameter -> its default (None: none)
    nested: tuple[tuple[tuple[int, int], tuple[int, int]], ...]  # spans of inner scopes

    @property
    def self_name(self) -> str:
        """The instance parameter's name (a method's first parameter), or ''."""
        args = [*self.node.args.posonlyargs, *self.node.args.args]
        return args[0].arg if self.owner is not None and args else ""


class ClassInfo(NamedTuple):
    """A top-level class: ``init`` (its ``__init__`` frame), instance attributes set there
    once (name -> value), and class attributes bound once in its body."""

    node: ast.ClassDef
    init: Frame | None
    instance: dict[str, ast.expr]
    attributes: dict[str, ast.expr]


def frames_of(tree: ast.Module) -> tuple[list[Frame], dict[str, ClassInfo]]:
    """The frames of the module, and its top-level classes by name."""
    frames: list[Frame] = []
    classes: dict[str, ClassInfo] = {}
    for stmt in tree.body:
        if isinstance(stmt, _FUNCTIONS):
            frames.append(_frame(stmt, None))
        elif isinstance(stmt, ast.ClassDef):
            methods = [_frame(item, stmt) for item in stmt.body if isinstance(item, _FUNCTIONS)]
            frames.extend(methods)
            classes[stmt.name] = _class(stmt, methods)
    return frames, classes


def frame_at(frames: list[Frame], node: ast.AST) -> Frame | None:
    """The frame whose own scope holds ``node``; None at module level and inside a scope
    nested in a frame (a nested function, lambda or class: there only ``pyscope``'s
    module constants are followed, under Python's scoping)."""
    place = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    for frame in frames:
        if _span(frame.node)[0] <= place <= _span(frame.node)[1]:
            inner = any(start <= place <= end for start, end in frame.nested)
            return None if inner else frame
    return None


def _span(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    return ((node.lineno, node.col_offset),
            (node.end_lineno or node.lineno, node.end_col_offset or 0))


def _frame(node: ast.FunctionDef | ast.AsyncFunctionDef, owner: ast.ClassDef | None) -> Frame:
    bound: Counter[str] = Counter()
    declared: set[str] = set()
    for child in _own_nodes(node):
        bound.update(_binds(child))
        if isinstance(child, (ast.Global, ast.Nonlocal)):
            declared.update(child.names)
    assigned = {stmt.targets[0].id: stmt for stmt in node.body
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and bound[stmt.targets[0].id] == 1 and stmt.targets[0].id not in declared}
    nested = tuple(_span(child) for child in _own_nodes(node)
                   if isinstance(child, (*_FUNCTIONS, ast.ClassDef, ast.Lambda)))
    return Frame(node, owner, bound, assigned, _params(node.args), nested)


def _params(arguments: ast.arguments) -> dict[str, ast.expr | None]:
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    found: dict[str, ast.expr | None] = {arg.arg: default for arg, default in
                                         zip(positional, defaults, strict=True)}
    found.update({arg.arg: default for arg, default in
                  zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)})
    return found


def _own_nodes(node: ast.AST) -> list[ast.AST]:
    """The nodes of a function's own scope (nested functions and classes: only their name)."""
    found, stack = [], list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        found.append(child)
        if not isinstance(child, (*_FUNCTIONS, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(child))
    return found


def _binds(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    return []


def _class(node: ast.ClassDef, methods: list[Frame]) -> ClassInfo:
    stores: Counter[str] = Counter()
    for method in methods:
        me = method.self_name
        stores.update(child.attr for child in _own_nodes(method.node)
                      if isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Store)
                      and isinstance(child.value, ast.Name) and child.value.id == me)
    init = next((m for m in methods if m.node.name == "__init__"), None)
    instance: dict[str, ast.expr] = {}
    for stmt in init.node.body if init else ():
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
            else None
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                and target.value.id == init.self_name and stores[target.attr] == 1:
            instance[target.attr] = stmt.value
    body: Counter[str] = Counter()
    for item in node.body:
        nodes = [item] if isinstance(item, (*_FUNCTIONS, ast.ClassDef)) else ast.walk(item)
        body.update(name for child in nodes for name in _binds(child))
    attributes = {stmt.targets[0].id: stmt.value for stmt in node.body
                  if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                  and isinstance(stmt.targets[0], ast.Name) and body[stmt.targets[0].id] == 1
                  and stores[stmt.targets[0].id] == 0}
    return ClassInfo(node, init, instance, attributes)

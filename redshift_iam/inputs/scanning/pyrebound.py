"""Statement literals bound to a name that the same scope binds again.

Contract of :func:`rebound_literals`: for every ``NAME = <string literal>`` in a module or
function body whose ``NAME`` has another binding in that same scope (``NAME += ...``,
``NAME = NAME.replace(...)``, a second assignment, a loop target...), the literal's node id
maps to ``(NAME, line of the first other binding)``. The literal found there is then not the
statement that runs (RULES: a name bound more than once in its scope is unresolved, never its
first value). Likewise (:func:`extended_literals`) a literal whose name is read into more text
(``NAME + ' MANIFEST'``, ``f"{NAME} ..."``, ``' '.join([NAME, opts])``): the statement that runs
is the longer text, which the scanner does not read.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class Rebound(NamedTuple):
    """The name holding a statement literal, and the line where it is bound again (or, with
    ``extended``, where its text is read into a longer text)."""

    name: str
    line: int
    extended: bool = False


def rebound_literals(tree: ast.Module) -> dict[int, Rebound]:
    """Node id of each statement-literal value -> where its name is bound again."""
    found: dict[int, Rebound] = {}
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, _SCOPES))]:
        found.update(_in_scope(scope))
    return found


def _in_scope(scope: ast.AST) -> dict[int, Rebound]:
    bindings: dict[str, list[ast.AST]] = {}
    for node in _own_nodes(scope):
        for name in _bound_names(node):
            bindings.setdefault(name, []).append(node)
    found = {}
    for name, nodes in bindings.items():
        for node in nodes:
            if len(nodes) > 1 and isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
                    node.value, (ast.Constant, ast.JoinedStr)):
                other = min(n.lineno for n in nodes if n is not node)
                found[id(node.value)] = Rebound(name, other)
    return found


def _own_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes of ``scope``'s body, not those of nested functions or classes."""
    nodes, stack = [], list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        nodes.append(node)
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return nodes


def _bound_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        targets = [node.optional_vars]
    else:
        return []
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def extended_literals(tree: ast.Module) -> dict[int, Rebound]:
    """Node id of each literal bound once to a name -> the first place that name's text is
    read into a longer text: an operand of ``+``, a part of an f-string, an item joined by
    ``.join``. Loads are looked for in the literal's scope and in the scopes nested in it that
    do not bind the name themselves."""
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: dict[int, Rebound] = {}
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, _SCOPES))]:
        literals = _single_literals(scope)
        if not literals:
            continue
        for load in _visible_loads(scope, frozenset(literals)):
            literal = literals[load.id]
            if id(literal) not in found and _extends(load, parents):
                found[id(literal)] = Rebound(load.id, load.lineno, extended=True)
    return found


def _single_literals(scope: ast.AST) -> dict[str, ast.AST]:
    """Names bound exactly once in ``scope``, by an assignment of a string literal."""
    bindings: dict[str, list[ast.AST]] = {}
    for node in _own_nodes(scope):
        for name in _bound_names(node):
            bindings.setdefault(name, []).append(node)
    return {name: nodes[0].value for name, nodes in bindings.items() if len(nodes) == 1
            and isinstance(nodes[0], (ast.Assign, ast.AnnAssign))
            and isinstance(nodes[0].value, (ast.Constant, ast.JoinedStr))}


def _visible_loads(scope: ast.AST, names: frozenset[str]) -> list[ast.Name]:
    """Loads of ``names`` in ``scope`` and in nested scopes that do not bind them (their own
    assignments or parameters)."""
    loads: list[ast.Name] = []
    stack: list[tuple[ast.AST, frozenset[str]]] = [(scope, names)]
    while stack:
        current, visible = stack.pop()
        nodes = _own_nodes(current)
        if current is not scope:
            visible = visible - _parameters(current) - {
                n for node in nodes for n in _bound_names(node)}
        for node in nodes:
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                    and node.id in visible:
                loads.append(node)
            elif isinstance(node, _SCOPES) and visible:
                stack.append((node, visible))
    return loads


def _parameters(scope: ast.AST) -> set[str]:
    arguments = getattr(scope, "args", None)
    if not isinstance(arguments, ast.arguments):
        return set()
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
             *(a for a in (arguments.vararg, arguments.kwarg) if a is not None)]
    return {argument.arg for argument in every}


# Calls that build a longer text from the arguments they are passed (str.__add__(BASE, x),
# operator.add, "{} MANIFEST".format(BASE), Template(...).substitute(b=BASE)...).
_BUILDERS = frozenset({"format", "format_map", "__add__", "__radd__", "__mod__", "add",
                       "concat", "iconcat", "join", "substitute", "safe_substitute"})
# Methods whose result is the same statement (their result is judged like the name itself).
_SAME = frozenset({"strip", "lstrip", "rstrip", "encode"})


def _extends(load: ast.AST, parents: dict[int, ast.AST]) -> bool:
    parent = parents.get(id(load))
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Add, ast.Mod)):
        return True
    if isinstance(parent, ast.FormattedValue):
        return True
    if isinstance(parent, (ast.List, ast.Tuple, ast.Dict)):
        return _container_extends(parent, parents)
    if isinstance(parent, ast.keyword):
        parent = parents.get(id(parent))
        return isinstance(parent, ast.Call) and _callee(parent) in _BUILDERS
    if isinstance(parent, ast.Call):
        return load in parent.args and _callee(parent) in _BUILDERS
    if isinstance(parent, ast.Attribute) and parent.value is load:
        call = parents.get(id(parent))
        if parent.attr == "format" or not isinstance(call, ast.Call):
            return False
        return _extends(call, parents) if parent.attr in _SAME else True
    return False


def _container_extends(container: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """A list, tuple or dict holding the name: joined, %-formatted, concatenated, or passed
    through filter/list/tuple/sorted on the way to one of those."""
    parent = parents.get(id(container))
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Add, ast.Mod)):
        return True
    if isinstance(parent, ast.Call) and is_join(parent):
        return True
    return isinstance(parent, ast.Call) and _callee(parent) in _PASSING \
        and _container_extends(parent, parents)


_PASSING = frozenset({"filter", "list", "tuple", "sorted", "reversed"})


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id \
        if isinstance(func, ast.Name) else ""


def is_join(call: ast.Call) -> bool:
    """``SEP.join(...)``."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "join"

"""Statement literals bound to a name that the same scope binds again.

Contract of :func:`rebound_literals`: for every ``NAME = <string literal>`` in a module or
function body whose ``NAME`` has another binding in that same scope (``NAME += ...``,
``NAME = NAME.replace(...)``, a second assignment, a loop target...), the literal's node id
maps to ``(NAME, line of the first other binding)``. The literal found there is then not the
statement that runs (RULES: a name bound more than once in its scope is unresolved, never its
first value).
"""

from __future__ import annotations

import ast
from typing import NamedTuple

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class Rebound(NamedTuple):
    """The name holding a statement literal, and the line where it is bound again."""

    name: str
    line: int


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

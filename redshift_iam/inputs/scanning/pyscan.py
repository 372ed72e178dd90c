"""SQL in Python source, read with ``ast``.

Contract of :func:`scan_python`: every string literal whose value holds a statement starting with
COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY (``sqlstart.starts_statement``) becomes a Fragment,
except docstrings (bare string statements, never executed). One fragment covers an implicitly
concatenated literal, and a ``+`` chain of plain literals. Styles: ``auto`` for plain literals
(Jinja in Airflow ``sql=`` strings), ``format`` for f-strings and the receiver of ``.format(...)``
(positional names: the arguments' source text; literal keyword arguments are bindings),
``percent`` for the left side of ``%``
(positional names: the tuple's items, or the single right operand). Module-level ``NAME = "..."``
bindings go with every fragment of the file. Calls that build SQL from arguments are derived by
``pycalls``. Skipped: a ``+`` chain with a non-literal part whose literal part starts a
statement, a statement literal passed through a method other than ``format``/``strip``. Raises
``SyntaxError`` (the caller falls back to the generic scan), ``RecursionError``/``MemoryError``.
"""

from __future__ import annotations

import ast
from bisect import bisect_left

from redshift_iam.inputs.scanning import pycalls
from redshift_iam.inputs.scanning.host import HostText
from redshift_iam.inputs.scanning.model import Binding, Fragment, Skipped, TextBuilder
from redshift_iam.inputs.scanning.pystrings import read_literals
from redshift_iam.inputs.scanning.sqlstart import builds_statement, starts_statement

_HARMLESS_METHODS = frozenset({"format", "strip", "lstrip", "rstrip", "encode"})


class _Template:
    """How one literal node is read: its style and positional names."""

    def __init__(self, style: str, positional: tuple[str, ...] = (),
                 keywords: dict[str, Binding] | None = None) -> None:
        self.style, self.positional, self.keywords = style, positional, keywords or {}


def scan_python(path: str, host: HostText,
                hints: list[int]) -> tuple[list[Fragment], list[Skipped]]:
    """Fragments and skipped places of one Python file (see the module docstring); only the
    subtrees that span a line of ``hints`` (``hints.hint_lines``) are visited."""
    tree = ast.parse(host.text)
    bindings = _bindings(tree, path)
    found: list[tuple[tuple[int, int], Fragment | Skipped]] = []
    templates: dict[int, _Template] = {}
    done: set[int] = set()
    nodes = _near_hints(tree, hints)
    for node in nodes:
        _mark(node, host, path, templates, done, found)
    for node in nodes:
        if _is_str(node) and id(node) not in done and _quick_check(node):
            template = templates.get(id(node)) or _Template(
                "format" if isinstance(node, ast.JoinedStr) else "auto")
            fragment = _fragment(path, host, node, node, template, bindings)
            if fragment is None:
                fragment = _skip(path, host, node, "string literal whose constant text starts a "
                                 "statement could not be read whole: not scanned")
            found.append(((node.lineno, node.col_offset), fragment))
    found.sort(key=lambda item: item[0])
    fragments = [item for _, item in found if isinstance(item, Fragment)]
    fragments = [f if f.bindings else f._replace(bindings=bindings) for f in fragments]
    return fragments, [item for _, item in found if isinstance(item, Skipped)]


def _near_hints(tree: ast.Module, hints: list[int]) -> list[ast.AST]:
    """The nodes whose lines hold a hint of SQL (``hints.hint_lines``), and their ancestors:
    a subtree far from every hint holds no statement and is not visited."""
    nodes, stack = [], [tree]
    while stack:
        node = stack.pop()
        first = getattr(node, "lineno", None)
        if first is not None and not _spans(hints, first, node.end_lineno or first):
            continue
        nodes.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def _mark(node: ast.AST, host: HostText, path: str, templates: dict[int, _Template],
          done: set[int], found: list) -> None:
    """Record what ``node`` says about the literals under it (templates, skips, derived calls)."""
    if isinstance(node, ast.Expr) and _is_str(node.value):
        done.add(id(node.value))  # a docstring or bare string: never executed
    elif isinstance(node, ast.JoinedStr):
        done.update(id(value) for value in ast.walk(node) if value is not node)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_str(node.left):
        right = node.right
        names = () if isinstance(right, ast.Dict) else tuple(
            _source(host, item)
            for item in (right.elts if isinstance(right, ast.Tuple) else [right]))
        templates[id(node.left)] = _Template("percent", names)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        _concatenation(node, host, path, done, found)
    elif isinstance(node, ast.Call):
        _call(node, host, path, templates, done, found)


def _call(node: ast.Call, host: HostText, path: str, templates: dict[int, _Template],
          done: set[int], found: list) -> None:
    """``"...".format(a, b)`` templates, unknown methods on a statement, derived operator calls."""
    func = node.func
    if isinstance(func, ast.Attribute) and _is_str(func.value):
        if func.attr == "format":
            names = tuple(_source(host, arg) for arg in node.args)
            keywords = {kw.arg: Binding(kw.value.value, f"{path}:{kw.value.lineno}")
                        for kw in node.keywords if kw.arg and isinstance(kw.value, ast.Constant)
                        and isinstance(kw.value.value, str)}
            templates[id(func.value)] = _Template("format", names, keywords)
        elif func.attr not in _HARMLESS_METHODS and _quick_check(func.value):
            done.add(id(func.value))
            found.append(((func.value.lineno, func.value.col_offset), _skip(
                path, host, func.value, f"SQL literal passed through .{func.attr}(), which the "
                "scanner cannot follow; write the statement as one literal or a template")))
    derived = pycalls.derive(node, path, host)
    if derived is not None:
        found.append(((node.lineno, node.col_offset), derived))


def _concatenation(node: ast.BinOp, host: HostText, path: str, done: set[int],
                   found: list) -> None:
    """A ``+`` chain: one fragment when every part is a plain literal, else skipped if SQL."""
    if id(node) in done:
        return
    leaves, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.Add):
            done.add(id(item))
            stack.extend((item.right, item.left))
        else:
            leaves.append(item)
    literal = [leaf for leaf in leaves if _is_str(leaf)]
    done.update(id(leaf) for leaf in literal)
    if len(literal) == len(leaves) and all(isinstance(leaf, ast.Constant) for leaf in leaves):
        if starts_statement("".join(leaf.value for leaf in leaves)):
            fragment = _fragment(path, host, node, leaves[-1], _Template("auto"), {})
            if fragment is not None:
                found.append(((node.lineno, node.col_offset), fragment))
        return
    if builds_statement([leaf.value if isinstance(leaf, ast.Constant) and _is_str(leaf) else None
                         for leaf in leaves]):
        found.append(((node.lineno, node.col_offset), _skip(
            path, host, node, "SQL built by concatenation with parts that are not literals ("
            + " + ".join(_source(host, leaf) if not _is_str(leaf) else "'...'" for leaf in leaves)
            + "); write it as one template (f-string or .format) so it can be read whole")))


def _fragment(path: str, host: HostText, first: ast.AST, last: ast.AST, template: _Template,
              bindings: dict[str, Binding]) -> Fragment | None:
    """The fragment of the literal pieces from ``first``'s start to ``last``'s end."""
    start = host.offset(first.lineno, first.col_offset)
    end = host.offset(last.end_lineno, last.end_col_offset)
    builder = TextBuilder()
    braces = isinstance(first, ast.JoinedStr)  # plain pieces joined to an f-string
    if not read_literals(host, start, end, builder, braces) or not builder.runs \
            or not starts_statement(builder.text()):
        return None
    text = builder.text()
    return Fragment(path, "python", text, template.style, tuple(builder.runs),
                    dict(sorted({**bindings, **template.keywords}.items())), template.positional)


def _bindings(tree: ast.Module, path: str) -> dict[str, Binding]:
    """Module-level names bound to one string literal (the last binding wins)."""
    found: dict[str, Binding] = {}
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        value = getattr(stmt, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and isinstance(value, ast.Constant) \
                    and isinstance(value.value, str):
                found[target.id] = Binding(value.value, f"{path}:{stmt.lineno}")
    return dict(sorted(found.items()))


def _spans(hints: list[int], first: int, last: int) -> bool:
    index = bisect_left(hints, first)
    return index < len(hints) and hints[index] <= last


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str))


def _quick_check(node: ast.AST) -> bool:
    """Could this literal hold a statement? (its constant parts, fields as ``{}``)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and starts_statement(node.value)
    if isinstance(node, ast.JoinedStr):
        return starts_statement("".join(
            v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))
    return False


def _source(host: HostText, node: ast.AST) -> str:
    start = host.offset(node.lineno, node.col_offset)
    return " ".join(host.text[start: host.offset(node.end_lineno, node.end_col_offset)].split())


def _skip(path: str, host: HostText, node: ast.AST, reason: str) -> Skipped:
    line, col = host.position(host.offset(node.lineno, node.col_offset))
    return Skipped(path, line, col, reason)

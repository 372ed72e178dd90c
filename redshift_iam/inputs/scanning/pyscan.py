"""SQL in Python source, read with ``ast``.

Contract of :func:`scan_python`: every string literal whose value holds a statement starting with
COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY (``sqlstart.starts_statement``) becomes a Fragment,
except docstrings (bare string statements, never executed). One fragment covers an implicitly
concatenated literal, and a ``+`` chain of plain literals. Styles: ``auto`` for plain literals
(Jinja in Airflow ``sql=`` strings), ``fstring`` for f-strings (fields are expressions),
``format`` for the receiver of ``.format(...)`` (positional names: the arguments' source text;
literal keyword arguments are bindings; other keyword fields but plain names are named by
the argument's source text, ``pytemplate.keyword_names``), ``percent`` for the left side
of ``%`` (positional names: the tuple's items, or the single right operand; a dict literal's
entries are bindings, or named as keyword fields are);
after a ``*args`` the positional slots have no name. A statement literal bound to a name and
formatted through it (``self.copy_sql.format(...)``) is that template once per use. The values
the module states (``pybind``, ``pyvalues``) are bindings where Python reads them: every field
of an f-string, the arguments of ``.format`` and ``%``, the arguments of a derived call, an
operator's ``params=`` for the literals passed with it; a plain literal reads no module
constant (no Python formats it there). ``pending`` receives the fragments that take their
values from each instantiation of a class (``callsites``). Calls that build SQL from
arguments are derived by ``pycalls``.
Skipped: a ``+`` chain with a non-literal part whose literal part starts a statement, a
statement literal passed through a method other than ``format``/``strip``. Raises
``SyntaxError`` (the caller falls back to the generic scan), ``RecursionError``/``MemoryError``.
"""

from __future__ import annotations

import ast
from bisect import bisect_left

from redshift_iam.inputs.scanning import pycalls
from redshift_iam.inputs.scanning.callargs import JINJA
from redshift_iam.inputs.scanning.cfgfiles import Tree
from redshift_iam.inputs.scanning.fragments import Binding, Fragment, Skipped, TextBuilder
from redshift_iam.inputs.scanning.host import HostText
from redshift_iam.inputs.scanning.pybind import Instantiable, bind_found, linked, named
from redshift_iam.inputs.scanning.pyrebound import extended_literals, is_join, rebound_literals
from redshift_iam.inputs.scanning.pystrings import read_literals
from redshift_iam.inputs.scanning.pytemplate import (
    Found,
    Template,
    is_str,
    keyword_names,
    positional,
    quick_check,
    renamed,
    source_text,
)
from redshift_iam.inputs.scanning.sqlstart import builds_statement, starts_statement

_HARMLESS_METHODS = frozenset({"format", "strip", "lstrip", "rstrip", "encode"})


def scan_python(path: str, host: HostText, hints: list[int], files: Tree | None = None,
                pending: list[Instantiable] | None = None
                ) -> tuple[list[Fragment], list[Skipped]]:
    """Fragments and skipped places of one Python file (see the module docstring); only the
    subtrees that span a line of ``hints`` (``hints.hint_lines``) are visited. ``files``:
    the scanned tree (configparser files are read in it); ``pending`` receives the
    fragments whose values each instantiation of a class passes (``pybind``)."""
    tree = ast.parse(host.text)
    found: list[Found] = []
    templates: dict[int, Template] = {}
    done: set[int] = set()
    nodes = _near_hints(tree, hints)
    for node in nodes:
        _mark(node, host, path, templates, done, found)
    _skip_rebound(tree, host, path, nodes, done, found)
    values, uses = linked(tree, host, path, files, nodes, templates, done)
    for node in nodes:
        if is_str(node) and id(node) not in done and quick_check(node):
            for template in uses.get(id(node)) or [templates.get(id(node)) or (
                    Template("fstring", names=None) if isinstance(node, ast.JoinedStr)
                    else Template("auto"))]:
                _add(path, host, node, template, found)
    found.sort(key=lambda entry: entry.position)
    bind_found(tree, host, path, found, files, values, pending)
    return ([entry.item for entry in found if isinstance(entry.item, Fragment)],
            [entry.item for entry in found if isinstance(entry.item, Skipped)])


def _skip_rebound(tree: ast.Module, host: HostText, path: str, nodes: list[ast.AST],
                  done: set[int], found: list[Found]) -> None:
    """Skip each statement literal whose name is bound again in its scope, or read into a
    longer text (``pyrebound``)."""
    rebound = {**extended_literals(tree), **rebound_literals(tree)}
    for node in nodes:
        where = rebound.get(id(node))
        if where is None or id(node) in done or not quick_check(node):
            continue
        if _fragment(path, host, node, node, Template("auto")) is None:
            continue
        done.add(id(node))
        change = (f"is read into a longer text at line {where.line} (+, an f-string or "
                  ".join)" if where.extended else f"is changed after it is written (line "
                  f"{where.line})")
        found.append(Found((node.lineno, node.col_offset), _skip(
            path, host, node, f"the SQL in {where.name} {change}: the statement that runs is "
            "not this literal; write the whole statement in one template so it can be read")))


def _add(path: str, host: HostText, node: ast.AST, template: Template,
         found: list[Found]) -> None:
    fragment = _fragment(path, host, node, node, template)
    if fragment is None:
        found.append(Found((node.lineno, node.col_offset), _skip(
            path, host, node, "string literal whose constant text starts a statement "
            "could not be read whole: not scanned")))
    else:
        found.append(Found((node.lineno, node.col_offset), fragment, node, template))


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


def _mark(node: ast.AST, host: HostText, path: str, templates: dict[int, Template],
          done: set[int], found: list[Found]) -> None:
    """Record what ``node`` says about the literals under it (templates, skips, derived calls)."""
    if isinstance(node, ast.Expr) and is_str(node.value):
        done.add(id(node.value))  # a docstring or bare string: never executed
    elif isinstance(node, ast.JoinedStr):
        done.update(id(value) for value in ast.walk(node) if value is not node)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and is_str(node.left):
        right = node.right
        if isinstance(right, ast.Dict):
            keys = [key.value if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    else None for key in right.keys]
            pairs = list(zip(keys, right.values, strict=True))
            keywords, aliases = _entries(path, pairs)
            renames = keyword_names(host, pairs)
            templates[id(node.left)] = Template("percent", (), keywords, aliases, nodes=named(
                renamed(pairs, renames)), place=node, renames=renames)
        else:
            items = right.elts if isinstance(right, ast.Tuple) else [right]
            templates[id(node.left)] = Template("percent", positional(host, items), nodes=named(
                zip(positional(host, items), items, strict=True)), place=node)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        _concatenation(node, host, path, done, found)
    elif isinstance(node, ast.Call):
        _call(node, host, path, templates, done, found)


def _entries(path: str, pairs) -> tuple[dict[str, Binding], dict[str, str]]:
    """Keyword arguments or dict entries: a string literal is a binding, a name an alias of
    the module constant of that name; a ``**`` unpacking or a key that is not a literal
    (``key`` None) may override the ones before it."""
    keywords: dict[str, Binding] = {}
    aliases: dict[str, str] = {}
    for key, value in pairs:
        if key is None:
            keywords, aliases = {}, {}
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            keywords[key] = Binding(value.value, f"{path}:{value.lineno}")
        elif isinstance(value, ast.Name):
            aliases[key] = value.id
    return keywords, aliases


def _call(node: ast.Call, host: HostText, path: str, templates: dict[int, Template],
          done: set[int], found: list[Found]) -> None:
    """``"...".format(a, b)`` templates, unknown methods on a statement, derived operator calls."""
    func = node.func
    if isinstance(func, ast.Attribute) and is_str(func.value):
        if func.attr == "format":
            pairs = [(kw.arg, kw.value) for kw in node.keywords]
            keywords, aliases = _entries(path, pairs)
            slots, renames = positional(host, node.args), keyword_names(host, pairs)
            templates[id(func.value)] = Template("format", slots, keywords, aliases, nodes=(
                named([*zip(slots, node.args, strict=True), *renamed(pairs, renames)])),
                place=node, renames=renames)
        elif func.attr not in _HARMLESS_METHODS and quick_check(func.value):
            done.add(id(func.value))
            found.append(Found((func.value.lineno, func.value.col_offset), _skip(
                path, host, func.value, f"SQL literal passed through .{func.attr}(), which the "
                "scanner cannot follow; write the statement as one literal or a template")))
    if is_join(node):
        _joined(node, host, path, done, found)
    _params(node, templates)
    derived = pycalls.derive(node, path, host)
    if isinstance(derived, Fragment):
        names = _argument_names(node)
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        found.append(Found((node.lineno, node.col_offset), derived, node, Template(
            "fstring", names=names, nodes=tuple((item.id, item) for item in arguments
                                                if isinstance(item, ast.Name)
                                                and item.id in names), place=node)))
    elif derived is not None:
        found.append(Found((node.lineno, node.col_offset), derived))


def _joined(call: ast.Call, host: HostText, path: str, done: set[int],
            found: list[Found]) -> None:
    """A statement literal joined with other parts (``' '.join([SQL, opts])``) is not the
    statement that runs: skipped."""
    items = [item for argument in call.args for item in (
        argument.elts if isinstance(argument, (ast.List, ast.Tuple)) else [argument])]
    for item in items:
        if is_str(item) and id(item) not in done and quick_check(item) \
                and _fragment(path, host, item, item, Template("auto")) is not None:
            done.add(id(item))
            found.append(Found((item.lineno, item.col_offset), _skip(
                path, host, item, "SQL literal joined with other parts (.join): the statement "
                "that runs is not this literal; write the whole statement in one template so "
                "it can be read")))


def _params(call: ast.Call, templates: dict[int, Template]) -> None:
    """An Airflow operator's ``params={...}``: the values of ``{{ params.x }}`` in the
    literals it is passed with (``sql=``)."""
    given = next((k.value for k in call.keywords if k.arg == "params"), None)
    if not isinstance(given, ast.Dict):
        return
    entries = named((f"params.{key.value}" if isinstance(key, ast.Constant) and isinstance(
        key.value, str) else None, value) for key, value in zip(given.keys, given.values,
                                                               strict=True))
    for keyword in call.keywords:
        if is_str(keyword.value) and id(keyword.value) not in templates:
            templates[id(keyword.value)] = Template("auto", nodes=entries, place=call)


def _argument_names(call: ast.Call) -> frozenset[str]:
    """The names a call passes as arguments (or as list items): a derived statement writes
    them as ``{NAME}``. A name that a literal argument's Jinja also writes (``{{ NAME }}``,
    which Airflow fills from its own context) is left out: the two cannot be told apart."""
    values = [*call.args, *(keyword.value for keyword in call.keywords)]
    values += [item for value in values if isinstance(value, (ast.List, ast.Tuple))
               for item in value.elts]
    jinja = {match.group(1).strip() for value in values if isinstance(value, ast.Constant)
             and isinstance(value.value, str) for match in JINJA.finditer(value.value)}
    return frozenset(value.id for value in values
                     if isinstance(value, ast.Name) and value.id not in jinja)


def _concatenation(node: ast.BinOp, host: HostText, path: str, done: set[int],
                   found: list[Found]) -> None:
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
    literal = [leaf for leaf in leaves if is_str(leaf)]
    done.update(id(leaf) for leaf in literal)
    if len(literal) == len(leaves) and all(isinstance(leaf, ast.Constant) for leaf in leaves):
        if starts_statement("".join(leaf.value for leaf in leaves)):
            template = Template("auto")
            fragment = _fragment(path, host, node, leaves[-1], template)
            if fragment is not None:
                found.append(Found((node.lineno, node.col_offset), fragment, node, template))
        return
    if builds_statement([leaf.value if isinstance(leaf, ast.Constant) and is_str(leaf) else None
                         for leaf in leaves]):
        found.append(Found((node.lineno, node.col_offset), _skip(
            path, host, node, "SQL built by concatenation with parts that are not literals ("
            + " + ".join(source_text(host, leaf) if not is_str(leaf) else "'...'"
                         for leaf in leaves)
            + "); write it as one template (f-string or .format) so it can be read whole")))


def _fragment(path: str, host: HostText, first: ast.AST, last: ast.AST,
              template: Template) -> Fragment | None:
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
                    dict(sorted(template.keywords.items())), template.positional,
                    keyword_names=tuple(sorted(template.renames.items())))


def _spans(hints: list[int], first: int, last: int) -> bool:
    index = bisect_left(hints, first)
    return index < len(hints) and hints[index] <= last


def _skip(path: str, host: HostText, node: ast.AST, reason: str) -> Skipped:
    line, col = host.position(host.offset(node.lineno, node.col_offset))
    return Skipped(path, line, col, reason)

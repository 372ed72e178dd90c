"""The values a Python module gives the placeholders of its statements (``pyscan``'s bindings).

:func:`module_values` reads the module's constants (``pyscope`` decides which names are
constants; ``pyvalues`` their values, a constant read only from constants). :func:`uses` finds
where a statement literal bound to a name (a module or class constant, ``self.x`` set in
``__init__``, a local) is formatted (``NAME.format(...)``, ``self.x.format(...)``,
``NAME % (...)``): the literal is then that template, once per use. :func:`bind` evaluates the
expressions a template's placeholders name where they are formatted. A value holding Jinja
markup (``{{``, ``{%``, ``{#``) is one Airflow renders at run time: it is not bound (it would
put the markup itself into an S3 path). A template that reads an ``__init__`` parameter
through ``self`` yields one statement per instantiation (:class:`Instantiable`, ``callsites``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from redshift_iam.inputs.scanning.cfgfiles import Tree
from redshift_iam.inputs.scanning.fragments import Binding, Fragment
from redshift_iam.inputs.scanning.host import HostText
from redshift_iam.inputs.scanning.pyframes import frame_at
from redshift_iam.inputs.scanning.pyscope import Scopes
from redshift_iam.inputs.scanning.pytemplate import (
    Found,
    Nodes,
    Template,
    keyword_names,
    positional,
    quick_check,
    renamed,
    source_text,
)
from redshift_iam.inputs.scanning.pyvalues import ModuleValues, Site
from redshift_iam.inputs.templating.forms import expression_name

_MARKUP = ("{{", "{%", "{#")
_WORD = re.compile(r"[A-Za-z_]\w*")


class Use(NamedTuple):
    """Where a named statement literal is formatted: the style, the call or ``%`` node,
    the positional arguments, and the keyword arguments (or ``%`` dict entries)."""

    style: str
    place: ast.AST
    args: list[ast.expr]
    keywords: list[tuple[str | None, ast.expr]]


class Instantiable(NamedTuple):
    """A fragment whose values come from ``__init__`` parameters of class ``owner``:
    ``bind(site)`` gives its bindings for one instantiation; ``params`` the parameters in
    positional order (``self`` left out)."""

    fragment: Fragment
    owner: str
    params: tuple[str, ...]
    bind: Callable[[Site], dict[str, Binding]]


def module_values(tree: ast.Module, host: HostText, path: str,
                  files: Tree | None) -> tuple[ModuleValues, Scopes]:
    """The module's values and scopes (constants read only from constants)."""
    values = ModuleValues(tree, path, files)
    scopes = Scopes(tree, host, path, values.top_level())
    scopes.constants = {name: constant for name, constant in scopes.constants.items()}
    final = values.top_level(frozenset(scopes.constants))
    by_name = {name: (known, end) for name, known, end in final.values()}
    for name in list(scopes.constants):
        if name in by_name:
            scopes.constants[name].binding = by_name[name][0]
        else:
            del scopes.constants[name]
    values.visible = scopes.visible
    return values, scopes


def uses(values: ModuleValues, literals: list[ast.Constant]) -> dict[int, list[Use]]:
    """Where the module formats each literal through a name bound to it (by id of the
    literal); one walk of the module, each receiver evaluated once."""
    wanted = {(node.value, f"{values.path}:{node.lineno}"): id(node) for node in literals}
    found: dict[int, list[Use]] = {}
    for node in ast.walk(values.tree) if wanted else ():
        receiver = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "format":
            receiver, style = node.func.value, "format"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            receiver, style = node.left, "percent"
        if receiver is None or isinstance(receiver, (ast.Constant, ast.JoinedStr)):
            continue
        known = values.value(receiver)
        key = (known.value, known.origin) if isinstance(known, Binding) else None
        if key in wanted:
            found.setdefault(wanted[key], []).append(_use(style, node))
    return found


def _use(style: str, node: ast.Call | ast.BinOp) -> Use:
    if isinstance(node, ast.Call):
        return Use(style, node, list(node.args), [(k.arg, k.value) for k in node.keywords])
    right = node.right
    if isinstance(right, ast.Dict):
        return Use(style, node, [], [(k.value if isinstance(k, ast.Constant) else None, v)
                                     for k, v in zip(right.keys, right.values, strict=True)])
    return Use(style, node, list(right.elts) if isinstance(right, ast.Tuple) else [right], [])


def bind(values: ModuleValues, nodes: Nodes, site: Site | None = None,
         needs: set[str] | None = None) -> dict[str, Binding]:
    """The known value of each named expression (see the module docstring)."""
    found = {}
    for name, node in nodes:
        known = values.value(node, site, needs)
        if isinstance(known, Binding) and not any(mark in known.value for mark in _MARKUP):
            found[name] = known
    return found


def instantiable(values: ModuleValues, fragment: Fragment, place: ast.AST, nodes: Nodes,
                 fixed: dict[str, Binding]) -> Instantiable | None:
    """The fragment as one per instantiation, when its values read ``__init__``
    parameters through ``self`` (``fixed``: the bindings it has whatever the site)."""
    needs: set[str] = set()
    bind(values, nodes, None, needs)
    frame = frame_at(values.frames, place)
    if not needs or frame is None or frame.owner is None:
        return None
    owner = values.classes.get(frame.owner.name)
    if owner is None or owner.init is None:
        return None
    params = tuple(owner.init.params)[1:]

    def for_site(site: Site) -> dict[str, Binding]:
        return dict(sorted({**fixed, **bind(values, nodes, site)}.items()))

    return Instantiable(fragment, owner.node.name, params, for_site)


def named(items: Iterable[tuple[str | None, ast.expr]]) -> Nodes:
    """The (name, expression) pairs that name a placeholder: a ``''`` name (a slot after
    ``*args``) is left out; a ``None`` one (a ``**`` unpacking, a key that is not a
    literal) may override every entry before it, so those are dropped."""
    found: list[tuple[str, ast.expr]] = []
    for name, node in items:
        if name is None:
            found = []
        elif name:
            found.append((name, node))
    return tuple(found)


def linked(tree: ast.Module, host: HostText, path: str, files: Tree | None,
           nodes: list[ast.AST], templates: dict[int, Template], done: set[int]
           ) -> tuple[ModuleValues | None, dict[int, list[Template]]]:
    """The templates of statement literals bound to a name and formatted through it
    (``pybind.uses``), one per use; the module's values when they were needed."""
    literals = [node.value for node in nodes if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant) and id(node.value) not in templates
                and id(node.value) not in done and quick_check(node.value)]
    if not literals:
        return None, {}
    values, _ = module_values(tree, host, path, files)
    return values, {key: [_use_template(host, use) for use in found]
                    for key, found in uses(values, literals).items()}


def _use_template(host: HostText, use: Use) -> Template:
    """The template of one use: positional slots and keyword fields that are not literals or
    names are named by the argument's source text (``pytemplate.keyword_names``)."""
    slots, renames = positional(host, use.args), keyword_names(host, use.keywords)
    return Template(use.style, slots, names=frozenset(slots), nodes=named(
        [*zip(slots, use.args, strict=True), *renamed(use.keywords, renames)]),
        place=use.place, renames=renames)


def bind_found(tree: ast.Module, host: HostText, path: str, found: list[Found],
               files: Tree | None, values: ModuleValues | None,
               pending: list[Instantiable] | None) -> None:
    """Give each fragment the values the module states for what it reads (``pybind``)."""
    wanted = [entry for entry in found if entry.template is not None
              and (entry.template.reads() != frozenset() or entry.template.aliases
                   or entry.template.nodes)]
    if wanted and values is None:
        values, _ = module_values(tree, host, path, files)
    for number, entry in enumerate(found):
        if entry.template is None or not isinstance(entry.item, Fragment):
            continue
        reads, template = entry.template.reads(), entry.template
        visible = {name: known for name, known in (values.visible(
            entry.place) if values and values.visible else {}).items()
            if isinstance(known, Binding)}
        words = set(_WORD.findall(entry.item.text)) if reads is None else reads
        own = {name: binding for name, binding in visible.items() if name in words}
        own.update({field: visible[constant] for field, constant in template.aliases.items()
                    if constant in visible})
        expressions = template.nodes or fields(host, entry.place)
        own.update(bind(values, expressions) if values else {})
        own.update(template.keywords)
        fragment = entry.item._replace(bindings=dict(sorted(own.items())))
        found[number] = entry._replace(item=fragment)
        if values and pending is not None and expressions:
            later = instantiable(values, fragment, template.place or entry.place,
                                 expressions, own)
            pending.extend([later] if later else [])


def fields(host: HostText, node: ast.AST | None) -> Nodes:
    """An f-string's expressions, each by the name its placeholder gets."""
    if not isinstance(node, ast.JoinedStr):
        return ()
    return tuple((expression_name(source_text(host, part.value)), part.value)
                 for part in node.values if isinstance(part, ast.FormattedValue))

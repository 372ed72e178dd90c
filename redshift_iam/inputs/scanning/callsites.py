"""One statement per instantiation: a class whose method formats a template with values its
``__init__`` stores from parameters (``pybind.Instantiable``) gives, for each call of the class
anywhere in the scanned Python files (``Owner(...)`` or ``module.Owner(...)``), that template
bound to the values the call passes, located at the template and naming the call site
(``Fragment.site``). A keyword or positional argument is followed as any value
(``pyvalues``: a literal, a module constant...), its origin the argument (``dags/load.py:40
s3_bucket=``); a parameter the call does not pass takes its default, unless the call also
passes ``*args``/``**kwargs``. A class never instantiated keeps its one statement, unbound.

Only the files that write the class's name are parsed; each is read again under the run's
read limits per file (a second pass: the call may stand in a file read before the class).
"""

from __future__ import annotations

import ast

from redshift_iam.core.localfiles import FileReader, NotRead
from redshift_iam.inputs.scanning.cfgfiles import Tree
from redshift_iam.inputs.scanning.fragments import Binding, Fragment
from redshift_iam.inputs.scanning.host import HostText
from redshift_iam.inputs.scanning.pybind import Instantiable, module_values
from redshift_iam.inputs.scanning.pyvalues import ModuleValues, Site


def instantiate(fragments: list[Fragment], pending: list[Instantiable],
                modules: list[tuple[str, str, Tree | None]],
                reader: FileReader) -> list[Fragment]:
    """``fragments`` with each pending one replaced by one fragment per call site;
    ``modules``: (display, real path, tree) of every Python file of the scan."""
    if not pending:
        return fragments
    sites = _sites({item.owner: item.params for item in pending}, modules, reader)
    expanded: dict[int, list[Fragment]] = {}
    for item in pending:
        found = sites.get(item.owner, [])
        expanded[id(item.fragment)] = [item.fragment._replace(
            bindings=item.bind(site), site=site.where) for site in found] or [item.fragment]
    return [one for fragment in fragments for one in expanded.get(id(fragment), [fragment])]


def _sites(owners: dict[str, tuple[str, ...]], modules: list[tuple[str, str, Tree | None]],
           reader: FileReader) -> dict[str, list[Site]]:
    found: dict[str, list[Site]] = {}
    words = [(owner, owner.encode()) for owner in owners]
    for display, real, files in modules:
        try:
            data = reader.read(real, follow=False)
        except (NotRead, OSError):
            continue
        named = [owner for owner, word in words if word in data]
        if not named:
            continue
        try:
            text = data.decode("utf-8-sig").replace("\r\n", "\n")
            tree = ast.parse(text)
        except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError):
            continue
        values, _ = module_values(tree, HostText(text), display, files)
        calls = sorted((node for node in ast.walk(tree) if _owner(node, named)),
                       key=lambda node: (node.lineno, node.col_offset))
        for call in calls:
            owner = _owner(call, named)
            found.setdefault(owner, []).append(_site(values, call, owners[owner]))
    return found


def _owner(node: ast.AST, named: list[str]) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else "")
    return name if name in named else None


def _site(values: ModuleValues, call: ast.Call, params: tuple[str, ...]) -> Site:
    """The values one call passes, by parameter."""
    args: dict[str, Binding] = {}
    given = False
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            given = True
            break
        if index < len(params):
            _pass(values, params[index], arg, args)
    for keyword in call.keywords:
        if keyword.arg is None:
            given = True
        else:
            _pass(values, keyword.arg, keyword.value, args)
    return Site(f"{values.path}:{call.lineno}", args, given)


def _pass(values: ModuleValues, param: str, node: ast.expr, args: dict[str, Binding]) -> None:
    known = values.value(node)
    if not isinstance(known, Binding):
        return
    here = f"{values.path}:{node.lineno}"
    origin = f"{here} {param}=" + ("" if known.origin == here else f" from {known.origin}")
    args[param] = known._replace(origin=origin)

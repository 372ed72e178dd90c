"""The value of a Python expression, as far as the module states it, read with ``ast`` and never
run: the contract of :meth:`ModuleValues.value`.

Known: a string (or number) literal; a module constant (``pyscope``: bound once); a local or
instance attribute ``pyframes`` finds bound once; a class attribute; ``+`` of known strings, an
f-string, ``.format`` and ``%`` (``%s`` only) of known parts; a ``configparser`` object's option
(``cfg['S']['K']``, ``cfg.get('S', 'K')``, ``cfg['S'].get('K')``) when the object reads files by
literal paths only and nothing else changes it (``cfgfiles``); the default of
``os.environ.get``/``os.getenv`` and Airflow's ``Variable.get(..., default_var=)``, marked a
default (the running code may see another value). ``Variable.get`` without a default, and
``os.environ[...]``, are runtime-only: unknown. An ``__init__`` parameter stored on the instance
takes the value a call site passes (:class:`Site`, ``callsites``); without one it is unknown
and its name is added to ``needs``. Each value's origin is where it is stated (``path:line``,
``dwh.cfg:12``, ``dags/load.py:40 s3_bucket=``); a composed value's is its parts' origins
(its own line when every part is a literal written there).
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from redshift_iam.inputs.scanning.cfgfiles import ConfigFile, Tree, read_config
from redshift_iam.inputs.scanning.fragments import Binding
from redshift_iam.inputs.scanning.pyexpr import (
    default,
    dotted,
    format_known,
    joined,
    literal,
    parser,
    percent_known,
)
from redshift_iam.inputs.scanning.pyframes import Frame, frame_at, frames_of

Known = Binding | ConfigFile
_CHANGES = frozenset({"set", "read_string", "read_dict", "remove_option", "remove_section",
                      "add_section", "clear", "update", "setdefault", "pop", "popitem"})
_DEPTH = 40  # how many names deep a value is followed


class Site(NamedTuple):
    """One instantiation of a class: where (``dags/load.py:40``), the values it passes by
    ``__init__`` parameter, and ``open``: it also passes ``*args``/``**kwargs``, so a
    parameter it does not name has no known value (not even its default)."""

    where: str
    args: dict[str, Binding]
    open: bool = False


class ModuleValues:
    """The values one module states (see the module docstring)."""

    def __init__(self, tree: ast.Module, path: str, files: Tree | None) -> None:
        self.tree, self.path, self.files = tree, path, files
        self.frames, self.classes = frames_of(tree)
        self.module: dict[str, Known] = {}
        self.visible = None  # pyscope's Scopes.visible once the constants are known

    def top_level(self, names: frozenset[str] | None = None
                  ) -> dict[int, tuple[str, Known, tuple[int, int]]]:
        """Each top-level ``NAME = value`` whose value is known, by id of the Name target:
        (name, value, where its statement ends), evaluated in order; ``names``: only these
        module names may be read (None: any)."""
        self.module, found = {}, {}
        for stmt in self.tree.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else (
                [stmt.target] if isinstance(stmt, ast.AnnAssign) and stmt.value else [])
            names_here = [t for t in targets if isinstance(t, ast.Name)]
            if not names_here or len(names_here) != len(targets):
                continue
            end = (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0)
            for target in names_here:
                known = self._config(stmt.value, target.id, None) if parser(
                    stmt.value) is not None else self.value(stmt.value)
                if known is not None and (names is None or target.id in names):
                    self.module[target.id] = known
                    found[id(target)] = (target.id, known, end)
        return found

    def value(self, node: ast.AST, site: Site | None = None, needs: set[str] | None = None,
              depth: int = 0) -> Known | None:
        """The value of ``node`` where it stands (see the module docstring)."""
        if depth > _DEPTH:
            return None
        reader = _READERS.get(type(node))
        return reader(self, node, site, needs, depth + 1) if reader else None

    def text(self, node: ast.AST, site: Site | None, needs: set[str] | None,
             depth: int) -> Binding | None:
        known = self.value(node, site, needs, depth)
        return known if isinstance(known, Binding) else None

    def _constant(self, node: ast.Constant, *_: object) -> Known | None:
        if isinstance(node.value, (str, int, float)) and not isinstance(node.value, bool):
            return Binding(str(node.value), f"{self.path}:{node.lineno}")
        return None

    def _name(self, node: ast.Name, site: Site | None, needs: set[str] | None,
              depth: int) -> Known | None:
        frame = frame_at(self.frames, node)
        if frame is not None and frame.bound[node.id]:
            return self._local(frame, node, site, needs, depth)
        if frame is not None and node.id in frame.params:
            return self._parameter(frame, node.id, site, needs, depth)
        if self.visible is None:
            return self.module.get(node.id)
        return self.module.get(node.id) if node.id in self.visible(node) else None

    def _local(self, frame: Frame, node: ast.Name, site: Site | None, needs: set[str] | None,
               depth: int) -> Known | None:
        stmt = frame.assigned.get(node.id)
        if stmt is None or (stmt.end_lineno or stmt.lineno) >= node.lineno:
            return None
        if parser(stmt.value) is not None:
            return self._config(stmt.value, node.id, frame.node)
        return self.value(stmt.value, site, needs, depth)

    def _parameter(self, frame: Frame, name: str, site: Site | None, needs: set[str] | None,
                   depth: int) -> Binding | None:
        """An ``__init__`` parameter: the call site's value, or its default when the call
        names every argument it passes; unknown without a site."""
        if frame.node.name != "__init__" or frame.owner is None:
            return None
        if site is None:
            if needs is not None:
                needs.add(name)
            return None
        if name in site.args:
            return site.args[name]
        default = frame.params.get(name)
        if site.open or default is None:
            return None
        known = self.text(default, None, None, depth)
        return known._replace(origin=f"{known.origin} {name}= (parameter default)") \
            if known else None

    def _attribute(self, node: ast.Attribute, site: Site | None, needs: set[str] | None,
                   depth: int) -> Known | None:
        frame = frame_at(self.frames, node)
        owner = self.classes.get(frame.owner.name) if frame and frame.owner else None
        if owner is None or not isinstance(node.value, ast.Name) \
                or node.value.id != frame.self_name or frame.bound[frame.self_name]:
            return None
        if node.attr in owner.instance:
            return self.value(owner.instance[node.attr], site, needs, depth)
        if node.attr in owner.attributes:
            return self.value(owner.attributes[node.attr], site, needs, depth)
        return None

    def _subscript(self, node: ast.Subscript, site: Site | None, needs: set[str] | None,
                   depth: int) -> Known | None:
        """``cfg['S']['K']`` (a section is kept as (config, section) until its key)."""
        key = node.slice
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        if isinstance(node.value, ast.Subscript):
            inner = node.value.slice
            config = self.value(node.value.value, site, needs, depth)
            if isinstance(config, ConfigFile) and isinstance(inner, ast.Constant) \
                    and isinstance(inner.value, str):
                return config.get(inner.value, key.value)
        return None

    def _joined(self, node: ast.JoinedStr, site: Site | None, needs: set[str] | None,
                depth: int) -> Binding | None:
        parts: list[Binding | None] = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                plain = part.conversion == -1 and part.format_spec is None
                parts.append(self.text(part.value, site, needs, depth) if plain else None)
            else:
                parts.append(Binding(str(getattr(part, "value", "")), ""))
        return joined(parts, "".join, self.path, node)

    def _binop(self, node: ast.BinOp, site: Site | None, needs: set[str] | None,
               depth: int) -> Binding | None:
        left = self.text(node.left, site, needs, depth)
        if isinstance(node.op, ast.Add):
            right = self.text(node.right, site, needs, depth)
            return joined([left, right], "".join, self.path, node)
        if not isinstance(node.op, ast.Mod) or left is None or isinstance(node.right, ast.Dict):
            return None
        items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        values = [self.text(item, site, needs, depth) for item in items]
        return joined([left, *values], lambda texts: percent_known(texts[0], texts[1:]),
                       self.path, node)

    def _call(self, node: ast.Call, site: Site | None, needs: set[str] | None,
              depth: int) -> Known | None:
        func = node.func
        if not isinstance(func, ast.Attribute):
            return default(self.path, node, func.id if isinstance(func, ast.Name) else "")
        if func.attr == "format":
            return self._format(node, site, needs, depth)
        name = dotted(func)
        if name in ("os.environ.get", "environ.get", "os.getenv") or name.endswith(
                "Variable.get"):
            return default(self.path, node, name)
        if func.attr != "get" or node.keywords:
            return None
        if len(node.args) == 2:
            config = self.value(func.value, site, needs, depth)
            section, key = (literal(arg) for arg in node.args)
            if isinstance(config, ConfigFile) and section is not None and key is not None:
                return config.get(section, key)
        if len(node.args) == 1 and isinstance(func.value, ast.Subscript):
            return self.value(ast.Subscript(func.value, node.args[0], ast.Load()),
                              site, needs, depth)
        return None

    def _format(self, node: ast.Call, site: Site | None, needs: set[str] | None,
                depth: int) -> Binding | None:
        receiver = node.func.value  # type: ignore[attr-defined]
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
                k.arg is None for k in node.keywords):
            return None
        template = self.text(receiver, site, needs, depth)
        args = [self.text(arg, site, needs, depth) for arg in node.args]
        keywords = {k.arg: self.text(k.value, site, needs, depth) for k in node.keywords}
        parts = [template, *args, *keywords.values()]
        return joined(parts, lambda texts: format_known(texts[0], texts[1:1 + len(args)], dict(
            zip(keywords, texts[1 + len(args):], strict=True))), self.path, node)

    def _config(self, ctor: ast.Call, name: str, scope: ast.AST | None) -> ConfigFile | None:
        """A configparser object bound to ``name``: the files its ``.read()`` calls name."""
        if self.files is None:
            return None
        files: list[tuple[str, str]] = []
        for call in ast.walk(scope or self.tree):
            if isinstance(call, ast.Subscript) and isinstance(call.ctx, ast.Store) and \
                    isinstance(call.value, ast.Name) and call.value.id == name:
                return None
            method = call.func if isinstance(call, ast.Call) else None
            if not (isinstance(method, ast.Attribute) and isinstance(method.value, ast.Name)
                    and method.value.id == name):
                continue
            if method.attr in _CHANGES or (method.attr.startswith("read") and not (
                    method.attr == "read" and self._read(call, files))):
                return None
        return read_config(files, parser(ctor)) if files else None

    def _read(self, call: ast.Call, files: list[tuple[str, str]]) -> bool:
        """Add the files ``cfg.read(...)`` names; False unless every one is a literal in
        the tree (a missing file is skipped by configparser, and here too)."""
        arg = call.args[0] if len(call.args) == 1 and not call.keywords else None
        items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
        for item in items:
            text = literal(item) if item is not None else None
            if text is None:
                return False
            found = self.files.find(self.path, text) if self.files else None
            files.extend([found] if found else [])
        return True


_READERS = {ast.Constant: ModuleValues._constant, ast.Name: ModuleValues._name,
            ast.Attribute: ModuleValues._attribute, ast.Subscript: ModuleValues._subscript,
            ast.JoinedStr: ModuleValues._joined, ast.BinOp: ModuleValues._binop,
            ast.Call: ModuleValues._call}

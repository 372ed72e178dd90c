"""The parsed template, instrumented: probes out of the template's reach, windows around every
value a statement takes, and ``{% set %}`` inside an unknown block made unknown after it.

- ``_ri_NAME`` (only the rewriter writes those names; a template that does is refused) becomes
  ``environment.ri_NAME``: compiled code calls the probe directly, and no context, global or
  value holds it.
- Every ``{% set %}``, ``with`` target and macro default goes through ``ri_set`` with a mark
  taken before the value, and a ``for ... if`` test through ``ri_cond``.
- After an ``if`` (or ``for``) whose test may be unknown, each variable (or namespace
  attribute) set inside it is reassigned through ``ri_branch``: unknown when the test was, as
  any branch could have run. So is each variable changed in place inside it, at any depth: a
  mutating method called on it (``l.append(x)``, ``d.update(...)``, ``c.next()``) or, for a
  variable the template sets, a call of it (a ``joiner``).
- ``~`` compiles to ``environment.ri_concat``; what ``{% call %}`` and ``{% filter %}`` blocks
  output goes through ``ri_block``. Every other output must be one of the probes.
"""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import TemplateSyntaxError
from jinja2.visitor import NodeTransformer

from redshift_iam.inputs.templating.jinja_rewrite import MARKERS, PROBE_PREFIX

_OUTPUTS = frozenset({"ri_x", "ri_q", "ri_after", "ri_anchor", "ri_unanchor"})
# Statements whose body is a scope of its own: a name set inside does not leak out.
_SCOPES = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.With,
           nodes.Block, nodes.Scope, nodes.OverlayScope)


def _probe(name: str, *args: nodes.Expr, lineno: int = 0) -> nodes.Call:
    call = nodes.Call(nodes.EnvironmentAttribute(name), list(args), [], None, None)
    call.set_lineno(lineno)
    return call


def _is_probe(node: Any, names: frozenset[str] | None = None) -> bool:
    return (isinstance(node, nodes.Call) and isinstance(node.node, nodes.EnvironmentAttribute)
            and (names is None or node.node.name in names))


def _windowed(value: nodes.Expr, targets: int, lineno: int) -> nodes.Call:
    return _probe("ri_set", _probe("ri_mark", lineno=lineno), value, nodes.Const(targets),
                  lineno=lineno)


def _count(target: nodes.Node) -> int:
    return len(target.items) if isinstance(target, nodes.Tuple) else 0


class _Instrument(NodeTransformer):
    def __init__(self, probes: frozenset[str]) -> None:
        self.probes = probes

    def visit_Name(self, node: nodes.Name) -> nodes.Node:
        if not node.name.startswith(PROBE_PREFIX):
            return node
        name = f"ri_{node.name[len(PROBE_PREFIX):]}"
        if name not in self.probes:
            raise TemplateSyntaxError(f"{node.name} is not a probe", node.lineno)
        found = nodes.EnvironmentAttribute(name)
        found.set_lineno(node.lineno, override=True)
        return found

    def visit_Assign(self, node: nodes.Assign) -> nodes.Node:
        self.generic_visit(node)
        node.node = _windowed(node.node, _count(node.target), node.lineno)
        return node

    def visit_With(self, node: nodes.With) -> nodes.Node:
        self.generic_visit(node)
        node.values = [_windowed(value, _count(target), node.lineno)
                       for target, value in zip(node.targets, node.values, strict=True)]
        return node

    def _defaults(self, node: nodes.Macro | nodes.CallBlock) -> nodes.Node:
        self.generic_visit(node)
        node.defaults = [_windowed(value, 0, node.lineno) for value in node.defaults]
        return node

    visit_Macro = visit_CallBlock = _defaults

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        if node.test is not None and _is_probe(node.iter, frozenset({"ri_iter"})):
            number = node.iter.args[0]
            node.test = _probe("ri_cond", number, _probe("ri_mark"), node.test,
                               lineno=node.lineno)
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        for child in node.nodes:
            if not (isinstance(child, nodes.TemplateData) or _is_probe(child, _OUTPUTS)):
                raise TemplateSyntaxError("an expression the tool cannot trace", node.lineno)
        return node


def instrument(tree: nodes.Template, probes: frozenset[str], silent: set[int]
               ) -> nodes.Template:
    """``tree`` instrumented (see the module docstring); the regions of blocks whose every
    branch outputs only whitespace are added to ``silent``."""
    settable = frozenset(name.name for assign in tree.find_all(nodes.Assign)
                         for name in [assign.target, *assign.target.find_all(nodes.Name)]
                         if isinstance(name, nodes.Name))
    groups = alias_groups(tree)
    tree = _Instrument(probes).visit(tree)
    _Blocks(silent, settable, groups).visit(tree)
    return tree


def _block_number(node: nodes.Node) -> Any:
    """The region of an if/for whose test goes through a probe (the rewriter's)."""
    if isinstance(node, nodes.If):
        test = node.test
    elif isinstance(node, nodes.For):
        test = node.iter
    else:
        return None
    if _is_probe(test, frozenset({"ri_if", "ri_iter"})) and isinstance(test.args[0],
                                                                        nodes.Const):
        return test.args[0]
    return None


class _Blocks:
    """After each probed if/for, at every depth: the ``ri_branch`` reassignments of what it
    sets; and which blocks are silent (a block of ``{% set %}`` lines renders no text that
    could change, so an unknown test leaves no sentinel behind)."""

    def __init__(self, silent: set[int], settable: frozenset[str],
                 groups: dict[str, frozenset[str]]) -> None:
        self.silent = silent
        self.settable = settable
        self.groups = groups

    def visit(self, node: nodes.Node) -> None:
        for field in node.fields:
            body = getattr(node, field)
            if isinstance(body, list) and body and all(isinstance(item, nodes.Stmt)
                                                       for item in body):
                setattr(node, field, self._body(body))
            elif isinstance(body, nodes.Stmt):
                self.visit(body)

    def _body(self, body: list[nodes.Node]) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for statement in body:
            self.visit(statement)
            out.append(statement)
            number = _block_number(statement)
            if number is None:
                continue
            if self._quiet(statement):
                self.silent.add(number.value)
            names = isinstance(statement, nodes.If)
            targets = _targets(statement, names, top=True)
            known = {_key(target) for target in targets}
            targets += [name for name in _mutated(statement, self.settable, self.groups)
                        if _key(name) not in known]
            out += [_reassign(target, number, statement.lineno) for target in targets]
        return out

    def _quiet(self, block: nodes.If | nodes.For) -> bool:
        branches = [block.body, block.else_]
        if isinstance(block, nodes.If):
            branches += [other.body for other in block.elif_]
        return all(self._quiet_statement(statement) for branch in branches
                   for statement in branch)

    def _quiet_statement(self, statement: nodes.Node) -> bool:
        if isinstance(statement, (nodes.Assign, nodes.AssignBlock, nodes.Macro)):
            return True
        if isinstance(statement, (nodes.If, nodes.For)):
            return self._quiet(statement)
        return isinstance(statement, nodes.Output) and all(
            (isinstance(child, nodes.TemplateData) and not MARKERS.sub("", child.data).strip())
            or (_is_probe(child, frozenset({"ri_after"})) and child.args[0].value in self.silent)
            for child in statement.nodes)


def _targets(node: nodes.Node, names: bool, top: bool = False) -> list[nodes.Node]:
    """The names (when ``names``) and namespace attributes set inside ``node``."""
    if isinstance(node, nodes.Macro) or (not top and isinstance(node, _SCOPES)):
        names = False
        if isinstance(node, nodes.Macro):
            return []
    found: list[nodes.Node] = []
    if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
        found += [target for target in (node.target.items if isinstance(node.target, nodes.Tuple)
                                        else [node.target])
                  if isinstance(target, nodes.NSRef) or (names and
                                                          isinstance(target, nodes.Name))]
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Stmt):
            found += _targets(child, names)
    unique: dict[tuple[str, ...], nodes.Node] = {}
    for target in found:
        unique.setdefault(_key(target), target)
    return list(unique.values())


# Methods that change their object in place (list, dict, set, deque; jinja2's cycler):
# a call inside a block whose test is unknown leaves the object unknown after it.
MUTATORS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
    "setdefault", "popitem", "add", "discard", "difference_update", "intersection_update",
    "symmetric_difference_update", "appendleft", "extendleft", "popleft", "rotate", "next",
    "reset"})


def _mutated(node: nodes.Node, settable: frozenset[str],
             groups: dict[str, frozenset[str]]) -> list[nodes.Node]:
    """The variables changed in place anywhere inside ``node`` (see the module docstring),
    with every name that may hold the same object (``groups``: ``{% set m = l %}``,
    ``{% set f = l.append %}``, ``{% set l = d.l %}``)."""
    found: dict[str, nodes.Node] = {}
    for call in node.find_all(nodes.Call):
        name = _changed(call.node, settable)
        for member in sorted(groups.get(name, frozenset({name}))) if name else ():
            found.setdefault(member, nodes.Name(member, "load"))
    return list(found.values())


def _changed(callee: nodes.Node, settable: frozenset[str]) -> str | None:
    """The variable a call with ``callee`` changes in place, if any."""
    if isinstance(callee, nodes.Getattr) and callee.attr in MUTATORS:
        return _root(callee.node)
    if isinstance(callee, nodes.Filter) and callee.name == "attr" and callee.args \
            and isinstance(callee.args[0], nodes.Const) and callee.args[0].value in MUTATORS:
        return _root(callee.node)
    if isinstance(callee, nodes.Name) and callee.name in settable:
        return callee.name
    return None


def _root(expr: nodes.Node | None) -> str | None:
    """The variable an attribute/item/|attr chain starts from (``d.l[0]`` -> ``d``)."""
    while isinstance(expr, (nodes.Getattr, nodes.Getitem)) or (
            isinstance(expr, nodes.Filter) and expr.name == "attr"):
        expr = expr.node
    return expr.name if isinstance(expr, nodes.Name) else None


def alias_groups(tree: nodes.Template) -> dict[str, frozenset[str]]:
    """Names that may hold one object: a ``{% set %}`` of a variable, its attribute, item or
    bound method joins the target to that variable's group (transitively)."""
    groups: dict[str, set[str]] = {}
    for assign in tree.find_all(nodes.Assign):
        source = _root(assign.node)
        if isinstance(assign.target, nodes.Name) and source is not None:
            merged = groups.get(assign.target.name, {assign.target.name}) | groups.get(
                source, {source})
            for name in merged:
                groups[name] = merged
    return {name: frozenset(group) for name, group in groups.items()}


def _key(target: nodes.Node) -> tuple[str, ...]:
    return (target.name, target.attr) if isinstance(target, nodes.NSRef) else (target.name,)


def _reassign(target: nodes.Node, number: nodes.Const, lineno: int) -> nodes.Assign:
    if isinstance(target, nodes.NSRef):
        store: nodes.Expr = nodes.NSRef(target.name, target.attr)
        load: nodes.Expr = nodes.Getattr(nodes.Name(target.name, "load"), target.attr, "load")
    else:
        store, load = nodes.Name(target.name, "store"), nodes.Name(target.name, "load")
    assign = nodes.Assign(store, _probe("ri_branch", nodes.Const(number.value), load))
    assign.set_lineno(lineno)
    return assign


class TracingCodeGenerator(CodeGenerator):
    """Probe calls compiled as direct calls; ``~`` and call/filter blocks through probes."""

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if not _is_probe(node):
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        self.write(f"environment.{node.node.name}(")
        for arg in node.args:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.ri_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def visit_CallBlock(self, node: nodes.CallBlock, frame: Frame) -> None:
        call_frame, macro_ref = self.macro_body(node, frame)
        self.writeline("caller = ")
        self.macro_def(macro_ref, call_frame)
        self.start_write(frame, node)
        self.write("environment.ri_block(environment.ri_mark(), ")
        self.visit_Call(node.call, frame, forward_caller=True)
        self.write(")")
        self.end_write(frame)

    def visit_FilterBlock(self, node: nodes.FilterBlock, frame: Frame) -> None:
        filter_frame = frame.inner()
        filter_frame.symbols.analyze_node(node)
        self.enter_frame(filter_frame)
        self.buffer(filter_frame)
        self.blockvisit(node.body, filter_frame)
        self.start_write(frame, node)
        self.write("environment.ri_block(environment.ri_mark(), ")
        self.visit_Filter(node.filter, filter_frame)
        self.write(")")
        self.end_write(frame)
        self.leave_frame(filter_frame)

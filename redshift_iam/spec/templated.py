"""Template placeholders in spec values (RULES "Templated SQL", "Operation specs").

A spec is templated **per value**: the YAML (or JSON) is parsed as written, then every string
value (never a key) is rendered by the ``render`` callable the caller passes (the CLI passes
the templating stage's ``render_source`` with the ``--var``/``--vars`` values), as the inside
of a SQL string literal: a spec value is what the equivalent SQL writes between quotes, so
the same forms are placeholders there (psql ``:x`` never is, as psql never expands inside
quotes). A value never changes the structure of the spec (a ``--var`` holding ``: `` or a
newline stays one value) and the YAML flow mappings (``{table: t}``) and ``#`` comments are
never misread as placeholders, which rendering the text before parsing would do.

Each rendered value keeps a Source whose offsets map back to the spec (:class:`Excerpt`), so
messages point at the placeholder in the spec file. Placeholder indices are renumbered to be
unique in the spec. Where the schema expects true/false or a choice (an *option slot*:
``cleanpath``, ``format``, ``encrypted`` ...), a rendered value is read as a YAML scalar (as a
``--var`` value is); one left unresolved is an open option slot: the statement is read once
per value the schema allows there (:func:`choices`), and the derive stage keeps it when every
reading gives the same grants (else RI148), as it does for a Jinja block among SQL options.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.placeholders import (
    RESERVED,
    SENTINEL,
    Placeholder,
    has_sentinel,
    sentinel,
)
from redshift_iam.core.source import Render, Respliced, Source
from redshift_iam.core.statements import Open
from redshift_iam.spec.loader import Entry, Node, hidden_from

if TYPE_CHECKING:
    from redshift_iam.core.statements import Copy, CreateLibrary, Unload
    from redshift_iam.spec.operations import Operation, Reader

_RESERVED = LazyRegex(f"[{RESERVED}]")
MAX_READINGS = 64  # readings of one operation, as for the branches of SQL Jinja blocks


class Excerpt:
    """The origin of one spec value read on its own: offset ``i`` of the value is
    ``start + i`` in the spec when the value is written as it reads (plain, or quoted with no
    escape), else the value's first character. Snippets are the spec's line, hidden from its
    first secret-naming word as the spec reader hides them."""

    __slots__ = ("spec", "start", "exact")
    placeholders: tuple[Placeholder, ...] = ()
    branches: Mapping[int, tuple[str, ...]] = MappingProxyType({})

    def __init__(self, spec: Source, start: int, exact: bool) -> None:
        self.spec, self.start, self.exact = spec, start, exact

    def template_offset(self, offset: int) -> int:
        return self.start + (offset if self.exact else 0)

    def location(self, offset: int) -> Location:
        return self.spec.location(self.template_offset(offset))

    def snippet(self, offset: int, redact_from: int | None = None) -> str:
        at = self.template_offset(offset)
        given = None if redact_from is None else self.template_offset(redact_from)
        return self.spec.snippet(at, hidden_from(self.spec, at, given))


class Rendering(NamedTuple):
    """A spec tree with its string values rendered."""

    tree: Node
    templated: bool  # some value was rendered (or read verbatim): placeholders are read so
    diagnostics: tuple[Diagnostic, ...]  # templating warnings and errors


def render_tree(tree: Node, spec: Source, render: Render) -> Rendering:
    """Render every string value of ``tree`` (see the module docstring). In a templated
    spec a value that holds a character the templating stage reserves (its sentinels) is
    refused (RI176), as in a templated script: it would be misread as a placeholder."""
    walk = _Walk(spec, render)
    rendered = walk.node(tree, ())
    if walk.templated:
        walk.diagnostics += walk.reserved
    return Rendering(rendered, walk.templated, tuple(walk.diagnostics))


class _Walk:
    def __init__(self, spec: Source, render: Render) -> None:
        self.spec, self.render = spec, render
        self.templated, self.count = False, 0
        self.diagnostics: list[Diagnostic] = []
        self.reserved: list[Diagnostic] = []  # RI176, reported if the spec is templated

    def node(self, node: Node, path: tuple) -> Node:
        if isinstance(node.value, dict):
            return node._replace(value={key: Entry(entry.key_offset, self.node(
                entry.value, (*path, key))) for key, entry in node.value.items()})
        if isinstance(node.value, list):
            return node._replace(value=[self.node(item, (*path, i))
                                        for i, item in enumerate(node.value)])
        if not isinstance(node.value, str):
            return node
        return self.scalar(node, path)

    def scalar(self, node: Node, path: tuple) -> Node:
        start = node.offset + (1 if node.quoted else 0)
        exact = self.spec.text[start:start + len(node.value)] == node.value
        value = Source(self.spec.name, node.value, Excerpt(self.spec, start, exact))
        try:
            rendered, warnings = self.render(value, self.spec)
        except InputError as exc:
            self.diagnostics.append(exc.diagnostic)
            return node
        self.diagnostics += warnings
        if rendered is value:
            found = _RESERVED.search(node.value)
            if found:
                self.reserved.append(value.diagnostic(
                    "RI176", f"the template holds the reserved character "
                             f"U+{ord(found.group()):04X}", found.start()))
            return node
        self.templated = True
        placeholders = tuple(p._replace(serial=p.serial + self.count)
                             for p in getattr(rendered.origin, "placeholders", ()))
        rendered = _renumber(rendered, self.count)
        self.count += len(placeholders)
        text: object = rendered.text
        if placeholders and not has_sentinel(rendered.text) and path[-1:] and \
                path[-1] in option_keys(path):  # only what a template rendered is re-typed
            text = _scalar(rendered.text)
        return node._replace(value=text, rendered=rendered, placeholders=placeholders)


def _renumber(rendered: Source, base: int) -> Source:
    """``rendered`` with sentinel ``i`` written as ``i + base`` (positions kept mapped)."""
    if base == 0 or not has_sentinel(rendered.text):
        return rendered
    for match in reversed(list(SENTINEL.finditer(rendered.text))):
        new = sentinel(int(match.group("index")) + base)
        at, text = match.start(), rendered.text
        rendered = Source(rendered.name, text[:at] + new + text[match.end():],
                          Respliced(rendered, at, match.end() - at, len(new)))
    return rendered


def _scalar(text: str) -> object:
    """A rendered option value read as YAML reads a scalar (``true`` -> True)."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError):  # 5000 digits; [[[[... from a value
        return text
    return value if isinstance(value, (str, bool, int, float)) else text


@functools.lru_cache(maxsize=1)
def _choices() -> dict[str, dict[str, tuple]]:
    """Per operation kind, the keys the schema types true/false or a choice, and what they
    may hold."""
    from redshift_iam.spec.validate import schema

    kinds = schema()["$defs"]["operation"]["properties"]
    found: dict[str, dict[str, tuple]] = {}
    for kind, body in kinds.items():
        found[kind] = {key: tuple(prop["enum"]) if "enum" in prop else (False, True)
                       for key, prop in body["properties"].items()
                       if "enum" in prop or prop.get("type") == "boolean"}
    return found


def option_keys(path: tuple) -> dict[str, tuple]:
    """The option slots of the operation ``path`` stands in (``("operations", 3, "unload",
    "cleanpath")``), with their choices; {} elsewhere."""
    if len(path) == 4 and path[0] == "operations":
        return _choices().get(path[2], {})
    return {}


def choices(kind: str, key: str) -> tuple:
    """What option slot ``key`` of a ``kind`` operation may hold."""
    return _choices()[kind][key]


def open_slots(kind: str, members: dict[str, Entry]) -> dict[str, Entry]:
    """The option slots of an operation left open by an unresolved placeholder."""
    slots = _choices().get(kind, {})
    return {key: entry for key, entry in members.items() if key in slots
            and isinstance(entry.value.value, str) and has_sentinel(entry.value.value)}


def pruned(tree: Node) -> object:
    """The plain tree the JSON Schema validates: open option slots left out (a placeholder
    there is judged by reading each value it may take, not by its type)."""
    plain = tree.plain()
    operations = plain.get("operations") if isinstance(plain, dict) else None
    for item in operations if isinstance(operations, list) else ():
        for kind, body in item.items() if isinstance(item, dict) else ():
            if isinstance(body, dict) and kind in _choices():
                for key in [k for k, v in body.items() if k in _choices()[kind]
                            and isinstance(v, str) and has_sentinel(v)]:
                    del body[key]
    return plain


def statement_placeholders(nodes: Iterator[Node]) -> tuple[Placeholder, ...]:
    """Every placeholder written in the values of ``nodes`` (and their children)."""
    found: dict[int, Placeholder] = {}
    for node in nodes:
        for child in _leaves(node):
            found.update((p.serial, p) for p in child.placeholders)
    return tuple(found[index] for index in sorted(found))


def _leaves(node: Node) -> Iterator[Node]:
    if isinstance(node.value, dict):
        for entry in node.value.values():
            yield from _leaves(entry.value)
    elif isinstance(node.value, list):
        for item in node.value:
            yield from _leaves(item)
    else:
        yield node


def templated_statement(op: Operation, kind: str, read: Reader
                        ) -> Copy | Unload | CreateLibrary:
    """``read(op)`` with the placeholders of the values it reads (the operation's, and the
    top-level role and region), its open option slots and its readings per slot value."""
    statement = read(op)
    nodes = [e.value for e in op.members.values()]
    nodes += [op.top[key].value for key in ("role", "region") if key in op.top]
    places = statement_placeholders(iter(nodes))
    if not op.open:
        return statement._replace(placeholders=places)

    def again(chosen: dict[str, Node]) -> Copy | Unload | CreateLibrary:
        members = {k: Entry(e.key_offset, chosen.get(k, e.value)) for k, e in op.members.items()}
        other = type(op)(op.source, op.path, Entry(op.key_offset, Node(members, 0)), op.top,
                         [], True)
        return read(other)._replace(placeholders=places)

    slots = tuple(Open("options", e.value.value, op.at(e.value)) for e in op.open.values())
    return statement._replace(placeholders=places, open_options=slots,
                              alternatives=readings(kind, op.open, again))


def readings(kind: str, slots: dict[str, Entry], read: Callable[[dict[str, Node]], object]
             ) -> tuple:
    """The operation read once per combination of its open slots' choices; () when there
    are more than MAX_READINGS or a combination does not read (as SQL's Jinja branches)."""
    keys = sorted(slots)
    options = [choices(kind, key) for key in keys]
    total = 1
    for values in options:
        total *= len(values)
    if total > MAX_READINGS:
        return ()
    found = []
    for combination in itertools.product(*options):
        chosen = {key: slots[key].value._replace(value=value, rendered=None)
                  for key, value in zip(keys, combination, strict=True)}
        try:
            found.append(read(chosen))
        except InputError:
            return ()
    return tuple(found)

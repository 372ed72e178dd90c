"""Spec text -> a tree of values that remember where they were written.

YAML is composed with PyYAML (its nodes carry start marks); JSON is read by a small scanner
around the standard library's, since ``json`` keeps no positions. Both give the same tree:
:class:`Node` values whose ``offset`` is a character offset into the :class:`Source` text, so
diagnostics point at file:line:col with the usual snippet. yaml is imported on first use.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.secrets import SECRET_WORDS
from redshift_iam.core.source import Source


def diagnostic(source: Source, code: str, message: str, offset: int,
               redact_from: int | None = None) -> Diagnostic:
    """A diagnostic at ``offset`` whose snippet hides its line from the first word that may
    name a secret (secret_access_key, token, master_symmetric_key, credentials) on, or from
    ``redact_from`` if that comes first."""
    return source.diagnostic(code, message, offset, hidden_from(source, offset, redact_from))


def hidden_from(source: Source, offset: int, redact_from: int | None = None) -> int | None:
    """Where the snippet of the line holding ``offset`` is hidden from: its first word that
    may name a secret, or ``redact_from`` if that comes first (None: nothing hidden)."""
    begin = source.text.rfind("\n", 0, offset) + 1
    end = source.text.find("\n", offset)
    secret = SECRET_WORDS.search(source.text, begin, len(source.text) if end < 0 else end)
    hidden = [at for at in (secret.start() if secret else None, redact_from) if at is not None]
    return min(hidden) if hidden else None


class Entry(NamedTuple):
    """One mapping member: where its key stands and its value."""

    key_offset: int
    value: Node


class Node(NamedTuple):
    """A value of the spec: ``dict[str, Entry]``, ``list[Node]`` or a scalar (str, int,
    float, bool, None). ``offset`` is where the value starts; ``quoted`` tells whether a
    string was written in quotes (its text then starts one character later). A string
    rendered from a template (``spec.templated``) holds its rendering, ``rendered`` is the
    Source of that text (its offsets map back into the spec) and ``placeholders`` are the
    template placeholders written in it."""

    value: object
    offset: int
    quoted: bool = False
    rendered: Source | None = None
    placeholders: tuple = ()

    def plain(self) -> object:
        """The value without positions (what the JSON Schema validates)."""
        if isinstance(self.value, dict):
            return {key: entry.value.plain() for key, entry in self.value.items()}
        if isinstance(self.value, list):
            return [item.plain() for item in self.value]
        return self.value

    @property
    def text_offset(self) -> int:
        """Where the characters of a string value start (in ``rendered`` when set)."""
        if self.rendered is not None:
            return 0
        return self.offset + (1 if self.quoted else 0)


def load(source: Source) -> Node:
    """Parse a spec (JSON when the name ends ``.json``, else YAML). Syntax errors and
    duplicate keys raise InputError RI180 at their position; one where a template tag stands
    outside a quoted value says how to write it (:func:`template_outside_value`)."""
    try:
        if source.name.lower().endswith(".json"):
            return _Json(source).document()
        return _yaml_tree(source)
    except RecursionError:
        raise InputError(diagnostic(source, "RI180", "the spec is nested too deeply", 0)) from None
    except InputError as exc:
        found = template_outside_value(source, exc.diagnostic.location)
        if found is None:
            raise
        raise InputError(exc.diagnostic._replace(message=found)) from None


_QUOTED_OR_COMMENT = LazyRegex(r"""'(?:''|[^'])*'|"(?:\\.|[^"\\])*"|(?:^|\s)\#.*""")
# Template tags a parse error may stem from, and what to write instead: a spec is templated
# per value (spec.templated), so a tag must stand inside a quoted string value.
_OUTSIDE = (
    (("{%", "{#"), "a Jinja block outside a value: a spec is templated per value, so a "
                   "block cannot choose keys; give the key a placeholder value instead "
                   "(cleanpath: \"{{ clean }}\")"),
    (("{{",), "a template placeholder outside quotes (YAML reads {{ x }} as a mapping): "
              "write the value in quotes (role: \"{{ x }}\")"),
)


def template_outside_value(source: Source, location: object) -> str | None:
    """The RI180 message for a parse error on a line holding a template tag, else None."""
    line = getattr(location, "line", 0)
    if not line:
        return None
    lines = source.text.split("\n")
    text = _QUOTED_OR_COMMENT.sub("", lines[line - 1]) if line <= len(lines) else ""
    for tags, message in _OUTSIDE:
        if any(tag in text for tag in tags):
            return message
    return None


def _yaml_tree(source: Source) -> Node:
    import yaml

    try:
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
        if root is None:
            return Node(None, 0)
        return _yaml_node(source, root, yaml.SafeLoader(""), set())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "bad YAML"
        raise InputError(diagnostic(source, "RI180", f"not valid YAML: {problem}",
                                           mark.index if mark else 0)) from None


def _yaml_node(source: Source, node, loader, seen: set[int]) -> Node:  # noqa: ANN001
    """A composed yaml node -> Node; scalars are typed by the safe loader's resolvers.
    A collection met twice came through an alias: refused, since nested aliases expand
    exponentially (the "billion laughs")."""
    offset = node.start_mark.index
    if node.id != "scalar":
        if id(node) in seen:
            raise InputError(diagnostic(source, "RI180", "this list or mapping is used again "
                                                         "through an alias (*name); a spec may "
                                                         "alias only plain values", offset))
        seen.add(id(node))
    if node.id == "mapping":
        members: dict[str, Entry] = {}
        for key, value in node.value:
            name = _yaml_node(source, key, loader, seen)
            if not isinstance(name.value, str):
                raise InputError(diagnostic(source, "RI180", "a key must be a string", name.offset))
            if name.value in members:
                raise InputError(diagnostic(source, "RI180", f"key {name.value!r} is given twice",
                                                   name.offset))
            members[name.value] = Entry(name.offset, _yaml_node(source, value, loader, seen))
        return Node(members, offset)
    if node.id == "sequence":
        return Node([_yaml_node(source, item, loader, seen) for item in node.value], offset)
    return Node(loader.construct_object(node), offset, node.style in ("'", '"'))


_WHITE = " \t\n\r"


class _Json:
    """Recursive descent over objects and arrays; scalars go to json's own scanner."""

    def __init__(self, source: Source) -> None:
        self.source, self.text, self.pos = source, source.text, 0
        self.scan = json.JSONDecoder().scan_once

    def fail(self, message: str, offset: int | None = None) -> InputError:
        at = self.pos if offset is None else offset
        return InputError(diagnostic(self.source, "RI180", f"not valid JSON: {message}", at))

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITE:
            self.pos += 1

    def document(self) -> Node:
        self.skip()
        if self.pos == len(self.text):
            return Node(None, 0)
        node = self.value()
        self.skip()
        if self.pos < len(self.text):
            raise self.fail("extra data after the document")
        return node

    def value(self) -> Node:
        self.skip()
        start = self.pos
        char = self.text[start:start + 1]
        if char == "{":
            return Node(self.members(), start)
        if char == "[":
            return Node(self.items(), start)
        try:
            value, self.pos = self.scan(self.text, start)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg, exc.pos) from None
        except StopIteration:
            raise self.fail("expected a value") from None
        return Node(value, start, char == '"')

    def members(self) -> dict[str, Entry]:
        found: dict[str, Entry] = {}
        self.pos += 1
        for _first in self.sequence("}"):
            if self.text[self.pos:self.pos + 1] != '"':
                raise self.fail("expected a string key in double quotes")
            key = self.value()
            self.skip()
            if self.text[self.pos:self.pos + 1] != ":":
                raise self.fail("expected ':' after the key")
            self.pos += 1
            if key.value in found:
                raise self.fail(f"key {key.value!r} is given twice", key.offset)
            found[key.value] = Entry(key.offset, self.value())
        return found

    def items(self) -> list[Node]:
        found: list[Node] = []
        self.pos += 1
        for _first in self.sequence("]"):
            found.append(self.value())
        return found

    def sequence(self, close: str):  # noqa: ANN201 - a generator of "is this the first member"
        """Yields before each member; consumes the commas and the closing bracket."""
        self.skip()
        if self.text[self.pos:self.pos + 1] == close:
            self.pos += 1
            return
        first = True
        while True:
            self.skip()
            yield first
            first = False
            self.skip()
            char = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if char == close:
                return
            if char != ",":
                raise self.fail(f"expected ',' or '{close}'", self.pos - 1)

"""YAML/JSON documents as a tree of values that remember where they were written.

:class:`Node` is what the spec reader, the values files (``--vars``) and the COPY manifests
(``--manifest``) read: ``dict[str, Entry]``, ``list[Node]`` or a scalar, each with the offset
where it was written, so a diagnostic points at file:line:col. This module holds the values
and the JSON reader (the standard library's ``json`` keeps no positions); YAML is composed
by the spec stage (``redshift_iam.spec.read_tree``), which the CLI hands to whoever needs it.

Every reader here refuses what a hostile document could use against the tool, with a
:class:`TreeError` the caller turns into its own diagnostic code: nesting deeper than
:data:`MAX_DEPTH` (before any recursion limit), a key given twice, a number too long to
convert, and a lone surrogate in a string (RI128, see :mod:`redshift_iam.core.encodable`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from redshift_iam.core.encodable import SURROGATE_CODE, first_surrogate, surrogate_message

if TYPE_CHECKING:
    from redshift_iam.core.placeholders import Placeholder
    from redshift_iam.core.source import Source

# How deep lists and mappings may nest. Specs, values files and manifests need under ten
# levels; the cap keeps every reader (and PyYAML's recursive composer) far from Python's
# recursion limit, and bounds what nested values cost (each level's value holds its subtree).
MAX_DEPTH = 32


class TreeError(Exception):
    """A document the tool will not read: ``message`` at character ``offset``. ``code`` is
    set when the problem has its own code whatever the document (RI128); otherwise the
    caller gives its own (RI180 spec, RI175 values file, RI150 manifest)."""

    def __init__(self, message: str, offset: int, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.offset, self.code = message, offset, code


class Entry(NamedTuple):
    """One mapping member: where its key stands and its value."""

    key_offset: int
    value: Node


class Node(NamedTuple):
    """A value: ``dict[str, Entry]``, ``list[Node]`` or a scalar (str, int, float, bool,
    None). ``offset`` is where the value starts; ``quoted`` tells whether a string was
    written in quotes (its text then starts one character later). A string rendered from a
    template (``spec.templated``) holds its rendering, ``rendered`` is the Source of that text
    (its offsets map back into the spec) and ``placeholders`` are the template placeholders
    written in it. ``value`` is typed ``Any``: readers index it as the JSON Schema they
    validated it against says."""

    value: Any
    offset: int
    quoted: bool = False
    rendered: Source | None = None
    placeholders: tuple[Placeholder, ...] = ()

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


# Reads a document's text into a tree; raises TreeError. ``aliases`` (YAML only): whether a
# plain value may be used again through an alias (the spec allows it; values files do not).
ReadTree = Callable[[str, bool], Node]


def check_string(value: str, offset: int) -> None:
    """Raise TreeError (RI128) if the string written at ``offset`` holds a lone surrogate."""
    at = first_surrogate(value)
    if at is not None:
        raise TreeError(surrogate_message("the string", value, at), offset, SURROGATE_CODE)


def too_deep(offset: int) -> TreeError:
    return TreeError(f"lists and mappings nest more than {MAX_DEPTH} levels deep here", offset)


def json_tree(text: str) -> Node:
    """The JSON document ``text`` as a tree (None for an empty document); raises TreeError."""
    return _Json(text).document()


_WHITE = " \t\n\r"


class _Json:
    """Recursive descent over objects and arrays (depth-capped); scalars go to json's own
    scanner."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.depth = text, 0, 0
        # JSONDecoder sets scan_once up in __init__; typeshed does not declare the attribute
        self.scan: Callable[[str, int], tuple[Any, int]] = (
            json.JSONDecoder().scan_once)  # type: ignore[attr-defined]

    def fail(self, message: str, offset: int | None = None) -> TreeError:
        return TreeError(f"not valid JSON: {message}", self.pos if offset is None else offset)

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
        if char in ("{", "["):
            if self.depth >= MAX_DEPTH:
                raise too_deep(start)
            self.depth += 1
            node = Node(self.members() if char == "{" else self.items(), start)
            self.depth -= 1
            return node
        try:
            value, self.pos = self.scan(self.text, start)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg, exc.pos) from None
        except StopIteration:
            raise self.fail("expected a value") from None
        except ValueError:  # an integer of more digits than Python converts
            raise TreeError("the number is too long to read", start) from None
        if isinstance(value, str):
            check_string(value, start)
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
                raise TreeError(f"key {key.value!r} is given twice", key.offset)
            found[key.value] = Entry(key.offset, self.value())
        return found

    def items(self) -> list[Node]:
        found: list[Node] = []
        self.pos += 1
        for _first in self.sequence("]"):
            found.append(self.value())
        return found

    def sequence(self, close: str) -> Iterator[bool]:
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

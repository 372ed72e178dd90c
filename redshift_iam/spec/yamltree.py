"""YAML text -> :class:`~redshift_iam.core.tree.Node` tree, safely: the one YAML reader of the
tool (specs, and the values files of ``--vars``, which the CLI reads with it).

PyYAML's safe loader composes the document (its nodes carry start marks), with three limits
a hostile document would otherwise use:

- **Depth**: lists and mappings nest at most :data:`~redshift_iam.core.tree.MAX_DEPTH`
  levels, checked while composing (PyYAML's composer recurses per level).
- **Aliases**: an alias (``*name``) to a list or mapping is refused where it stands, while
  composing, since nested aliases expand exponentially (the "billion laughs") and an alias
  may refer to its own anchor (a cycle). With ``aliases=False`` (values files) any alias is
  refused: a value's text is spliced, so a long string aliased many times would be too.
- **Tags**: only what JSON holds (strings, numbers, true/false, null, lists, mappings) is
  read. A timestamp (``2024-06-01``, ``2024-06-01T10:00:00Z``: dbt's commonest vars) is read
  as its text exactly as written; every other tag (``!!binary``, ``!!set``, ``!!omap``,
  ``!!python/object``, ``!custom``, the merge key ``<<``) is refused where it stands.

Every problem is a :class:`~redshift_iam.core.tree.TreeError` at its character offset.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from redshift_iam.core.tree import MAX_DEPTH, Entry, Node, TreeError, check_string, too_deep

_STANDARD = "tag:yaml.org,2002:"
# tag -> how its value is read: "construct" (a scalar, by the safe loader), "text" (a scalar,
# as written), "sequence" or "mapping". A tag not listed, or on the wrong kind of node (a
# !!str mapping), is refused.
_TAGS = {
    _STANDARD + "str": "construct", _STANDARD + "int": "construct",
    _STANDARD + "float": "construct", _STANDARD + "bool": "construct",
    _STANDARD + "null": "construct", _STANDARD + "timestamp": "text",
    _STANDARD + "seq": "sequence", _STANDARD + "map": "mapping",
}
# how -> the PyYAML node id it needs
_NODE_IDS = {"construct": "scalar", "text": "scalar", "sequence": "sequence",
             "mapping": "mapping"}


def yaml_tree(text: str, aliases: bool = True) -> Node:
    """The YAML document ``text`` as a tree (``Node(None, 0)`` when empty); see the module
    docstring. Raises TreeError. libyaml parses when PyYAML has it; a document it refuses is
    parsed again by PyYAML's own parser, so that a syntax error reads the same on every
    install."""
    import yaml

    fast, plain = _loader_classes()
    try:
        root = _compose(fast, text, aliases)
    except yaml.YAMLError:
        if fast is plain:
            raise _syntax_error(sys.exc_info()[1]) from None
        try:
            root = _compose(plain, text, aliases)
        except yaml.YAMLError as exc:
            raise _syntax_error(exc) from None
    return Node(None, 0) if root is None else _Walk().node(root)


def _compose(loader_class: type, text: str, aliases: bool) -> Any:
    loader = loader_class(text)
    loader.plain_aliases = aliases
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _syntax_error(exc: BaseException | None) -> TreeError:
    """A PyYAML error as a TreeError at its position."""
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):
        return TreeError(f"not valid YAML: U+{exc.character:04X} is not allowed in YAML text",
                         exc.position)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "bad YAML"
    return TreeError(f"not valid YAML: {problem}", mark.index if mark else 0)


_ALIASED = {
    True: "this list or mapping is used again through an alias (*name); a spec may alias only "
          "plain values",
    False: "an alias (*name) repeats a value; a values file uses no aliases: write it out",
}


@functools.lru_cache(maxsize=1)
def _loader_classes() -> tuple[type, type]:
    """(fast, plain): PyYAML's safe loader whose composer (PyYAML's own, in Python) enforces
    the depth and alias limits as it goes, before anything is built from the document;
    ``fast`` scans and parses with libyaml when PyYAML has it (five times faster), ``plain``
    with PyYAML's Python parser (defined on first use)."""
    import yaml

    plain = _limited(yaml.SafeLoader)
    if not getattr(yaml, "__with_libyaml__", False):
        return plain, plain

    class Fast(yaml.composer.Composer, yaml.CSafeLoader):
        def __init__(self, text: str) -> None:
            yaml.CSafeLoader.__init__(self, text)
            yaml.composer.Composer.__init__(self)  # the Python composer's anchors

    return _limited(Fast), plain


def _limited(base: type) -> type:
    """``base`` with the composer's depth and alias limits."""
    import yaml

    class Loader(base):
        depth = 0
        plain_aliases = True

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.check_alias(self.peek_event())
            elif self.depth >= MAX_DEPTH and not self.check_event(yaml.ScalarEvent):
                raise too_deep(self.peek_event().start_mark.index)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def check_alias(self, event: Any) -> None:
            """Refuse an alias to a list or mapping (it may expand exponentially, or refer
            to its own anchor), and with ``plain_aliases`` off any alias."""
            target = self.anchors.get(event.anchor)  # None: PyYAML reports it undefined
            if target is not None and not (self.plain_aliases
                                           and isinstance(target, yaml.ScalarNode)):
                raise TreeError(_ALIASED[self.plain_aliases], event.start_mark.index)

    return Loader


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag


class _Walk:
    """Composed nodes -> Node, refusing the tags the module docstring lists."""

    def __init__(self) -> None:
        import yaml

        self.loader = yaml.SafeLoader("")

    def node(self, node: Any) -> Node:
        offset = node.start_mark.index
        how = _TAGS.get(node.tag)
        if how is None or _NODE_IDS[how] != node.id:
            raise TreeError(f"the YAML tag {_shown_tag(node.tag)} is not read: a value is a "
                            "string, number, true/false, null, list or mapping", offset)
        if how == "mapping":
            return Node(self.members(node), offset)
        if how == "sequence":
            return Node([self.node(item) for item in node.value], offset)
        return self.scalar(node, how)

    def members(self, node: Any) -> dict[str, Entry]:
        members: dict[str, Entry] = {}
        for key, value in node.value:
            name = self.node(key)
            if not isinstance(name.value, str):
                raise TreeError("a key must be a string (write it in quotes)", name.offset)
            if name.value in members:
                raise TreeError(f"key {name.value!r} is given twice", name.offset)
            members[name.value] = Entry(name.offset, self.node(value))
        return members

    def scalar(self, node: Any, how: str) -> Node:
        offset, quoted = node.start_mark.index, node.style in ("'", '"')
        if how == "text":
            value: object = node.value
        else:
            import yaml

            try:
                value = self.loader.construct_object(node)
            except (ValueError, KeyError, yaml.YAMLError):  # !!bool maybe, 5000 digits
                raise TreeError(f"this value cannot be read as {_shown_tag(node.tag)} (not "
                                "that type, or a number too long)", offset) from None
        if isinstance(value, str):
            check_string(value, offset)
        return Node(value, offset, quoted)

"""YAML text -> :class:`~redshift_iam.core.tree.Node` tree, safely: the one YAML reader of the
tool (specs, and the values files of ``--vars``, which the CLI reads with it).

PyYAML's safe loader composes the document (its nodes carry start marks), with three limits
a hostile document would otherwise use:

- **Depth**: lists and mappings nest at most :data:`~redshift_iam.core.tree.MAX_DEPTH`
  levels, checked while composing (PyYAML's composer recurses per level).
- **Aliases**: a list or mapping met twice came through an alias (``*name``) and is refused,
  since nested aliases expand exponentially (the "billion laughs") and an alias may refer to
  its own anchor (a cycle). With ``aliases=False`` (values files) a plain value may not be
  aliased either: a value's text is spliced, so a long string aliased many times would be too.
- **Tags**: only what JSON holds (strings, numbers, true/false, null, lists, mappings) is
  read. A timestamp (``2024-06-01``, ``2024-06-01T10:00:00Z``: dbt's commonest vars) is read
  as its text exactly as written; every other tag (``!!binary``, ``!!set``, ``!!omap``,
  ``!!python/object``, ``!custom``, the merge key ``<<``) is refused where it stands.

Every problem is a :class:`~redshift_iam.core.tree.TreeError` at its character offset.
"""

from __future__ import annotations

import functools
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
    docstring. Raises TreeError."""
    import yaml

    try:
        root = yaml.compose(text, Loader=_loader_class())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "bad YAML"
        raise TreeError(f"not valid YAML: {problem}", mark.index if mark else 0) from None
    except yaml.reader.ReaderError as exc:
        raise TreeError(f"not valid YAML: U+{exc.character:04X} is not allowed in YAML text",
                        exc.position) from None
    if root is None:
        return Node(None, 0)
    return _Walk(aliases).node(root)


@functools.lru_cache(maxsize=1)
def _loader_class() -> type:
    """PyYAML's SafeLoader with a depth limit on the composer (defined on first use)."""
    import yaml

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.depth >= MAX_DEPTH and not self.check_event(yaml.ScalarEvent,
                                                               yaml.AliasEvent):
                raise too_deep(self.peek_event().start_mark.index)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return Loader


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag


class _Walk:
    """Composed nodes -> Node, refusing what the module docstring lists."""

    def __init__(self, aliases: bool) -> None:
        import yaml

        self.aliases, self.seen = aliases, set()
        self.loader = yaml.SafeLoader("")

    def node(self, node: Any) -> Node:
        offset = node.start_mark.index
        how = _TAGS.get(node.tag)
        if how is None or _NODE_IDS[how] != node.id:
            raise TreeError(f"the YAML tag {_shown_tag(node.tag)} is not read: a value is a "
                            "string, number, true/false, null, list or mapping", offset)
        if how in ("sequence", "mapping") or not self.aliases:
            if id(node) in self.seen:
                raise TreeError(self._again(how), offset)
            self.seen.add(id(node))
        if how == "mapping":
            return Node(self.members(node), offset)
        if how == "sequence":
            return Node([self.node(item) for item in node.value], offset)
        return self.scalar(node, how)

    def _again(self, how: str) -> str:
        if self.aliases:
            return ("this list or mapping is used again through an alias (*name); a spec may "
                    "alias only plain values")
        return "an alias (*name) repeats this value; a values file uses no aliases: write it out"

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

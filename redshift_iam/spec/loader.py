"""Spec text -> a tree of values that remember where they were written.

YAML is composed with PyYAML (its nodes carry start marks) by :func:`yaml_tree`, which the
values files (``--vars``) read too (the CLI hands it over); JSON is read by the core's scanner
(:func:`redshift_iam.core.tree.json_tree`). Both give the same tree: :class:`Node` values
whose ``offset`` is a character offset into the :class:`Source` text, so diagnostics point at
file:line:col with the usual snippet. yaml is imported on first use.
"""

from __future__ import annotations

from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.secrets import SECRET_WORDS
from redshift_iam.core.source import Source
from redshift_iam.core.tree import Entry, Node, TreeError, json_tree
from redshift_iam.spec.yamltree import yaml_tree

__all__ = ["Entry", "Node", "diagnostic", "hidden_from", "load", "template_outside_value"]


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


def load(source: Source) -> Node:
    """Parse a spec (JSON when the name ends ``.json``, else YAML). Syntax errors and
    duplicate keys raise InputError RI180 at their position; one where a template tag stands
    outside a quoted value says how to write it (:func:`template_outside_value`)."""
    try:
        if source.name.lower().endswith(".json"):
            return json_tree(source.text)
        return yaml_tree(source.text, True)
    except TreeError as exc:
        raise InputError(_located(source, exc)) from None


def _located(source: Source, exc: TreeError) -> Diagnostic:
    """RI180 (or the error's own code) at its offset; a syntax error on a line that holds a
    template tag says how to write the tag instead."""
    found = diagnostic(source, exc.code or "RI180", exc.message, exc.offset)
    outside = None if exc.code else template_outside_value(source, found.location)
    return found._replace(message=outside) if outside else found


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



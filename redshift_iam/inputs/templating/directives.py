"""Terraform template directives: ``%{ if COND }...%{ else }...%{ endif }`` and
``%{ for X in LIST }...%{ endfor }`` (``~`` strips the white space on its side).

Terraform decides them when it renders the file, from values the tool does not evaluate:
a block is one placeholder whose text may be any of its branches (``if``: the body, or the
``else`` body or nothing; ``for``: the body any number of times). :func:`blocks` reads every
directive of a text once and pairs each ``if``/``for`` with the directive that closes it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.inputs.templating.brackets import Brackets

_TAG = re.compile(r"(?<!%)%\{")
_KEYWORD = re.compile(r"\s*(if|else|endif|for|endfor)\b")
_ENDS = {"if": "endif", "for": "endfor"}


class Tag(NamedTuple):
    """One ``%{ ... }`` directive: where it stands, its keyword and the text after it."""

    start: int
    end: int
    keyword: str  # if, else, endif, for, endfor; '' for anything else
    body: str  # the text between the keyword and the closing brace, ~ removed
    strip_before: bool  # %{~
    strip_after: bool  # ~}


class Block(NamedTuple):
    """A whole ``if`` or ``for`` block: its opening and closing directives, what it tests,
    and the text of each branch (None when not plain text: a branch holds another
    placeholder or directive, or the block is a ``for``)."""

    opening: Tag
    closing: Tag
    subject: str
    branches: tuple[str, ...] | None


def _tag(text: str, start: int, brackets: Brackets) -> Tag | None:
    end = brackets.end(start + 2, "}")
    if end < 0:
        return None
    inner = text[start + 2: end - 1]
    strip_before, strip_after = inner.startswith("~"), inner.endswith("~")
    inner = inner[1 if strip_before else 0: len(inner) - (1 if strip_after else 0)]
    keyword = _KEYWORD.match(inner)
    word = keyword.group(1) if keyword else ""
    return Tag(start, end, word, inner[keyword.end():].strip() if keyword else inner.strip(),
               strip_before, strip_after)


def blocks(text: str, brackets: Brackets) -> dict[int, Block]:
    """Every closed ``if``/``for`` block of ``text``, by the offset of its ``%{``. A
    directive that never closes, or a block whose end is missing, is Terraform's error:
    it is left out (the engine keeps such text as it stands)."""
    found: dict[int, Block] = {}
    stack: list[list[Tag]] = []
    position = 0
    while (match := _TAG.search(text, position)) is not None:
        current = _tag(text, match.start(), brackets)
        if current is None:
            position = match.end()
            continue
        position = current.end
        if current.keyword in _ENDS:
            stack.append([current])
        elif current.keyword == "else" and stack and stack[-1][0].keyword == "if":
            stack[-1].append(current)
        elif current.keyword in _ENDS.values() and stack:
            cuts = stack.pop()
            if _ENDS[cuts[0].keyword] == current.keyword:
                found[cuts[0].start] = Block(cuts[0], current, _subject(cuts[0]),
                                             _branches(text, [*cuts, current]))
    return found


def _subject(opening: Tag) -> str:
    """What the block depends on: the condition, or the list a ``for`` walks."""
    if opening.keyword == "for":
        return opening.body.partition(" in ")[2].strip() or opening.body
    return opening.body


def _branches(text: str, cuts: list[Tag]) -> tuple[str, ...] | None:
    """Each branch's text, ``~`` applied; an ``if`` without ``else`` may render nothing."""
    if cuts[0].keyword == "for":
        return None
    found = []
    for before, after in zip(cuts, cuts[1:], strict=False):
        body = text[before.end: after.start]
        if "${" in body or "%{" in body:
            return None
        body = body.lstrip() if before.strip_after else body
        found.append(body.rstrip() if after.strip_before else body)
    if len(cuts) == 2:
        found.append("")
    return tuple(found)

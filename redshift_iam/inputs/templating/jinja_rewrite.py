"""Rewrite a Jinja template so that its rendering says where each piece of text came from.

Before rendering, every literal data chunk is prefixed with a *data marker*
(``\\ue002<region>\\ue003``), every ``{{ expr }}`` becomes ``{{ _ri_x(_ri_at(N), (expr)) }}``
(which wraps the value in ``\\ue004<N>\\ue003 ... \\ue005``), every ``if``/``elif``/``else``/
``for`` test goes through a probe that notices unknown variables, and ``{% include %}`` is
guarded so a missing file becomes a placeholder. Newlines are never added or removed, so
jinja2's line numbers stay the template's. Text captured by ``{% set %}`` blocks, macros,
``{% call %}`` and ``{% filter %}`` bodies is left unmarked (code may inspect it), and maps to
the expression that outputs it. Whitespace control (``{%-``, ``-%}``) is left to jinja2; the
region of a chunk covers only what jinja2 keeps of it.

The probe names all start with :data:`PROBE_PREFIX`; a template may not name one itself
(``jinja_env`` refuses it). Tags are found by one left-to-right scan that mirrors jinja2's
lexer (strings, bracket nesting, ``-``/``+`` modifiers), so an unclosed tag costs one pass:
the scan stops there and jinja2 reports the syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from redshift_iam.core.source import Source

# Trace markers (private-use characters next to the sentinels' \ue000 and \ue001).
DATA, END, OPEN, CLOSE = "\ue002", "\ue003", "\ue004", "\ue005"
ANCHOR, UNANCHOR = "\ue006", "\ue007"
PROBE_PREFIX = "_ri_"
# Every trace marker, as the tracer reads them and as captured text drops them.
MARKERS = re.compile(f"{DATA}([0-9]+){END}|{OPEN}([0-9]+){END}|{CLOSE}|{ANCHOR}([0-9]+){END}"
                     f"|{UNANCHOR}")

_OPENER = re.compile(r"\{[{%#]")
_RAW_BEGIN = re.compile(r"\{%[-+]?\s*raw\s*(?:-%\}|%\})")
_RAW_END = re.compile(r"\{%(?P<l>[-+]?)\s*endraw\s*(?P<r>[-+]?)%\}")
_COMMENT_END = re.compile(r"(?P<r>[-+]?)#\}")
_STRING = re.compile(r"""'[^'\\]*(?:\\.[^'\\]*)*'|"[^"\\]*(?:\\.[^"\\]*)*\"""", re.S)
_PAIRS = {"(": ")", "[": "]", "{": "}"}
# The words of a tag body (strings whole, brackets alone), to split for/include at top level.
_WORD = re.compile(r"""'[^'\\]*(?:\\.[^'\\]*)*'|"[^"\\]*(?:\\.[^"\\]*)*"|\w+|\S""", re.S)
_CAPTURE_OPEN = re.compile(r"^\s*(?:macro|call|filter)\b|^\s*set\s+[\w\s,.()]+(?:\|.*)?$", re.S)
_CAPTURE_CLOSE = re.compile(r"^\s*(?:endmacro|endcall|endset|endfilter)\s*$")


class Tag(NamedTuple):
    """One ``{{ }}``, ``{% %}``, ``{# #}`` or raw block of a template, as jinja2 lexes it."""

    kind: str  # expr | stmt | comment | raw
    start: int
    end: int
    left: str  # the whitespace modifier after the opener: '-', '+' or ''
    body: str  # the expression or statement ('' for a comment or raw block)
    right: str  # the modifier before the closer


def tags(text: str) -> Iterator[Tag]:
    """The tags of ``text`` in order; stops at the first tag that never closes."""
    done = 0
    while (found := _OPENER.search(text, done)) is not None:
        tag = _tag_at(text, found.start())
        if tag is None:
            return
        yield tag
        done = tag.end


def _tag_at(text: str, start: int) -> Tag | None:
    second = text[start + 1]
    left = text[start + 2] if text[start + 2:start + 3] in ("-", "+") else ""
    if second == "#":
        end = _COMMENT_END.search(text, start + 2)
        return None if end is None else Tag("comment", start, end.end(), left, "",
                                             end.group("r"))
    if second == "%" and (raw := _RAW_BEGIN.match(text, start)) is not None:
        end = _RAW_END.search(text, raw.end())
        return None if end is None else Tag("raw", start, end.end(), left, "", end.group("r"))
    closing = "}}" if second == "{" else "%}"
    body_start = start + 2 + len(left)
    close = _closer(text, body_start, closing)
    if close is None:
        return None
    at, right = close
    kind = "expr" if second == "{" else "stmt"
    return Tag(kind, start, at + len(right) + 2, left, text[body_start:at], right)


def _closer(text: str, at: int, closing: str) -> tuple[int, str] | None:
    """Where the tag body that starts at ``at`` ends, and the modifier before ``closing``.

    As jinja2's lexer: strings are skipped whole, the closer counts only outside brackets,
    ``-`` (and ``+`` before ``%}``) right before it is a modifier."""
    stack: list[str] = []
    modifiers = "-+" if closing == "%}" else "-"
    while at < len(text):
        char = text[at]
        if not stack:
            if char in modifiers and text.startswith(closing, at + 1):
                return at, char
            if text.startswith(closing, at):
                return at, ""
        if char in "'\"":
            string = _STRING.match(text, at)
            if string is None:
                return None
            at = string.end()
            continue
        if char in _PAIRS:
            stack.append(_PAIRS[char])
        elif char in ")]}" and (not stack or stack.pop() != char):
            return None
        at += 1
    return None


def top_level_words(body: str) -> list[tuple[str, int]]:
    """The words of a tag body outside brackets, with their offsets."""
    words, depth = [], 0
    for word in _WORD.finditer(body):
        token = word.group()
        if token in _PAIRS:
            depth += 1
        elif token in ")]}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            words.append((token, word.start()))
    return words


class Region(NamedTuple):
    """Where a marked piece of the rendering comes from."""

    source: Source
    offset: int
    size: int  # characters copied 1:1 (a data chunk); 0 for an expression or a block
    kind: str  # data | expr | block
    text: str  # the tag as written (expr/block), '' for data


class Rewriter:
    """Rewrites templates (the main one and each included file) into one region table."""

    def __init__(self) -> None:
        self.regions: list[Region] = []
        # if-block region -> the text of each branch ('' for a missing else), when every
        # branch is plain text: what a jinja-block may render
        self.branches: dict[int, tuple[str, ...]] = {}

    def region(self, region: Region) -> int:
        self.regions.append(region)
        return len(self.regions) - 1

    def rewrite(self, source: Source) -> str:
        """The marked template text of ``source``."""
        return _FileRewrite(self, source).run()


class _FileRewrite:
    def __init__(self, rewriter: Rewriter, source: Source) -> None:
        self.rewriter, self.source = rewriter, source
        self.out: list[str] = []
        self.blocks: list[tuple[str, int]] = []  # open if/for tags and their region
        self.cuts: dict[int, list[int]] = {}  # if region -> where its branches start and end
        self.capture = 0  # depth of set-block / macro / call / filter bodies
        self.strip_next = False  # the previous tag ends with -%} (jinja2 lstrips the data)

    def run(self) -> str:
        text, done = self.source.text, 0
        for tag in tags(text):
            self._data(done, tag.start, tag.left == "-")
            self.out.append(self._tag(tag))
            self.strip_next = tag.right == "-"
            done = tag.end
        self._data(done, len(text), False)
        return "".join(self.out)

    def _data(self, start: int, end: int, rstrip: bool) -> None:
        """A data chunk, with its marker placed after what jinja2 strips before it."""
        chunk = self.source.text[start:end]
        lead = len(chunk) - len(chunk.lstrip()) if self.strip_next else 0
        keep = len(chunk[lead:].rstrip()) if rstrip else len(chunk) - lead
        if self.capture or keep <= 0:
            self.out.append(chunk)
            return
        region = self.rewriter.region(Region(self.source, start + lead, keep, "data", ""))
        self.out.append(f"{chunk[:lead]}{DATA}{region}{END}{chunk[lead:]}")

    def _written(self, tag: Tag) -> str:
        return self.source.text[tag.start:tag.end]

    def _tag(self, tag: Tag) -> str:
        if tag.kind == "raw":
            return self._raw(tag)
        if tag.kind == "expr":
            if not tag.body.strip():
                return self._written(tag)
            region = self._point(tag, "expr")
            call = "_ri_q" if self.capture else "_ri_x"
            return f"{{{{{tag.left} {call}(_ri_at({region}), ({tag.body})) {tag.right}}}}}"
        if tag.kind == "stmt":
            return self._statement(tag)
        return self._written(tag)  # a comment

    def _raw(self, tag: Tag) -> str:
        written = self._written(tag)
        if self.capture:
            return written
        body = _RAW_BEGIN.match(written)
        assert body is not None
        region = self.rewriter.region(Region(self.source, tag.start + body.end(),
                                             len(written) - body.end(), "data", ""))
        return f"{DATA}{region}{END}{written}"

    def _point(self, tag: Tag, kind: str) -> int:
        return self.rewriter.region(Region(self.source, tag.start, 0, kind, self._written(tag)))

    def _statement(self, tag: Tag) -> str:
        """Rewrite if/elif/else/endif, for/endfor, include; track capture bodies."""
        body, left, right = tag.body, tag.left, tag.right
        words = body.split(None, 1)
        word = words[0] if words else ""
        if word in ("if", "elif") and len(words) < 2:
            return self._written(tag)  # jinja2 reports the missing test
        if _CAPTURE_OPEN.match(body):
            self.capture += 1
        elif _CAPTURE_CLOSE.match(body):
            self.capture = max(self.capture - 1, 0)
        if word == "if":
            region = self._point(tag, "block")
            self.blocks.append(("if", region))
            self.cuts[region] = [tag.end]
            return f"{{%{left} if _ri_if({region}, _ri_mark(), ({words[1]})) {right}%}}"
        if word in ("elif", "else", "endif", "endfor") and self.blocks:
            return self._continue(tag, word)
        if word == "for":
            return self._for(tag)
        if word == "include":
            return self._include(tag)
        return self._written(tag)

    def _continue(self, tag: Tag, word: str) -> str:
        left, right, body = tag.left, tag.right, tag.body
        kind, region = self.blocks[-1]
        if kind == "if" and word != "endfor":
            self.cuts[region] += [tag.start, tag.end]
        if word == "elif" and kind == "if":
            return (f"{{%{left} elif _ri_elif({region}, _ri_mark(), "
                    f"({body.split(None, 1)[1]})) {right}%}}")
        if word == "else" and kind == "if":
            return f"{{%{left} elif _ri_else({region}) {right}%}}"
        if word in ("endif", "endfor") and kind == word[3:]:
            self.blocks.pop()
            if kind == "if":
                self._branches(region)
            return (f"{{%{left} {word} %}}{{{{ _ri_after({region}, {int(bool(self.capture))}) "
                    f"{right}}}}}")
        return self._written(tag)

    def _branches(self, region: int) -> None:
        """Record an if-block's branch texts when none holds Jinja syntax."""
        cuts, text = self.cuts.pop(region), self.source.text
        texts = [text[cuts[at]:cuts[at + 1]] for at in range(0, len(cuts) - 1, 2)]
        marks = [text[cuts[at]:cuts[at + 1]] for at in range(1, len(cuts) - 1, 2)]
        if any(_OPENER.search(branch) for branch in texts):
            return
        has_else = any(re.match(r"\{%[-+]?\s*else\b", mark) for mark in marks)
        self.rewriter.branches[region] = (*texts, *(() if has_else else ("",)))

    def _for(self, tag: Tag) -> str:
        """``for T in ITER [if C] [recursive]``: ITER goes through the loop probe."""
        region = self._point(tag, "block")
        self.blocks.append(("for", region))
        words = top_level_words(tag.body)
        starts = [at for word, at in words if word == "in"]
        if len(words) < 4 or words[0][0] != "for" or not starts:
            return self._written(tag)
        target, begin = tag.body[words[0][1] + 3:starts[0]], starts[0] + 2
        ends = [at for word, at in words if word in ("if", "recursive") and at > begin]
        stop = ends[0] if ends else len(tag.body)
        return (f"{{%{tag.left} for {target} in _ri_iter({region}, _ri_mark(), "
                f"({tag.body[begin:stop]})) {tag.body[stop:]} {tag.right}%}}")

    def _include(self, tag: Tag) -> str:
        """``include NAME [ignore missing] [with[out] context]``, guarded by the found probe."""
        words = top_level_words(tag.body)
        ends = [at for word, at in words[1:] if word in ("ignore", "with", "without")]
        begin = words[0][1] + len("include")
        stop = ends[0] if ends else len(tag.body)
        name, rest = tag.body[begin:stop], tag.body[stop:]
        if not name.strip():
            return self._written(tag)
        region = self._point(tag, "block")
        left, right, captured = tag.left, tag.right, int(bool(self.capture))
        return (f"{{%{left} if _ri_found({region}, _ri_mark(), ({name})) %}}"
                f"{{{{ _ri_anchor({region}) }}}}{{% include {name}{rest} %}}"
                f"{{{{ _ri_unanchor() }}}}{{% endif %}}{{{{ _ri_after({region}, {captured}) "
                f"{right}}}}}")

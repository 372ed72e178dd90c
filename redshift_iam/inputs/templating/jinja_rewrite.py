"""Rewrite a Jinja template so that its rendering says where each piece of text came from.

Before rendering, every literal data chunk is prefixed with a *data marker*
(``\\ue002<region>\\ue003``), every ``{{ expr }}`` becomes ``{{ _ri_x(_ri_at(N), (expr)) }}``
(which wraps the value in ``\\ue004<N>\\ue003 ... \\ue005``), every ``if``/``elif``/``else``/
``for`` test goes through a probe that notices unknown variables, and ``{% include %}`` is
guarded so a missing file becomes a placeholder. Newlines are never added or removed, so
jinja2's line numbers stay the template's. Text captured by ``{% set %}`` blocks, macros and
``{% call %}`` bodies is left unmarked (code may inspect it), and maps to the expression that
outputs it. Whitespace control (``{%-``, ``-%}``) is left to jinja2; the region of a chunk
covers only what jinja2 keeps of it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.source import Source

# Trace markers (private-use characters next to the sentinels' \ue000 and \ue001).
DATA, END, OPEN, CLOSE = "\ue002", "\ue003", "\ue004", "\ue005"
ANCHOR, UNANCHOR = "\ue006", "\ue007"
_Q = r"""'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*\""""
_TAG = re.compile(
    r"(?P<raw>\{%[-+]?\s*raw\s*[-+]?%\}.*?\{%[-+]?\s*endraw\s*(?P<rawr>[-+]?)%\})"
    rf"|\{{\{{(?P<el>[-+]?)(?P<expr>(?:{_Q}|[^'\"}}]|\}}(?!\}}))*?)(?P<er>[-+]?)\}}\}}"
    rf"|\{{%(?P<sl>[-+]?)(?P<stmt>(?:{_Q}|[^'\"%]|%(?!\}}))*?)(?P<sr>[-+]?)%\}}"
    r"|\{\#(?P<cl>[-+]?).*?(?P<cr>[-+]?)\#\}", re.S)
_FOR = re.compile(r"^\s*for\s+(?P<target>.+?)\s+in\s+(?P<iter>.+?)"
                  r"(?P<rest>\s+if\s+.*?|\s+recursive|\s+if\s+.*?\s+recursive)?\s*$", re.S)
_INCLUDE = re.compile(r"^\s*include\s+(?P<name>.+?)(?P<rest>(?:\s+ignore\s+missing)?"
                      r"(?:\s+(?:with|without)\s+context)?)\s*$", re.S)
_CAPTURE_OPEN = re.compile(r"^\s*(?:macro|call)\b|^\s*set\s+[\w\s,.]+$")
_CAPTURE_CLOSE = re.compile(r"^\s*(?:endmacro|endcall|endset)\s*$")


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
        self.capture = 0  # depth of set-block / macro / call bodies
        self.strip_next = False  # the previous tag ends with -%} (jinja2 lstrips the data)

    def run(self) -> str:
        text, done = self.source.text, 0
        for match in _TAG.finditer(text):
            self._data(done, match.start(), "-" in (match.group("el"), match.group("sl"),
                                                    match.group("cl")))
            self.out.append(self._tag(match))
            self.strip_next = "-" in (match.group("er"), match.group("sr"), match.group("cr"),
                                      match.group("rawr"))
            done = match.end()
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

    def _tag(self, match: re.Match[str]) -> str:
        if match.group("raw") is not None:
            return self._raw(match)
        if match.group("expr") is not None:
            if not match.group("expr").strip():
                return match.group()
            region = self._point(match, "expr")
            call = "_ri_q" if self.capture else "_ri_x"
            return (f"{{{{{match.group('el')} {call}(_ri_at({region}), ({match.group('expr')})) "
                    f"{match.group('er')}}}}}")
        if match.group("stmt") is not None:
            return self._statement(match)
        return match.group()  # a comment

    def _raw(self, match: re.Match[str]) -> str:
        if self.capture:
            return match.group()
        body = re.match(r"\{%[-+]?\s*raw\s*[-+]?%\}", match.group())
        assert body is not None
        region = self.rewriter.region(Region(self.source, match.start() + body.end(),
                                             len(match.group()) - body.end(), "data", ""))
        return f"{DATA}{region}{END}{match.group()}"

    def _point(self, match: re.Match[str], kind: str) -> int:
        return self.rewriter.region(Region(self.source, match.start(), 0, kind, match.group()))

    def _statement(self, match: re.Match[str]) -> str:
        """Rewrite if/elif/else/endif, for/endfor, include; track capture bodies."""
        body, left, right = match.group("stmt"), match.group("sl"), match.group("sr")
        words = body.split(None, 1)
        word = words[0] if words else ""
        if word in ("if", "elif") and len(words) < 2:
            return match.group()  # jinja2 reports the missing test
        if _CAPTURE_OPEN.match(body):
            self.capture += 1
        elif _CAPTURE_CLOSE.match(body):
            self.capture = max(self.capture - 1, 0)
        if word == "if":
            region = self._point(match, "block")
            self.blocks.append(("if", region))
            self.cuts[region] = [match.end()]
            return f"{{%{left} if _ri_if({region}, _ri_mark(), ({words[1]})) {right}%}}"
        if word in ("elif", "else", "endif", "endfor") and self.blocks:
            return self._continue(match, word, body)
        if word == "for":
            return self._for(match, body, left, right)
        if word == "include":
            return self._include(match, body, left, right)
        return match.group()

    def _continue(self, match: re.Match[str], word: str, body: str) -> str:
        left, right = match.group("sl"), match.group("sr")
        kind, region = self.blocks[-1]
        if kind == "if" and word != "endfor":
            self.cuts[region] += [match.start(), match.end()]
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
        return f"{{%{left}{body}{right}%}}"

    def _branches(self, region: int) -> None:
        """Record an if-block's branch texts when none holds Jinja syntax."""
        cuts, text = self.cuts.pop(region), self.source.text
        texts = [text[cuts[at]:cuts[at + 1]] for at in range(0, len(cuts) - 1, 2)]
        tags = [text[cuts[at]:cuts[at + 1]] for at in range(1, len(cuts) - 1, 2)]
        if any(re.search(r"\{[{%#]", branch) for branch in texts):
            return
        has_else = any(re.match(r"\{%[-+]?\s*else\b", tag) for tag in tags)
        self.rewriter.branches[region] = (*texts, *(() if has_else else ("",)))

    def _for(self, match: re.Match[str], body: str, left: str, right: str) -> str:
        loop = _FOR.match(body)
        region = self._point(match, "block")
        self.blocks.append(("for", region))
        if not loop:
            return match.group()
        return (f"{{%{left} for {loop.group('target')} in _ri_iter({region}, _ri_mark(), "
                f"({loop.group('iter')})){loop.group('rest') or ''} {right}%}}")

    def _include(self, match: re.Match[str], body: str, left: str, right: str) -> str:
        found = _INCLUDE.match(body)
        if not found:
            return match.group()
        region = self._point(match, "block")
        name = found.group("name")
        return (f"{{%{left} if _ri_found({region}, ({name})) %}}{{{{ _ri_anchor({region}) }}}}"
                f"{{% include {name}{found.group('rest')} %}}{{{{ _ri_unanchor() }}}}"
                f"{{% endif %}}{{{{ _ri_after({region}, {int(bool(self.capture))}) {right}}}}}")

"""git's ignore rules (gitignore(5)), read as data: which untracked paths ``git ls-files --others
--exclude-standard`` leaves out, decided path by path as git's own walk does.

Contract: :func:`parse` turns the text of one ignore file into a :class:`Rules` (git's parsing:
``#`` comments, blank lines, trailing spaces unless escaped, a CR before the line end, ``!``
negation, a trailing ``/`` for folders only, a pattern without ``/`` matched against the name
alone, otherwise against the path below the file's folder, ``**`` as git's wildmatch reads it,
bracket expressions with ranges and ``[:class:]``; a malformed pattern matches nothing).
:meth:`Rules.decide` is the last matching pattern's verdict: True (ignored), False (negated), or
None (no pattern matches). Matching is case-sensitive (git's ``core.ignoreCase`` is config, and
no config of the scanned repository is read).

Why not ``pathspec``'s ``GitIgnoreSpec``: it answers "is this path under an ignored pattern" for a
whole path at once, which differs from git's walk (``a/**`` with ``!a/keep`` keeps ``a/keep``;
``build/`` with ``!*.o`` does not re-include ``build/x.o``; ``trail/**/`` does not ignore
``trail/t``); git decides each folder before entering it, and so does this module's caller.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# [:name:] classes, ASCII as git's sane_ctype.
_CLASSES = {
    "alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "blank": " \\t", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "\\x21-\\x7e", "lower": "a-z", "print": "\\x20-\\x7e",
    "punct": "!-/:-@\\[-`{-~", "space": " \\t\\n\\r\\f\\v", "upper": "A-Z",
    "xdigit": "0-9a-fA-F",
}
_NEVER = "(?!)"


class Pattern(NamedTuple):
    """One line: the regular expression of its glob, and how it applies."""

    regex: str
    negative: bool
    dir_only: bool
    basename: bool  # no '/' in the glob: matched against the last name of the path


_MIXED = 64  # patterns of both polarities tried as one alternation


class _Chunk:
    """Consecutive patterns (last first) tried as two alternations (against the name, against
    the path): one call tells whether any matches. When they differ in polarity the first that
    matches is then found one by one (at most :data:`_MIXED`)."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self.patterns = patterns
        self.negative = patterns[0].negative
        self.uniform = all(p.negative == self.negative for p in patterns)
        self.names = _alternation([p.regex for p in patterns if p.basename])
        self.paths = _alternation([p.regex for p in patterns if not p.basename])
        self._each: list[re.Pattern[str]] = []

    def verdict(self, name: str, path: str) -> bool | None:
        if not ((self.names and self.names.fullmatch(name))
                or (self.paths and self.paths.fullmatch(path))):
            return None
        if self.uniform:
            return not self.negative
        if not self._each:
            self._each = [re.compile(p.regex, re.S) for p in self.patterns]
        return next(not p.negative for p, each in zip(self.patterns, self._each, strict=True)
                    if each.fullmatch(name if p.basename else path))


class Rules:
    """The patterns of one ignore file, for paths below its folder."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self._chunks = {kind: _chunks([p for p in patterns if kind or not p.dir_only])
                        for kind in (False, True)}

    def decide(self, path: str, is_dir: bool) -> bool | None:
        """The verdict of the last pattern matching ``path`` ('/'-separated, below the file's
        folder): True ignored, False re-included, None no pattern matches."""
        name = path.rpartition("/")[2]
        for chunk in self._chunks[is_dir]:
            verdict = chunk.verdict(name, path)
            if verdict is not None:
                return verdict
        return None


def _chunks(patterns: list[Pattern]) -> list[_Chunk]:
    """Last pattern first, in chunks: the first chunk that matches holds the last matching
    pattern. A chunk of one polarity grows without end; a mixed one to :data:`_MIXED`, so a
    file that alternates ``x``/``!y`` costs a few calls per path, not one per line."""
    groups: list[list[Pattern]] = []
    uniform: list[bool] = []
    for pattern in reversed(patterns):
        if groups and (len(groups[-1]) < _MIXED or (
                uniform[-1] and groups[-1][0].negative == pattern.negative)):
            uniform[-1] = uniform[-1] and groups[-1][0].negative == pattern.negative
            groups[-1].append(pattern)
        else:
            groups.append([pattern])
            uniform.append(True)
    return [_Chunk(group) for group in groups]


def _alternation(regexes: list[str]) -> re.Pattern[str] | None:
    # Non-capturing: an alternation of capturing groups is about a hundred times slower.
    return re.compile("|".join(f"(?:{r})" for r in regexes), re.S) if regexes else None


def parse(text: str) -> Rules:
    """The rules of one ignore file's text (see the module docstring)."""
    return rules_of(pattern_lines(text))


def pattern_lines(text: str) -> list[str]:
    """The lines of an ignore file that are patterns (trimmed as git trims them), so a caller
    can count them before anything is compiled."""
    lines = (_trim(line[:-1] if line.endswith("\r") else line)
             for line in text.removeprefix("\ufeff").split("\n"))
    return [line for line in lines if line and not line.startswith("#")]


def rules_of(lines: list[str]) -> Rules:
    """The rules of :func:`pattern_lines`."""
    patterns = []
    for line in lines:
        negative = line.startswith("!")
        glob = line[1:] if negative else line
        dir_only = glob.endswith("/")
        glob = glob[:-1] if dir_only else glob
        basename = "/" not in glob
        glob = glob[1:] if glob.startswith("/") else glob
        patterns.append(Pattern(translate(glob) if glob else _NEVER, negative, dir_only,
                                basename))
    return Rules(patterns)


def _trim(line: str) -> str:
    """Trailing spaces go unless escaped with a backslash (git's trim_trailing_spaces)."""
    last_space, index = None, 0
    while index < len(line):
        char = line[index]
        if char == " ":
            last_space = index if last_space is None else last_space
        else:
            last_space = None
            if char == "\\":
                index += 1
        index += 1
    return line if last_space is None else line[:last_space]


def translate(glob: str) -> str:
    """A regular expression matching what git's wildmatch (WM_PATHNAME) matches."""
    out, index = [], 0
    while index < len(glob):
        char = glob[index]
        if char == "*":
            end = index
            while end < len(glob) and glob[end] == "*":
                end += 1
            out.append(_stars(glob, index, end))
            index = end + (1 if out[-1] == "(?:.*/)?" else 0)
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            piece, index = _bracket(glob, index + 1)
            if piece is None:
                return _NEVER
            out.append(piece)
            continue
        elif char == "\\":
            index += 1
            if index == len(glob):
                return _NEVER  # a trailing backslash: wildmatch never matches
            out.append(re.escape(glob[index]))
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def _stars(glob: str, start: int, end: int) -> str:
    """``**`` between slashes (or at an end) crosses folders; other stars stop at '/'."""
    before_ok = start == 0 or glob[start - 1] == "/"
    after = glob[end:end + 1]
    if end - start >= 2 and before_ok and after in ("", "/"):
        return "(?:.*/)?" if after == "/" else ".*"
    return "[^/]*"


def _bracket(glob: str, index: int) -> tuple[str | None, int]:
    """A bracket expression from just after '[': (its regex, the index after ']'), or (None, _)
    when it is unterminated or names an unknown class (the pattern then matches nothing)."""
    negated = index < len(glob) and glob[index] in "!^"
    index += negated
    items, first = [], True
    while True:
        if index >= len(glob):
            return None, index
        char = glob[index]
        if char == "]" and not first:
            break
        first = False
        if char == "\\":
            index += 1
            if index >= len(glob):
                return None, index
            items.append(re.escape(glob[index]))
        elif char == "[" and glob[index + 1:index + 2] == ":":
            close = glob.find(":]", index + 2)
            if close < 0:
                items.append(re.escape("["))  # no ":]": a plain '['
            elif glob[index + 2:close] not in _CLASSES:
                return None, index
            else:
                items.append("\x00" + _CLASSES[glob[index + 2:close]])  # no range after it
                index = close + 1
        elif (char == "-" and items and index + 1 < len(glob) and glob[index + 1] != "]"
              and not items[-1].startswith("\x00")):
            index, item = _range(glob, index + 1, items[-1])
            items.append(item)  # the low end also stands alone (wildmatch matched it already)
        else:
            items.append(re.escape(char))
        index += 1
    body = "".join(item.lstrip("\x00") for item in items)
    if not body:
        return ("[^/]" if negated else _NEVER), index + 1
    return f"(?!/)[{'^' if negated else ''}{body}]", index + 1


def _range(glob: str, index: int, low: str) -> tuple[int, str]:
    """``low-high`` after the item ``low``: (the index of ``high``, the range's item, marked so
    no range follows it)."""
    high = glob[index]
    if high == "\\" and index + 1 < len(glob):
        index += 1
        high = glob[index]
    low_char = low[-1]
    if ord(low_char) > ord(high):
        return index, "\x00"  # an empty range matches nothing
    return index, "\x00" + f"{re.escape(low_char)}-{re.escape(high)}"

"""The generic literal scan for languages other than Python (and Python that ``ast`` rejects).

``LANGUAGES`` says, per host, which literal forms are read and the template style each implies:
``triple`` (``\"\"\"...\"\"\"``; a following ``.stripMargin`` strips each line's margin up to
``|``), ``double`` and ``single`` (one line; ``\\"``, ``\\\\``, ``\\n``, ``\\t`` decoded),
``backtick`` (Go raw strings, JavaScript templates), ``heredoc`` (``<<TAG``, ``<<-TAG``,
``<<~TAG``, quoted tags ``<<'TAG'`` take every character literally); Kotlin's
``.trimMargin()`` is read like ``.stripMargin``. Heredoc indentation:
Ruby ``<<~`` and Terraform ``<<-`` remove the common indentation of the non-blank lines, shell
``<<-`` removes leading tabs, Ruby ``<<-`` removes nothing. A literal is a fragment when
``sqlstart.starts_statement`` accepts its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from redshift_iam.inputs.scanning.fragments import Fragment, Run, Skipped, TextBuilder
from redshift_iam.inputs.scanning.host import HostText
from redshift_iam.inputs.scanning.sqlstart import builds_statement, starts_statement


class Language(NamedTuple):
    """One host: literal forms read, style of interpolating literals, heredoc indentation rule."""

    host: str
    forms: tuple[str, ...]
    style: str
    dedent: str  # heredoc `<<-`/`<<~` rule: 'common', 'tabs' or 'ruby'


_SCALA = ("ltriple", "ldouble")
LANGUAGES = {
    ".scala": Language("scala", _SCALA, "dollar", ""),
    ".sc": Language("scala", _SCALA, "dollar", ""),
    ".java": Language("java", ("triple", "double"), "auto", ""),
    ".kt": Language("kotlin", _SCALA, "dollar", ""),
    ".kts": Language("kotlin", _SCALA, "dollar", ""),
    ".groovy": Language("groovy", ("ltriple", "ldouble", "single"), "dollar", ""),
    ".rb": Language("ruby", ("heredoc", "rdouble", "single"), "ruby", "ruby"),
    ".go": Language("go", ("backtick", "double"), "auto", ""),
    ".sh": Language("shell", ("heredoc", "double", "single"), "shell", "tabs"),
    ".bash": Language("shell", ("heredoc", "double", "single"), "shell", "tabs"),
    ".zsh": Language("shell", ("heredoc", "double", "single"), "shell", "tabs"),
    ".ksh": Language("shell", ("heredoc", "double", "single"), "shell", "tabs"),
    ".tf": Language("terraform", ("heredoc", "double"), "terraform", "common"),
    ".hcl": Language("terraform", ("heredoc", "double"), "terraform", "common"),
    ".js": Language("javascript", ("backtick", "double", "single"), "dollar", ""),
    ".ts": Language("typescript", ("backtick", "double", "single"), "dollar", ""),
    ".py": Language("python", ("triple", "double", "single"), "auto", ""),
}

# A string literal as the whole of an interpolation, ``${"""..."""}`` or ``${"..."}`` (Scala,
# Kotlin, Groovy): it evaluates to its own text, which is spliced in (``_SPLICE``).
_LITERAL_FIELD = r'\$\{(?:"""(?:(?!""").)*+"""|"(?:[^"\\\n]|\\.)*+")\}'
_SPLICE = re.compile(r'\$\{(?:"""(?P<t>(?:(?!""").)*)"""|"(?P<d>(?:[^"\\\n]|\\.)*)")\}',
                     re.DOTALL)
# Ruby: a double-quoted string may span lines, and a ``#{}`` field may hold quotes and braces.
_RUBY_FIELD = r'#\{(?:[^{}"\']|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|\{[^{}]*\})*\}'
_FORMS = {
    "triple": r'(?P<triple>[sf]?"""(?P<tbody>.*?)"""(?P<strip>\.stripMargin|\.trimMargin\(\))?)',
    "ltriple": rf'(?P<triple>[sf]?"""(?P<tbody>(?:[^"$]++|\$(?!\{{")|{_LITERAL_FIELD}|"(?!""))*)'
               r'"""(?P<strip>\.stripMargin|\.trimMargin\(\))?)',
    "double": r'(?P<double>"(?P<dbody>(?:[^"\\\n]|\\.)*)")',
    "ldouble": rf'(?P<double>"(?P<dbody>(?:[^"\\\n$]|\\.|\$(?!\{{")|{_LITERAL_FIELD})*)")',
    "rdouble": rf'(?P<double>"(?P<dbody>(?:[^"\\#]|\\.|#(?!\{{)|{_RUBY_FIELD})*)")',
    "single": r"(?P<single>'(?P<sbody>(?:[^'\\\n]|\\.)*)')",
    "backtick": r"(?P<backtick>`(?P<bbody>[^`]*)`)",
    "heredoc": r"(?P<heredoc><<(?P<hmode>[~-]?)(?P<hq>['\"]?)(?P<tag>[A-Za-z_]\w*)(?P=hq)[^\n]*\n)",
    "comment": r"(?P<comment>(?://|#)[^\n]*)",
}
_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}
_PLUS_AFTER = re.compile(r"[ \t]*\+")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}


def scan_generic(path: str, host: HostText,
                 language: Language) -> tuple[list[Fragment], list[Skipped]]:
    """Every literal of ``language``'s forms in ``host`` whose text starts a statement; one
    joined to other parts by ``+`` is skipped (it cannot be read whole)."""
    pattern = _pattern(language.forms)
    fragments, skipped, index = [], [], 0
    while True:
        match = pattern.search(host.text, index)
        if match is None:
            return fragments, skipped
        index = match.end()
        if match.lastgroup == "comment":
            continue
        builder, style, end = _literal(match, host, language)
        index = max(index, end)
        if builder is None or not builder.runs:
            continue
        if _glued(host.text, match.start(), end) and builds_statement([builder.text()]):
            line, col = host.position(match.start())
            skipped.append(Skipped(path, line, col, "SQL built by concatenation (+) with other "
                                   "parts: write it as one literal or template"))
            continue
        if starts_statement(builder.text()):
            fragments.append(Fragment(path, language.host, builder.text(), style,
                                      tuple(builder.runs), {}, ()))
        elif match.lastgroup == "heredoc" and language.host == "terraform":
            fragments += _inner_heredocs(Fragment(path, language.host, builder.text(), style,
                                                  tuple(builder.runs), {}, ()))


# A shell script inside a Terraform heredoc (a provisioner's command): its own heredocs, whose
# ${} Terraform renders first.
_SHELL_IN_TERRAFORM = Language("terraform", ("heredoc",), "terraform", "tabs")


def _inner_heredocs(outer: Fragment) -> list[Fragment]:
    """The shell heredocs inside a Terraform heredoc that start a statement, each placed in
    the host file through ``outer``'s map."""
    if "<<" not in outer.text:
        return []
    inner = HostText(outer.text)
    found, _ = scan_generic(outer.path, inner, _SHELL_IN_TERRAFORM)
    return [fragment._replace(offsets=tuple(_placed(run, inner, outer) for run in
                                            fragment.offsets)) for fragment in found]


def _placed(run: Run, inner: HostText, outer: Fragment) -> Run:
    """A run of a fragment found in ``outer``'s text, moved to the host file."""
    where = outer.location(inner.starts[run.line - 1] + run.col - 1)
    return run._replace(line=where.line, col=where.col)


def _glued(text: str, start: int, end: int) -> bool:
    """Is the literal at ``start:end`` an operand of ``+``?"""
    before = text[max(0, start - 80):start].rstrip()
    return before.endswith("+") or _PLUS_AFTER.match(text, end) is not None


def _pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    if forms not in _PATTERNS:
        parts = [_FORMS[form] for form in forms] + [_FORMS["comment"]]
        _PATTERNS[forms] = re.compile("|".join(parts), re.DOTALL)
    return _PATTERNS[forms]


def _literal(match: re.Match[str], host: HostText,
             language: Language) -> tuple[TextBuilder | None, str, int]:
    """The text of one matched literal, its style and the offset after it."""
    builder, kind = TextBuilder(), match.lastgroup
    if kind == "heredoc":
        return _heredoc(match, host, language, builder)
    if kind in ("triple", "backtick"):
        group = "tbody" if kind == "triple" else "bbody"
        margin = kind == "triple" and match.group("strip") is not None
        _spliced(host, match.start(group), match.end(group), builder,
                 lambda start, end: _lines(host, start, end, builder, margin=margin))
        plain_scala = kind == "triple" and match.group("triple")[0] not in "sf"
        style = "auto" if plain_scala and language.host == "scala" else language.style
        return builder, style, match.end()
    body = "dbody" if kind == "double" else "sbody"
    _spliced(host, match.start(body), match.end(body), builder,
             lambda start, end: _escaped(host, start, end, builder))
    quoted = body == "sbody" and language.host in ("ruby", "shell")
    return builder, "none" if quoted else language.style, match.end()


def _spliced(host: HostText, start: int, end: int, builder: TextBuilder,
             copy: Callable[[int, int], None]) -> None:
    """Copy ``start:end`` with ``copy``, each ``${"literal"}`` field replaced by the literal's
    text (a triple-quoted one as written, a quoted one unescaped)."""
    index = start
    found = _SPLICE.search(host.text, index, end) if "${\"" in host.text[start:end] else None
    while found is not None:
        copy(index, found.start())
        if found.group("t") is not None:
            _lines(host, found.start("t"), found.end("t"), builder)
        else:
            _escaped(host, found.start("d"), found.end("d"), builder)
        index = found.end()
        found = _SPLICE.search(host.text, index, end)
    copy(index, end)


def _escaped(host: HostText, start: int, end: int, builder: TextBuilder) -> None:
    """A one-line quoted body: ``\\"``, ``\\'``, ``\\\\``, ``\\n``, ``\\t`` become one character."""
    index = start
    while index < end:
        slash = host.text.find("\\", index, end)
        stop = end if slash < 0 else slash
        host.copy(builder, index, stop)
        if slash < 0:
            return
        char = host.text[slash + 1]
        if char in _ESCAPES:
            host.put(builder, _ESCAPES[char], slash)
        else:
            host.copy(builder, slash, slash + 2)
        index = slash + 2


def _lines(host: HostText, start: int, end: int, builder: TextBuilder, margin: bool = False,
           cut: int = 0, tabs: bool = False) -> None:
    """Copy ``start:end`` line by line, dropping each later line's margin (up to ``|``), its
    first ``cut`` characters, or its leading tabs."""
    index, first = start, True
    while index < end:
        stop = host.text.find("\n", index, end)
        stop = end if stop < 0 else stop + 1
        skip = index
        if margin and not first:
            stripped = len(host.text[index:stop]) - len(host.text[index:stop].lstrip(" \t"))
            if host.text[index + stripped: index + stripped + 1] == "|":
                skip = index + stripped + 1
        elif cut and host.text[index:stop].strip():
            skip = index + cut
        elif tabs:
            skip = index + len(host.text[index:stop]) - len(host.text[index:stop].lstrip("\t"))
        host.copy(builder, skip, stop)
        index, first = stop, False


def _heredoc(match: re.Match[str], host: HostText, language: Language,
             builder: TextBuilder) -> tuple[TextBuilder | None, str, int]:
    """A heredoc body from the line after ``<<TAG`` to the line holding only ``TAG``."""
    mode, tag, body = match.group("hmode"), match.group("tag"), match.end()
    indented = r"[ \t]*" if mode else ""
    close = re.compile(rf"^{indented}{re.escape(tag)}[ \t]*$", re.MULTILINE).search(
        host.text, body)
    if close is None:
        return None, "", body
    lines = host.text[body: close.start()].split("\n")
    cut = 0
    if (mode == "~" and language.dedent == "ruby") or (mode == "-" and language.dedent == "common"):
        cut = min((len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()),
                  default=0)
    _lines(host, body, close.start(), builder, cut=cut,
           tabs=mode == "-" and language.dedent == "tabs")
    style = "none" if match.group("hq") else language.style
    return builder, style, close.end()

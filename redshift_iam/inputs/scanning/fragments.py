"""Values handed on by the scanner: fragments of SQL template text with an exact map to the host.

A :class:`Fragment`'s ``offsets`` is a tuple of :class:`Run` rows sorted by ``start``: text offsets
``start .. next.start-1`` map to the host file's ``line``/``col`` (1-based, columns in characters),
advancing the column by ``step`` (1: the text is the host's characters one by one; 0: generated or
decoded text that all stands at one host place, e.g. ``\\n`` or the SQL an operator call builds).
A run never crosses a host line break, so the map needs no copy of the host file.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple

from redshift_iam.core.diagnostics import Location


class Run(NamedTuple):
    """Text offsets from ``start`` stand at host ``line``:``col`` + ``step`` per character."""

    start: int
    line: int
    col: int
    step: int


class Binding(NamedTuple):
    """A value the scanned code gives a placeholder's name (a constant, a literal argument,
    a configparser or JSON file, a default): its value and where it is stated (``path:line``,
    ``dwh.cfg:12``, ``dags/load.py:40 s3_bucket=``). ``default``: the code states it only
    as a default (``os.environ.get("B", "acme")``): the running code may use another."""

    value: str
    origin: str
    default: bool = False


class Fragment(NamedTuple):
    """One piece of SQL template text found in a host file.

    ``path`` is the scanned path as given joined with the path below it; ``host`` the language
    (``sql``, ``jinja-sql``, ``python`` or a ``generic.LANGUAGES`` host); ``style`` the
    template style the host implies: ``auto`` (.sql, Jinja, plain Python literals),
    ``format`` (``.format()``: ``{{`` is a literal brace), ``fstring`` (f-strings and SQL built
    from call arguments: every field an expression), ``percent`` (``%`` templates), ``ruby``
    (``#{}``), ``shell`` (shell: ``${x}``, ``$x``, ``$(cmd)``, ``$1``), ``dollar``
    (Scala/Groovy/Kotlin/JavaScript: ``${expr}``, ``$x``), ``terraform`` (``${expr}``,
    ``%{ }`` directives) or ``none`` (quoted heredocs: every character literal).
    ``positional`` names the positional slots (``{}``, ``%s``) by the source text of the
    arguments passed for them, and ``keyword_names`` (field, source text) the keyword fields
    passed an expression that is neither a literal nor a name (``.format(b=cfg.bucket)``
    names ``{b}`` ``cfg.bucket``); ``bindings`` are the values the code gives names where the
    text is formatted (``pyscan``). ``site`` names the call site (``dags/load.py:40``) when
    the fragment is one instantiation of a template whose values that call passes: its
    locations then carry it (``Location.via``).
    """

    path: str
    host: str
    text: str
    style: str
    offsets: tuple[Run, ...]
    bindings: dict[str, Binding]
    positional: tuple[str, ...]
    site: str = ""
    keyword_names: tuple[tuple[str, str], ...] = ()

    def location(self, text_offset: int) -> Location:
        """The host file position of the character at ``text_offset`` (clamped to the text)."""
        runs = self.offsets
        run = runs[max(bisect_right(runs, text_offset, key=_start) - 1, 0)]
        return Location(self.path, run.line, run.col + run.step * (text_offset - run.start),
                        self.site)


def _start(run: Run) -> int:
    return run.start


class Skipped(NamedTuple):
    """A place the scanner did not read, or read only in part, and why.

    ``line``/``col`` are 1-based; 0/0 when the reason concerns the file (or link) as a whole.
    """

    path: str
    line: int
    col: int
    reason: str


class ScanResult(NamedTuple):
    """Everything ``scan`` found: fragments and skipped places in walk order, files read,
    and the real paths of the SQL files read whole (a psql include of one of them reads as
    nothing: its statements are reported at their own place)."""

    fragments: list[Fragment]
    skipped: list[Skipped]
    files_read: int
    sql_files: frozenset[str] = frozenset()


class TextBuilder:
    """Builds template text and its run map piece by piece."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.runs: list[Run] = []
        self.length = 0

    def add(self, text: str, line: int, col: int, step: int = 1) -> None:
        """Append ``text`` standing at host ``line``:``col`` (no host line break if step 1)."""
        if not text:
            return
        last = self.runs[-1] if self.runs else None
        joins = (last is not None and step == 1 and last.step == 1 and last.line == line
                 and last.col + (self.length - last.start) == col)
        if not joins:
            self.runs.append(Run(self.length, line, col, step))
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        """The text built so far."""
        return "".join(self.parts)

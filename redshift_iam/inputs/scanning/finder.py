"""``scan(paths)``: every SQL fragment holding COPY, UNLOAD or CREATE [OR REPLACE] LIBRARY.

Which files (``kind_of``): SQL files as sqlfluff names them, ``.sql``, ``.ddl``, ``.dml``,
``.psql``, ``.pgsql`` and ``.sql.*`` such as ``.sql.test`` (host ``sql``; ``jinja-sql`` under a
dbt ``models/`` or ``macros/`` directory), ``.j2``/``.jinja``/``.jinja2`` and ``.sql.j2``
(``jinja-sql``) are whole-file templates
(style ``auto``), handed on when a keyword stands anywhere in them as a word; ``.py`` is read
with ``ast`` (``pyscan``); the extensions in ``generic.LANGUAGES`` by the generic literal scan.
Other files are not opened. Each file is read once, through
:class:`~redshift_iam.core.localfiles.FileReader` (regular files only, under the
:class:`~redshift_iam.core.localfiles.ReadLimits` per file and per run); a file whose
lower-cased bytes hold none of ``copy``, ``unload``, ``library`` (nor the Airflow transfer names)
is not parsed, nor source code where no keyword stands as SQL would (``hints``). Skipped (never
an exception): too large, binary (a NUL byte), not UTF-8, unreadable, vanished, too deeply
nested for ``ast``, not a regular file (a FIFO, a device), over a limit; Python ``ast`` rejects
is read by the generic scan, with a note in skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import NamedTuple

from redshift_iam.core.localfiles import SCAN_READ_LIMITS, FileReader, NotRead, ReadLimits
from redshift_iam.inputs.scanning.callsites import instantiate
from redshift_iam.inputs.scanning.cfgfiles import Tree, dbt_vars, tree_of
from redshift_iam.inputs.scanning.fragments import Fragment, ScanResult, Skipped, TextBuilder
from redshift_iam.inputs.scanning.generic import LANGUAGES, scan_generic
from redshift_iam.inputs.scanning.hints import hint_lines
from redshift_iam.inputs.scanning.host import HostText
from redshift_iam.inputs.scanning.pybind import Instantiable
from redshift_iam.inputs.scanning.pyscan import scan_python
from redshift_iam.inputs.scanning.sqlstart import has_keyword, mentions_statement
from redshift_iam.inputs.scanning.walk import Entry, walk

# SQL files by name, as sqlfluff knows them: the extensions of a plain SQL file; a Jinja one.
SQL_EXTENSIONS = (".sql", ".ddl", ".dml", ".psql", ".pgsql")
_JINJA = (".j2", ".jinja", ".jinja2")
_DBT_DIRS = frozenset({"models", "macros"})
_NOT_READ = ("not a kind of file scan reads (SQL: " + ", ".join(SQL_EXTENSIONS) + ", .sql.*; "
             "Jinja: " + ", ".join(_JINJA) + "; code: " + ", ".join(sorted({".py", *LANGUAGES}))
             + "; a spec is read by policy, generate and the other commands, not scan)")


def scan(paths: list[str], limits: ReadLimits = SCAN_READ_LIMITS,
         exclude: tuple[str, ...] = ()) -> ScanResult:
    """Fragments and skipped places under ``paths``, in walk order; ``files_read`` counts the
    files opened (see the module docstring). A file ``exclude`` matches (:func:`excluded`) is
    neither read nor reported."""
    fragments: list[Fragment] = []
    skipped: list[Skipped] = []
    files_read = 0
    reader = FileReader(limits)
    pending: list[Instantiable] = []
    modules: list[tuple[str, str, Tree | None]] = []
    sql_files: set[str] = set()
    for item, tree in _walk(paths, reader, exclude):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        kind = kind_of(item.display)
        if kind is None:
            if item.given:
                skipped.append(Skipped(item.display, 0, 0, _NOT_READ))
            continue
        files_read += 1
        if kind == "python":
            modules.append((item.display, item.real, tree))
        elif kind in ("sql", "jinja-sql"):
            sql_files.add(os.path.realpath(item.real))
        try:
            found, problems = _scan_file(item, kind, reader, _Context(tree, pending))
        except Exception as exc:  # a bug: this file is a place not read, the rest goes on
            if os.environ.get("REDSHIFT_IAM_DEBUG"):
                raise
            found, problems = [], [Skipped(item.display, 0, 0, internal_error(exc, "reading"))]
        fragments.extend(found)
        skipped.extend(problems)
    fragments = instantiate(fragments, pending, modules, FileReader(limits))
    return ScanResult(fragments, skipped, files_read, frozenset(sql_files))


class _Context(NamedTuple):
    """The scanned tree a file is in, and where pending instantiations go."""

    tree: Tree | None
    pending: list[Instantiable]


def _walk(paths: list[str], reader: FileReader, exclude: tuple[str, ...]
          ) -> Iterator[tuple[Entry | Skipped, Tree | None]]:
    """The walk of each path, without what ``exclude`` matches, each file with the scanned
    tree it is in."""
    for given in paths:
        root, tree = given.replace(os.sep, "/").rstrip("/"), tree_of(given)
        for item in walk([given], reader):
            display = item.display if isinstance(item, Entry) else item.path
            if not exclude or not excluded(display, root, exclude):
                yield item, tree


def excluded(display: str, root: str, globs: tuple[str, ...]) -> bool:
    """Does one of ``globs`` (``fnmatch``: ``*`` also crosses ``/``) match the file's path
    below the PATH given (``root``), its path as displayed, or one of its path's parts (a
    folder's or the file's name)?"""
    below = display[len(root) + 1:] if display.startswith(root + "/") else display
    names = (below, display, *below.split("/"))
    return any(fnmatchcase(name, glob) for glob in globs for name in names)


def internal_error(exc: Exception, doing: str) -> str:
    """The reason of a place a bug stopped: the error's type and where, never its values."""
    last = exc.__traceback__
    while last is not None and last.tb_next is not None:
        last = last.tb_next
    where = (f" at {os.path.basename(last.tb_frame.f_code.co_filename)}:{last.tb_lineno}"
             if last is not None else "")
    return (f"internal error {type(exc).__name__}{where} while {doing} it: please report it "
            "(REDSHIFT_IAM_DEBUG=1 shows the traceback); the rest was scanned")


def kind_of(display: str) -> str | None:
    """The host a file is read as (``sql``, ``jinja-sql``, ``python``, a generic language's
    extension), or None when it is not read. SQL files: ``SQL_EXTENSIONS``, and ``.sql``
    before a last extension (``.sql.test``; ``.sql.j2`` is Jinja); a SQL file under a dbt
    ``models/`` or ``macros/`` directory is Jinja too."""
    name = display.rsplit("/", 1)[-1].lower()
    ext = os.path.splitext(name)[1]
    inner = os.path.splitext(name[:-len(ext)] if ext else name)[1]
    if ext in _JINJA:
        return "jinja-sql"
    if ext in SQL_EXTENSIONS or inner == ".sql":
        return "jinja-sql" if _DBT_DIRS.intersection(display.split("/")[:-1]) else "sql"
    if ext == ".py":
        return "python"
    return ext if ext in LANGUAGES else None


def _scan_file(entry: Entry, kind: str, reader: FileReader,
               context: _Context) -> tuple[list[Fragment], list[Skipped]]:
    """Read one file once and hand it to its reader; problems become Skipped rows."""
    data, problem = _read(entry, reader)
    if problem:
        return [], [Skipped(entry.display, 0, 0, problem)]
    lowered = data.lower()
    whole = kind in ("sql", "jinja-sql")
    if not (has_keyword(lowered) or (whole and PSQL_INCLUDE.search(lowered))):
        return [], []
    hints = [] if kind in ("sql", "jinja-sql") else hint_lines(data, lowered)
    if kind not in ("sql", "jinja-sql") and not hints:
        return [], []
    if b"\0" in data:
        return [], [Skipped(entry.display, 0, 0, "binary file (holds NUL bytes): not read")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [Skipped(entry.display, 0, 0, f"not UTF-8 text (byte {error.start}): not "
                            "read; convert it (iconv -t UTF-8)")]
    host = HostText(text.replace("\r\n", "\n") if "\r" in text else text)
    if kind in ("sql", "jinja-sql"):
        found = _whole(entry.display, kind, host)
        if found and kind == "jinja-sql" and context.tree is not None:
            known = dbt_vars(context.tree, entry.display)
            found = [fragment._replace(bindings=known) for fragment in found]
        return found, []
    if kind == "python":
        return _python(entry.display, host, hints, context)
    return scan_generic(entry.display, host, LANGUAGES[kind])


def _read(entry: Entry, reader: FileReader) -> tuple[bytes, str]:
    """The file's bytes, or the reason it cannot be read. A file found by the walk is opened
    without following a link (``real`` is a link's target already); one given by name
    follows."""
    try:
        return reader.read(entry.real, follow=entry.given), ""
    except NotRead as exc:
        return b"", f"{exc.reason}: not read"
    except FileNotFoundError:
        return b"", "vanished during the scan: not read"
    except OSError as error:
        return b"", f"unreadable: {error.strerror or error}"


def _whole(display: str, kind: str, host: HostText) -> list[Fragment]:
    """A whole-file template, when a keyword stands in it as a word. Jinja macro tags
    (``{% macro name(args) %}``, ``{% endmacro %}``: a dbt macro file) become blanks of
    the same length, so the bodies are read in place (their arguments are variables) and
    every position stays the file's."""
    if not (mentions_statement(host.text) or PSQL_INCLUDE.search(host.text.encode())):
        return []
    builder = TextBuilder()
    host.copy(builder, 0, len(host.text))
    text = _MACRO_TAG.sub(_blank, host.text) if "macro" in host.text else host.text
    return [Fragment(display, kind, text, "auto", tuple(builder.runs), {}, ())]


# A psql include line (``\i``, ``\ir`` and their long names): a SQL file holding one is
# read although no statement stands in it, so that the included file is.
PSQL_INCLUDE = re.compile(rb"^[ \t]*\\(?:ir?|include(?:_relative)?)(?:[ \t]|$)", re.M)

_MACRO_TAG = re.compile(r"\{%-?\s*(?:end)?macro\b.*?-?%\}", re.DOTALL)


def _blank(match: re.Match[str]) -> str:
    """Spaces in place of the tag (its line breaks kept)."""
    return re.sub(r"[^\n]", " ", match.group())


def _python(display: str, host: HostText, hints: list[int],
            context: _Context) -> tuple[list[Fragment], list[Skipped]]:
    """``ast`` first; Python it rejects falls back to the generic scan, with a note."""
    try:
        return scan_python(display, host, hints, context.tree, context.pending)
    except SyntaxError as error:
        note = Skipped(display, error.lineno or 0, error.offset or 0,
                       f"not Python 3 ({error.msg}): string literals read by the generic scan")
        fragments, skipped = scan_generic(display, host, LANGUAGES[".py"])
        return fragments, [note, *skipped]
    except (RecursionError, MemoryError):
        return [], [Skipped(display, 0, 0, "too deeply nested for Python's parser: not read")]

"""Jinja templates rendered by jinja2 in a sandbox, with the offsets traced back.

The SQL may come from a repository the user did not write, so the template is data: it runs
in ``jinja2.sandbox.SandboxedEnvironment`` (``jinja_env``), with a context of the given values
and dbt's helpers only, and the probes the tracing needs out of its reach (``jinja_instrument``;
a template that names one is refused: RI171). No attribute tricks (``''.__class__``, methods
of plain values outside ``jinja_tables``: RI171), no file access but ``{% include %}``/
``{% import %}`` of files under ``--template-path`` (``..``, absolute names and symlinks out are
refused: RI172), bounded work (``jinja_limits``: RI173), no reserved character made by the
template (RI176). A value that depends on an undefined variable is unknown (``jinja_unknown``)
and renders as a sentinel named by the variables; see ``jinja_runtime`` and ``jinja_rewrite``.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.localfiles import FileReader
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating.jinja_limits import LimitExceeded, NotText, check_tags
from redshift_iam.inputs.templating.jinja_rewrite import (
    CLOSE,
    MARKERS,
    PROBE_PREFIX,
    Rewriter,
)
from redshift_iam.inputs.templating.jinja_runtime import State, dbt_functions
from redshift_iam.inputs.templating.jinja_text import (
    Forged,
    IncludeNotRead,
    IncludeNotText,
    Unfollowed,
    shown,
)
from redshift_iam.inputs.templating.mapping import Builder, Templated
from redshift_iam.inputs.templating.reserved import refuse_reserved
from redshift_iam.inputs.templating.values import Values, nested

MAX_OUTPUT = 10_000_000  # characters of rendered SQL


class Prepared(NamedTuple):
    """One rendering, ready to run: its state, environment, template and context."""

    state: State
    environment: Any
    template: Any
    context: dict[str, Any]


def render_jinja(source: Source, values: Values, template_path: str | None,
                 reader: FileReader | None = None) -> Templated:
    """Render Jinja template ``source``; raises InputError (RI170-RI178) when it cannot.
    ``reader`` reads included files (default: the default read limits)."""
    try:
        from redshift_iam.inputs.templating import jinja_env  # imports jinja2
    except ImportError:
        raise InputError(source.diagnostic("RI178", "rendering Jinja needs the jinja2 package",
                                           0)) from None
    del jinja_env
    try:
        prepared = prepare(source, values, template_path, reader)
        text = _generate(prepared)
    except Exception as exc:  # noqa: BLE001 -- any failure of untrusted template code
        raise _error(exc, source) from None
    return _trace(text, prepared.state, source)


def prepare(source: Source, values: Values, template_path: str | None,
            reader: FileReader | None = None) -> Prepared:
    """The environment, compiled template and context of one rendering of ``source``."""
    from redshift_iam.inputs.templating import jinja_env

    state = State(values, Rewriter())

    def rewrite(env: Any, name: str, text: str) -> str:
        included = Source(name, text)
        refuse_reserved(included)
        _refuse_probe_names(env, included, Location(name, 1, 1))
        rewritten = state.rewriter.rewrite(included)
        check_tags(len(state.rewriter.regions))
        return rewritten

    env = jinja_env.environment(state, template_path, rewrite, reader or FileReader())
    _refuse_probe_names(env, source, None)
    rewritten = state.rewriter.rewrite(source)
    check_tags(len(state.rewriter.regions))
    try:
        template = env.from_string(rewritten)
    except RecursionError:
        raise InputError(source.diagnostic(
            "RI170", "Jinja syntax error: the template nests too deeply to read (an unclosed "
            "'{{', '(' or '[' repeated?)", 0)) from None
    return Prepared(state, env, template, _context(state, values))


def _refuse_probe_names(env: Any, source: Source, file: Location | None) -> None:
    """RI171 for a template that names a probe (``_ri_...``, as jinja2 lexes names)."""
    from redshift_iam.inputs.templating.jinja_env import probe_name

    found = probe_name(env, source.text, file.file if file else None)
    if found is None:
        return
    lineno, name = found
    where = Location(file.file, lineno, 1) if file else _line(source, lineno)
    raise InputError(Diagnostic(
        "RI171", f"the template tried something the sandbox forbids: it names {name}; names "
        f"starting with {PROBE_PREFIX} are reserved for the tool's tracing", where))


def _generate(prepared: Prepared) -> str:
    parts, size = [], 0
    prepared.state.budget.start()
    for chunk in prepared.template.generate(prepared.context):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise LimitExceeded(f"the rendering is larger than {MAX_OUTPUT:,} characters")
        parts.append(chunk)
    if prepared.state.used:
        names = ", ".join(dict.fromkeys(prepared.state.used))
        raise Unfollowed(f"the template decides something on undefined {names} where the tool "
                         "cannot follow it (an import, extends or autoescape); give its value "
                         "with --var")
    return "".join(parts)


# dbt's helpers that read the values themselves (``is_incremental=true`` makes
# ``is_incremental()`` true; ``var.value.x`` is Airflow's): a value of that name is theirs
_READERS = ("var", "env_var", "is_incremental")
_SCALAR_WINS = ("var", "env_var")  # is_incremental=true is what is_incremental() reads


def _context(state: State, values: Values) -> dict[str, Any]:
    """The values (dotted names as nested objects) over dbt's helpers: a given value wins
    over a helper of the same name (``config``, ``target``, ``ref``...). A reader stays the
    helper, as it reads the values itself, unless the value given as ``var`` or ``env_var`` is
    a scalar (``--var var=x`` for a template that prints ``{{ var }}``)."""
    given = _scopes(nested(values), "")
    context = dbt_functions(state, given)
    context.update((name, value) for name, value in given.items()
                   if name not in _READERS
                   or (name in _SCALAR_WINS and not isinstance(value, dict)))
    return context


class _Scope(dict[str, Any]):
    """A mapping of values that knows its dotted path, so a missing key is named in full."""

    __slots__ = ("_ri_path",)
    _ri_path: str


def _scopes(tree: dict[str, Any], prefix: str) -> Any:
    scope = _Scope({key: _scopes(value, f"{prefix}{key}.") if isinstance(value, dict) else value
                    for key, value in tree.items()})
    scope._ri_path = prefix.rstrip(".")
    return scope


def _error(exc: Exception, source: Source) -> InputError:
    """A clear diagnostic for a template that failed, located in the template when known."""
    from jinja2 import TemplateSyntaxError

    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, TemplateSyntaxError):
        message = re.sub(r" at \d+$", "", exc.message or "")  # an offset in the rewritten text
        message = f"Jinja syntax error: {shown(message)}"
        if exc.filename:  # an included template: its line is all jinja2 knows
            return InputError(Diagnostic("RI170", message, Location(exc.filename,
                                                                     exc.lineno or 1, 1)))
        return InputError(source.diagnostic("RI170", message,
                                            _syntax_offset(source, exc.lineno or 1, message)))
    code, message = _classify(exc)
    return InputError(Diagnostic(code, shown(message), _where(exc, source)))


# Failures whose message names types or variables, never a value: shown. Any other message
# (KeyError, ValueError, IndexError...) may quote a value, transformed past any mask.
_SAFE_MESSAGES = frozenset({"UndefinedError", "ZeroDivisionError", "TypeError",
                            "OverflowError"})


def _classify(exc: Exception) -> tuple[str, str]:
    """The code and message of a failure, one row per kind."""
    from jinja2 import TemplateNotFound
    from jinja2.sandbox import SecurityError

    from redshift_iam.inputs.templating.jinja_env import Refused

    work = "the template does too much work: "
    rows: tuple[tuple[tuple[type, ...], str, str], ...] = (
        ((SecurityError, NotText), "RI171", "the template tried something the sandbox forbids: {}"),
        ((Forged,), "RI176", "{}"),
        ((Unfollowed,), "RI177", "{}"),
        ((IncludeNotRead,), "RI100", "{}"),
        ((IncludeNotText,), "RI105", "{}"),
        ((Refused,), "RI172", "{}"),
        ((LimitExceeded,), "RI173", work + "{}"),
        ((RecursionError,), "RI173", work + "macros call themselves too deeply"),
        ((MemoryError,), "RI173", work + "it runs out of memory"),
        ((TemplateNotFound,), "RI177", "template {} not found under --template-path"),
    )
    for kinds, code, text in rows:
        if isinstance(exc, kinds):
            return code, text.format(exc)
    kind = type(exc).__name__
    if kind in _SAFE_MESSAGES:
        return "RI177", f"the template failed while rendering: {kind}: {exc}"
    return "RI177", (f"the template failed while rendering: {kind} (its message is not shown: "
                     "it may hold a value, a secret's too)")


def _syntax_offset(source: Source, lineno: int, message: str) -> int:
    """Where a syntax error of line ``lineno`` stands: the character jinja2 calls unexpected
    (the first one after the line's first tag opener), else the line's first tag opener, else
    the line's start. jinja2 reports lines only."""
    starts = source.line_starts()
    begin = starts[min(max(lineno, 1), len(starts)) - 1]
    end = source.text.find("\n", begin)
    end = len(source.text) if end < 0 else end
    opener = min((at for at in (source.text.find(tag, begin, end) for tag in ("{{", "{%"))
                  if at >= 0), default=begin)
    unexpected = re.search(r"unexpected (?:char )?(['\"])(.)\1", message)
    if unexpected:
        at = source.text.find(unexpected.group(2), opener + 2, end)
        if at >= 0:
            return at
    return opener


def _line(source: Source, lineno: int) -> Location:
    """Where line ``lineno`` of the template starts (through its origin: a template found
    inside a host file is located in the host)."""
    starts = source.line_starts()
    return source.location(starts[min(max(lineno, 1), len(starts)) - 1])


def _where(exc: Exception, source: Source) -> Location:
    """The innermost template line in the traceback (jinja2 maps its frames to templates)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>":
            return _line(source, frame.lineno or 1)
        if not frame.filename.endswith(".py") and Path(frame.filename).is_file():
            return Location(frame.filename, frame.lineno or 1, 1)
    return source.location(0)


class _Tracer:
    """Strips the region markers from a rendering while building its offset map."""

    def __init__(self, state: State, source: Source) -> None:
        self.regions, self.source = state.rewriter.regions, source
        self.out = Builder()
        self.points: list[int] = []  # open expression regions (outermost first)
        self.anchors: list[int] = []  # open includes
        self.data: int | None = None  # the data region being copied
        self.last: int | None = None  # the last closed expression (maps stray text)

    def run(self, text: str) -> None:
        done = 0
        for match in MARKERS.finditer(text):
            self._flush(text[done:match.start()])
            done = match.end()
            data, opened, anchor = match.group(1), match.group(2), match.group(3)
            if data is not None:
                self.data = int(data)
            elif opened is not None:
                self.points.append(int(opened))
            elif anchor is not None:
                self.anchors.append(int(anchor))
            elif match.group() == CLOSE:
                self.last = self.points.pop() if self.points else self.last
                self.data = None
            elif self.anchors:
                self.anchors.pop()
        self._flush(text[done:])

    def _flush(self, piece: str) -> None:
        anchor = self.regions[self.anchors[0]].offset if self.anchors else None
        number = self.points[0] if self.points else self.data if self.data is not None \
            else self.last
        if number is None:
            self.out.add(piece, self.source, 0, 0, anchor)
            return
        region = self.regions[number]
        size = min(len(piece), region.size) if not self.points else 0
        self.out.add(piece, region.source, region.offset, size,
                     anchor if region.source.name != self.source.name else None)


def _trace(text: str, state: State, source: Source) -> Templated:
    tracer = _Tracer(state, source)
    tracer.run(text)
    return Templated(tracer.out.text(), tuple(state.placeholders), tuple(tracer.out.segments),
                     source, branches=MappingProxyType(state.branches))

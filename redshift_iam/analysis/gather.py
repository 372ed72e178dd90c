"""Inputs -> rendered Sources: each argument read (a directory stands for its scripts and
specs, ``-`` for standard input), the template values loaded once, each SQL script rendered
from its template. Spec values are rendered one by one by the spec reader, through the
``render`` this returns."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Union

from redshift_iam.analysis.included import Templating
from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.localfiles import FileReader
from redshift_iam.core.options import Options, OptionsError
from redshift_iam.core.source import Render, Source

Input = Union[str, "os.PathLike[str]", Source]
ConfigValues = Callable[[str | None], Mapping[str, Any]]  # a file's values from the project config


class Gathered(NamedTuple):
    """What the inputs hold, ready for the readers: the Sources (SQL rendered), the
    problems found reading and rendering them and the templating warnings, the renderer
    of spec values, and the run's templating for the files psql includes (whose
    ``notes()`` hold RW225 once they are read)."""

    sources: tuple[Source, ...]
    diagnostics: tuple[Diagnostic, ...]
    render: Render | None
    templating: Templating


def gather(inputs: Sequence[Input], options: Options, stdin: bytes | None,
           reader: FileReader | None = None, config: ConfigValues | None = None) -> Gathered:
    """Read (with ``reader``: the read limits of the run, shared with the psql includes),
    load the values, render (see the module docstring). ``config`` gives the project
    config's values of a file, which the options' values override."""
    problems: list[Diagnostic] = []
    reader = reader or FileReader()
    sources = _read(inputs, stdin, reader, problems)
    given = load_values(options, problems)

    def values(name: str) -> dict[str, Any]:
        if config is None:
            return given
        return {**config(None if name == "<stdin>" else name), **given}

    rendered, notes, templating = _render(sources, values, options, problems, reader)

    def render(source: Source, spec: Source) -> Any:
        from redshift_iam.inputs import render_source

        return render_source(source, values(spec.name), options.template_style,
                             options.template_path, literal=True, within=spec, reader=reader)

    return Gathered(tuple(rendered), tuple(problems + notes), render, templating)


def _read(inputs: Sequence[Input], stdin: bytes | None, reader: FileReader,
          problems: list[Diagnostic]) -> list[Source]:
    """Each input as a Source; one that cannot be read is a problem, the rest go on."""
    from redshift_iam.inputs import read_source

    sources = []
    for item, follow in expand(inputs, reader).items():
        if isinstance(item, Source):
            sources.append(item)
            continue
        if isinstance(follow, Diagnostic):
            problems.append(follow)
            continue
        if item == "-" and stdin is None:
            stdin = sys.stdin.buffer.read()
        try:
            sources.append(read_source(item, stdin, reader, follow))
        except InputError as exc:
            problems.append(exc.diagnostic)
    return sources


def expand(inputs: Sequence[Input], reader: FileReader
           ) -> dict[str | Source, bool | Diagnostic]:
    """Each input -> how it is read, in input order, each once: a file named by the user (or
    ``-``, or a Source) -> True (read, following a symbolic link); each file a directory
    argument stands for (``spec.directory_inputs``, with git's rule inside a work tree, as
    ``scan`` walks) -> False (read following no link: a link
    inside the directory stands for its target, one out of it is RI100); or the Diagnostic
    that says why it is not read."""
    from redshift_iam.spec import directory_inputs

    found: dict[str | Source, bool | Diagnostic] = {}
    for item in inputs:
        path = item if isinstance(item, Source) else os.fspath(item)
        if isinstance(path, Source) or path == "-" or not os.path.isdir(path):
            found.setdefault(path, True)
            continue
        from redshift_iam.inputs import git_judge  # the scan walker's rule, for a folder

        inside = directory_inputs(path, reader, git_judge(path, reader))
        if not inside:
            found.setdefault(path, Diagnostic("RI100", f"{path} holds no *.sql file and no spec"))
        for entry in inside:
            found.setdefault(entry.path, Diagnostic("RI100", f"{entry.path}: {entry.problem}")
                             if entry.problem else False)
    return found


def load_values(options: Options, problems: list[Diagnostic]) -> dict[str, Any]:
    """The ``vars_files`` (in order), then ``template_vars``; a later value wins. A bad
    file is a problem; a malformed NAME=VALUE raises OptionsError."""
    if not options.vars_files and not options.template_vars:
        return {}
    from redshift_iam.inputs import load_vars, merge, parse_var
    from redshift_iam.spec import yaml_tree  # the one YAML reader (specs and values files)

    loaded = []
    for path in options.vars_files:
        try:
            loaded.append(load_vars(path, yaml_tree))
        except InputError as exc:
            problems.append(exc.diagnostic)
    given = {}
    for spec in options.template_vars:
        try:
            name, value = parse_var(spec)
        except InputError as exc:
            raise OptionsError(f"{exc.diagnostic.message}; {exc.diagnostic.hint}") from None
        given[name] = value
    return dict(merge(*loaded, given))


# The source files scan reads for SQL in their string literals (inputs.scanning: Python and
# the generic LANGUAGES; a test holds the two equal): named as a script, each is pointed to scan.
SOURCE_CODE = (".py", ".scala", ".sc", ".java", ".kt", ".kts", ".groovy", ".rb", ".go", ".sh",
               ".bash", ".zsh", ".ksh", ".tf", ".hcl", ".js", ".ts")


def _render(sources: list[Source], values: Callable[[str], dict[str, Any]], options: Options,
            problems: list[Diagnostic], reader: FileReader
            ) -> tuple[list[Source], list[Diagnostic], Templating]:
    """Each SQL script rendered from its template (plain SQL passes untouched; specs are
    rendered value by value later; ``reader`` reads what ``{% include %}`` names); one that
    cannot be rendered is a problem. A ``--var`` no script (nor a file it includes) uses is
    RW225, judged by the Templating once the includes are read (not when a spec is read: its
    values render later)."""
    from redshift_iam.inputs import render_source
    from redshift_iam.spec import is_spec

    uses = _uses() if options.template_vars else None  # for RW225, only with a --var
    rendered: list[Source] = []
    notes: list[Diagnostic] = []
    specs = False
    for source in sources:
        if is_spec(source.name, options.input_format):
            rendered.append(source)
            specs = True
            continue
        if options.input_format == "auto" and source.name.lower().endswith(SOURCE_CODE):
            problems.append(Diagnostic(
                "RI100", f"{source.name} is source code, not a SQL script: scan finds the SQL "
                "in its string literals", fix=f"run redshift-iam scan {shlex.quote(source.name)}"
                " (or pass --input-format sql to read the file as SQL all the same)"))
            continue
        try:
            source, warnings = render_source(source, script_values(source, values),
                                             options.template_style, options.template_path,
                                             reader=reader)
        except InputError as exc:
            problems.append(exc.diagnostic)
            if uses is not None:
                uses.add_text(source.text, opaque=True)
            continue
        if uses is not None:
            note_uses(uses, source)
        rendered.append(source)
        notes += warnings
    # RW225 judges the --var values only
    templating = Templating(lambda s: script_values(s, values), options, reader, uses,
                            not specs, lambda: values(""))
    return rendered, notes, templating


def script_values(source: Source, values: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The values a script (``source`` as read, before rendering) is rendered with: the dbt
    vars it reads, then ``values`` of its name (the config's and the user's)."""
    return {**_dbt_values(source), **values(source.name)}


def template_of(source: Source) -> Source:
    """The template a rendered Source was rendered from (``source`` itself if it was not)."""
    template = getattr(source.origin, "source", None)
    return template if isinstance(template, Source) else source


def _uses() -> Any:
    from redshift_iam.inputs import Uses

    return Uses()


def _dbt_values(source: Source) -> dict[str, Any]:
    """The dbt vars a script that calls ``var(`` reads (none for any other: no import)."""
    if not source.name or "var(" not in source.text:
        return {}
    from redshift_iam.inputs import script_vars

    return code_values(script_vars(source.name, source.text))


def code_values(bindings: Mapping[str, Any]) -> dict[str, Any]:
    """Values the code states (``inputs.scanning.Binding``) as template values, with their
    origin (a value stated only as a default says so there: ``dbt_project.yml:4 default of
    vars.bucket``). A value the user gives (``--var``, ``--vars``) is merged after them, so
    it wins."""
    from redshift_iam.inputs import Value, expression_name

    # keyed as the template names its placeholders: config['S3']['X'] is config.S3.X
    return {expression_name(name): Value(b.value, b.value, b.origin)
            for name, b in bindings.items()}


def note_uses(uses: Any, source: Source) -> None:
    """Record what a rendered source's template uses (its placeholders; a Jinja text's
    words) in ``uses`` (``inputs.Uses``)."""
    origin = source.origin
    uses.add_placeholders(getattr(origin, "placeholders", ()))
    template = getattr(origin, "source", None)
    uses.add_text(template.text if isinstance(template, Source) else source.text)

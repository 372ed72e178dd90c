"""Inputs -> rendered Sources: each argument read (a directory stands for its scripts and
specs, ``-`` for standard input), the template values loaded once, each SQL script rendered
from its template. Spec values are rendered one by one by the spec reader, through the
``render`` this returns."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple, Union

from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.options import Options, OptionsError
from redshift_iam.core.source import Render, Source

Input = Union[str, "os.PathLike[str]", Source]


class Gathered(NamedTuple):
    """What the inputs hold, ready for the readers: the Sources (SQL rendered), the
    problems found reading and rendering them and the templating warnings, and the renderer
    of spec values."""

    sources: tuple[Source, ...]
    diagnostics: tuple[Diagnostic, ...]
    render: Render | None


def gather(inputs: Sequence[Input], options: Options, stdin: bytes | None) -> Gathered:
    """Read, load the values, render (see the module docstring)."""
    problems: list[Diagnostic] = []
    sources = _read(inputs, stdin, problems)
    values = load_values(options, problems)
    rendered, notes = _render(sources, values, options, problems)

    def render(source: Source, spec: Source) -> Any:
        from redshift_iam.inputs import render_source

        return render_source(source, values, options.template_style, options.template_path,
                             literal=True, within=spec)

    return Gathered(tuple(rendered), tuple(problems + notes), render)


def _read(inputs: Sequence[Input], stdin: bytes | None, problems: list[Diagnostic]
          ) -> list[Source]:
    """Each input as a Source; one that cannot be read is a problem, the rest go on."""
    from redshift_iam.inputs import read_source

    sources = []
    for item in expand(inputs, problems):
        if isinstance(item, Source):
            sources.append(item)
            continue
        if item == "-" and stdin is None:
            stdin = sys.stdin.buffer.read()
        try:
            sources.append(read_source(item, stdin))
        except InputError as exc:
            problems.append(exc.diagnostic)
    return sources


def expand(inputs: Sequence[Input], problems: list[Diagnostic]) -> list[str | Source]:
    """Each directory argument -> its SQL scripts and specs (``spec.directory_inputs``); a
    file named twice is read once."""
    from redshift_iam.spec import directory_inputs

    found: list[str | Source] = []
    for item in inputs:
        if isinstance(item, Source):
            found.append(item)
            continue
        path = os.fspath(item)
        if path != "-" and os.path.isdir(path):
            inside = directory_inputs(path)
            if not inside:
                problems.append(Diagnostic("RI100", f"{path} holds no *.sql file and no spec"))
            found += inside
        else:
            found.append(path)
    return list(dict.fromkeys(found))


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


def _render(sources: list[Source], values: dict[str, Any], options: Options,
            problems: list[Diagnostic]) -> tuple[list[Source], list[Diagnostic]]:
    """Each SQL script rendered from its template (plain SQL passes untouched; specs are
    rendered value by value later); one that cannot be rendered is a problem."""
    from redshift_iam.spec import is_spec

    rendered, notes = [], []
    for source in sources:
        if is_spec(source.name, options.input_format):
            rendered.append(source)
            continue
        from redshift_iam.inputs import render_source

        try:
            source, warnings = render_source(source, values, options.template_style,
                                             options.template_path)
        except InputError as exc:
            problems.append(exc.diagnostic)
            continue
        rendered.append(source)
        notes += warnings
    return rendered, notes

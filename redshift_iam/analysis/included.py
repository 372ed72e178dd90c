"""The run's templating, kept past :func:`~redshift_iam.analysis.gather.gather` for what is
read later: the files psql includes (``\\i``, ``\\ir``) name.

An included file is rendered as the script that includes it: with the top script's values
(its dbt vars, the project config's values for it, then ``--vars`` and ``--var``) and the
run's template style; in ``auto`` style, a file included by a Jinja script is Jinja throughout,
as the script is. Its problems are located in the included file (its placeholders' positions
are its own). Which folder an include may read is the loader's rule
(``inputs.IncludeLoader``: the working directory or the top script's folder). A ``--var`` a
placeholder of an included file uses is used: RW225 is judged after every include is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.localfiles import FileReader
from redshift_iam.core.options import Options
from redshift_iam.core.source import Loader, Source


class Templating:
    """What rendering a run's scripts needs, for the included files: ``values(source)``
    gives a top script's values; ``uses`` (``inputs.Uses``, None without a ``--var``)
    records what the rendered templates use; ``judge_unused``: RW225 applies (no spec
    read, whose values render later)."""

    def __init__(self, values: Callable[[Source], Mapping[str, Any]], options: Options,
                 reader: FileReader, uses: Any = None, judge_unused: bool = False,
                 given: Callable[[], Mapping[str, Any]] = dict) -> None:
        self.values, self.options, self.reader = values, options, reader
        self.uses, self.judge_unused, self.given = uses, judge_unused, given
        self.warnings: list[Diagnostic] = []

    def loader(self, base: Loader) -> Loader:
        """``base`` (which reads an included file's text), each file it reads rendered."""

        def load(name: str, relative: bool, chain: tuple[Source, ...]) -> Source:
            return self.render(base(name, relative, chain), chain[0])

        return load

    def render(self, included: Source, top: Source) -> Source:
        """``included`` rendered as ``top`` was; raises InputError located in it."""
        from redshift_iam.analysis.gather import note_uses, template_of
        from redshift_iam.core.diagnostics import InputError
        from redshift_iam.inputs import render_source

        template = template_of(top)
        try:
            rendered, warnings = render_source(
                included, self.values(template), self.options.template_style,
                self.options.template_path, within=template, reader=self.reader)
        except InputError:
            if self.uses is not None:  # as a script that cannot be rendered: all its words
                self.uses.add_text(included.text, opaque=True)
            raise
        self.warnings += warnings
        if self.uses is not None:
            note_uses(self.uses, rendered)
        return rendered

    def notes(self) -> tuple[Diagnostic, ...]:
        """The included files' templating warnings, then RW225 for each ``--var`` no
        placeholder of the run used."""
        notes = list(self.warnings)
        if self.uses is not None and self.judge_unused:
            from redshift_iam.inputs import unused_vars

            notes += unused_vars(self.given(), self.uses)
        return tuple(notes)

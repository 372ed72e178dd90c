"""A script as the SQL reader sees it: plain, or rendered from its template.

:func:`render_source` is what the CLI runs on every SQL script it reads. Plain SQL comes back
as the very same Source (one regex search paid). A template comes back as a Source whose
``text`` is the rendering and whose ``origin`` is the :class:`Templated` (locations and
snippets are the template's). With ``--template-style none`` a script that holds
template-looking text is marked :class:`~redshift_iam.core.source.Verbatim`: every character
is literal (``{x}`` in a key is granted as written) and nothing is refused as a placeholder.
"""

from __future__ import annotations

from collections.abc import Sequence

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.source import Source, Verbatim
from redshift_iam.inputs.templating.engine import _has_placeholder, template
from redshift_iam.inputs.templating.variables import Values


def render_source(source: Source, values: Values | None = None, style: str = "auto",
                  template_path: str | None = None, positional_names: Sequence[str] = ()
                  ) -> tuple[Source, tuple[Diagnostic, ...]]:
    """(the Source to read, the templating warnings). Raises InputError (RI17x) for a
    template that cannot be rendered safely. ``positional_names`` name the positional slots
    (``{}``, ``%s``) in order, as :func:`~redshift_iam.inputs.templating.template` does. A
    ``source`` with an origin (``core.source.Hosted``: SQL found inside a host file) keeps it
    under the rendering: positions are the host's."""
    if style == "none":
        if _has_placeholder("auto", source.text):
            return Source(source.name, source.text, Verbatim(source)), ()
        return source, ()
    templated = template(source, values, style, template_path, positional_names)
    if templated is None:
        return source, ()
    return Source(source.name, templated.text, templated), templated.warnings

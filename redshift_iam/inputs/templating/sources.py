"""A script as the SQL reader sees it: plain, or rendered from its template.

:func:`render_source` is what the CLI runs on every SQL script it reads. Plain SQL comes back
as the very same Source (one regex search paid). A template comes back as a Source whose
``text`` is the rendering and whose ``origin`` is the :class:`Templated` (locations and
snippets are the template's). With ``--template-style none`` a script that holds
template-looking text is marked :class:`~redshift_iam.core.source.Verbatim`: every character
is literal (``{x}`` in a key is granted as written) and nothing is refused as a placeholder.
The engine (and what it imports) is loaded only for a script that may hold a placeholder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.localfiles import FileReader
from redshift_iam.core.source import Source, Verbatim
from redshift_iam.inputs.templating.triggers import TRIGGERS, may_hold

NONE: Mapping[str, str] = MappingProxyType({})

if TYPE_CHECKING:
    from redshift_iam.inputs.templating.values import Values


def render_source(source: Source, values: Values | None = None, style: str = "auto",
                  template_path: str | None = None, literal: bool = False,
                  within: Source | None = None, positional_names: Sequence[str] = (),
                  reader: FileReader | None = None, keyword_names: Mapping[str, str] = NONE
                  ) -> tuple[Source, tuple[Diagnostic, ...]]:
    """(the Source to read, the templating warnings). Raises InputError (RI17x) for a
    template that cannot be rendered safely. ``literal``: the text is one value, read as
    the inside of a SQL string literal (a spec value; see ``engine.template``); ``within``:
    the document the value stands in, whose forms decide, as a script's do: in ``auto``
    style a document that holds Jinja is Jinja throughout (``{x}`` elsewhere is literal).
    ``positional_names`` name the positional slots (``{}``, ``%s``) in order, as
    :func:`~redshift_iam.inputs.templating.template` does, and ``keyword_names`` rename
    named ones (field -> the name it is known by). A ``source`` with an origin
    (``core.source.Hosted``: SQL found inside a host file) keeps it under the rendering:
    positions are the host's. ``reader`` reads the files a Jinja ``{% include %}`` names
    (under its limits: --max-file-size, --max-total-size)."""
    if style not in TRIGGERS and style not in ("auto", "none"):
        raise ValueError(f"unknown template style {style!r}")
    if style == "auto" and within is not None and may_hold(within.text, "jinja"):
        from redshift_iam.inputs.templating.forms import JINJA_DETECT

        style = "jinja" if JINJA_DETECT.search(within.text) else style
    if not may_hold(source.text, "auto" if style == "none" else style):
        return source, ()
    if style == "none":
        return Source(source.name, source.text, Verbatim(source)), ()
    from redshift_iam.inputs.templating.substitution import template

    templated = template(source, values, style, template_path, positional_names,
                         literal=literal, reader=reader, keyword_names=keyword_names)
    if templated is None:
        return source, ()
    return Source(source.name, templated.text, templated), templated.warnings


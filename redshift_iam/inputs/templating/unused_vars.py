"""RW225: a ``--var`` that no placeholder of the run uses, naming the closest name one does.

A ``--var`` is used when a placeholder of a rendered script has its name (or its positional
address), when one is a dotted path below or above it (``cfg`` and ``cfg.bucket``), or, where
the tool cannot list every name read (a Jinja template, a Terraform directive, a template that
failed to render, a psql meta-command line), when its first part appears as a word in that
text. The warning is a
typo's mirror of the unresolved hint: ``--var bukcet=acme`` while ``bucket`` stays open.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.placeholders import Placeholder, fill_command, var_name
from redshift_iam.inputs.templating.forms import JINJA_DETECT
from redshift_iam.inputs.templating.values import Value

_WORD = re.compile(r"[A-Za-z_][\w-]*")
_OPAQUE_FORMS = ("jinja-block", "directive")  # their names do not list every variable read
_META_LINE = re.compile(r"^[ \t]*\\[a-z]+\b.*$", re.M)  # psql \if :prod, \set x :y ...


class Uses:
    """What the rendered templates of a run use: names, and words of opaque texts."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.words: set[str] = set()

    def add_placeholders(self, placeholders: Iterable[Placeholder]) -> None:
        for placeholder in placeholders:
            self.names.add(var_name(placeholder))
            if placeholder.form in _OPAQUE_FORMS:
                self.words.update(_WORD.findall(placeholder.text))

    def add_text(self, text: str, opaque: bool = False) -> None:
        """A template's text: its words count when it is Jinja (or ``opaque``: unread);
        else the words of its psql meta-command lines (``\\if :prod`` reads a value)."""
        if opaque or JINJA_DETECT.search(text):
            self.words.update(_WORD.findall(text))
            return
        for line in _META_LINE.findall(text) if "\\" in text else ():
            self.words.update(_WORD.findall(line))

    def uses(self, name: str) -> bool:
        if name in self.names or name.split(".", 1)[0] in self.words:
            return True
        return any(other.startswith(name + ".") or name.startswith(other + ".")
                   for other in self.names)


def unused_vars(values: Mapping[str, Value], uses: Uses) -> list[Diagnostic]:
    """RW225 for each ``--var`` value (origin ``--var NAME``) that ``uses`` does not use."""
    found = []
    for name, value in sorted(values.items()):
        if not value.origin.startswith("--var ") or uses.uses(name):
            continue
        close = difflib.get_close_matches(name, sorted(uses.names), n=1, cutoff=0.6)
        said = (f"; the closest placeholder name is {close[0]}" if close
                else "; no placeholder has a name close to it")
        found.append(Diagnostic(
            "RW225", f"--var {name} fills no placeholder of the input{said}", None,
            fix=(f"did you mean {fill_command(close[0], 'VALUE')}?" if close
                 else "check the name against the placeholders explain lists")))
    return found

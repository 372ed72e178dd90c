"""Template placeholders as frozen values, and the sentinels that stand for unresolved ones.

The templating stage (``redshift_iam.inputs.templating``) renders a template to SQL text. A
placeholder that got a value is spliced in as text; one that did not is written into the text
as a *sentinel*, ``\\ue000<index>\\ue001`` (two private-use characters around the decimal index
of its :class:`Placeholder`). Private-use characters never occur in SQL, so the SQL lexer can
recognise a sentinel anywhere, bare (``FROM \\ue0000\\ue001``) or inside a string literal
(``'s3://acme/\\ue0001\\ue001/'``), and look its placeholder up by index.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.diagnostics import Location
from redshift_iam.core.lazyre import LazyRegex

SENTINEL_OPEN = "\ue000"
SENTINEL_CLOSE = "\ue001"
# Characters the templating stage reserves (sentinels and its own trace markers): a template
# that holds one of them is refused rather than misread.
RESERVED = "\ue000-\ue00f"
SENTINEL = LazyRegex(f"{SENTINEL_OPEN}(?P<index>[0-9]+){SENTINEL_CLOSE}")

# The forms of the RULES table ("Templated SQL"), one per recognisable syntax.
FORMS = ("jinja", "jinja-block", "format", "percent", "shell", "ruby", "psql", "psql-literal",
         "psql-ident", "angle")


class Placeholder(NamedTuple):
    """One placeholder of a template, resolved or not.

    ``name`` is the normalised dotted name (``cfg['bucket']`` -> ``cfg.bucket``), ``''`` for a
    positional slot (``{}``, ``{0}``, ``%s``), whose ``ordinal`` (1-based among the positional
    slots of the file) names it instead. ``value`` is the text spliced into the rendering, or
    ``None`` when unresolved (a sentinel stands there); ``origin`` says where the value came
    from (``--var bucket``, ``vars.yaml:3``, ``\\set at line 4``, ``default in template``).
    A ``jinja-block`` is an ``if``/``for``/``include`` whose outcome depends on unknown
    variables: its ``name`` lists them (comma-separated) and its sentinel replaces the block's
    whole output.
    """

    index: int
    name: str
    form: str
    text: str
    location: Location
    ordinal: int = 0
    value: str | None = None
    origin: str = ""

    @property
    def resolved(self) -> bool:
        return self.value is not None

    @property
    def label(self) -> str:
        """How messages name it: the name, or ``%s #2 of file:line`` for a positional slot."""
        if self.name:
            return self.name
        return f"{self.text} #{self.ordinal} of {self.location.short}"


def sentinel(index: int) -> str:
    """The text that stands for unresolved placeholder ``index`` in a rendering."""
    return f"{SENTINEL_OPEN}{index}{SENTINEL_CLOSE}"


# Template placeholders that can stand inside a string literal too...
TEMPLATE = (r"\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\{#[^\n]*?#\}|\$\{[^}\n]*\}|\{[A-Za-z_0-9]*\}"
            r"|%\([A-Za-z_]\w*\)s|%s\b")


# ...and psql variables, which psql only expands outside literals.
PLACEHOLDER = TEMPLATE + r"""|:'[A-Za-z_]\w*'|:"[A-Za-z_]\w*"|(?<!:):[A-Za-z_]\w*"""


def has_sentinel(text: str) -> bool:
    """Whether ``text`` holds an unresolved placeholder."""
    return SENTINEL_OPEN in text


def indices(text: str) -> tuple[int, ...]:
    """The placeholder index of every sentinel in ``text``, in order."""
    return tuple(int(match.group("index")) for match in SENTINEL.finditer(text))


def wildcard(text: str) -> str:
    """``text`` with each sentinel as ``*`` (glued ones as one ``*``): the pattern every
    rendering of an S3 key matches."""
    return re.sub(r"\*{2,}", "*", SENTINEL.sub("*", text)) if has_sentinel(text) else text


def shown(text: str, placeholders: tuple[Placeholder, ...] | dict[int, Placeholder]) -> str:
    """``text`` as the template writes it: each sentinel as its placeholder's text."""
    if not has_sentinel(text):
        return text
    table = placeholders if isinstance(placeholders, dict) else {
        p.index: p for p in placeholders}

    def one(match: re.Match[str]) -> str:
        found = table.get(int(match.group("index")))
        return found.text if found else "{?}"

    return SENTINEL.sub(one, text)

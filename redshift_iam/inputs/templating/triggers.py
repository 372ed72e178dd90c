"""The cheap test that settles whether a script may hold a placeholder of a style.

Kept apart from ``forms`` so that reading plain SQL imports nothing else of the templating
stage (start-up is most of a short run).
"""

from __future__ import annotations

from redshift_iam.core.lazyre import LazyRegex

# Cheap first checks, one per style: each starts with a literal character, which re scans for
# at memchr speed (one pattern with all of them scans ~1.5x slower). They may over-match.
_TRIGGERS = {
    "jinja": r"\{[{%#]",
    "format": r"\{[A-Za-z_0-9}]",
    "percent": r"%(?<!%%)[(sd]",
    "shell": r"\$(?:\{|(?<![\w$]\$)[A-Za-z_])",
    "ruby": r"\#\{",
    "psql": r":(?<![\w:]:)['\"A-Za-z_]",
    "angle": r"<[A-Za-z_][\w.-]*>",
}
TRIGGERS = {style: LazyRegex(pattern) for style, pattern in _TRIGGERS.items()}
# The text each trigger starts with: a substring test (memchr) settles most plain scripts
# before any regex runs.
LEADS = {"jinja": "{", "format": "{", "percent": "%", "shell": "$", "ruby": "#", "psql": ":",
         "angle": "<"}


def may_hold(text: str, style: str) -> bool:
    """A substring test, then a literal-led search, per style ``auto`` enables (or the one
    ``style``); over-matching is fine (the scan decides)."""
    styles = TRIGGERS if style == "auto" else (style,)
    return any(LEADS[name] in text and TRIGGERS[name].search(text) for name in styles)

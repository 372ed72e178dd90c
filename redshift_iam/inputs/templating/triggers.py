"""The cheap test that settles whether a script may hold a placeholder of a style.

Kept apart from ``forms`` so that reading plain SQL imports nothing else of the templating
stage (start-up is most of a short run).
"""

from __future__ import annotations

from redshift_iam.core.lazyre import LazyRegex

# Cheap first checks: each starts with a literal character, which re scans for at memchr
# speed (one pattern with all of them scans ~1.5x slower). They may over-match. ``auto``
# checks _AUTO (the forms auto reads); a chosen style checks its own row of _TRIGGERS.
_AUTO = {
    "jinja": r"\{[{%#]",
    "format": r"""\{[A-Za-z_0-9}"']""",
    "percent": r"%(?<!%%)(?:\(|[-#0+.\d]*(?:s|[diu](?!\w)|[oxXeEfFgGcrav](?![\w%])))",
    "shell": r"\$(?:[{(]|(?<![\w$]\$)[A-Za-z_])",
    "ruby": r"\#\{",
    "psql": r":(?<![\w:]:)['\"A-Za-z_]",
    "angle": r"<[A-Za-z_][\w.-]*>",
}
_TRIGGERS = {
    **_AUTO,
    "format": r"\{",
    "fstring": r"\{",
    "percent": r"%",
    "shell": r"\$|`",
    "dollar": r"\$",
    "terraform": r"[$%]\{",
}
TRIGGERS = {style: LazyRegex(pattern) for style, pattern in _TRIGGERS.items()}
AUTO_TRIGGERS = {style: LazyRegex(pattern) for style, pattern in _AUTO.items()}
# The text each trigger starts with: a substring test (memchr) settles most plain scripts
# before any regex runs (a style whose trigger has two leads tests both).
LEADS = {"jinja": "{", "format": "{", "fstring": "{", "percent": "%", "shell": "$", "ruby": "#",
         "psql": ":", "angle": "<", "dollar": "$", "terraform": "{"}


def may_hold(text: str, style: str) -> bool:
    """A substring test, then a literal-led search, per style ``auto`` enables (or the one
    ``style``); over-matching is fine (the scan decides)."""
    if style == "auto":
        return any(LEADS[name] in text and trigger.search(text)
                   for name, trigger in AUTO_TRIGGERS.items())
    if style == "shell" and "`" in text:
        return True
    return LEADS[style] in text and TRIGGERS[style].search(text) is not None

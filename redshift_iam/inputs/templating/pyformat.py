"""A value rendered as Python renders it into a ``str.format`` field or a ``%`` spec.

``{m:02d}`` with 3 gives ``03``, ``{x!r}`` the value's ``repr``, ``%(m)02d`` / ``%5s`` /
``%.2s`` / ``%x`` as the ``%`` operator does. A ``--var`` value is text: where a numeric
spec (``:02d``, ``%04d``, ``%.1f``) cannot format that text but the text is a number as Python
writes one (``3``, ``-1.5``), the number is formatted, as the program that passes a number
would. Where Python would raise (a text such as ``x`` for ``%d`` or ``:02d``)
:class:`FormatProblem` says why, in Python's words, which name the types and
the spec, never the value. A width or precision over :data:`MAX_WIDTH` is refused before
anything is allocated (``{x:999999999}`` would build a gigabyte).
"""

from __future__ import annotations

import re
from typing import Any

MAX_WIDTH = 10_000  # characters a format spec may ask for; no SQL template needs more
_NUMBERS = re.compile(r"\d+")
_INT = re.compile(r"[-+]?\d+\Z")
_FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\Z")


class FormatProblem(Exception):
    """Python would raise rendering this value with this spec (the message says why)."""


def _bounded(spec: str) -> None:
    for number in _NUMBERS.findall(spec):
        if len(number) > 6 or int(number) > MAX_WIDTH:
            raise FormatProblem(f"the spec asks for {int(number):,} characters; the tool renders "
                                f"at most {MAX_WIDTH:,}")


def format_field(value: Any, conversion: str, spec: str) -> str:
    """``format(value, spec)`` after the ``!r``/``!s``/``!a`` conversion, as str.format does."""
    _bounded(spec)
    converters = {"": lambda v: v, "r": repr, "s": str, "a": ascii}
    if conversion not in converters:
        raise FormatProblem(f"Unknown conversion specifier {conversion!r}")
    try:
        return format(converters[conversion](value), spec)
    except (ValueError, TypeError) as exc:
        number = _as_number(value) if conversion == "" else None
        if number is None:
            raise FormatProblem(str(exc)) from None
    try:
        return format(number, spec)
    except (ValueError, TypeError) as exc:
        raise FormatProblem(str(exc)) from None


def _as_number(value: Any) -> int | float | None:
    """A text that is a number as Python writes one, as that number (else None)."""
    if not isinstance(value, str) or len(value) > 100:
        return None
    text = value.strip()
    if _INT.match(text):
        return int(text)
    return float(text) if _FLOAT.match(text) else None


def format_percent(value: Any, spec: str) -> str:
    """``('%' + spec) % (value,)``: ``spec`` is the flags, width, precision and conversion."""
    _bounded(spec)
    try:
        return ("%" + spec) % (value,)
    except (ValueError, TypeError, OverflowError) as exc:
        number = _as_number(value)
        if number is None:
            raise FormatProblem(str(exc)) from None
    try:
        return ("%" + spec) % (number,)
    except (ValueError, TypeError, OverflowError) as exc:
        raise FormatProblem(str(exc)) from None

"""What a template may use: one row per filter and per method of a plain value, with what each
builds (checked before it runs, ``jinja_limits``).

Filters not listed are removed (jinja2's HTML helpers ``e``/``escape``/``forceescape``/``safe``/
``striptags``/``urlize``/``xmlattr`` and ``pprint``, which prints object addresses); ``random``
gives an unknown value (any item could be picked). Methods of ``str``, ``list``, ``dict``,
``tuple`` and numbers not listed are refused by the sandbox (``int.to_bytes``,
``str.expandtabs``, ``str.translate``, ``str.encode``, ``dict.fromkeys``...).
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, KeysView, ValuesView
from typing import Any, NamedTuple

from redshift_iam.inputs.templating.jinja_limits import (
    LimitExceeded,
    length,
    number,
    printf_size,
    sized,
    weigh,
)

Size = Callable[..., int]


class _Plain:
    """No value is unknown in a size estimate (the filter wrapper handled unknowns)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _replaced(s: str, old: str, new: str, count: int | None) -> int:
    hits = len(s) + 1 if old == "" else s.count(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(s) + hits * max(len(new) - len(old), 0)


def _joined(separator: str, items: Any) -> int:
    parts = [len(item) if isinstance(item, str) else weigh(item, _Plain).size for item in items]
    return sum(parts) + len(separator) * max(len(parts) - 1, 0)


# -- filters (arguments after jinja2's context/environment argument)
def _center(value: Any, width: int = 80) -> int:
    return max(len(_text(value)), number(width))


def _indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> int:
    text = _text(s)
    step = len(width) if isinstance(width, str) else number(width)
    return len(text) + (text.count("\n") + 1) * step


def _join(value: Any, d: Any = "", attribute: Any = None) -> int:
    return _joined(_text(d), value)


def _replace(s: Any, old: Any, new: Any, count: Any = None) -> int:
    return _replaced(_text(s), _text(old), _text(new), count)


def _format(value: Any, *args: Any, **kwargs: Any) -> int:
    return printf_size(_text(value), kwargs or args)


def _batch(value: Any, linecount: Any, fill_with: Any = None) -> int:
    return length(value) + number(linecount)


def _slice(value: Any, slices: Any, fill_with: Any = None) -> int:
    return length(value) + number(slices)


def _sum(iterable: Any, attribute: Any = None, start: Any = 0) -> int:
    if isinstance(start, (int, float)):
        return 1
    total = sum(length(item) for item in iterable) + length(start)
    return total * max(length(iterable), 1)  # each + copies what came before


def _tojson(value: Any, indent: Any = None) -> int:
    weight = weigh(value, _Plain)
    step = len(indent) if isinstance(indent, str) else number(indent)
    return weight.size * (1 + step * weight.depth)


def _urlencode(value: Any) -> int:
    return 9 * weigh(value, _Plain).size


MAX_WRAPPED = 100_000  # textwrap breaks a long word in quadratic time


def _wordwrap(s: Any, width: Any = 79, break_long_words: bool = True, wrapstring: Any = None,
              break_on_hyphens: bool = True) -> int:
    size = len(_text(s))
    if size > MAX_WRAPPED:
        raise LimitExceeded(f"the filter wordwrap would wrap {size:,} characters (the limit is "
                            f"{MAX_WRAPPED:,})")
    return size * (1 + len(_text(wrapstring or "\n")))


class Filter(NamedTuple):
    """A filter kept for templates: what it builds (None: no more than it reads), whether it
    turns its arguments into text, whether its value may be an iterator to read first."""

    size: Size | None = None
    text: bool = False
    reads: bool = False


_DATA, _TEXT = Filter(), Filter(text=True)
FILTERS: dict[str, Filter] = {
    **dict.fromkeys(("abs", "attr", "count", "d", "default", "dictsort", "first", "float",
                     "groupby", "int", "items", "last", "length", "list", "map", "max", "min",
                     "reject", "rejectattr", "reverse", "round", "select", "selectattr",
                     "sort", "unique"), _DATA),
    **dict.fromkeys(("capitalize", "filesizeformat", "lower", "string", "title", "trim",
                     "truncate", "upper", "wordcount"), _TEXT),
    "batch": Filter(_batch), "center": Filter(_center, True), "format": Filter(_format, True),
    "indent": Filter(_indent, True), "join": Filter(_join, True, True),
    "replace": Filter(_replace, True), "slice": Filter(_slice), "sum": Filter(_sum, reads=True),
    "tojson": Filter(_tojson, True), "urlencode": Filter(_urlencode, True),
    "wordwrap": Filter(_wordwrap, True),
}
UNKNOWN_FILTERS = ("random",)  # the result could be any rendering: unknown


# -- methods of plain values
def _one(*_: Any, **__: Any) -> int:
    return 1


def _same(value: Any, *_: Any, **__: Any) -> int:
    return len(value)


def _triple(value: Any, *_: Any, **__: Any) -> int:
    return 3 * len(value)  # casefold: a character may become three


def _width(s: str, width: Any = 0, *_: Any) -> int:
    return max(len(s), number(width))


def _str_replace(s: str, old: Any = "", new: Any = "", count: Any = -1) -> int:
    if not (isinstance(old, str) and isinstance(new, str)):
        return len(s)  # str.replace raises TypeError
    return _replaced(s, old, new, count)


def _grow(collection: Any, more: Any = (), **kwargs: Any) -> int:
    return len(collection) + length(more) + len(kwargs)


def _plus_one(collection: Any, *_: Any, **__: Any) -> int:
    return len(collection) + 1


class Method(NamedTuple):
    """A method kept for templates: what it builds, and whether its argument is an iterable
    to read into a list first (so its size is known)."""

    size: Size
    reads: bool = False


_ONE, _SAME = Method(_one), Method(_same)
_STR = {
    **dict.fromkeys(("count", "endswith", "find", "index", "isalnum", "isalpha", "isascii",
                     "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
                     "isprintable", "isspace", "istitle", "isupper", "rfind", "rindex",
                     "startswith"), _ONE),
    **dict.fromkeys(("capitalize", "lower", "lstrip", "partition", "removeprefix",
                     "removesuffix", "rpartition", "rsplit", "rstrip", "split", "splitlines",
                     "strip", "swapcase", "title", "upper"), _SAME),
    "casefold": Method(_triple), "center": Method(_width), "ljust": Method(_width),
    "rjust": Method(_width), "zfill": Method(_width), "replace": Method(_str_replace),
    "join": Method(_joined, reads=True),
    # str.format / format_map: the sandbox's bounded formatter (jinja_env)
    "format": _ONE, "format_map": _ONE,
}
_LIST = {**dict.fromkeys(("clear", "count", "index", "pop", "remove", "reverse"), _ONE),
         "append": Method(_plus_one), "insert": Method(_plus_one), "copy": _SAME,
         "sort": _SAME, "extend": Method(_grow, reads=True)}
_DICT = {**dict.fromkeys(("clear", "get", "items", "keys", "pop", "popitem", "values"), _ONE),
         "copy": _SAME, "setdefault": Method(_plus_one), "update": Method(_grow, reads=True)}
_NUMBER = dict.fromkeys(("as_integer_ratio", "bit_length", "conjugate", "denominator", "imag",
                         "is_integer", "numerator", "real"), _ONE)
METHODS: tuple[tuple[type | tuple[type, ...], dict[str, Method]], ...] = (
    (str, _STR), (list, _LIST), (dict, _DICT), (tuple, dict.fromkeys(("count", "index"), _ONE)),
    ((int, float), _NUMBER), ((KeysView, ValuesView, ItemsView), {"isdisjoint": _ONE}))


def methods_of(value: Any) -> dict[str, Method] | None:
    """The methods a template may use on ``value``; None when it is not a plain value."""
    for kinds, methods in METHODS:
        if isinstance(value, kinds):
            return methods
    return None


def read_first(args: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    """``args`` with an iterator first argument read into a list (see :func:`sized`)."""
    return (sized(args[0], what), *args[1:]) if args else args

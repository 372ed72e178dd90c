"""How much work one Jinja rendering may do, checked before the work is done (RI173).

Every value a template builds is bounded *before* it is allocated: a string or list of at most
:data:`MAX_SIZE` characters or items (``*``, ``+``, ``~``, a filter, a ``str`` method, a
``%``/``format`` width), integers of at most :data:`MAX_BITS` bits, values turned into text
nested at most :data:`MAX_DEPTH` deep. All of it, with one step per probe, call and filter,
is charged to a budget of :data:`MAX_WORK`, and a rendering ends after :data:`DEADLINE`
seconds (counted from when the compiled template starts to run). A SQL template needs a
small fraction of each.

Imported without jinja2 (the runtime uses :class:`Budget`); the walk of values reads jinja2's
``Namespace`` lazily.
"""

from __future__ import annotations

import re
import time
from collections.abc import ItemsView, Iterable, KeysView, Sized, ValuesView
from itertools import islice
from typing import Any, NamedTuple

MAX_SIZE = 1_000_000  # characters of one string, items of one list, size of a value as text
MAX_WORK = 20_000_000  # characters and items built plus steps taken, in one rendering
MAX_BITS = 100_000  # bits of one integer
MAX_EXPONENT = 10_000
MAX_DEPTH = 100  # nesting of a value turned into text
MAX_ITERATIONS = 100_000  # loop iterations per rendering, all loops together
DEADLINE = 3.0  # seconds of one rendering
# Jinja expressions and tags in one template: jinja2 compiles each to Python code (~15 KB of
# memory apiece while compiling), so a count is checked before parsing.
MAX_TAGS = 10_000


class LimitExceeded(Exception):
    """The template does more work than any SQL script needs (RI173)."""


def check_tags(count: int) -> None:
    """LimitExceeded when a template holds more than :data:`MAX_TAGS` expressions and tags
    (``count``: the regions the rewriter found, all templates of the rendering together)."""
    if count > MAX_TAGS:
        raise LimitExceeded(f"it holds more than {MAX_TAGS:,} Jinja expressions and tags "
                            "({{ }}, {% %}); no SQL script needs that many")


class NotText(Exception):
    """The template turns something that is not a value (a function, a helper) into text."""


class Budget:
    """The work and time left to one rendering."""

    def __init__(self) -> None:
        self.spent = 0
        self.until = time.monotonic() + DEADLINE

    def start(self) -> None:
        """Start the clock (when the template, compiled, starts rendering)."""
        self.until = time.monotonic() + DEADLINE

    def tick(self, cost: int = 1) -> None:
        """Charge ``cost`` steps; ends the rendering when the budget or the time is out."""
        self.spent += cost
        if self.spent > MAX_WORK:
            raise LimitExceeded(f"it builds or does more than {MAX_WORK:,} characters, items "
                                "or steps in all")
        if time.monotonic() > self.until:
            raise LimitExceeded(f"the rendering takes longer than {DEADLINE:g} seconds")

    def build(self, size: int, what: str) -> None:
        """Charge a value of ``size`` characters or items that ``what`` is about to build."""
        if size > MAX_SIZE:
            raise LimitExceeded(f"{what} would build {size:,} characters or items (the limit "
                                f"is {MAX_SIZE:,})")
        self.tick(size)


class Weight(NamedTuple):
    """What walking a value found: its size (characters and items), depth, unknown parts."""

    size: int
    depth: int
    unknowns: tuple[Any, ...]


_SCALARS = frozenset({int, float, bool, type(None), range})
_CONTAINERS = (list, tuple, dict, KeysView, ValuesView, ItemsView)


def weigh(value: Any, unknown: type, text: bool = False) -> Weight:
    """Walk ``value`` (shared parts counted each time they print, cycles once), ending with
    LimitExceeded past :data:`MAX_SIZE` or :data:`MAX_DEPTH`; with ``text``, anything but
    plain values and unknowns raises NotText."""
    walk = _Walk(unknown, text)
    stack: list[tuple[Any, int, bool]] = [(value, 1, False)]
    while stack:
        item, level, leaving = stack.pop()
        if leaving:
            walk.path.discard(id(item))
            continue
        rest = walk.enter(item, level)
        if rest:
            stack.append((item, level, True))
            stack.extend((part, level + 1, False) for part in rest)
    return Weight(walk.size, walk.depth, tuple(walk.unknowns))


class _Walk:
    def __init__(self, unknown: type, text: bool) -> None:
        self.unknown, self.text = unknown, text
        self.size = self.depth = 0
        self.unknowns: list[Any] = []
        self.path: set[int] = set()  # the containers being walked (a cycle prints as [...])

    def add(self, size: int, level: int) -> None:
        self.size, self.depth = self.size + size, max(self.depth, level)
        if self.size > MAX_SIZE:
            raise LimitExceeded(f"a value is larger than {MAX_SIZE:,} characters or items")
        if level > MAX_DEPTH:
            raise LimitExceeded(f"a value is nested deeper than {MAX_DEPTH} levels")

    def enter(self, item: Any, level: int) -> list[Any]:
        """Count ``item`` and its plain parts; the parts still to walk."""
        if isinstance(item, str):
            self.add(len(item), level)
            return []
        if type(item) in _SCALARS or isinstance(item, self.unknown):
            if isinstance(item, self.unknown):
                self.unknowns.append(item)
            self.add(1, level)
            return []
        parts = _parts(item)
        if parts is None:
            if self.text:
                raise NotText(f"the template turns a {type(item).__name__} into text; only "
                              "values print")
            self.add(1, level)
            return []
        if id(item) in self.path:
            return []
        self.path.add(id(item))
        self.add(1 + len(parts), level)
        rest = []
        for part in parts:
            if type(part) is str:
                self.size += len(part)
            elif type(part) not in _SCALARS:
                rest.append(part)
        self.add(0, level + 1 if parts else level)
        return rest


def _parts(item: Any) -> Any:
    """The parts of a container (a mapping's keys and values), None for anything else."""
    if isinstance(item, dict):
        return [part for pair in item.items() for part in pair]
    if isinstance(item, (list, tuple)):
        return item
    if isinstance(item, (KeysView, ValuesView, ItemsView)):
        return list(item)
    from jinja2.utils import Namespace

    if isinstance(item, Namespace):
        return _parts(object.__getattribute__(item, "_Namespace__attrs"))
    return None


def sized(value: Any, what: str) -> Any:
    """``value``, or the items of an iterator as a list (at most :data:`MAX_SIZE`)."""
    if isinstance(value, Sized) or not isinstance(value, Iterable):
        return value
    items = list(islice(value, MAX_SIZE + 1))
    if len(items) > MAX_SIZE:
        raise LimitExceeded(f"{what} reads more than {MAX_SIZE:,} items")
    return items


def number(value: Any) -> int:
    """An int argument's size (a width, a count); 0 for anything else."""
    return abs(value) if isinstance(value, int) else 0


def length(value: Any) -> int:
    return len(value) if isinstance(value, Sized) else 1


# -- printf-style % and format widths
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?"
                     r"[hlL]?(?P<conv>[A-Za-z%])")
_DIGITS = re.compile(r"\d+")


def _count(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else 10 ** 18


def printf_size(fmt: str, args: Any) -> int:
    """The widths and precisions a ``%`` format asks for (``*`` takes its argument)."""
    positional = list(args) if isinstance(args, tuple) else [args]
    size = len(fmt)
    for spec in _PRINTF.finditer(fmt):
        for part in (spec.group("width"), spec.group("prec")):
            if part == "*":
                size += number(positional.pop(0)) if positional else 0
            elif part:
                size += _count(part)
        if spec.group("conv") != "%" and positional:
            positional.pop(0)
    return size


def spec_size(spec: str) -> int:
    """The largest width or precision in a ``str.format`` field spec."""
    return max((_count(digits) for digits in _DIGITS.findall(spec)), default=0)

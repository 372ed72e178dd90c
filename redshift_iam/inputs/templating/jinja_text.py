"""Turning a rendering's values into text: known values checked, unknown ones as sentinels.

A known value becomes text only when it is plain data (strings, numbers, lists and mappings of
them: never a function or helper, whose text holds a memory address), within the size limits,
and free of the private-use characters the tool reserves (a string escape such as
``"\\ue000"`` could forge a sentinel or a trace marker: RI176). An unknown value is spliced as
its sentinel, or as its text with sentinels in place (``'s3://b/' ~ x`` keeps the key
precise); anything that *used* an unknown value is unknown as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from redshift_iam.core.placeholders import RESERVED
from redshift_iam.inputs.templating.jinja_limits import Budget, weigh

_RESERVED = re.compile(f"[{RESERVED}]")


class Forged(Exception):
    """A value's text holds a reserved private-use character (RI176)."""


class Unfollowed(Exception):
    """An unknown value was used where no probe stands (RI177)."""


class IncludeNotRead(Exception):
    """A file ``{% include %}`` names is not read: too large, not a regular file (RI100)."""


class IncludeNotText(Exception):
    """A file ``{% include %}`` names is binary or not UTF-8 (RI105)."""


class _Nothing:
    """Stands for the Unknown class until the environment sets it."""


def shown(text: str) -> str:
    """``text`` with the reserved characters escaped (``\\ue000``): fit for a name or message."""
    return _RESERVED.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def merge(*groups: Iterable[str]) -> tuple[str, ...]:
    """Paths, each once, in order."""
    return tuple(dict.fromkeys(path for group in groups for path in group))


class Text:
    """The log of uses and the text of values; :class:`~.jinja_runtime.State` builds on it."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.unknown: Any = _Nothing  # the rendering's Unknown class (jinja_unknown)
        self.used: list[str] = []  # paths of unknown values turned into plain ones

    def undefined_text(self, path: str) -> str:  # the State registers the placeholder
        raise NotImplementedError

    # -- the log of uses
    def use(self, paths: Iterable[str]) -> None:
        self.used.extend(paths)

    def mark(self) -> int:
        self.budget.tick()
        return len(self.used)

    def consume(self, mark: int) -> list[str]:
        """The uses since ``mark``, dropped from the log (this window handles them)."""
        paths = self.used[mark:]
        del self.used[mark:]
        return paths

    # -- unknown values
    def paths_of(self, value: Any) -> tuple[str, ...]:
        return value._ri_paths if isinstance(value, self.unknown) else ()

    def derived(self, unknowns: Iterable[Any]) -> Any:
        return self.unknown._ri_derived(merge(*(found._ri_paths for found in unknowns)))

    def unknown_in(self, values: Iterable[Any]) -> Any:
        """A derived unknown if any of ``values`` is unknown, else None."""
        found = [value for value in values if isinstance(value, self.unknown)]
        return self.derived(found) if found else None

    def splice(self, value: Any) -> str:
        """An unknown as text: its sentinel, or its text with sentinels in place."""
        if value._ri_parts is None:
            return self.undefined_text(", ".join(value._ri_paths))
        return "".join(part if isinstance(part, str) else self.splice(part)
                       for part in value._ri_parts)

    # -- known values
    def text_of(self, value: Any) -> Any:
        """A known value's text, checked; a derived unknown if it holds unknown values."""
        if isinstance(value, str):
            text = value
        else:
            weight = weigh(value, self.unknown, text=True)
            if weight.unknowns:
                return self.derived(weight.unknowns)
            self.budget.build(weight.size, "turning a value into text")
            text = str(value)
        forged = _RESERVED.search(text)
        if forged:
            raise Forged(f"the template made the reserved character U+{ord(forged.group()):04X} "
                         "(with a string escape or a filter); the tool reserves "
                         "U+E000-U+E00F for its sentinels")
        return text

    def output(self, value: Any, mark: int) -> tuple[str, bool]:
        """What an output writes for ``value``, and whether that is a known value's text."""
        paths = self.consume(mark)
        if not paths and isinstance(value, self.unknown):
            return self.splice(value), False
        if paths or isinstance(value, self.unknown):
            return self.undefined_text(", ".join(merge(paths, self.paths_of(value)))), False
        text = self.text_of(value)
        late = self.consume(mark)  # str() of a list holding an unknown used it
        if late or isinstance(text, self.unknown):
            return self.undefined_text(", ".join(merge(late, self.paths_of(text)))), False
        return text, True

    def concat(self, items: Iterable[Any]) -> Any:
        """``a ~ b``: text, or an unknown text keeping each unknown part in place."""
        self.budget.tick()
        parts: list[Any] = []
        unknowns: list[Any] = []
        for item in items:
            if not isinstance(item, self.unknown):
                item = self.text_of(item)
            if isinstance(item, self.unknown):
                unknowns.append(item)
                parts.extend(item._ri_parts if item._ri_parts is not None else (item,))
            else:
                parts.append(item)
        self.budget.build(sum(len(part) for part in parts if isinstance(part, str)),
                          "a ~ concatenation")
        if not unknowns:
            return "".join(parts)
        paths = merge(*(found._ri_paths for found in unknowns))
        return self.unknown._ri_derived(paths, tuple(parts))

    def joined(self, separator: str, items: Iterable[Any]) -> Any:
        """``items|join(separator)`` with unknown items: the text with each in place."""
        pieces: list[Any] = []
        for index, item in enumerate(items):
            pieces += [separator, item] if index else [item]
        return self.concat(pieces)

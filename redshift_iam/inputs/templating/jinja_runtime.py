"""What a rewritten Jinja template calls while it renders (``_ri_*``), and dbt's functions.

:class:`State` collects the placeholders: an expression's value (resolved, with the origin of
the variable it names), an undefined variable (a sentinel, named by its dotted path), and a
``jinja-block``: an ``if``/``elif``/``for`` whose test or iterable touched an undefined value,
or an ``{% include %}`` whose file is missing. Such a block renders none of its branches; its
sentinel stands in their place, so what it surrounds is unknown to the reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from redshift_iam.core.diagnostics import Location
from redshift_iam.core.placeholders import SENTINEL_OPEN as OPEN_SENTINEL
from redshift_iam.core.placeholders import Placeholder, sentinel
from redshift_iam.inputs.templating.forms import normalise
from redshift_iam.inputs.templating.jinja_rewrite import (
    ANCHOR,
    CLOSE,
    END,
    OPEN,
    UNANCHOR,
    Region,
    Rewriter,
)
from redshift_iam.inputs.templating.variables import Values

MAX_ITERATIONS = 100_000  # loop iterations per rendering, all loops together


class LimitExceeded(Exception):
    """The template does more work than any SQL script needs (RI173)."""


class State:
    """The bookkeeping of one rendering."""

    def __init__(self, values: Values, rewriter: Rewriter, undefined: type) -> None:
        self.values, self.rewriter, self.undefined = values, rewriter, undefined
        self.placeholders: list[Placeholder] = []
        self.keys: dict[tuple[object, ...], int] = {}
        self.stack: list[int] = []  # regions of the expressions being evaluated
        self.seen: list[int] = []  # len(tested) when each of those began
        self.tested: list[str] = []  # paths of undefined values a test looked at
        self.unknown: dict[int, list[str]] = {}  # open blocks whose test was unknown
        self.iterations = 0
        self.branches: dict[int, tuple[str, ...]] = {}  # placeholder index -> branch texts

    # -- placeholders
    def _add(self, key: tuple[object, ...], region: Region | None, name: str, form: str,
             value: str | None, origin: str) -> int:
        if key not in self.keys:
            location = (region.source.location(region.offset) if region
                        else Location(self.rewriter.regions[0].source.name, 1, 1)
                        if self.rewriter.regions else Location("<template>", 1, 1))
            self.keys[key] = len(self.placeholders)
            self.placeholders.append(Placeholder(
                len(self.placeholders), name, form, region.text if region else name, location,
                0, value, origin))
        return self.keys[key]

    def undefined_text(self, path: str) -> str:
        """The sentinel for undefined ``path`` where the current expression stands."""
        number = self.stack[-1] if self.stack else None
        region = self.rewriter.regions[number] if number is not None else None
        return sentinel(self._add(("u", number, path), region, path, "jinja", None, ""))

    def _resolved(self, number: int, text: str) -> None:
        region = self.rewriter.regions[number]
        name = normalise(region.text[2:-2].strip("-+ \t\n"))
        origin = self.values[name].origin if name in self.values else "computed in template"
        self._add(("x", number, text), region, name, "jinja", text, origin)

    # -- expressions
    def at(self, number: int) -> int:
        self.stack.append(number)
        self.seen.append(len(self.tested))
        return number

    def expression(self, number: int, value: Any) -> str:
        """``{{ expr }}`` outside captured text: the value between region markers."""
        return f"{OPEN}{number}{END}{self.quiet(number, value)}{CLOSE}"

    def quiet(self, number: int, value: Any) -> str:
        """``{{ expr }}`` as text (a sentinel if undefined), the stack popped."""
        try:
            if isinstance(value, self.undefined):
                return str(value)
            consumed = self.tested[self.seen[-1]:] if self.seen else []
            if consumed:  # a filter, test or loop read an undefined value: the text is unknown
                return self.undefined_text(", ".join(dict.fromkeys(consumed)))
            text = str(value)
            if OPEN_SENTINEL not in text:  # else its undefined parts are placeholders already
                self._resolved(number, text)
            return text
        finally:
            if self.stack:
                self.stack.pop()
            if self.seen:
                self.seen.pop()

    # -- blocks
    def mark(self) -> int:
        return len(self.tested)

    def test_if(self, number: int, mark: int, value: Any) -> bool:
        paths = self.tested[mark:]
        if isinstance(value, self.undefined):
            paths = [*paths, value.ri_path]
        if paths:
            self.unknown[number] = paths
            return False
        return bool(value)

    def test_elif(self, number: int, mark: int, value: Any) -> bool:
        return False if number in self.unknown else self.test_if(number, mark, value)

    def test_else(self, number: int) -> bool:
        return number not in self.unknown

    def loop(self, number: int, mark: int, value: Any) -> Iterator[Any]:
        if isinstance(value, self.undefined) or len(self.tested) > mark:
            self.test_if(number, mark, value)
            return iter(())
        return self._counted(value)

    def _counted(self, iterable: Any) -> Iterator[Any]:
        for item in iterable:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise LimitExceeded(f"the template's loops ran more than {MAX_ITERATIONS:,} "
                                    "iterations")
            yield item

    def after(self, number: int, captured: int) -> str:
        """After ``endif``/``endfor``/an include: the block's sentinel if it was unknown."""
        paths = self.unknown.pop(number, None)
        if paths is None:
            return ""
        name = ",".join(sorted(set(paths)))
        region = self.rewriter.regions[number]
        index = self._add(("b", number, name), region, name, "jinja-block", None, "")
        if number in self.rewriter.branches:
            self.branches[index] = self.rewriter.branches[number]
        text = sentinel(index)
        return text if captured else f"{OPEN}{number}{END}{text}{CLOSE}"

    def missing_include(self, number: int, name: Any) -> None:
        self.unknown[number] = [f"include {name}"]

    def anchor(self, number: int) -> str:
        return f"{ANCHOR}{number}{END}"

    def unanchor(self) -> str:
        return UNANCHOR


AIRFLOW_VAR_ACCESSORS = ("value", "json")


def dbt_functions(state: State, context: dict[str, Any]) -> dict[str, Any]:
    """dbt's ``var``, ``env_var``, ``ref``, ``source``, ``this``, ``config``, ``target`` and
    ``is_incremental``; they read only the given values, never the real environment."""
    undefined = state.undefined

    def lookup(name: str, *default: Any) -> Any:
        if name in state.values:
            return state.values[name].value
        return default[0] if default else undefined(name=name)

    def is_incremental() -> Any:
        return lookup("is_incremental")

    # Airflow's var.value.NAME / var.json.NAME: the values given under var (--var
    # var.value.NAME=...), else undefined and named by the whole path, so the hint fills it
    given = context.get("var")
    for accessor in AIRFLOW_VAR_ACCESSORS:
        setattr(lookup, accessor, given[accessor] if isinstance(given, dict) and accessor in given
                else getattr(undefined(name="var"), accessor))

    return {
        "var": lookup,
        "env_var": lookup,
        "ref": lambda *names, **_: str(names[-1]) if names else "",
        "source": lambda source_name, table, **_: f"{source_name}.{table}",
        "this": context.get("this", "this"),
        "config": lambda *_, **__: "",
        "target": context.get("target", undefined(name="target")),
        "is_incremental": is_incremental,
    }

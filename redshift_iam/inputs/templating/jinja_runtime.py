"""The bookkeeping of one Jinja rendering, and the probes the rewritten template calls.

:class:`State` collects the placeholders: an expression's value (resolved, with the origin of
the variable it names), an unknown value (a sentinel, named by the variables it depends on),
and a ``jinja-block``: an ``if``/``elif``/``for`` whose test or iterable depends on an unknown
value, or an ``{% include %}`` whose file is missing. Such a block renders none of its
branches; its sentinel stands in their place, so what it surrounds is unknown to the reader.

*Windows*: each probe that takes a value (an output, a test, a loop, a ``set``) first takes a
mark of the log of *uses* (``jinja_unknown``: an unknown value turned into a plain one). Uses
since the mark make its own result unknown, and are then dropped from the log, so an outer
window sees only what no inner one handled. A use left over at the end was made where no
probe stands (an ``{% import %}`` name): the rendering is refused.

The probes are methods of the state; the environment (out of the template's reach) holds
them, and compiled templates call them directly (``jinja_instrument``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from redshift_iam.core.diagnostics import Location
from redshift_iam.core.placeholders import SENTINEL, Placeholder, sentinel
from redshift_iam.core.placeholders import SENTINEL_OPEN as OPEN_SENTINEL
from redshift_iam.inputs.templating.forms import normalise
from redshift_iam.inputs.templating.jinja_limits import (
    MAX_ITERATIONS,
    Budget,
    LimitExceeded,
)
from redshift_iam.inputs.templating.jinja_rewrite import (
    ANCHOR,
    CLOSE,
    END,
    MARKERS,
    OPEN,
    UNANCHOR,
    Region,
    Rewriter,
)
from redshift_iam.inputs.templating.jinja_text import Text, shown
from redshift_iam.inputs.templating.values import Values

__all__ = ["LimitExceeded", "State", "dbt_functions"]


class State(Text):
    """One rendering: its placeholders, windows, unknown blocks and budget."""

    def __init__(self, values: Values, rewriter: Rewriter) -> None:
        super().__init__(Budget())
        self.values, self.rewriter = values, rewriter
        self.environment: Any = None  # set by jinja_env.environment (for includes)
        self.placeholders: list[Placeholder] = []
        self.keys: dict[tuple[object, ...], int] = {}
        self.stack: list[int] = []  # regions of the expressions being evaluated
        self.marks: list[int] = []  # the log's length when each of those began
        self.blocks: dict[int, list[str]] = {}  # open blocks whose outcome is unknown
        self.decided: dict[int, tuple[str, ...]] = {}  # blocks whose last outcome was unknown
        self.silent: set[int] = set()  # blocks that output only whitespace (jinja_instrument)
        self.iterations = 0
        self.branches: dict[int, tuple[str, ...]] = {}  # placeholder index -> branch texts

    def probes(self) -> dict[str, Callable[..., Any]]:
        """The probes by the name the rewriter writes after ``_ri_``."""
        return {"at": self.at, "x": self.expression, "q": self.quiet, "mark": self.mark,
                "if": self.test_if, "elif": self.test_elif, "else": self.test_else,
                "iter": self.loop, "cond": self.condition, "after": self.after,
                "found": self.found, "anchor": self.anchor, "unanchor": self.unanchor,
                "set": self.assign, "branch": self.branch, "block": self.block,
                "concat": self.concat}

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
        """The sentinel for unknown ``path`` where the current expression stands."""
        number = self.stack[-1] if self.stack else None
        region = self.rewriter.regions[number] if number is not None else None
        return sentinel(self._add(("u", number, path), region, path, "jinja", None, ""))

    def names_in(self, text: str) -> tuple[str, ...]:
        return tuple(self.placeholders[int(found.group("index"))].name
                     for found in SENTINEL.finditer(text))

    def _resolved(self, number: int, text: str) -> None:
        region = self.rewriter.regions[number]
        inner = region.text[2:-2].strip("-+ \t\n")
        name = normalise(inner)
        origin = (self.values[name].origin if name in self.values
                  else "default in template" if inner.startswith(("var(", "env_var("))
                  else "computed in template")
        self._add(("x", number, text), region, name, "jinja", text, origin)

    # -- expressions
    def at(self, number: int) -> int:
        self.budget.tick()
        self.stack.append(number)
        self.marks.append(len(self.used))
        return number

    def expression(self, number: int, value: Any) -> str:
        """``{{ expr }}`` outside captured text: the value between region markers."""
        return f"{OPEN}{number}{END}{self.quiet(number, value)}{CLOSE}"

    def quiet(self, number: int, value: Any) -> str:
        """``{{ expr }}`` as text (a sentinel if unknown), the stack popped."""
        try:
            text, known = self.output(value, self.marks[-1] if self.marks else len(self.used))
            if known:
                self._resolved(number, text)
            return text
        finally:
            if self.stack:
                self.stack.pop()
            if self.marks:
                self.marks.pop()

    def block(self, mark: int, value: Any) -> str:
        """What a ``{% call %}`` or ``{% filter %}`` block outputs."""
        return self.output(value, mark)[0]

    # -- blocks
    def _unknown_block(self, number: int, mark: int, value: Any) -> bool:
        """Whether block ``number``'s test is unknown (it is then recorded as such)."""
        paths = [*self.consume(mark), *self.paths_of(value)]
        if paths:
            self.blocks[number] = paths
            self.decided[number] = tuple(paths)
            return True
        self.decided.pop(number, None)
        return False

    def test_if(self, number: int, mark: int, value: Any) -> bool:
        return False if self._unknown_block(number, mark, value) else bool(value)

    def test_elif(self, number: int, mark: int, value: Any) -> bool:
        if number in self.blocks:
            self.blocks[number] += [*self.consume(mark), *self.paths_of(value)]
            self.decided[number] = tuple(self.blocks[number])
            return False
        return self.test_if(number, mark, value)

    def test_else(self, number: int) -> bool:
        return number not in self.blocks

    def loop(self, number: int, mark: int, value: Any) -> Iterator[Any]:
        return iter(()) if self._unknown_block(number, mark, value) else self._counted(value)

    def condition(self, number: int, mark: int, value: Any) -> bool:
        """A ``for ... if`` test: unknown makes the loop a block (its items so far stay)."""
        paths = [*self.consume(mark), *self.paths_of(value)]
        if paths:
            self.blocks[number] = [*self.blocks.get(number, ()), *paths]
            self.decided[number] = tuple(self.blocks[number])
            return False
        return bool(value)

    def _counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.budget.tick()
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise LimitExceeded(f"the template's loops ran more than {MAX_ITERATIONS:,} "
                                    "iterations")
            yield item

    def after(self, number: int, captured: int) -> str:
        """After ``endif``/``endfor``/an include: the block's sentinel if it was unknown."""
        paths = self.blocks.pop(number, None)
        if paths is None or number in self.silent:
            return ""
        name = ",".join(sorted(set(paths)))
        region = self.rewriter.regions[number]
        index = self._add(("b", number, name), region, name, "jinja-block", None, "")
        if number in self.rewriter.branches:
            self.branches[index] = self.rewriter.branches[number]
        text = sentinel(index)
        return text if captured else f"{OPEN}{number}{END}{text}{CLOSE}"

    def branch(self, number: int, value: Any) -> Any:
        """A variable set inside block ``number``, after it: unknown if the block was."""
        paths = self.decided.get(number)
        return value if paths is None else self.unknown._ri_derived(paths)

    def found(self, number: int, mark: int, name: Any) -> bool:
        """Whether an include's file exists under --template-path (refusals raise)."""
        from jinja2 import TemplateNotFound

        paths = [*self.consume(mark), *self.paths_of(name)]
        if paths:
            self.blocks[number] = paths
            return False
        try:
            self.environment.get_or_select_template(name)
        except TemplateNotFound:
            self.blocks[number] = [f"include {shown(str(name))}"]
            return False
        return True

    def anchor(self, number: int) -> str:
        return f"{ANCHOR}{number}{END}"

    def unanchor(self) -> str:
        return UNANCHOR

    # -- assignments
    def assign(self, mark: int, value: Any, targets: int) -> Any:
        """``{% set %}``/``with``/a default: unknown (one per target) if the value used one."""
        paths = self.consume(mark)
        if not paths and not (targets and isinstance(value, self.unknown)):
            return value
        made = self.unknown._ri_derived(tuple(dict.fromkeys([*paths,
                                                             *self.paths_of(value)])))
        return (made,) * targets if targets else made

    def capture(self, pieces: Iterable[str]) -> Any:
        """Captured text (a macro's output, a set block): markers dropped; text with
        sentinels is an unknown text value."""
        parts = list(pieces)
        self.budget.build(sum(len(part) for part in parts), "captured text")
        text = MARKERS.sub("", "".join(parts))
        if OPEN_SENTINEL not in text:
            return text
        return self.unknown._ri_derived(self.names_in(text), (text,))


AIRFLOW_VAR_ACCESSORS = ("value", "json")


def dbt_functions(state: State, context: dict[str, Any]) -> dict[str, Any]:
    """dbt's ``var``, ``env_var``, ``ref``, ``source``, ``this``, ``config``, ``target`` and
    ``is_incremental``; they read only the given values, never the real environment, and
    give an unknown value for an unknown argument."""
    unknown = state.unknown

    def lookup(name: Any, *default: Any) -> Any:
        if isinstance(name, unknown):
            return name._ri_from()
        if name in state.values:
            return copy.deepcopy(state.values[name].value)  # a template may not alter it
        return default[0] if default else unknown(name=name)

    def is_incremental() -> Any:
        return lookup("is_incremental")

    def ref(*names: Any, **_: Any) -> Any:
        found = state.unknown_in(names)
        return found if found is not None else str(names[-1]) if names else ""

    def source(source_name: Any, table: Any, **_: Any) -> Any:
        found = state.unknown_in((source_name, table))
        return found if found is not None else f"{source_name}.{table}"

    def config(*_: Any, **settings: Any) -> Any:
        """dbt's config(): outputs nothing but its pre_hook/post_hook SQL, which dbt runs
        around the model (an UNLOAD there needs the cluster's role), each ended by ';'."""
        hooks = [hook for key in ("pre_hook", "post_hook") for hook in (
            settings.get(key) if isinstance(settings.get(key), (list, tuple))
            else [settings.get(key)]) if hook is not None]
        found = state.unknown_in(tuple(hooks))
        return found if found is not None else "".join(f"\n{hook};\n" for hook in hooks)

    # Airflow's var.value.NAME / var.json.NAME: the values given under var (--var
    # var.value.NAME=...), else unknown and named by the whole path, so the hint fills it
    given = context.get("var")
    for accessor in AIRFLOW_VAR_ACCESSORS:
        setattr(lookup, accessor, given[accessor] if isinstance(given, dict) and accessor in given
                else getattr(unknown(name="var"), accessor))

    return {
        "var": lookup,
        "env_var": lookup,
        "ref": ref,
        "source": source,
        "this": "this",
        "config": config,
        "target": unknown(name="target"),
        "is_incremental": is_incremental,
    }

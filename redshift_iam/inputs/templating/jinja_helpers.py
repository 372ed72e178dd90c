"""What a template may call, each checked: jinja2's filters and tests (an unknown argument
gives an unknown result; sizes checked before they build, ``jinja_tables``), its globals as
plain functions, the methods of plain values, and the ``*``/``+``/``**`` operators.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_TESTS
from jinja2.utils import Cycler, Joiner, Namespace

from redshift_iam.inputs.templating.jinja_limits import (
    MAX_BITS,
    MAX_EXPONENT,
    MAX_SIZE,
    LimitExceeded,
    weigh,
)
from redshift_iam.inputs.templating.jinja_runtime import State
from redshift_iam.inputs.templating.jinja_tables import (
    FILTERS,
    UNKNOWN_FILTERS,
    Filter,
    Method,
    read_first,
)
from redshift_iam.inputs.templating.jinja_unknown import Unknown

MAX_RANGE = 100_000


def call_method(state: State, method: Any, owner: Any, row: Method, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
    """A method of a plain value, its result's size checked before it runs."""
    if isinstance(owner, str):
        if method.__name__ == "join" and args and not kwargs:
            items = read_first(args, "str.join")[0]
            if any(isinstance(item, Unknown) for item in items):
                return state.joined(owner, items)
            args = (items,)
        found = weigh((args, kwargs), Unknown).unknowns
        if found:
            return state.derived(found)
    if row.reads:
        args = read_first(args, f"{type(owner).__name__}.{method.__name__}")
    state.budget.build(row.size(owner, *args, **kwargs),
                       f"{type(owner).__name__}.{method.__name__}")
    return method(*args, **kwargs)


def check_operands(state: State, operator: str, left: Any, right: Any) -> None:
    """``*``, ``+`` and ``**`` checked before they build their result."""
    sequences = (str, list, tuple)
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, sequences) and isinstance(count, int):
                if len(seq) * count > MAX_SIZE:
                    raise LimitExceeded(f"an expression repeats {len(seq)} items {count} times")
                state.budget.build(len(seq) * max(count, 0), "a *")
        if isinstance(left, int) and isinstance(right, int):
            _bits(abs(left).bit_length() + abs(right).bit_length())
    elif operator == "+" and isinstance(left, sequences) and isinstance(right, sequences):
        state.budget.build(len(left) + len(right), "a +")
    elif (operator == "**" and isinstance(right, (int, float))
          and isinstance(left, (int, float)) and abs(left) > 1):
        if abs(right) > MAX_EXPONENT:
            raise LimitExceeded(f"an expression raises to the power {right}")
        if isinstance(left, int) and isinstance(right, int) and right > 0:
            _bits(abs(left).bit_length() * right)


def _bits(bits: int) -> None:
    if bits > MAX_BITS:
        raise LimitExceeded(f"an expression builds an integer of about {bits:,} bits (the "
                            f"limit is {MAX_BITS:,})")


def filters(state: State) -> dict[str, Any]:
    """The filters a template may use (``jinja_tables.FILTERS``), each checked."""
    kept = {name: _wrap_filter(state, name, DEFAULT_FILTERS[name], row)
            for name, row in FILTERS.items()}
    for name in UNKNOWN_FILTERS:
        kept[name] = functools.wraps(DEFAULT_FILTERS[name])(
            lambda *_, _name=name, **__: state.unknown._ri_derived((_name,)))
    return kept


def _wrap_filter(state: State, name: str, func: Any, row: Filter) -> Any:
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
    what = f"the filter {name}"

    @functools.wraps(func)
    def filtered(*args: Any, **kwargs: Any) -> Any:
        state.budget.tick()
        values = (*args[skip:], *kwargs.values())
        found = state.unknown_in(values)
        if found is not None:
            return found
        if row.reads and len(args) > skip:
            args = (*args[:skip], *read_first(args[skip:], what))
            if (name == "join" and kwargs.get("attribute") is None
                    and any(isinstance(item, Unknown) for item in args[skip])):
                return state.joined(_separator(args[skip + 1:], kwargs), args[skip])
        weight = weigh((*args[skip:], kwargs), Unknown, text=row.text)
        if weight.unknowns and row.text:
            return state.derived(weight.unknowns)
        state.budget.tick(weight.size)
        if row.size is not None:
            state.budget.build(row.size(*args[skip:], **kwargs), what)
        return func(*args, **kwargs)

    return filtered


def _separator(rest: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return str(rest[0] if rest else kwargs.get("d", ""))


def tests(state: State) -> dict[str, Any]:
    """jinja2's tests; an unknown argument gives an unknown result."""

    def wrap(func: Any) -> Any:
        @functools.wraps(func)
        def tested(*args: Any, **kwargs: Any) -> Any:
            state.budget.tick()
            found = state.unknown_in((*args, *kwargs.values()))
            return found if found is not None else func(*args, **kwargs)

        return tested

    return {name: wrap(func) for name, func in DEFAULT_TESTS.items()}


def globals_(state: State) -> dict[str, Any]:
    """jinja2's globals as plain functions (its classes would lead to ``object``), ``lipsum``
    unknown (its text is random)."""

    def range_(*args: Any) -> Any:
        found = state.unknown_in(args)
        if found is not None:
            return found
        numbers = range(*args)
        try:
            count = len(numbers)
        except OverflowError:
            count = MAX_RANGE + 1
        if count > MAX_RANGE:
            raise LimitExceeded(f"range() of more than {MAX_RANGE:,} numbers")
        return numbers

    def dict_(*args: Any, **kwargs: Any) -> dict[Any, Any]:
        state.budget.build(sum(weigh(arg, Unknown).size for arg in args) + len(kwargs),
                           "dict()")
        return dict(*args, **kwargs)

    def cycler(*items: Any) -> Cycler:
        return Cycler(*items)

    def joiner(sep: str = ", ") -> Joiner:
        return Joiner(sep)

    def namespace(*args: Any, **kwargs: Any) -> Namespace:
        return Namespace(*args, **kwargs)

    def lipsum(*_: Any, **__: Any) -> Any:
        return state.unknown._ri_derived(("lipsum",))

    return {"range": range_, "dict": dict_, "cycler": cycler, "joiner": joiner,
            "namespace": namespace, "lipsum": lipsum}

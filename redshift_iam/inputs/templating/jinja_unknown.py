"""What a template cannot know: an undefined variable, or any value computed from one.

An :class:`Unknown` is jinja2's ``Undefined`` for one rendering. It is *named* when it is a
variable's dotted path (``params.bucket``: attribute and item access extend the path), and
*derived* otherwise (a filter, test, operator or comparison applied to unknowns: it keeps the
paths it depends on). A derived value may also be *text*: a concatenation (``'s3://b/' ~ x``)
or captured text holding sentinels, which can still be spliced in place.

Operations that keep the value unknown (arithmetic, comparisons, attribute, item, call)
return a derived Unknown. Operations that must turn it into a plain Python value (``str``,
``len``, ``bool``, iteration, hashing, ``in``) *use* it: the paths are recorded in the
rendering's log, and the enclosing probe (an output, ``if``, ``for``, ``set``) treats its own
result as unknown. Nothing here is reachable from a template: the instance slots and the
hooks start with ``_`` (the sandbox refuses them), and the rendering's log is held by a
closure of the per-rendering subclass (:func:`unknown_type`), never by an attribute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import Undefined
from jinja2.utils import missing

from redshift_iam.inputs.templating.jinja_text import merge, shown


class Unknown(Undefined):
    """See the module docstring. Only :func:`unknown_type`'s subclasses are instantiated."""

    __slots__ = ("_ri_paths", "_ri_parts", "_ri_named")

    def __init__(self, hint: str | None = None, obj: Any = missing, name: str | None = None,
                 exc: type = Exception) -> None:
        super().__init__(hint, obj, name, exc)
        self._ri_paths = (_path(obj, name),)
        self._ri_parts: tuple[Any, ...] | None = None
        self._ri_named = True

    def _ri_use(self) -> None:  # replaced per rendering
        raise NotImplementedError

    @classmethod
    def _ri_derived(cls, paths: tuple[str, ...], parts: tuple[Any, ...] | None = None
                    ) -> Unknown:
        """A derived unknown depending on ``paths`` (text when ``parts`` is given)."""
        made = cls.__new__(cls)
        Undefined.__init__(made)
        made._ri_paths, made._ri_parts, made._ri_named = merge(paths) or ("?",), parts, False
        return made

    def _ri_from(self, *others: Any) -> Unknown:
        found = [other._ri_paths for other in others if isinstance(other, Unknown)]
        return self._ri_derived(merge(self._ri_paths, *found))

    # -- kept unknown
    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return type(self)(obj=self, name=name) if self._ri_named else self._ri_from()

    def __getitem__(self, key: Any) -> Any:
        if self._ri_named and isinstance(key, (str, int)) and not isinstance(key, bool):
            return type(self)(obj=self, name=key)
        return self._ri_from(key)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ri_from(*args, *kwargs.values())

    def _ri_op(self, other: Any = None) -> Unknown:
        return self._ri_from(other)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _ri_op
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _ri_op
    __mod__ = __rmod__ = __pow__ = __rpow__ = __divmod__ = __rdivmod__ = _ri_op
    __neg__ = __pos__ = __abs__ = __invert__ = __round__ = _ri_op
    __lt__ = __le__ = __gt__ = __ge__ = _ri_op

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        return self._ri_from(other)

    def __ne__(self, other: object) -> Any:  # type: ignore[override]
        return self._ri_from(other)

    # -- used: a plain value is made from the unknown
    def __str__(self) -> str:
        self._ri_use()
        return ""

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        self._ri_use()
        return ""

    def __bool__(self) -> bool:
        self._ri_use()
        return False

    def __len__(self) -> int:
        self._ri_use()
        return 0

    def __iter__(self) -> Iterator[Any]:
        self._ri_use()
        return iter(())

    __reversed__ = __iter__

    def __contains__(self, item: object) -> bool:
        self._ri_use()
        return False

    def __hash__(self) -> int:
        self._ri_use()
        return 0

    def __int__(self) -> int:
        self._ri_use()
        return 0

    def __float__(self) -> float:
        self._ri_use()
        return 0.0

    def __complex__(self) -> complex:
        self._ri_use()
        return 0j


def _path(obj: Any, name: Any) -> str:
    """The dotted path of ``obj.name``: the parent's path when it has one (a named unknown, a
    scope of given values), else the name alone."""
    key = shown(str(name)) if isinstance(name, (str, int)) and not isinstance(name, bool) else "?"
    base = ""
    if isinstance(obj, Unknown) and obj._ri_named:
        base = obj._ri_paths[0]
    elif isinstance(obj, dict):
        base = getattr(obj, "_ri_path", "")
    return f"{base}.{key}" if base else key


def unknown_type(use: Callable[[tuple[str, ...]], None]) -> type[Unknown]:
    """The Unknown of one rendering: using one calls ``use`` with its paths."""

    class RenderingUnknown(Unknown):
        __slots__ = ()

        def _ri_use(self) -> None:
            use(self._ri_paths)

    return RenderingUnknown

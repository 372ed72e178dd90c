"""The sandboxed jinja2 environment of one rendering: confined loader, plain values only,
bounded work, unknown values carried through every operator, filter, test and call.

Imported only when a Jinja template is rendered (it imports jinja2). The environment holds
the rendering's probes (``ri_*``), out of the template's reach: a template sees its context
(the values and dbt's helpers), the globals and filters set here, and nothing they lead to.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from types import BuiltinMethodType, MethodType
from typing import Any

from jinja2 import BaseLoader, TemplateNotFound, nodes
from jinja2.sandbox import SandboxedEnvironment, SandboxedFormatter, SecurityError

from redshift_iam.core.localfiles import FileReader, NotRead
from redshift_iam.inputs.templating.jinja_helpers import (
    call_method,
    check_operands,
    filters,
    globals_,
    tests,
)
from redshift_iam.inputs.templating.jinja_instrument import TracingCodeGenerator, instrument
from redshift_iam.inputs.templating.jinja_limits import printf_size, spec_size, weigh
from redshift_iam.inputs.templating.jinja_rewrite import PROBE_PREFIX
from redshift_iam.inputs.templating.jinja_runtime import State
from redshift_iam.inputs.templating.jinja_tables import methods_of
from redshift_iam.inputs.templating.jinja_text import IncludeNotRead, IncludeNotText, Unfollowed
from redshift_iam.inputs.templating.jinja_unknown import Unknown, unknown_type

_JINJA_KWARGS = ("_loop_vars", "_block_vars")  # what compiled calls pass for jinja2 itself


class Refused(Exception):
    """An include or import that would read outside --template-path (RI172)."""


def probe_name(env: SandboxedEnvironment, text: str, filename: str | None
               ) -> tuple[int, str] | None:
    """The line and name of the first probe name (``_ri_...``) the template writes, as jinja2
    lexes names (a name in a string or in data text is not one). A syntax error is raised
    here, located in ``filename`` (an included file) when given."""
    for lineno, kind, value in env.lex(text, filename, filename):
        if kind == "name" and value.startswith(PROBE_PREFIX):
            return lineno, value
    return None


class ConfinedLoader(BaseLoader):
    """Loads ``{% include %}``/``{% import %}`` files only from under one folder.

    Absolute names, ``..`` and names that resolve (through symlinks) outside the folder are
    refused; without a folder every name is missing. Each file is rewritten like the main
    template (``rewrite``), so its text is traced to its own positions.
    """

    def __init__(self, root: str | None, rewrite: Any, reader: FileReader) -> None:
        self._root = Path(root).resolve() if root else None
        self._rewrite, self._reader = rewrite, reader

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        if isinstance(template, Unknown):
            raise Unfollowed(f"the template names the file to include, import or extend by "
                             f"undefined {', '.join(template._ri_paths)}, which the tool "
                             "cannot follow; give its value with --var")
        name = str(template)
        pieces = name.replace("\\", "/").split("/")
        if os.path.isabs(name) or name.startswith(("/", "\\")) or ".." in pieces:
            raise Refused(f"{{% include {name!r} %}} names a file outside --template-path")
        if self._root is None:
            raise TemplateNotFound(name)
        path = (self._root / name).resolve()
        if not path.is_relative_to(self._root):
            raise Refused(f"{{% include {name!r} %}} leads outside --template-path "
                          f"{self._root} (through a symlink)")
        if not path.is_file():
            raise TemplateNotFound(name)
        try:
            data = self._reader.read(str(path))
        except NotRead as exc:  # too large, not a regular file: the limits of every input
            raise IncludeNotRead(f"{{% include {name!r} %}} is not read: {exc.reason}") from None
        except OSError:
            raise TemplateNotFound(name) from None
        if b"\0" in data:
            raise IncludeNotText(f"{{% include {name!r} %}} is a binary file (it holds a NUL "
                                 "byte)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise IncludeNotText(f"{{% include {name!r} %}} is not UTF-8 text") from None
        return self._rewrite(environment, str(path), text), str(path), lambda: True


class _BoundedFormatter(SandboxedFormatter):
    """``str.format`` with each field's width and the whole result checked first."""

    def __init__(self, env: TracingSandbox) -> None:
        super().__init__(env)
        self._state, self._size = env.ri_state, 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        weight = weigh(value, Unknown, text=True)
        self._size += max(spec_size(format_spec), weight.size)
        self._state.budget.build(self._size, "a str.format")
        return super().format_field(value, format_spec)


class TracingSandbox(SandboxedEnvironment):
    """jinja2's sandbox, instrumented (``jinja_instrument``) and bounded (``jinja_limits``)."""

    code_generator_class = TracingCodeGenerator
    intercepted_binops = frozenset(["+", "-", "*", "/", "//", "%", "**"])

    def __init__(self, state: State, loader: BaseLoader) -> None:
        super().__init__(loader=loader, undefined=state.unknown, keep_trailing_newline=True,
                         autoescape=False, cache_size=0, optimized=False)
        self.ri_state = state
        self.ri_probes = frozenset(f"ri_{name}" for name in state.probes())
        for name, probe in state.probes().items():
            setattr(self, f"ri_{name}", probe)
        self.concat = state.capture  # type: ignore[method-assign]

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = instrument(super()._parse(source, name, filename), self.ri_probes,
                          self.ri_state.silent)
        tree.set_environment(self)
        return tree

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        """An unsafe attribute ends the rendering at once (jinja2 would defer the error)."""
        raise SecurityError(f"access to attribute {attribute!r} of a "
                            f"{type(obj).__name__!r} object is unsafe")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        methods = methods_of(obj)
        if methods is not None:
            return attr in methods
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.ri_state.budget.tick()
        if isinstance(obj, dict) and attribute not in methods_of(obj) and attribute in obj:
            return obj[attribute]  # a key named like a refused dict method
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.ri_state.budget.tick()
        if isinstance(argument, Unknown) and not isinstance(obj, Unknown):
            return argument._ri_from()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        state = __self.ri_state
        state.budget.tick()
        plain = {key: value for key, value in kwargs.items() if key not in _JINJA_KWARGS}
        if isinstance(__obj, Unknown):
            return __obj(*args, **plain)
        owner = getattr(__obj, "__self__", None) if isinstance(__obj, BuiltinMethodType) else None
        methods = methods_of(owner) if owner is not None else None
        if methods is not None and __obj.__name__ in methods:
            return call_method(state, __obj, owner, methods[__obj.__name__], args, plain)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        state = self.ri_state
        state.budget.tick()
        found = state.unknown_in((left, right))
        if found is not None:
            return found
        if operator == "%" and isinstance(left, str):
            weight = weigh(right, Unknown, text=True)
            if weight.unknowns:
                return state.derived(weight.unknowns)
            state.budget.build(printf_size(left, right) + weight.size, "a % format")
        else:
            check_operands(state, operator, left, right)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        """``str.format``/``format_map`` with the bounded formatter; unknown if an argument
        holds an unknown value."""
        if not (isinstance(value, (MethodType, BuiltinMethodType))
                and value.__name__ in ("format", "format_map")
                and isinstance(value.__self__, str)):
            return None
        text, is_map, env = value.__self__, value.__name__ == "format_map", self

        def formatted(*args: Any, **kwargs: Any) -> Any:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                args, kwargs = (), args[0]
            found = weigh((args, kwargs), Unknown).unknowns
            if found:
                return env.ri_state.derived(found)
            return _BoundedFormatter(env).vformat(text, args, kwargs)

        return functools.update_wrapper(formatted, value)


def environment(state: State, root: str | None, rewrite: Any,
                reader: FileReader) -> TracingSandbox:
    """The environment of one rendering (sets ``state.unknown`` and ``state.environment``);
    ``reader`` reads the files it includes, under its limits."""
    state.unknown = unknown_type(state.use)
    env = TracingSandbox(state, ConfinedLoader(root, rewrite, reader))
    env.globals.clear()
    env.globals.update(globals_(state))
    env.filters.clear()
    env.filters.update(filters(state))
    env.tests.clear()
    env.tests.update(tests(state))
    state.environment = env
    return env


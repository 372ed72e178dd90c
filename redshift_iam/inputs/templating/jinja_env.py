"""The sandboxed jinja2 environment: confined loader, bounded operators, path-keeping Undefined.

Imported only when a Jinja template is rendered (it imports jinja2).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, TemplateNotFound, Undefined
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from redshift_iam.inputs.templating.jinja_runtime import LimitExceeded

MAX_SEQUENCE = 1_000_000  # items or characters a * may build
MAX_EXPONENT = 10_000


class Refused(Exception):
    """An include or import that would read outside --template-path (RI172)."""


class ConfinedLoader(BaseLoader):
    """Loads ``{% include %}``/``{% import %}`` files only from under one folder.

    Absolute names, ``..`` and names that resolve (through symlinks) outside the folder are
    refused; without a folder every name is missing. Each file is rewritten like the main
    template (``rewrite``), so its text is traced to its own positions.
    """

    def __init__(self, root: str | None, rewrite: Any) -> None:
        self.root = Path(root).resolve() if root else None
        self.rewrite = rewrite

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        name = str(template)
        pieces = name.replace("\\", "/").split("/")
        if os.path.isabs(name) or name.startswith(("/", "\\")) or ".." in pieces:
            raise Refused(f"{{% include {name!r} %}} names a file outside --template-path")
        if self.root is None:
            raise TemplateNotFound(name)
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root):
            raise Refused(f"{{% include {name!r} %}} leads outside --template-path "
                          f"{self.root} (through a symlink)")
        if not path.is_file():
            raise TemplateNotFound(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise TemplateNotFound(name) from None
        return self.rewrite(str(path), text), str(path), lambda: True


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox, with ``*`` and ``**`` checked so one expression cannot exhaust memory."""

    intercepted_binops = frozenset(["*", "**"])

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        """An unsafe attribute ends the rendering at once (jinja2 would defer the error)."""
        raise SecurityError(f"access to attribute {attribute!r} of a "
                            f"{type(obj).__name__!r} object is unsafe")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if (isinstance(seq, (str, list, tuple)) and isinstance(count, int)
                        and len(seq) * count > MAX_SEQUENCE):
                    raise LimitExceeded(f"an expression repeats {len(seq)} items {count} times")
        if (operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT
                and isinstance(left, (int, float)) and abs(left) > 1):
            raise LimitExceeded(f"an expression raises to the power {right}")
        return super().call_binop(context, operator, left, right)


class PathUndefined(Undefined):
    """An Undefined that keeps its dotted path, renders as a sentinel and reports tests.

    Each rendering subclasses it with ``ri_state`` (its :class:`State`)."""

    __slots__ = ()
    ri_state: Any = None

    @property
    def ri_path(self) -> str:
        owner, name = self._undefined_obj, self._undefined_name
        base = getattr(owner, "ri_path", "") if isinstance(owner, (Undefined, dict)) else ""
        name = "?" if name is None else str(name)
        return f"{base}.{name}" if base else name

    def _tested(self) -> None:
        self.ri_state.tested.append(self.ri_path)

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return type(self)(obj=self, name=name)

    def __getitem__(self, key: Any) -> Any:
        return type(self)(obj=self, name=key)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __str__(self) -> str:
        return self.ri_state.undefined_text(self.ri_path)

    def __bool__(self) -> bool:
        self._tested()
        return False

    def __iter__(self) -> Any:
        self._tested()
        return iter(())

    def __len__(self) -> int:
        self._tested()
        return 0

    def __eq__(self, other: object) -> bool:
        self._tested()
        return type(self) is type(other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return id(type(self))


def environment(root: str | None, rewrite: Any, undefined: type) -> BoundedSandbox:
    """The environment for one rendering; ``is defined`` counts as a test of the variable."""
    env = BoundedSandbox(loader=ConfinedLoader(root, rewrite), undefined=undefined,
                         keep_trailing_newline=True, autoescape=False, cache_size=0)

    def defined(value: Any) -> bool:
        if isinstance(value, Undefined):
            value._tested()  # type: ignore[attr-defined]
            return False
        return True

    env.tests["defined"] = defined
    env.tests["undefined"] = lambda value: not defined(value)
    return env

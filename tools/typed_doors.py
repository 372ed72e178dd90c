"""Write each stage door's ``if TYPE_CHECKING:`` block from its lazy table (then ``ruff --fix``
sorts and wraps it).

A package root loads its public names on first use (``redshift_iam.core.lazy``), which hides
their signatures from type checkers. The block this tool writes imports the same names from the
same modules for type checkers only, so mypy sees the real signatures. Run it after changing a
door's table: ``python tools/typed_doors.py``. ``--check`` exits 1 when a block does not
import exactly the table's names from the table's modules (tests/test_house.py runs it). Each
name is imported ``as`` itself, the explicit re-export form type checkers and ruff read.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import subprocess
import sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARK = "if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)"


def doors() -> list[str]:
    """Every package whose ``__init__`` builds its door with ``lazy_exports``."""
    found = []
    for init in sorted((ROOT / "redshift_iam").rglob("__init__.py")):
        if "lazy_exports(" in init.read_text(encoding="utf-8"):
            found.append(".".join(init.relative_to(ROOT).parent.parts))
    return found


def block(package: str) -> str:
    """The ``TYPE_CHECKING`` block for ``package``: one sorted import per module."""
    table = importlib.import_module(package).__getattr__.exports
    by_module: dict[str, list[str]] = defaultdict(list)
    for name, module in table.items():
        absolute = module if module.startswith("redshift_iam.") else f"{package}.{module}"
        by_module[absolute].append(name)
    lines = [MARK]
    for module in sorted(by_module):
        names = ", ".join(f"{name} as {name}" for name in sorted(by_module[module]))
        lines.append(f"    from {module} import {names}")
    return "\n".join(lines) + "\n"


def imported(path: pathlib.Path) -> set[tuple[str, str]]:
    """``(module, name)`` of every import inside the door's ``TYPE_CHECKING`` block."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    found.update((statement.module or "", a.name) for a in statement.names)
    return found


def expected(package: str) -> set[tuple[str, str]]:
    """``(module, name)`` of every name of the door's lazy table."""
    table = importlib.import_module(package).__getattr__.exports
    return {(m if m.startswith("redshift_iam.") else f"{package}.{m}", name)
            for name, m in table.items()}


def rewritten(package: str) -> tuple[pathlib.Path, str, str]:
    """The door's file, its text now, and its text with a fresh block at the end."""
    path = ROOT.joinpath(*package.split("."), "__init__.py")
    text = path.read_text(encoding="utf-8")
    head = text.split(MARK)[0].rstrip("\n") + "\n"
    if "TYPE_CHECKING" not in head:
        head = head.replace("from redshift_iam.core.lazy import lazy_exports",
                            "from typing import TYPE_CHECKING\n\n"
                            "from redshift_iam.core.lazy import lazy_exports", 1)
    return path, text, f"{head}\n{block(package)}"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    if "--check" in argv:
        stale = [package for package in doors() if imported(
            ROOT.joinpath(*package.split("."), "__init__.py")) != expected(package)]
        if stale:
            print("stale TYPE_CHECKING blocks (run python tools/typed_doors.py):", *stale,
                  file=sys.stderr)
        return 1 if stale else 0
    written = []
    for package in doors():
        path, old, new = rewritten(package)
        path.write_text(new, encoding="utf-8")
        written.append(str(path))
    ruff = pathlib.Path(sys.executable).with_name("ruff")
    subprocess.run([str(ruff), "check", "--quiet", "--fix", "--select", "I", *written],
                   check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

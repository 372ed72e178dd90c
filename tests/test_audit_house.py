"""The audit stage keeps the house rules: it imports only the core (its own modules aside),
loads third-party packages only inside the functions that need them, and the import
contract would catch it importing another stage."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import redshift_iam.audit
from tests.test_house import PACKAGE, ROOT, _lint_imports

AUDIT = PACKAGE / "audit"
LAZY = {"yaml", "policyuniverse", "jsonschema"}  # imported inside functions only


def _top_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def _all_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_audit_imports_only_the_core_and_itself() -> None:
    wrong = [f"{path.name}: {module}" for path in sorted(AUDIT.glob("*.py"))
             for module in _all_imports(path)
             if module.startswith("redshift_iam")
             and not module.startswith(("redshift_iam.core", "redshift_iam.audit"))]
    assert wrong == []


def test_third_party_packages_load_lazily() -> None:
    eager = [f"{path.name}: {module}" for path in sorted(AUDIT.glob("*.py"))
             for module in _top_level_imports(path) if module.split(".")[0] in LAZY]
    assert eager == []
    probe = ("import sys, redshift_iam.audit.checker, redshift_iam.audit.lint_rules, "
             "redshift_iam.audit.findings_render, redshift_iam.audit.sarif_log; "
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(LAZY)!r})))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, timeout=60, check=True).stdout
    assert loaded == "[]\n"


def test_every_public_name_of_the_door_loads() -> None:
    for name in redshift_iam.audit.__all__:
        assert getattr(redshift_iam.audit, name) is not None, name


def test_the_contract_would_fail_on_audit_importing_a_stage(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "redshift_iam",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "redshift_iam" / "audit" / "checker.py"
    target.write_text(target.read_text(encoding="utf-8") + "\nimport redshift_iam.sql  # noqa\n",
                      encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1
    assert "1 broken" in result.stdout

"""The house (docs/architecture.md): stages around a core, one door each, one row per
statement kind in every stage's table, and the import contracts that keep it so."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import redshift_iam
from redshift_iam.core.statements import Statement, Unmapped
from redshift_iam.derive.derivers import DERIVERS
from redshift_iam.output.text import DESCRIBERS
from redshift_iam.sql.grammar import STATEMENT_PARSERS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(redshift_iam.__file__).resolve().parent
STAGES = ("inputs", "sql", "spec", "derive", "documents", "output", "aws", "audit")
KINDS = set(typing.get_args(Statement))


def test_every_statement_kind_has_a_row_in_every_stage() -> None:
    parsed = {typing.get_type_hints(parse)["return"] for parse in STATEMENT_PARSERS.values()}
    assert parsed | {Unmapped} == KINDS  # the reader makes Unmapped for kinds without a parser
    assert set(DERIVERS) == KINDS
    assert set(DESCRIBERS) == KINDS


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every ``from redshift_iam... import`` and ``import redshift_iam...``
    in a file, function-level ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, module) for line, module in found if module.startswith("redshift_iam")]


def _package_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def test_other_packages_enter_a_stage_only_by_its_door() -> None:
    """Outside a stage, only ``redshift_iam.<stage>`` is imported, never its modules: the
    package root is the stage's one public entry. The core's modules may be imported
    directly (they are the shared vocabulary)."""
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        home = _package_of(path)
        for line, module in _imports(path):
            parts = module.split(".")
            if len(parts) > 2 and parts[1] in STAGES and parts[1] != home:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {module}")
    assert wrong == []


def test_every_public_name_of_a_door_loads() -> None:
    import importlib
    for stage in STAGES:
        module = importlib.import_module(f"redshift_iam.{stage}")
        for name in getattr(module, "__all__", ()):
            assert getattr(module, name) is not None, f"redshift_iam.{stage}.{name}"


def test_no_public_name_of_a_door_is_a_module_name() -> None:
    """A module named like a public name of its door would shadow it: once the module is
    imported (by any caller), the package attribute is the module, not the function."""
    import importlib
    for package in (*STAGES, "analysis"):
        door = importlib.import_module(f"redshift_iam.{package}")
        modules = {p.stem for p in (PACKAGE / package).glob("*.py")}
        modules |= {p.name for p in (PACKAGE / package).iterdir() if p.is_dir()}
        assert sorted(set(getattr(door, "__all__", ())) & modules) == [], package


def test_the_audit_door_gives_functions_after_its_modules_load() -> None:
    import importlib
    for path in sorted((PACKAGE / "audit").glob("*.py")):
        importlib.import_module(f"redshift_iam.audit.{path.stem}".removesuffix(".__init__"))
    from redshift_iam.audit import check, findings_text, lint, sarif
    assert [f.__name__ for f in (check, findings_text, lint, sarif)] == [
        "check", "findings_text", "lint", "sarif"]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed next to this Python")
    return subprocess.run([str(lint), "--no-cache", "--config", str(tree / "pyproject.toml")],
                          cwd=tree,
                          env={"PYTHONPATH": str(tree), "PATH": str(lint.parent)},
                          capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize("module, intruder", [
    ("derive/derivation.py", "import redshift_iam.sql.lexer"),  # a stage importing a stage
    ("core/grants.py", "import redshift_iam.derive"),  # the core importing a stage
    ("output/text.py", "import redshift_iam.analysis"),  # a stage importing the front door
    ("core/source.py", "import click"),  # the core using a third-party package
    ("core/lookups.py", "import botocore"),  # the core using AWS's SDK
    ("aws/resolver.py", "import redshift_iam.derive"),  # the AWS stage importing a stage
])
def test_the_contracts_would_fail_on_a_wrong_import(tmp_path: Path, module: str,
                                                    intruder: str) -> None:
    shutil.copytree(PACKAGE, tmp_path / "redshift_iam",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "redshift_iam" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{intruder}  # noqa\n",
                      encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1
    assert "1 broken" in result.stdout


def test_the_aws_stage_and_the_resolve_protocol_load_no_boto3() -> None:
    """boto3 loads only when a lookup or apply runs: importing the stage, the protocol and
    the needs and facts of --resolve does not import it."""
    code = ("import sys, redshift_iam.aws as aws, redshift_iam.derive as derive\n"
            "from redshift_iam.aws import resolver, apply, execute, plan, state, session\n"
            "from redshift_iam.aws import role_policies\n"
            "derive.resolve_settings, derive.needs_for, aws.AwsResolver, aws.apply_reports\n"
            "aws.read_role_policies\n"
            "import redshift_iam.core.lookups\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=60, check=True)
    assert found.stdout == "[]\n"


def test_every_door_declares_its_names_for_type_checkers() -> None:
    """Each lazy door's ``TYPE_CHECKING`` block imports exactly its table's names from the
    table's modules (tools/typed_doors.py writes it), so mypy sees real signatures."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "typed_doors.py"), "--check"],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")


def test_the_door_check_would_fail_on_a_stale_block() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import typed_doors
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert typed_doors.expected("redshift_iam.sql") == {
        ("redshift_iam.sql.reader", "read_script"),
        ("redshift_iam.sql.snippets", "attach_snippets")}
    assert typed_doors.imported(PACKAGE / "sql" / "__init__.py") == typed_doors.expected(
        "redshift_iam.sql")
    assert typed_doors.imported(PACKAGE / "core" / "lazy.py") == set()


@pytest.mark.parametrize("kind", [k for k in __import__(
    "redshift_iam.core.statement_kinds", fromlist=["ROLE_KINDS"]).ROLE_KINDS],
    ids=lambda kind: kind.name)
def test_scan_finds_every_statement_kind_in_sql_and_in_code(tmp_path: Path, kind) -> None:
    """A new row of core/statement_kinds.py is found by scan at once: its prefilter, hints and
    statement starts are built from the table (a kind missing there would be skipped
    silently, while policy reports it)."""
    from redshift_iam.analysis import Options, scan

    (tmp_path / "k.sql").write_text(kind.example + ";\n")
    (tmp_path / "k.py").write_text(f'SQL = """{kind.example};"""\n')
    report = scan([str(tmp_path)], Options())
    found = sorted(s.loc.file.rsplit("/", 1)[-1].split(":")[0]
                   for s in report.analysis.script.statements)
    assert found == ["k.py", "k.sql"]

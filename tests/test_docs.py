"""The documentation is true: every relative link of README.md and docs/*.md leads to a file
and heading that exist, and every example marked ``<!-- example: cwd=PATH -->`` runs as shown.

An example is a ``console`` block: ``$ COMMAND`` lines, each followed by the exact standard
output it prints. ``$ cat FILE`` followed by text creates FILE with that text when the folder
does not hold it. Commands run with bash in a copy of PATH (a fresh git work tree; ``.`` is an
empty folder), with ``redshift-iam`` of this environment on PATH. Comments (``  # ...``) after
a command are the shell's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
MARK = re.compile(r"^<!-- example: cwd=(\S+) -->\n```console\n(.*?)^```$", re.M | re.S)


def _slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _outside_code(text: str) -> list[str]:
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif not inside:
            lines.append(line)
    return lines


def _anchors(page: Path) -> set[str]:
    return {_slug(line.lstrip("#")) for line in _outside_code(page.read_text())
            if re.match(r"#{1,6} ", line)}


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for line in _outside_code(page.read_text()):
        for target in LINK.findall(line):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists() or (anchor and dest.suffix == ".md"
                                     and anchor not in _anchors(dest)):
                broken.append(target)
    assert broken == []


class Step(NamedTuple):
    command: str
    output: str


def _steps(block: str) -> list[Step]:
    steps: list[Step] = []
    for chunk in re.split(r"(?m)^\$ ", block)[1:]:
        command, _, output = chunk.partition("\n")
        steps.append(Step(command, output.rstrip("\n") + "\n" if output.strip() else ""))
    return steps


EXAMPLES = [(page, match.group(1), match.group(2)) for page in PAGES
            for match in MARK.finditer(page.read_text())]


def test_there_are_examples_in_the_front_page_and_the_reference() -> None:
    assert {page.name for page, _, _ in EXAMPLES} >= {"README.md", "templates.md", "scan.md"}


@pytest.mark.parametrize("page, cwd, block", EXAMPLES,
                         ids=[f"{p.name}-{n}" for n, (p, _, _) in enumerate(EXAMPLES)])
def test_every_marked_example_runs_as_shown(tmp_path: Path, page: Path, cwd: str,
                                            block: str) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path / "work"
    if cwd == ".":
        work.mkdir()
    else:
        shutil.copytree(ROOT / cwd, work)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "200"}
    for step in _steps(block):
        name = re.fullmatch(r"cat (\S+)", step.command)
        if name and not (work / name.group(1)).exists():
            (work / name.group(1)).write_text(step.output)
            continue
        result = subprocess.run(["bash", "-c", step.command], cwd=work, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.stdout == step.output, (page.name, step.command, result.stderr)


# --- the options table of docs/commands.md is every command's --help ---------------------------

def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


def _documented() -> dict[str, set[str]]:
    """Each option of the table and the commands the table says take it."""
    from redshift_iam.cli.main import COMMANDS

    text = (ROOT / "docs" / "commands.md").read_text()
    table = text[text.index("\n## Options\n"):text.index("\n## Exit codes\n")]
    found: dict[str, set[str]] = {}
    for row in table.splitlines():
        if not row.startswith("| `"):
            continue
        first, where = _cells(row)[:2]
        flags = re.findall(r"`(-[-\w]+)", first)
        everything = set(COMMANDS)
        if where.startswith("all but "):
            named = set(re.split(r",\s*|\s+and\s+", where[len("all but "):]))
            commands = everything - named
        elif where == "all":
            commands = everything
        else:
            commands = set(re.split(r",\s*", where)) & everything
        for flag in flags:
            found.setdefault(flag, set()).update(commands)
    return found


def _actual() -> dict[str, set[str]]:
    """Each option and the commands whose --help lists it."""
    from redshift_iam.cli.main import main

    found: dict[str, set[str]] = {}
    for name in main.list_commands(None):
        command = main.get_command(None, name)
        for param in command.params:
            for flag in (*param.opts, *param.secondary_opts):
                if flag.startswith("--") and flag != "--help":
                    found.setdefault(flag, set()).add(name)
    return found


def test_the_options_table_lists_every_option_of_every_command() -> None:
    documented, actual = _documented(), _actual()
    wrong = {flag: (sorted(documented.get(flag, ())), sorted(commands))
             for flag, commands in actual.items() if documented.get(flag) != commands}
    assert wrong == {}, "docs/commands.md says (documented, actual)"


def test_every_command_has_a_row_in_the_commands_table() -> None:
    from redshift_iam.cli.main import COMMANDS

    text = (ROOT / "docs" / "commands.md").read_text()
    rows = set(re.findall(r"^\| `redshift-iam ([a-z]+)", text, re.M))
    assert rows == set(COMMANDS)

"""The pre-commit hooks (.pre-commit-hooks.yaml) run commands that exist, as the README's
"In CI" section configures them."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from redshift_iam.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def readme_config() -> dict[str, list[str]]:
    """The args of each hook in the README's example .pre-commit-config.yaml."""
    text = (ROOT / "README.md").read_text()
    start = text.index("```yaml\n# .pre-commit-config.yaml\n") + len("```yaml\n")
    config = yaml.safe_load(text[start:text.index("```", start)])
    (repo,) = config["repos"]
    return {hook["id"]: hook.get("args", []) for hook in repo["hooks"]}


def test_the_hooks_and_their_entries() -> None:
    assert set(HOOKS) == {"redshift-iam-lint", "redshift-iam-check"}
    for hook in HOOKS.values():
        program, command = shlex.split(hook["entry"])
        assert (program, hook["language"]) == ("redshift-iam", "python")
        assert command in COMMANDS
    assert HOOKS["redshift-iam-check"]["pass_filenames"] is False  # args name policy and SQL
    assert set(readme_config()) == set(HOOKS)


def test_lint_hook_on_the_files_pre_commit_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    monkeypatch.chdir(tmp_path)
    Path("ok.sql").write_text("COPY t FROM 's3://b-1/k' IAM_ROLE "
                              "'arn:aws:iam::123456789012:role/Etl';\n")
    Path("keys.sql").write_text("COPY t FROM 's3://b-1/k' ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE' "
                                "SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';\n")
    command = [*shlex.split(HOOKS["redshift-iam-lint"]["entry"])[1:],
               *readme_config()["redshift-iam-lint"]]
    assert CliRunner().invoke(main, [*command, "ok.sql"]).exit_code == 0
    assert CliRunner().invoke(main, [*command, "ok.sql", "keys.sql"]).exit_code == 1


def test_check_hook_with_the_readmes_args(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.chdir(tmp_path)
    Path("sql").mkdir()
    Path("iam").mkdir()
    Path("sql/etl.sql").write_text("COPY t FROM 's3://b-1/k' IAM_ROLE "
                                   "'arn:aws:iam::123456789012:role/Etl';\n")
    made = CliRunner().invoke(main, ["policy", "sql/"])
    Path("iam/etl.json").write_text(made.stdout)
    command = shlex.split(HOOKS["redshift-iam-check"]["entry"])[1:]
    args = readme_config()["redshift-iam-check"]
    assert args == ["--policy", "iam/etl.json", "--strict", "sql/"]
    result = CliRunner().invoke(main, [*command, *args])
    assert result.exit_code == 0, result.output
    Path("iam/etl.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    assert CliRunner().invoke(main, [*command, *args]).exit_code == 1

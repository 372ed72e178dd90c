"""`redshift-iam --version` and the shell completion the README documents."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from redshift_iam import __version__
from redshift_iam.cli.main import main


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"redshift-iam, version {__version__}\n")


@pytest.mark.parametrize(("shell", "marker"), [
    ("bash", "complete -o nosort -F _redshift_iam_completion redshift-iam"),
    ("zsh", "#compdef redshift-iam"),
    ("fish", "complete --no-files --command redshift-iam"),
])
def test_completion_script(shell: str, marker: str) -> None:
    result = CliRunner().invoke(main, [], prog_name="redshift-iam",
                                env={"_REDSHIFT_IAM_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert marker in result.stdout


@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("redshift-iam gen", "1", ["plain,generate"]),
    ("redshift-iam generate --format ", "3",
     ["plain,json", "plain,terraform", "plain,cloudformation", "plain,cloudformation-json"]),
])
def test_bash_completes_commands_and_choices(words: str, cword: str, expected) -> None:
    result = CliRunner().invoke(main, [], prog_name="redshift-iam", env={
        "_REDSHIFT_IAM_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": cword})
    assert (result.exit_code, result.stdout.split()) == (0, expected)

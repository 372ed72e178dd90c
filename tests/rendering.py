"""Helpers of the "every rendering, or unresolved" tests: run ``scan`` or ``policy`` on files
written into a folder, and judge the documents with the IAM evaluator (tests/iam_eval.py)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/etl"
R = f"IAM_ROLE '{ROLE}'"


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str

    def policies(self) -> list[dict]:
        """The documents of the one principal of a ``--format bundle`` run."""
        assert self.code == 0, self.stderr
        [principal] = json.loads(self.stdout)["principals"]
        assert principal["principal"] == ROLE
        return principal["policies"]


def scan(folder: Path, files: dict[str, str], *args: str) -> Run:
    """``scan src --format bundle ARGS`` on ``files`` written under ``folder/src``."""
    for name, text in files.items():
        path = folder / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    with contextlib.chdir(folder):
        result = CliRunner().invoke(main, ["scan", "src", "--format", "bundle", *args])
    return Run(result.exit_code, result.stdout, result.stderr)


def policy(folder: Path, name: str, text: str, *args: str) -> Run:
    """``policy NAME ARGS`` on the script ``text`` written to ``folder/NAME``."""
    (folder / name).write_text(text)
    with contextlib.chdir(folder):
        result = CliRunner().invoke(main, ["policy", name, *args])
    return Run(result.exit_code, result.stdout, result.stderr)


def reads(policies: list[dict], bucket: str, prefix: str) -> bool:
    """May the role read a COPY source ``s3://bucket/prefix``: list the prefix and get an
    object under it?"""
    return (allowed(policies, "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix})
            and allowed(policies, "s3:GetObject", f"arn:aws:s3:::{bucket}/{prefix}part-0000"))


def writes(policies: list[dict], bucket: str, prefix: str) -> bool:
    """May the role write an UNLOAD's files under ``s3://bucket/prefix``?"""
    return allowed(policies, "s3:PutObject", f"arn:aws:s3:::{bucket}/{prefix}0000_part_00")


# The attack tests' flags (no region or account guessed) and their marker: a finding written as
# the behaviour promised, xfail(strict=True) until it is fixed (then the marker must go).
ATTACK_ARGS = ("--account-id", "123456789012", "--region", "us-east-1")


def attack(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"attack: {reason}")

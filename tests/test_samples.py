"""Golden outputs of every sample: the generate bundle and the explain table.

Regenerate after an intended change with ``UPDATE_GOLDENS=1 make test`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
FLAGS = {
    "manifest_load": ["--manifest", "s3://acme-raw-data/manifests/orders.manifest="
                                    "samples/manifests/orders.manifest"],
}
SAMPLES = sorted(p.stem for p in (ROOT / "samples").glob("*.sql"))


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDENS"):
        path.write_text(text)
    assert path.read_text() == text, f"{name} changed; UPDATE_GOLDENS=1 rewrites it"


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_golden(sample: str, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    args = [f"samples/{sample}.sql", "--region", "us-east-1", *FLAGS.get(sample, [])]
    bundle = CliRunner().invoke(main, ["generate", *args])
    assert bundle.exit_code == 0, bundle.stderr
    _check(f"{sample}.json", bundle.stdout)
    explain = CliRunner().invoke(main, ["explain", *args])
    assert explain.exit_code == 0, explain.stderr
    _check(f"{sample}.explain.txt", explain.stdout)


def test_every_sample_has_goldens() -> None:
    names = {p.name for p in GOLDEN.iterdir() if p.is_file()}  # iac/: test_iac_formats
    assert names == {f"{s}.{ext}" for s in SAMPLES for ext in ("json", "explain.txt")}

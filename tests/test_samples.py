"""Golden outputs of every sample: the generate bundle and the explain table.

Regenerate after an intended change with ``UPDATE_GOLDENS=1 make test`` and review the diff.
A templated sample gets its values from ``samples/<name>.flags`` (shell words, ``#`` comments);
its goldens without values are tests/test_templated_samples.py's.
"""

from __future__ import annotations

import os
import shlex
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


def flags_file(sample: str) -> list[str]:
    """The flags in samples/<sample>.flags (the values of a templated sample), else []."""
    path = ROOT / "samples" / f"{sample}.flags"
    return shlex.split(path.read_text(), comments=True) if path.exists() else []


FLAGS.update({sample: flags_file(sample) for sample in SAMPLES if flags_file(sample)})
# The samples that are templates (they have a flags file with their values); specs hold no
# placeholders, so these samples have no spec.
TEMPLATED = frozenset(s for s in SAMPLES if (ROOT / "samples" / f"{s}.flags").exists())


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

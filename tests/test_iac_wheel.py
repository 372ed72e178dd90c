"""The built wheel, installed in a fresh virtualenv, renders every format from SQL and from
every sample spec, and ``spec`` works: the Jinja templates (``redshift_iam.templates``) and the
spec schema (``redshift_iam/spec/schema.json``) ship inside it, and nothing reads the source
tree. Offline: the wheel is installed with ``--no-deps --no-index``; the dependencies are
taken from the test environment through a ``.pth`` line (which does not make the editable
checkout importable: its finder is only set up by the test environment's own ``.pth``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests import test_iac_formats, test_samples
from tests.test_spec_cli import _comparable

ROOT = Path(__file__).resolve().parent.parent
FORMATS = {"json": '"principals"', "terraform": 'resource "aws_iam_role" "EmrLoader"',
           "cloudformation": "Type: AWS::IAM::Role",
           "cloudformation-json": '"Type": "AWS::IAM::Role"'}


@pytest.fixture(scope="module")
def installed(tmp_path_factory, built_wheel: Path) -> Path:
    """The ``redshift-iam`` command of a fresh virtualenv holding only the built wheel."""
    base = tmp_path_factory.mktemp("wheel")
    wheel = built_wheel
    venv.create(base / "venv", with_pip=False)
    python = base / "venv" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], check=True, capture_output=True, text=True)
    Path(site.stdout.strip(), "test-env-deps.pth").write_text(sysconfig.get_path("purelib"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)], check=True,
                   capture_output=True)
    return base / "venv" / "bin" / "redshift-iam"


def test_the_installed_wheel_renders_every_format(installed: Path, tmp_path: Path) -> None:
    sql = tmp_path / "emr.sql"
    sql.write_text((ROOT / "samples" / "emr.sql").read_text())
    for fmt, marker in FORMATS.items():
        region = ["--region", "us-east-1"] if fmt == "json" else []  # IaC: aws_region
        done = subprocess.run([str(installed), "generate", "--format", fmt, str(sql), *region],
                              capture_output=True, text=True, cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": ""})
        assert done.returncode == 0, done.stderr
        assert marker in done.stdout
    where = subprocess.run([str(installed.parent / "python"), "-c",
                            "import redshift_iam.templates as t; print(t.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True)
    assert where.stdout.startswith(str(installed.parent.parent))  # not the checkout


def _run(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(installed), *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": ""})


@pytest.fixture(scope="module")
def samples_copy(tmp_path_factory) -> Path:
    """samples/ (SQL, specs, manifests) copied out of the checkout."""
    work = tmp_path_factory.mktemp("samples") / "work"
    shutil.copytree(ROOT / "samples", work / "samples",
                    ignore=shutil.ignore_patterns("Makefile", "makefile-demo"))
    return work


SPECS = sorted(p.stem for p in (ROOT / "samples" / "specs").glob("*.yaml"))


@pytest.mark.parametrize("sample", SPECS)
def test_the_installed_wheel_renders_every_format_from_a_spec(
        installed: Path, samples_copy: Path, sample: str, monkeypatch) -> None:
    """From the wheel, each sample spec gives the documents of its SQL's golden bundle, and
    each IaC format byte for byte what the checkout renders from the same spec."""
    spec = f"samples/specs/{sample}.yaml"
    flags = ["--region", "us-east-1", *test_samples.FLAGS.get(sample, [])]
    bundle = _run(installed, "generate", spec, *flags, cwd=samples_copy)
    assert bundle.returncode == 0, bundle.stderr
    golden = (ROOT / "tests" / "golden" / f"{sample}.json").read_text()
    assert _comparable(bundle.stdout) == _comparable(golden)
    monkeypatch.chdir(samples_copy)
    for fmt in test_iac_formats.EXTENSIONS:
        args = ["generate", "--format", fmt, spec, *test_iac_formats.FLAGS.get(sample, [])]
        done = _run(installed, *args, cwd=samples_copy)
        assert done.returncode == 0, done.stderr
        in_checkout = CliRunner().invoke(main, args)
        assert in_checkout.exit_code == 0, in_checkout.stderr
        assert done.stdout == in_checkout.stdout


def test_spec_works_from_the_installed_wheel(installed: Path, samples_copy: Path) -> None:
    """``spec`` of every sample SQL is its checked-in spec (under the comment line), and the
    shipped schema is the one that judges a spec (RI181 with path and line)."""
    for sample in SPECS:
        done = _run(installed, "spec", f"samples/{sample}.sql", cwd=samples_copy)
        assert done.returncode == 0, done.stderr
        checked_in = (ROOT / "samples" / "specs" / f"{sample}.yaml").read_text()
        assert done.stdout == checked_in.split("\n", 1)[1]
    (samples_copy / "bad.yaml").write_text("role: arn:aws:iam::123456789012:role/R\nrgion: x\n"
                                           "operations: []\n")
    bad = _run(installed, "policy", "bad.yaml", cwd=samples_copy)
    assert (bad.returncode, bad.stdout) == (1, "")
    assert "bad.yaml:2:1: error RI181: rgion: unknown key; expected one of role, region, " \
           "operations" in bad.stderr
    where = subprocess.run([str(installed.parent / "python"), "-c",
                            "from importlib import resources; print(resources.files("
                            "'redshift_iam.spec').joinpath('schema.json'))"],
                           capture_output=True, text=True, cwd=samples_copy, check=True)
    assert where.stdout.startswith(str(installed.parent.parent))  # not the checkout
    assert json.loads(Path(where.stdout.strip()).read_text()) == json.loads(
        (ROOT / "redshift_iam" / "spec" / "schema.json").read_text())

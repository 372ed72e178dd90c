"""The built wheel, installed in a fresh virtualenv, renders every format from SQL: the
Jinja templates ship inside it (as ``redshift_iam.templates``), and nothing reads the source
tree. Offline: the wheel is installed with ``--no-deps --no-index``; the dependencies are
taken from the test environment through a ``.pth`` line (which does not make the editable
checkout importable: its finder is only set up by the test environment's own ``.pth``)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORMATS = {"json": '"principals"', "terraform": 'resource "aws_iam_role" "EmrLoader"',
           "cloudformation": "Type: AWS::IAM::Role",
           "cloudformation-json": '"Type": "AWS::IAM::Role"'}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``redshift-iam`` command of a fresh virtualenv holding only the built wheel."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(base / "dist"), str(ROOT)], check=True,
                   capture_output=True)
    (wheel,) = (base / "dist").glob("redshift_iam-*.whl")
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

"""Test-wide settings: the hypothesis profiles (``HYPOTHESIS_PROFILE=dev|ci|deep``, default
``ci``), and nothing written into the checkout (no example database, hypothesis' caches and
wheel builds under the system's temporary folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

ROOT = Path(__file__).resolve().parent.parent

# hypothesis keeps caches (unicode data, constants) in its home folder: not in the checkout
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "redshift-iam-hypothesis"))

# ci: what `make test` and CI run: the same examples on every run (derandomize), so a red
# build is reproducible. dev: a quick local loop. deep: a long hunt before a release.
_COMMON = {"deadline": None, "database": None,
           "suppress_health_check": (HealthCheck.too_slow,)}
settings.register_profile("ci", max_examples=100, derandomize=True, **_COMMON)
settings.register_profile("dev", max_examples=20, **_COMMON)
settings.register_profile("deep", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once per run from a copy of the checkout (setuptools writes
    build/ and *.egg-info beside the sources it builds)."""
    base = tmp_path_factory.mktemp("wheel-build")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", ".*cache*", ".hypothesis",
        "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(base / "dist"), str(source)], check=True,
                   capture_output=True)
    (wheel,) = (base / "dist").glob("redshift_iam-*.whl")
    return wheel

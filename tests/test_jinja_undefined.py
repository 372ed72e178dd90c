"""Jinja expressions that read an undefined value through a filter, test or loop stay unknown
(never empty text that hides options), and Airflow's ``var.value.NAME`` is named by its whole
path so the hint's ``--var`` fills it."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from click.testing import CliRunner

from redshift_iam.cli.main import main

ROLE = "arn:aws:iam::123456789012:role/etl"
OPTIONS = f"COPY t FROM 's3://acme-raw/k/' IAM_ROLE '{ROLE}' {{{{ opts | join(' ') }}}};\n"


def _run(cwd: Path, *args: str):
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_filter_over_an_undefined_option_list_leaves_the_options_unknown(tmp_path):
    (tmp_path / "x.sql").write_text(OPTIONS)
    result = _run(tmp_path, "policy", "x.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "x.sql:1:78: unresolved RI148: variable opts ({{ opts | join(' ') }}) is unresolved in "
        "the options of this COPY: the option set is unknown: it may add MANIFEST, SSH, "
        "SHAPEFILE, a JSON/AVRO JSONPaths file, REGION or the authorization\n")


def test_with_the_list_given_the_options_are_read(tmp_path):
    (tmp_path / "x.sql").write_text(OPTIONS)
    (tmp_path / "v.json").write_text(json.dumps({"opts": ["MANIFEST", "GZIP"]}))
    result = _run(tmp_path, "explain", "x.sql", "--vars", "v.json", "--format", "json")
    statement = json.loads(result.stdout)["statements"][0]
    assert (statement["kind"], statement["subject"]) == ("COPY manifest", "t <- s3://acme-raw/k/")
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["RI142"]


def test_a_default_filter_over_an_undefined_value_is_unknown(tmp_path):
    """``day`` may be given when the template runs: the key is any text, not 'all'."""
    (tmp_path / "y.sql").write_text(
        f"COPY t FROM 's3://acme-raw/{{{{ day | default('all') }}}}/' IAM_ROLE '{ROLE}';\n")
    result = _run(tmp_path, "policy", "y.sql")
    assert result.exit_code == 0
    resources = [s["Resource"] for s in json.loads(result.stdout)["Statement"]]
    assert resources == ["arn:aws:s3:::acme-raw/*/*", "arn:aws:s3:::acme-raw"]
    assert "RW221" in result.stderr and "variable day" in result.stderr
    given = _run(tmp_path, "policy", "y.sql", "--var", "day=2024")
    resources = [s["Resource"] for s in json.loads(given.stdout)["Statement"]]
    assert resources == ["arn:aws:s3:::acme-raw/2024/*", "arn:aws:s3:::acme-raw"]


def test_airflow_variables_are_named_by_their_whole_path(tmp_path):
    (tmp_path / "z.sql").write_text(
        "COPY t FROM 's3://acme-raw/k/' IAM_ROLE '{{ var.value.loader_role }}';\n")
    missing = _run(tmp_path, "policy", "z.sql")
    assert missing.exit_code == 1
    assert "variable var.value.loader_role ({{ var.value.loader_role }}) is unresolved in the " \
           "role" in missing.stderr
    assert "hint: pass --var var.value.loader_role=VALUE" in missing.stderr
    given = _run(tmp_path, "policy", "z.sql", "--var", f"var.value.loader_role={ROLE}")
    assert given.exit_code == 0
    (tmp_path / "w.sql").write_text("COPY t FROM 's3://acme-raw/{{ var.__globals__ }}/' "
                                    f"IAM_ROLE '{ROLE}';\n")
    assert "RI171" in _run(tmp_path, "policy", "w.sql").stderr  # still the sandbox's

"""Specs through the CLI: spec == SQL on every sample, the `spec` command, mixed inputs,
--input-format and directories as input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.test_samples import FLAGS, ROOT, SAMPLES, TEMPLATED

R = "arn:aws:iam::123456789012:role/R"
# Every sample but the templates (templated specs are tested in test_spec_templated.py).
SPEC_SAMPLES = [pytest.param(s, marks=pytest.mark.skip(
    reason="a templated sample has no checked-in spec "
           "(templated specs: tests/test_spec_templated.py)"))
    if s in TEMPLATED else s for s in SAMPLES]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _comparable(bundle: str) -> dict:
    """The generate bundle without what names the input files: each principal's
    `statements` (file:line), `skipped` (SQL's other statements) and the warnings' locations."""
    data = json.loads(bundle)
    for principal in data["principals"]:
        principal.pop("statements")
    data.pop("skipped")
    for warning in data["warnings"]:
        warning.pop("location")
    return data


@pytest.mark.parametrize("sample", SPEC_SAMPLES)
def test_spec_gives_the_documents_of_its_sql(sample: str, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    flags = ["--region", "us-east-1", *FLAGS.get(sample, [])]
    sql, spec = f"samples/{sample}.sql", f"samples/specs/{sample}.yaml"
    bundles = [invoke("generate", path, *flags) for path in (sql, spec)]
    assert [b.exit_code for b in bundles] == [0, 0]
    assert _comparable(bundles[0].stdout) == _comparable(bundles[1].stdout)
    for report in json.loads(bundles[0].stdout)["principals"]:
        role = ["--role", report["principal"]]
        for command in (["policy"], ["trust"]):
            if command == ["trust"] and report["trust"] is None:
                continue
            outputs = [invoke(*command, path, *flags, *role) for path in (sql, spec)]
            assert outputs[0].exit_code == 0 and outputs[0].stdout == outputs[1].stdout


@pytest.mark.parametrize("sample", SPEC_SAMPLES)
def test_spec_command_writes_the_checked_in_sample_spec(sample: str, monkeypatch) -> None:
    """samples/specs/X.yaml is `spec samples/X.sql` under the SQL's first comment line; the
    spec of the spec is the same text (the writer is a fixed point)."""
    monkeypatch.chdir(ROOT)
    checked_in = (ROOT / "samples" / "specs" / f"{sample}.yaml").read_text()
    comment, body = checked_in.split("\n", 1)
    first_sql_line = (ROOT / "samples" / f"{sample}.sql").read_text().split("\n", 1)[0]
    assert comment == "#" + first_sql_line[2:]
    assert invoke("spec", f"samples/{sample}.sql").stdout == body
    assert invoke("spec", f"samples/specs/{sample}.yaml").stdout == body


NIGHTLY = """\
role: arn:aws:iam::123456789012:role/EtlLoader
operations:
  - copy:
      table: stage_orders
      from: s3://acme-raw-data/orders/dt=2024-06-01/
      format: csv
  - copy:
      table: sales.customers
      from: s3://acme-raw-data/customers/snapshot_
  - copy:
      table: sales.clickstream
      from: s3://acme-events/clickstream/2024/06/01/
      format: json
  - unload:
      to: s3://acme-exports/daily/revenue_2024-06-01_
      allowoverwrite: true
"""
UNLOAD_PARTITIONED = """\
role: arn:aws:iam::123456789012:role/LakePublisher
operations:
  - unload:
      to: s3://acme-lake/mart/daily_revenue/
      cleanpath: true
      encrypted: true
      kms_key_id: 1234abcd-12ab-34cd-56ef-1234567890ab
      partition_by:
        - event_date
        - country
      region: us-east-1
"""


def test_spec_command_exact_output(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    for sample, expected in (("nightly_etl", NIGHTLY), ("unload_partitioned", UNLOAD_PARTITIONED)):
        result = invoke("spec", f"samples/{sample}.sql")
        assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")


def test_spec_command_of_several_principals_and_of_nothing(tmp_path: Path) -> None:
    sql = tmp_path / "a.sql"
    sql.write_text(f"copy t from 's3://bkt/k' iam_role default;\n"
                   f"unload ('x') to 's3://bkt/o \"q' iam_role '{R}' encrypted auto;\n")
    result = invoke("spec", str(sql))
    assert (result.exit_code, result.stdout) == (0, (
        "operations:\n  - copy:\n      table: t\n      from: s3://bkt/k\n      role: default\n"
        "  - unload:\n      to: \"s3://bkt/o \\\"q\"\n      encrypted: auto\n"
        f"      role: {R}\n"))
    empty = tmp_path / "e.sql"
    empty.write_text("select 1;\n")
    assert invoke("spec", str(empty)).stdout == "operations: []\n"


def test_spec_command_fails_on_bad_or_unmapped_input(tmp_path: Path) -> None:
    bad = tmp_path / "b.sql"
    bad.write_text("copy t from 's3://B/k' iam_role default;\n")
    result = invoke("spec", str(bad))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"{bad}:1:19: error RI120: 'B' is not a valid S3 bucket")
    unmapped = tmp_path / "u.sql"
    unmapped.write_text("create external schema s from data catalog iam_role default;\n")
    result = invoke("spec", str(unmapped))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"redshift-iam: {unmapped}:1: CREATE EXTERNAL SCHEMA has no spec form\n")


def test_sql_and_spec_inputs_mix_into_one_script(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text(f"copy t from 's3://bkt/a/' iam_role '{R}';\n")
    (tmp_path / "b.yaml").write_text(f"role: {R}\noperations:\n  - copy: {{from: 's3://bkt/b/'}}\n")
    result = invoke("generate", str(tmp_path / "a.sql"), str(tmp_path / "b.yaml"))
    assert result.exit_code == 0, result.stderr
    (principal,) = json.loads(result.stdout)["principals"]
    assert principal["statements"] == [f"{tmp_path}/a.sql:1", f"{tmp_path}/b.yaml:3"]
    get = next(s for s in principal["policies"][0]["Statement"] if s["Action"] == "s3:GetObject")
    assert get["Resource"] == ["arn:aws:s3:::bkt/a/*", "arn:aws:s3:::bkt/b/*"]


def test_input_format_overrides_the_file_name(tmp_path: Path) -> None:
    spec = tmp_path / "load.txt"
    spec.write_text(f"role: {R}\noperations:\n  - copy: {{from: 's3://bkt/k/'}}\n")
    assert invoke("policy", str(spec)).exit_code == 1  # read as SQL: nothing to grant
    assert invoke("policy", "--input-format", "spec", str(spec)).exit_code == 0
    sql = tmp_path / "load.yaml"
    sql.write_text(f"copy t from 's3://bkt/k/' iam_role '{R}';\n")
    as_sql = invoke("policy", "--input-format", "sql", str(sql))
    assert as_sql.exit_code == 0
    assert as_sql.stdout == invoke("policy", "--input-format", "spec", str(spec)).stdout
    bad = invoke("policy", "--input-format", "yaml", str(sql))
    assert bad.exit_code == 2 and "'yaml' is not one of 'auto', 'sql', 'spec'" in bad.stderr


def test_a_directory_means_its_sql_and_specs_sorted_and_recursive(tmp_path: Path) -> None:
    def put(name: str, text: str) -> None:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    copy = "copy t from 's3://bkt/{0}/' iam_role '" + R + "';\n"
    put("b.sql", copy.format("b"))
    put("a/z.sql", copy.format("az"))
    put("a.yml", f"role: {R}\noperations:\n  - copy: {{from: 's3://bkt/ayml/'}}\n")
    put("c.json", json.dumps({"role": R, "operations": [{"unload": {"to": "s3://bkt/cj/"}}]}))
    put("config.yaml", "name: not a spec\n")  # no top-level operations: not picked
    put("package.json", '{"name": "x"}')
    put("notes.txt", copy.format("txt"))
    put(".hidden/h.sql", copy.format("hidden"))
    put("a/.h.sql", copy.format("hidden2"))
    result = invoke("generate", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    (principal,) = json.loads(result.stdout)["principals"]
    assert principal["statements"] == [f"{tmp_path}/{name}" for name in (  # sorted as text
        "a.yml:3", "a/z.sql:1", "b.sql:1", "c.json:1")]
    from redshift_iam.spec import directory_inputs
    # read in path order, component by component: the folder a/ before the file a.yml
    assert [item.path for item in directory_inputs(str(tmp_path))] == [
        f"{tmp_path}/a/z.sql", f"{tmp_path}/a.yml", f"{tmp_path}/b.sql", f"{tmp_path}/c.json"]


def test_a_directory_with_nothing_to_read_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "readme.md").write_text("x")
    result = invoke("policy", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error RI100: {tmp_path} holds no *.sql file and no spec\n")


def test_a_broken_spec_in_a_directory_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("operations:\n  - copy: {from: 's3://bkt/k'\n")
    result = invoke("policy", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path}/x.yaml:3:1: error RI180: not valid YAML")


def test_a_directory_follows_gits_rule_as_scan_does(tmp_path) -> None:
    """``policy DIR`` reads the files ``scan DIR`` reads inside a work tree: not what git
    ignores (a build folder with a stale copy would grant its bucket)."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    role = "IAM_ROLE 'arn:aws:iam::123456789012:role/R'"
    (tmp_path / "a.sql").write_text(f"COPY t FROM 's3://acme-live/k/' {role};\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "old.sql").write_text(f"COPY t FROM 's3://acme-stale/k/' {role};\n")
    (tmp_path / ".gitignore").write_text("build/\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = CliRunner().invoke(main, ["policy", str(tmp_path)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert "acme-live" in result.stdout and "acme-stale" not in result.stdout
    (tmp_path / ".gitignore").write_text("")
    both = CliRunner().invoke(main, ["policy", str(tmp_path)])
    assert "acme-stale" in both.stdout

"""``scan --values-template`` (issue 18): the open variables of the fixture repository as a
project config to fill in (exact text), and the round trip: filled in and saved as
.redshift-iam.toml, the next scan has no unresolved need and its documents grant what the
values say (judged by the IAM evaluator)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from redshift_iam.derive.unresolved import SLOTS
from redshift_iam.output.values_toml import KINDS
from tests.iam_eval import allowed

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser
    import tomli as tomllib

FIXTURE = Path(__file__).parent / "fixtures" / "scan_repo"
TEMPLATE = Path(__file__).parent / "fixtures" / "scan_repo.values.toml"
ACCOUNT = "123456789012"
# The places scan cannot read whatever the values (they are not variables).
SKIPPED = [
    ["repo/legacy/old_loader.py", 1, 1],
    ["repo/plugins/operators.py", 19, 12],
]


def invoke(cwd: Path, *args: str):
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, ["scan", *args], catch_exceptions=False)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copytree(FIXTURE, tmp_path / "repo")
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    return tmp_path


def fill(template: str) -> str:
    """Each empty entry filled with a value of the kind its comment names; bucket names are
    per file and variable, so each file's value is seen to be its own."""
    out, kind, table = [], "", ""
    for line in template.splitlines():
        header = re.match(r'\[per-path\."([^"]+)"\.values\]', line)
        table = header.group(1) if header else table
        kind = line if line.startswith("# repo/") else kind
        entry = re.fullmatch(r'("?[\w.]+"?) = ""', line)
        if entry:
            line = f"{entry.group(1)} = {json.dumps(value(kind, table, entry.group(1)))}"
        out.append(line)
    return "\n".join(out) + "\n"


def value(kind: str, table: str, key: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", Path(table).stem.lower())
    name = re.sub(r"[^a-z0-9]+", "-", key.strip('"').lower())
    if kind.endswith("an S3 bucket name"):
        return f"{stem}-{name}"
    if "a whole S3 location" in kind:
        return f"s3://{stem}-loc/{name}/"
    if "an IAM role ARN" in kind:
        return f"arn:aws:iam::{ACCOUNT}:role/{stem}"
    if "the authorization" in kind:  # the fixture's are Airflow's quoted CREDENTIALS strings
        return f"aws_iam_role=arn:aws:iam::{ACCOUNT}:role/airflow"
    assert "the options as SQL text" in kind, kind
    return ""


def test_the_template_of_the_fixture_repository(tree):
    result = invoke(tree, "repo", "--values-template")
    assert result.exit_code == 1  # two places are skipped; the open variables are no failure
    assert result.stdout == TEMPLATE.read_text()
    assert "unresolved" not in result.stderr
    tomllib.loads(result.stdout)  # valid TOML as printed


def test_round_trip_leaves_nothing_unresolved(tree):
    template = invoke(tree, "repo", "--values-template").stdout
    (tree / "repo" / ".redshift-iam.toml").write_text(fill(template))
    result = invoke(tree, "repo", "--format", "json")
    report = json.loads(result.stdout)
    assert report["unresolved"] == []
    assert [[s["path"], s["line"], s["col"]] for s in report["skipped"]] == SKIPPED
    assert result.exit_code == 1  # the skipped places
    assert {s["location"]: s["subject"] for s in report["statements"]} == {
        # values the code states (issue 18) need no entry: dags/load.py's params, the dbt var,
        # the os.environ default, dwh.cfg and the operator's call sites
        "repo/dags/exports.py:11:13": "-> s3://acme-exports/orders/",
        "repo/dags/exports.py:17:14": "-> s3://exports-bucket/runtime/",
        "repo/dags/load.py:8:9": "sales <- s3://acme-raw/sales/{{ ds }}/",
        "repo/dags/transfers.py:4:15": "public.sales <- s3://acme-raw/sales/{ds}",
        "repo/dags/transfers.py:14:9": "-> s3://transfers-export-bucket/exports/sales_",
        "repo/dbt/macros/unload_orders.sql:2:3": "-> s3://acme-dbt-exports/orders/",
        "repo/etl/sql_queries.py:9:5": "staging_events <- s3://acme-logs/log_data",
        "repo/go/load.go:3:18": "orders <- s3://acme-orders/in/",
        "repo/jvm/LoadSpec.scala:3:6": "events <- s3://loadspec-bucket/events/",
        "repo/legacy/old_loader.py:2:8": "legacy <- s3://old-bucket/data/",
        "repo/plugins/operators.py:5:13": "{table} <- s3://operators-loc/s3-path/",
        "repo/plugins/operators.py:10:13": "-> s3://operators-loc/s3-path/",
        "repo/plugins/operators.py:15:13": "t <- s3://operators-bucket/k",
        "repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:6":
            "staging_events <- s3://acme-raw/log_data",
        "repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:14":
            "staging_songs <- s3://acme-raw/song_data",
        "repo/ruby/loader.rb:3:5": "clicks <- s3://loader-bucket/clicks/",
        "repo/shell/load.sh:3:1": "users <- s3://load-bucket/users/",
    }


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def test_round_trip_documents_grant_what_the_values_say(tree):
    template = invoke(tree, "repo", "--values-template").stdout
    (tree / "repo" / ".redshift-iam.toml").write_text(fill(template))
    bundle = json.loads(invoke(tree, "repo", "--format", "bundle").stdout)
    docs = {p["principal"]: p["policies"] for p in bundle["principals"]}
    assert set(docs) == {role(n) for n in ("airflow", "load", "unload-orders", "operators",
                                           "clicks", "loader", "old", "orders", "u", "dwh",
                                           "export", "stage")}
    s3 = "arn:aws:s3:::"
    cases = [  # (role, action, resource, allowed?)
        ("load", "s3:GetObject", "acme-raw/sales/2024-01-01/part0", True),  # params= in the DAG
        ("load", "s3:GetObject", "acme-raw/other/x", False),
        ("load", "s3:GetObject", "load-bucket/users/u.csv", True),  # shell/load.sh: same role
        ("airflow", "s3:GetObject", "acme-raw/sales/2024-01-01", True),
        ("airflow", "s3:PutObject", "transfers-export-bucket/exports/sales_000", True),
        ("airflow", "s3:PutObject", "acme-raw/sales/x", False),
        ("unload-orders", "s3:PutObject", "acme-dbt-exports/orders/0000_part_00", True),
        ("unload-orders", "s3:PutObject", "transfers-export-bucket/exports/sales_0", False),
        ("operators", "s3:GetObject", "operators-loc/s3-path/x", True),
        ("operators", "s3:GetObject", "operators-bucket/k1", True),
        ("operators", "s3:PutObject", "operators-loc/s3-path/x", False),
        ("u", "s3:PutObject", "operators-loc/s3-path/x", True),
        ("loader", "s3:GetObject", "loadspec-bucket/events/e", True),
        ("clicks", "s3:GetObject", "loader-bucket/clicks/c", True),
        ("clicks", "s3:GetObject", "loadspec-bucket/events/e", False),
        ("stage", "s3:GetObject", "acme-raw/log_data/2018/11/e.json", True),  # call site 1
        ("stage", "s3:GetObject", "acme-raw/song_data/A/B/s.json", True),  # call site 2
        ("stage", "s3:GetObject", "acme-raw/sales/x", False),
        ("dwh", "s3:GetObject", "acme-logs/log_data/e.json", True),  # dwh.cfg
        ("export", "s3:PutObject", "exports-bucket/runtime/0000_part_00", True),
    ]
    for name, action, resource, expected in cases:
        assert allowed(docs[role(name)], action, s3 + resource) is expected, (name, resource)


def test_every_slot_has_a_kind_of_value():
    for slot, row in SLOTS.items():
        message = row.what.format("COPY")
        assert any(words in message for words, _ in KINDS), slot

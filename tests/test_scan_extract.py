"""scan(): fragments, styles, positional names, bindings and exact host positions of the fixture
repository (tests/fixtures/scan_repo), inside a git work tree that ignores one file."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from redshift_iam.inputs.scanning import Skipped, scan

FIXTURE = Path(__file__).parent / "fixtures" / "scan_repo"
EXPORT_ROLE = "arn:aws:iam::123456789012:role/export"
IGNORED = "COPY secret FROM 's3://ignored/' IAM_ROLE 'arn:aws:iam::123456789012:role/ignored';\n"


def _copy(root: Path) -> None:
    """The fixture, plus the file its .gitignore ignores (which git would not commit)."""
    shutil.copytree(FIXTURE, root)
    (root / "scratch").mkdir()
    (root / "scratch" / "ignored.sql").write_text(IGNORED)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("scan") / "repo"
    _copy(root)
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return scan([str(root)]), str(root)


def _first_word(fragment, root):
    """The host position of the statement's first word (COPY/UNLOAD) in the fragment."""
    offset = re.search(r"\b(COPY|UNLOAD)\b", fragment.text, re.IGNORECASE).start()
    return str(fragment.location(offset)).replace(root + "/", "")


def test_fragments_text_style_positional_and_positions(result):
    scanned, root = result
    rows = [(f.path[len(root) + 1:], f.host, f.style, f.text, f.positional,
             _first_word(f, root)) for f in scanned.fragments]
    assert rows == [
        ("dags/exports.py", "python", "fstring",
         "UNLOAD ('SELECT * FROM orders') TO 's3://{EXPORT_BUCKET}/{prefix}/' "
         "IAM_ROLE '{ROLE}';", (), "dags/exports.py:11:13"),
        ("dags/exports.py", "python", "fstring",
         "UNLOAD ('SELECT 1') TO 's3://{bucket}/runtime/' IAM_ROLE '{ROLE}';", (),
         "dags/exports.py:17:14"),
        ("dags/load.py", "python", "auto",
         "\n        COPY sales FROM 's3://{{ params.bucket }}/sales/{{ ds }}/'\n"
         "        IAM_ROLE '{{ var.value.role }}' FORMAT AS PARQUET;\n    ", (),
         "dags/load.py:8:9"),
        ("dags/transfers.py", "python", "fstring",
         "COPY public.sales\nFROM 's3://acme-raw/sales/{ds}'\ncredentials\n"
         "'{aws_conn.aws_loader}'\nFORMAT AS PARQUET\n{MANIFEST_OPTION};", (),
         "dags/transfers.py:4:15"),
        ("dags/transfers.py", "python", "fstring",
         "UNLOAD ($$SELECT * FROM public.sales$$)\nTO 's3://{EXPORT_BUCKET}/exports/sales_'\n"
         "credentials\n'{aws_conn.aws_default}'\nPARQUET;", (), "dags/transfers.py:14:9"),
        ("dbt/macros/unload_orders.sql", "jinja-sql", "auto",
         " " * 27 + "\n  UNLOAD ('select * from {{ ref(\"orders\") }}')\n"
         "  TO 's3://{{ var(\"export_bucket\") }}/orders/'\n"
         "  IAM_ROLE '{{ env_var(\"UNLOAD_ROLE\") }}';\n" + " " * 14 + "\n", (),
         "dbt/macros/unload_orders.sql:2:3"),
        ("etl/sql_queries.py", "python", "format",
         "\n    copy staging_events from {}\n    iam_role {}\n    json {} region 'us-west-2';\n",
         ("LOG_DATA", "config['IAM_ROLE']['ARN']", "config['S3']['LOG_JSONPATH']"),
         "etl/sql_queries.py:9:5"),
        ("go/load.go", "go", "auto", "COPY orders FROM 's3://acme-orders/in/'\n"
         "IAM_ROLE 'arn:aws:iam::123456789012:role/orders' CSV;", (), "go/load.go:3:18"),
        ("jvm/LoadSpec.scala", "scala", "dollar", "\nCOPY events\nFROM 's3://${bucket}/events/'\n"
         "IAM_ROLE 'arn:aws:iam::123456789012:role/loader' JSON 'auto';", (),
         "jvm/LoadSpec.scala:3:6"),
        ("legacy/old_loader.py", "python", "auto",
         "COPY legacy FROM 's3://old-bucket/data/' "
         "CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/old'", (),
         "legacy/old_loader.py:2:8"),
        ("plugins/operators.py", "python", "fstring",
         "COPY {table} FROM '{s3_path}' IAM_ROLE '{role}' CSV;", (), "plugins/operators.py:5:13"),
        ("plugins/operators.py", "python", "format",
         "UNLOAD ('SELECT * FROM {}')\nTO '{}' IAM_ROLE 'arn:aws:iam::123456789012:role/u';",
         ("table", "s3_path"), "plugins/operators.py:10:13"),
        ("plugins/operators.py", "python", "percent",
         "COPY t FROM 's3://%s/k' IAM_ROLE '%s';", ("bucket", "ROLE"),
         "plugins/operators.py:15:13"),
        # one statement per instantiation, at the template, naming the call site
        *[("plugins/stage_redshift.py", "python", "format",
           "\n        COPY {} FROM '{}'\n        IAM_ROLE '{}' FORMAT AS JSON 'auto';\n    ",
           ("self.table", "s3_path", "self.role"),
           f"plugins/stage_redshift.py:6:9 via dags/sparkify.py:{line}") for line in (6, 14)],
        ("ruby/loader.rb", "ruby", "ruby", "COPY clicks\nFROM 's3://#{bucket}/clicks/'\n"
         "IAM_ROLE 'arn:aws:iam::123456789012:role/clicks';\n", (), "ruby/loader.rb:3:5"),
        ("shell/load.sh", "shell", "shell", "COPY users FROM 's3://${BUCKET}/users/'\n"
         "IAM_ROLE '${ROLE}' CSV;\n", (), "shell/load.sh:3:1"),
    ]


def test_bindings_and_skipped_and_ignored_file(result):
    scanned, root = result
    # each value the code states, where Python reads it (tests/test_scan_scoping.py), with
    # its origin; a plain literal's Jinja is Airflow's (only the operator's params= fill it)
    assert [(f.path[len(root) + 1:], {name: (b.value, b.origin.replace(root + "/", ""),
                                             b.default) for name, b in f.bindings.items()})
            for f in scanned.fragments if f.host == "python"] == [
        ("dags/exports.py", {
            "EXPORT_BUCKET": ("acme-exports",
                              "dags/exports.py:5 default of os.environ.get('EXPORT_BUCKET')", True),
            "ROLE": (EXPORT_ROLE, "dags/exports.py:6", False),
            "prefix": ("orders", "dags/exports.py:10 default of Variable.get('orders_prefix')",
                       True)}),
        ("dags/exports.py", {"ROLE": (EXPORT_ROLE, "dags/exports.py:6", False)}),  # no bucket
        ("dags/load.py", {"params.bucket": ("acme-raw", "dags/load.py:3", False)}),
        ("dags/transfers.py", {}), ("dags/transfers.py", {}),
        ("etl/sql_queries.py", {  # as configparser reads them: the quotes are kept
            "LOG_DATA": ("'s3://acme-logs/log_data'", "dwh.cfg:8", False),
            "config['IAM_ROLE']['ARN']": ("'arn:aws:iam::123456789012:role/dwh'", "dwh.cfg:5",
                                          False),
            "config['S3']['LOG_JSONPATH']": ("'s3://acme-logs/log_json_path.json'", "dwh.cfg:9",
                                             False)}),
        ("legacy/old_loader.py", {}), ("plugins/operators.py", {}),
        ("plugins/operators.py", {}), ("plugins/operators.py", {}),
        *[("plugins/stage_redshift.py", {
            "s3_path": (f"s3://acme-raw/{key}", f"dags/sparkify.py:{line + 4} s3_bucket=, "
                        f"dags/sparkify.py:{line + 5} s3_key=", False),
            "self.role": ("arn:aws:iam::123456789012:role/stage", "plugins/stage_redshift.py:15",
                          False),
            "self.table": (table, f"dags/sparkify.py:{line + 3} table=", False)})
          for line, key, table in ((6, "log_data", "staging_events"),
                                   (14, "song_data", "staging_songs"))],
    ]
    assert scanned.skipped == [
        Skipped(f"{root}/legacy/old_loader.py", 1, 1, "not Python 3 (Missing parentheses in call "
                "to 'print'. Did you mean print(...)?): string literals read by the generic scan"),
        Skipped(f"{root}/plugins/operators.py", 19, 12, "SQL built by concatenation with parts "
                "that are not literals ('...' + table + '...'); write it as one template "
                "(f-string or .format) so it can be read whole"),
    ]
    assert scanned.files_read == 13  # scratch/ignored.sql is ignored by git: never read
    assert not any("ignored" in f.path for f in scanned.fragments)
    assert scan([root]) == scanned  # deterministic


def test_without_git_the_ignored_file_is_read(tmp_path):
    root = tmp_path / "repo"
    _copy(root)
    result = scan([str(root)])
    assert result.files_read == 14
    assert [f.text for f in result.fragments if f.path.endswith("ignored.sql")] == [IGNORED]


def test_plain_walk_reads_the_ignored_file_outside_git(tmp_path):
    root = tmp_path / "plain"
    shutil.copytree(FIXTURE / "dbt", root / "dbt")
    (root / "x.sql").write_text("-- nothing\nCOPY t FROM 's3://b/k' IAM_ROLE 'r';\n")
    result = scan([str(root)])
    assert [(f.path, str(f.location(11))) for f in result.fragments] == [
        (f"{root}/dbt/macros/unload_orders.sql", f"{root}/dbt/macros/unload_orders.sql:1:12"),
        (f"{root}/x.sql", f"{root}/x.sql:2:1"),
    ]
    assert result.fragments[1].host == "sql"

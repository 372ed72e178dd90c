"""Values the scanned code states, with their origin (issue 18): configparser files, locals,
instance attributes, environment and Airflow defaults, DAG params, dbt vars, and one statement
per instantiation of an operator class. Exact reports; grants judged by the IAM evaluator."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

FIXTURE = Path(__file__).parent / "fixtures" / "scan_repo"
STAGE = "arn:aws:iam::123456789012:role/stage"
ROLE = "arn:aws:iam::123456789012:role/etl"


def _run(cwd: Path, *args: str):
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _placeholders(stdout: str) -> list[list[tuple[str, str, str | None, str | None]]]:
    return [[(p["name"], p["status"], p["value"], p["origin"]) for p in s["placeholders"]]
            for s in json.loads(stdout)["statements"]]


def test_one_statement_per_instantiation_with_the_grants_each_needs(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "repo")
    result = _run(tmp_path, "scan", "repo/plugins/stage_redshift.py", "repo/dags/sparkify.py",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(s["location"], s["subject"]) for s in report["statements"]] == [
        ("repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:6",
         "staging_events <- s3://acme-raw/log_data"),
        ("repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:14",
         "staging_songs <- s3://acme-raw/song_data")]
    bundle = _run(tmp_path, "scan", "repo/plugins/stage_redshift.py", "repo/dags/sparkify.py",
                  "--format", "bundle")
    [principal] = json.loads(bundle.stdout)["principals"]
    assert principal["principal"] == STAGE
    policies = principal["policies"]
    for key in ("log_data/2026/01/events.json", "song_data/A/B/song.json"):
        assert allowed(policies, "s3:GetObject", f"arn:aws:s3:::acme-raw/{key}"), key
    for prefix in ("log_data", "song_data"):
        assert allowed(policies, "s3:ListBucket", "arn:aws:s3:::acme-raw",
                       {"s3:prefix": f"{prefix}/x"}), prefix
    for action, resource in (("s3:GetObject", "arn:aws:s3:::acme-raw/other/x"),
                             ("s3:PutObject", "arn:aws:s3:::acme-raw/log_data/x"),
                             ("s3:GetObject", "arn:aws:s3:::acme-raw2/log_data/x")):
        assert not allowed(policies, action, resource), (action, resource)
    assert not allowed(policies, "s3:ListBucket", "arn:aws:s3:::acme-raw", {"s3:prefix": "x/"})


def test_a_class_never_instantiated_keeps_one_statement_unresolved(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "repo")
    result = _run(tmp_path, "scan", "repo/plugins/stage_redshift.py", "--format", "json")
    assert result.exit_code == 1
    assert _placeholders(result.stdout) == [[
        ("self.table", "unresolved", None, None), ("s3_path", "unresolved", None, None),
        ("self.role", "resolved", STAGE, "repo/plugins/stage_redshift.py:15")]]


OPERATOR = '''class Stage:
    copy_sql = "COPY {} FROM '{}' IAM_ROLE 'arn:aws:iam::123456789012:role/etl' JSON 'auto';"

    def __init__(self, table="events", s3_bucket="acme-default", s3_key="k", **kwargs):
        self.table = table
        self.s3_bucket = s3_bucket
        self.s3_key = s3_key

    def execute(self, context):
        key = self.s3_key.format(**context)
        path = "s3://{}/{}".format(self.s3_bucket, key)
        return self.copy_sql.format(self.table, path)
'''


def test_a_templated_key_and_kwargs_leave_what_the_call_does_not_state_unresolved(tmp_path):
    """``self.s3_key.format(**context)`` is filled at run time; a call that passes
    ``**kwargs`` may pass any parameter, so no default is assumed for it."""
    _tree(tmp_path / "src", {"op.py": OPERATOR, "dag.py": (
        "from op import Stage\n\na = Stage(s3_bucket='acme-a', s3_key='x/{ds}')\n"
        "b = Stage(s3_key='y', **extra)\n")})
    result = _run(tmp_path, "scan", "src", "--format", "json")
    assert [s["location"] for s in json.loads(result.stdout)["statements"]] == [
        "src/op.py:2:17 via src/dag.py:3", "src/op.py:2:17 via src/dag.py:4"]
    assert _placeholders(result.stdout) == [
        [("self.table", "resolved", "events", "src/op.py:4 table= (parameter default)"),
         ("path", "unresolved", None, None)],
        [("self.table", "unresolved", None, None), ("path", "unresolved", None, None)]]


def test_jinja_in_a_passed_value_is_airflow_s_and_is_not_bound(tmp_path):
    operator = OPERATOR.replace("self.s3_key.format(**context)", "self.s3_key")
    _tree(tmp_path / "src", {"op.py": operator, "dag.py": (
        "from op import Stage\n\na = Stage(s3_bucket='acme-a', s3_key='x/{{ ds }}')\n")})
    result = _run(tmp_path, "scan", "src", "--format", "json")
    assert _placeholders(result.stdout) == [
        [("self.table", "resolved", "events", "src/op.py:4 table= (parameter default)"),
         ("path", "unresolved", None, None)]]


def test_configparser_values_keep_their_quotes_and_the_file_stays_in_the_tree(tmp_path):
    cfg = "[S3]\nDATA = 's3://acme-cfg/in'\n[IAM]\nARN = " + ROLE + "\n"
    module = ("import configparser\nc = configparser.ConfigParser()\nc.read({path!r})\n"
              "q = \"COPY t FROM {{}} IAM_ROLE '{{}}' CSV;\".format(c['S3']['DATA'], "
              "c.get('IAM', 'ARN'))\n")
    _tree(tmp_path, {"outside.cfg": cfg})
    _tree(tmp_path / "src", {"etl/beside.cfg": cfg, "etl/a.py": module.format(path="beside.cfg"),
                             "etl/b.py": module.format(path="../outside.cfg")})
    result = _run(tmp_path, "scan", "src", "--format", "json")
    report = json.loads(result.stdout)
    assert [s["subject"] for s in report["statements"]] == [
        "t <- s3://acme-cfg/in", "t <- {}"]
    assert _placeholders(result.stdout) == [
        [("c.S3.DATA", "resolved", "'s3://acme-cfg/in'", "src/etl/beside.cfg:2"),
         ("c.get('IAM', 'ARN')", "resolved", ROLE, "src/etl/beside.cfg:4")],
        [("c.S3.DATA", "unresolved", None, None),
         ("c.get('IAM', 'ARN')", "unresolved", None, None)]]


def test_a_changed_or_rebound_value_stays_unresolved(tmp_path):
    _tree(tmp_path / "src", {
        "a.py": ("import configparser\nc = configparser.ConfigParser()\nc.read('x.cfg')\n"
                 "c.set('S3', 'DATA', 'other')\n"
                 "q = \"COPY t FROM {} IAM_ROLE '" + ROLE + "' CSV;\".format(c['S3']['DATA'])\n"),
        "x.cfg": "[S3]\nDATA = 's3://acme/in'\n",
        "b.py": ("B = 'acme'\nB = 'other'\n\n\ndef f():\n    path = 's3://' + B\n"
                 "    key = 'k'\n    key = 'j'\n"
                 "    return f\"COPY t FROM '{path}/{key}' IAM_ROLE '" + ROLE + "' CSV;\"\n")})
    result = _run(tmp_path, "scan", "src", "--format", "json")
    assert _placeholders(result.stdout) == [
        [("c.S3.DATA", "unresolved", None, None)],
        [("path", "unresolved", None, None), ("key", "unresolved", None, None)]]


def test_runtime_only_values_stay_unresolved_and_defaults_say_so(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "repo")
    result = _run(tmp_path, "scan", "repo/dags/exports.py", "--format", "json")
    assert _placeholders(result.stdout) == [
        [("EXPORT_BUCKET", "resolved", "acme-exports",
          "repo/dags/exports.py:5 default of os.environ.get('EXPORT_BUCKET')"),
         ("prefix", "resolved", "orders",
          "repo/dags/exports.py:10 default of Variable.get('orders_prefix')"),
         ("ROLE", "resolved", "arn:aws:iam::123456789012:role/export", "repo/dags/exports.py:6")],
        [("bucket", "unresolved", None, None),
         ("ROLE", "resolved", "arn:aws:iam::123456789012:role/export", "repo/dags/exports.py:6")]]
    assert "repo/dags/exports.py:17:43: unresolved RI145: variable bucket ({bucket})" \
        in result.stderr


def test_a_value_the_user_passes_wins_over_the_code_s(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "repo")
    result = _run(tmp_path, "scan", "repo/dags/exports.py", "repo/etl", "--format", "json",
                  "--var", "EXPORT_BUCKET=acme-mine",
                  # the value as typed (text): with its single quotes, as dwh.cfg has them
                  "--var", "LOG_DATA='s3://acme-mine/logs'")
    rows = _placeholders(result.stdout)
    assert rows[0][0] == ("EXPORT_BUCKET", "resolved", "acme-mine", "--var EXPORT_BUCKET")
    assert rows[2][0] == ("LOG_DATA", "resolved", "'s3://acme-mine/logs'", "--var LOG_DATA")


def test_explain_shows_a_dbt_var_as_a_default_and_a_var_overrides_it(tmp_path):
    _tree(tmp_path / "proj", {
        "dbt_project.yml": "name: p\nvars:\n  export_bucket: acme-dbt\n",
        "models/u.sql": ("UNLOAD ('select 1') TO 's3://{{ var(\"export_bucket\") }}/o/' "
                         f"IAM_ROLE '{ROLE}';\n")})
    result = _run(tmp_path, "explain", "proj/models/u.sql")
    assert result.exit_code == 0, result.output
    assert ("    export_bucket  proj/models/u.sql:1:30\n"
            '        = "acme-dbt"  (proj/dbt_project.yml:3 default of vars.export_bucket)\n'
            ) in result.stdout
    mine = _run(tmp_path, "explain", "proj/models/u.sql", "--var", "export_bucket=acme-mine")
    assert '= "acme-mine"  (--var export_bucket)' in mine.stdout


def test_the_count_of_fixture_statements_that_need_no_user_value(tmp_path):
    """Issue 18's figure: 6 of 17 statements need no value from the user (before: 2 of 16)."""
    shutil.copytree(FIXTURE, tmp_path / "repo")
    report = json.loads(_run(tmp_path, "scan", "repo", "--format", "json").stdout)
    complete = [s["location"] for s in report["statements"]
                if all(p["status"] == "resolved" for p in s["placeholders"])]
    assert (len(report["statements"]), complete) == (17, [
        "repo/dags/exports.py:11:13", "repo/etl/sql_queries.py:9:5", "repo/go/load.go:3:18",
        "repo/legacy/old_loader.py:2:8",
        "repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:6",
        "repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:14"])


SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY1"


def test_a_secret_read_from_a_config_file_is_never_printed(tmp_path):
    _tree(tmp_path / "src", {
        "dwh.cfg": f"[AWS]\nKEY = AKIAIOSFODNN7EXAMPLE\nSECRET = {SECRET}\n",
        "a.py": ("import configparser\nc = configparser.ConfigParser()\nc.read('dwh.cfg')\n"
                 "q = \"COPY t FROM 's3://acme/k' CREDENTIALS 'aws_access_key_id={};"
                 "aws_secret_access_key={}' CSV;\".format(c['AWS']['KEY'], "
                 "c['AWS']['SECRET'])\n")})
    for fmt in ("json", "text", "bundle"):
        result = _run(tmp_path, "scan", "src", "--format", fmt)
        assert SECRET not in result.output, fmt
    rows = _placeholders(_run(tmp_path, "scan", "src", "--format", "json").stdout)
    assert [status for _, status, _, _ in rows[0]] == ["hidden", "hidden"]


def test_a_config_file_linked_from_outside_the_tree_is_not_read(tmp_path):
    _tree(tmp_path, {"secret.cfg": "[S3]\nDATA = 's3://acme-outside/in'\n"})
    _tree(tmp_path / "src", {"a.py": (
        "import configparser\nc = configparser.ConfigParser()\nc.read('dwh.cfg')\n"
        "q = \"COPY t FROM {} IAM_ROLE '" + ROLE + "' CSV;\".format(c['S3']['DATA'])\n")})
    (tmp_path / "src" / "dwh.cfg").symlink_to(tmp_path / "secret.cfg")
    result = _run(tmp_path, "scan", "src", "--format", "json")
    assert _placeholders(result.stdout) == [[("c.S3.DATA", "unresolved", None, None)]]


def test_the_scanned_tree_is_the_path_given_dot_included(tmp_path):
    """``scan .`` reads the root dwh.cfg (origin shown as the walk shows paths); a file given
    by name is a tree of its folder, so the root file is outside it and not read."""
    shutil.copytree(FIXTURE, tmp_path / "repo")
    whole = _run(tmp_path / "repo", "scan", ".", "etl", "--format", "json")
    rows = [(s["location"], s["placeholders"][0]["origin"])
            for s in json.loads(whole.stdout)["statements"] if "etl/" in s["location"]]
    # found twice: under . (the root file is in that tree), under etl (it is not)
    assert rows == [("etl/sql_queries.py:9:5", "dwh.cfg:8"), ("etl/sql_queries.py:9:5", None)]
    alone = _run(tmp_path / "repo", "scan", "etl/sql_queries.py", "--format", "json")
    assert _placeholders(alone.stdout)[0][0] == ("LOG_DATA", "unresolved", None, None)


def test_a_value_that_would_grow_without_bound_is_not_followed(tmp_path):
    """``A = B + B`` doubling 40 times, and ``{:999999999}``, stay unknown (bounded work)."""
    lines = ['N0 = "' + "x" * 16 + '"'] + [f"N{i} = N{i - 1} + N{i - 1}" for i in range(1, 41)]
    lines += ['W = "{:999999999}".format(N0)',
              f"q = f\"COPY t FROM 's3://{{N40}}/{{W}}/{{N13}}' IAM_ROLE '{ROLE}' CSV;\""]
    _tree(tmp_path / "src", {"a.py": "\n".join(lines) + "\n"})
    result = _run(tmp_path, "scan", "src", "--format", "json")
    assert [(name, status) for name, status, _, _ in _placeholders(result.stdout)[0]] == [
        ("N40", "unresolved"), ("W", "unresolved"), ("N13", "unresolved")]
    assert _placeholders(
        _run(tmp_path, "scan", "src", "--format", "json", "--var", "N40=acme").stdout
    )[0][0] == ("N40", "resolved", "acme", "--var N40")

"""``redshift-iam scan``: the report of the fixture repository (exact JSON and text), exit
codes, --var, the document formats, hostile trees through the CLI, determinism."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest
import yaml
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

FIXTURE = Path(__file__).parent / "fixtures" / "scan_repo"
GOLDEN = Path(__file__).parent / "fixtures" / "scan_repo.report.json"  # scan --format json
IGNORED = "COPY secret FROM 's3://ignored/' IAM_ROLE 'arn:aws:iam::123456789012:role/ignored';\n"
ROLE = "arn:aws:iam::123456789012:role/etl"
STAGE = "arn:aws:iam::123456789012:role/stage"


def invoke(cwd: Path, *args: str):
    """The CLI run in ``cwd`` (paths in the report are relative to the path as given)."""
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, ["scan", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """The fixture repository in a git work tree whose .gitignore hides scratch/."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = tmp_path_factory.mktemp("scan_cli")
    shutil.copytree(FIXTURE, top / "repo")
    (top / "repo" / "scratch").mkdir()
    (top / "repo" / "scratch" / "ignored.sql").write_text(IGNORED)
    subprocess.run(["git", "init", "-q", str(top / "repo")], check=True)
    return top


def test_json_report_of_the_fixture_repository(tree):
    result = invoke(tree, "repo", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == GOLDEN.read_text()
    report = json.loads(result.stdout)
    assert [(s["location"], s["kind"], len(s["grants"])) for s in report["statements"]] == [
        ("repo/dags/exports.py:11:13", "UNLOAD", 3),
        ("repo/dags/exports.py:17:14", "UNLOAD", 0),
        ("repo/dags/load.py:8:9", "COPY s3", 0),
        ("repo/dags/transfers.py:4:15", "COPY s3", 0),
        ("repo/dags/transfers.py:14:9", "UNLOAD", 0),
        ("repo/dbt/macros/unload_orders.sql:2:3", "UNLOAD", 0),
        ("repo/etl/sql_queries.py:9:5", "COPY s3", 4),
        ("repo/go/load.go:3:18", "COPY s3", 2),
        ("repo/jvm/LoadSpec.scala:3:6", "COPY s3", 0),
        ("repo/legacy/old_loader.py:2:8", "COPY s3", 2),
        ("repo/plugins/operators.py:5:13", "COPY s3", 0),
        ("repo/plugins/operators.py:10:13", "UNLOAD", 0),
        ("repo/plugins/operators.py:15:13", "COPY s3", 0),
        ("repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:6", "COPY s3", 2),
        ("repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:14", "COPY s3", 2),
        ("repo/ruby/loader.rb:3:5", "COPY s3", 0),
        ("repo/shell/load.sh:3:1", "COPY s3", 0),
    ]
    assert [(d["code"], d["location"], d["hint"]) for d in report["unresolved"]] == [
        ("RI145", "repo/dags/exports.py:17:43", "pass --var bucket=VALUE"),
        ("RI146", "repo/dags/load.py:9:19", "pass --var var.value.role=VALUE"),
        ("RI148", "repo/dags/transfers.py:10:40", "pass --var MANIFEST_OPTION=VALUE"),
        ("RI146", "repo/dags/transfers.py:11:17", "pass --var aws_conn.aws_loader="
         "aws_iam_role=arn:aws:iam::ACCOUNT:role/NAME"),
        ("RI146", "repo/dags/transfers.py:14:9", "pass --var aws_conn.aws_default="
         "aws_iam_role=arn:aws:iam::ACCOUNT:role/NAME"),
        ("RI145", "repo/dags/transfers.py:16:15", "pass --var EXPORT_BUCKET=VALUE"),
        ("RI146", "repo/dbt/macros/unload_orders.sql:4:13", "pass --var UNLOAD_ROLE=VALUE"),
        ("RI145", "repo/jvm/LoadSpec.scala:4:17", "pass --var bucket=VALUE"),
        ("RI145", "repo/plugins/operators.py:5:32", "pass --var s3_path=VALUE"),
        ("RI146", "repo/plugins/operators.py:5:53", "pass --var role=VALUE"),
        ("RI145", "repo/plugins/operators.py:11:14", "pass --var s3_path=VALUE"),
        ("RI145", "repo/plugins/operators.py:15:31", "pass --var bucket=VALUE"),
        ("RI146", "repo/plugins/operators.py:15:47", "pass --var ROLE=VALUE"),
        ("RI145", "repo/ruby/loader.rb:4:16", "pass --var bucket=VALUE"),
        ("RI145", "repo/shell/load.sh:3:23", "pass --var BUCKET=VALUE"),
        ("RI146", "repo/shell/load.sh:4:11", "pass --var ROLE=VALUE"),
    ]
    assert report["skipped"] == [
        {"path": "repo/legacy/old_loader.py", "line": 1, "col": 1,
         "reason": "not Python 3 (Missing parentheses in call to 'print'. Did you mean "
                   "print(...)?): string literals read by the generic scan"},
        {"path": "repo/plugins/operators.py", "line": 19, "col": 12,
         "reason": "SQL built by concatenation with parts that are not literals ('...' + "
                   "table + '...'); write it as one template (f-string or .format) so it can "
                   "be read whole"},
    ]
    assert "ignored" not in result.stdout  # git ignores scratch/: never read
    assert result.stderr.endswith("redshift-iam: 16 unresolved need(s), 2 place(s) skipped\n")


TEXT = """\
LOCATION                                                         KIND     SUBJECT                                    PRINCIPAL                              STATUS
repo/dags/exports.py:11:13                                       UNLOAD   -> s3://acme-exports/orders/               arn:aws:iam::123456789012:role/export  ok
repo/dags/exports.py:17:14                                       UNLOAD   -> s3://{bucket}/runtime/                  arn:aws:iam::123456789012:role/export  unresolved: RI145
repo/dags/load.py:8:9                                            COPY s3  sales <- s3://acme-raw/sales/{{ ds }}/     {{ var.value.role }}                   unresolved: RI146
repo/dags/transfers.py:4:15                                      COPY s3  public.sales <- s3://acme-raw/sales/{ds}   {aws_conn.aws_loader}                  unresolved: RI146, RI148
repo/dags/transfers.py:14:9                                      UNLOAD   -> s3://{EXPORT_BUCKET}/exports/sales_     {aws_conn.aws_default}                 unresolved: RI145, RI146
repo/dbt/macros/unload_orders.sql:2:3                            UNLOAD   -> s3://acme-dbt-exports/orders/           {{ env_var("UNLOAD_ROLE") }}           unresolved: RI146
repo/etl/sql_queries.py:9:5                                      COPY s3  staging_events <- s3://acme-logs/log_data  arn:aws:iam::123456789012:role/dwh     ok
repo/go/load.go:3:18                                             COPY s3  orders <- s3://acme-orders/in/             arn:aws:iam::123456789012:role/orders  ok
repo/jvm/LoadSpec.scala:3:6                                      COPY s3  events <- s3://${bucket}/events/           arn:aws:iam::123456789012:role/loader  unresolved: RI145
repo/legacy/old_loader.py:2:8                                    COPY s3  legacy <- s3://old-bucket/data/            arn:aws:iam::123456789012:role/old     ok
repo/plugins/operators.py:5:13                                   COPY s3  {table} <- {s3_path}                       {role}                                 unresolved: RI145, RI146
repo/plugins/operators.py:10:13                                  UNLOAD   -> {}                                      arn:aws:iam::123456789012:role/u       unresolved: RI145
repo/plugins/operators.py:15:13                                  COPY s3  t <- s3://%s/k                             %s                                     unresolved: RI145, RI146
repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:6   COPY s3  staging_events <- s3://acme-raw/log_data   arn:aws:iam::123456789012:role/stage   ok
repo/plugins/stage_redshift.py:6:9 via repo/dags/sparkify.py:14  COPY s3  staging_songs <- s3://acme-raw/song_data   arn:aws:iam::123456789012:role/stage   ok
repo/ruby/loader.rb:3:5                                          COPY s3  clicks <- s3://#{bucket}/clicks/           arn:aws:iam::123456789012:role/clicks  unresolved: RI145
repo/shell/load.sh:3:1                                           COPY s3  users <- s3://${BUCKET}/users/             ${ROLE}                                unresolved: RI145, RI146

Skipped:
  repo/legacy/old_loader.py:1:1  not Python 3 (Missing parentheses in call to 'print'. Did you mean print(...)?): string literals read by the generic scan
  repo/plugins/operators.py:19:12  SQL built by concatenation with parts that are not literals ('...' + table + '...'); write it as one template (f-string or .format) so it can be read whole

17 statement(s) found in 13 file(s) read; 16 unresolved need(s); 2 place(s) skipped.
"""  # noqa: E501 - the table is as wide as its widest cell


def test_text_report_of_the_fixture_repository(tree):
    result = invoke(tree, "repo", "--format", "text")
    assert (result.exit_code, result.stdout) == (1, TEXT)


def test_default_format_is_json_when_stdout_is_not_a_terminal(tree):
    result = invoke(tree, "repo")
    assert (result.exit_code, result.stdout) == (1, GOLDEN.read_text())
    assert invoke(tree, "repo").stdout == result.stdout  # same tree, same bytes


def _tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


CLEAN = {"etl/load.py": f'SQL = "COPY t FROM \'s3://acme-raw/in/\' IAM_ROLE \'{ROLE}\' CSV;"\n'}


@pytest.mark.parametrize(("files", "args", "code"), [
    (CLEAN, (), 0),  # everything found is resolved
    ({}, (), 0),  # nothing found: nothing to fix
    ({"a.py": 'S = f"COPY t FROM \'{src}\' IAM_ROLE \'' + ROLE + '\';"\n'}, (), 1),  # unresolved
    ({"a.py": 'S = f"COPY t FROM \'{src}\' IAM_ROLE \'' + ROLE + '\';"\n'},
     ("--allow-unresolved",), 0),
    ({"a.py": 'S = f"COPY t FROM \'{src}\' IAM_ROLE \'' + ROLE + '\';"\n'},
     ("--var", "src=s3://acme-raw/in/"), 0),
    ({"a.py": "def f(t):\n    return \"COPY \" + t + \" FROM 's3://acme/k' IAM_ROLE 'r';\"\n"},
     (), 1),  # skipped
    ({"a.sql": "COPY t FROM 's3://acme-raw/k' IAM_ROLE 'arn:aws:iam::1:role/x' BOGUS;\n"},
     (), 1),  # an error: listed as skipped
    (CLEAN, ("--vars", "missing.json"), 1),  # RI175: nothing scanned
    (CLEAN, ("--format", "yaml"), 2),
    (CLEAN, ("--check",), 2),
    (CLEAN, ("--var", "no-equals-sign"), 2),
])
def test_exit_codes(tmp_path, files, args, code):
    _tree(tmp_path / "src", files)
    result = invoke(tmp_path, "src", "--format", "json", *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code == 2 or "--vars" in args:
        assert result.stdout == ""  # usage errors and a bad --vars file print no report


def test_no_path_is_a_usage_error(tmp_path):
    result = invoke(tmp_path)
    assert result.exit_code == 2
    assert "Missing argument 'PATH...'" in result.stderr


def test_a_path_that_does_not_exist_is_ri100_and_the_rest_is_scanned(tmp_path):
    _tree(tmp_path / "src", CLEAN)
    result = invoke(tmp_path, "nowhere", "src", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["skipped"] == [] and report["statements"] != []
    assert result.stderr == (
        "error RI100: nowhere: no such file or folder\n"
        "    hint: check the path and that it is a readable text file\n"
        "redshift-iam: 1 error(s)\n")


def test_an_error_is_a_place_not_read_and_the_rest_is_reported(tmp_path):
    _tree(tmp_path / "src", {**CLEAN, "bad.py": (
        "X = 1\nSQL = \"\"\"\n  COPY t FROM 's3://acme-raw/k' IAM_ROLE '" + ROLE
        + "' NOSUCH;\"\"\"\n")})
    result = invoke(tmp_path, "src", "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [s["location"] for s in report["statements"]] == ["src/etl/load.py:1:8"]
    assert report["skipped"] == [{
        "path": "src/bad.py", "line": 3, "col": 79,
        "reason": "RI111 unknown COPY option 'NOSUCH'; an option the tool does not know may need a "
                  "permission; check its spelling against the Redshift reference"}]
    assert result.stderr == (
        "src/bad.py:3:79: error RI111: unknown COPY option 'NOSUCH'\n"
        f"    3 |   COPY t FROM 's3://acme-raw/k' IAM_ROLE '{ROLE}' NOSUCH;\"\"\"\n"
        "      |" + " " * 79 + "^\n"
        "    hint: an option the tool does not know may need a permission; check its spelling "
        "against the Redshift reference\n"
        "redshift-iam: 1 place(s) skipped\n")


def test_var_resolves_placeholders_found_in_python(tree):
    result = invoke(tree, "repo/plugins", "--format", "json",
                    "--var", "s3_path=s3://acme-in/daily/", "--var", f"role={ROLE}",
                    "--var", "bucket=acme-pct", "--var", f"ROLE={ROLE}")
    report = json.loads(result.stdout)
    assert report["unresolved"] == []
    rows = {s["location"]: sorted((g["principal"], g["action"], g["resource"], g["condition"])
                                  for g in s["grants"]) for s in report["statements"]}
    assert rows == {
        "repo/plugins/operators.py:5:13": [
            (ROLE, "s3:GetObject", "arn:aws:s3:::acme-in/daily/*", None),
            (ROLE, "s3:ListBucket", "arn:aws:s3:::acme-in", "StringLike s3:prefix daily/*")],
        "repo/plugins/operators.py:10:13": [
            ("arn:aws:iam::123456789012:role/u", action, resource, cond)
            for action, resource, cond in sorted([
                ("s3:GetObject", "arn:aws:s3:::acme-in/daily/*", None),
                ("s3:ListBucket", "arn:aws:s3:::acme-in", "StringLike s3:prefix daily/*"),
                ("s3:PutObject", "arn:aws:s3:::acme-in/daily/*", None)])],
        "repo/plugins/operators.py:15:13": [
            (ROLE, "s3:GetObject", "arn:aws:s3:::acme-pct/k*", None),
            (ROLE, "s3:ListBucket", "arn:aws:s3:::acme-pct", "StringLike s3:prefix k*")],
        # no instantiation under the paths scanned: one statement, the --var fills s3_path
        "repo/plugins/stage_redshift.py:6:9": [
            (STAGE, "s3:GetObject", "arn:aws:s3:::acme-in/daily/*", None),
            (STAGE, "s3:ListBucket", "arn:aws:s3:::acme-in", "StringLike s3:prefix daily/*")],
    }
    assert result.exit_code == 1  # the concatenation at operators.py:19 is still skipped


def test_a_module_binding_fills_its_placeholder_and_a_key_placeholder_widens(tmp_path):
    _tree(tmp_path / "src", {"load.py": (
        f'BUCKET = "acme-raw"\nROLE = "{ROLE}"\n\n\ndef load(day):\n'
        "    return f\"COPY t FROM 's3://{BUCKET}/sales/{day}/' IAM_ROLE '{ROLE}' CSV;\"\n")})
    result = invoke(tmp_path, "src", "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0
    assert [(g["action"], g["resource"], g["condition"]) for g in
            report["statements"][0]["grants"]] == [
        ("s3:GetObject", "arn:aws:s3:::acme-raw/sales/*/*", None),
        ("s3:ListBucket", "arn:aws:s3:::acme-raw", "StringLike s3:prefix sales/*/*")]
    assert report["statements"][0]["location"] == "src/load.py:6:14"
    assert "src/load.py:6:47: warning RW221: variable day ({day}) is unresolved in the S3 " \
           "key s3://acme-raw/sales/{day}/: granted as acme-raw/sales/*/" in result.stderr


def _resolved_tree(tmp_path: Path) -> Path:
    return _tree(tmp_path / "src", {
        **CLEAN,
        "jobs/Unload.scala": ('object Unload {\n  val sql = """UNLOAD (\'select 1\')\n'
                              "    |TO 's3://acme-out/daily/'\n"
                              f"    |IAM_ROLE '{ROLE}' CLEANPATH\"\"\".stripMargin\n}}\n")})


def test_terraform_and_cloudformation_of_a_scanned_tree_parse(tmp_path):
    _resolved_tree(tmp_path)
    bundle = invoke(tmp_path, "src", "--format", "bundle")
    assert bundle.exit_code == 0, bundle.output
    principals = json.loads(bundle.stdout)["principals"]
    assert [p["principal"] for p in principals] == [ROLE]
    documents = principals[0]["policies"]
    assert allowed(documents, "s3:GetObject", "arn:aws:s3:::acme-raw/in/x.csv")
    assert allowed(documents, "s3:DeleteObject", "arn:aws:s3:::acme-out/daily/0000_part_00")
    assert not allowed(documents, "s3:GetObject", "arn:aws:s3:::acme-raw/other")
    assert not allowed(documents, "s3:DeleteObject", "arn:aws:s3:::acme-raw/in/x.csv")
    terraform = invoke(tmp_path, "src", "--format", "terraform")
    assert terraform.exit_code == 0
    parsed = hcl2.loads(terraform.stdout)
    assert [list(r) for r in parsed["resource"]] == [
        ['"aws_iam_role"'], ['"aws_iam_policy"'], ['"aws_iam_role_policy_attachment"']]
    policy = parsed["resource"][1]['"aws_iam_policy"']['"etl"']["policy"]
    assert "acme-out/daily/*" in policy and "acme-raw/in/*" in policy
    for fmt, load in (("cloudformation", yaml.safe_load), ("cloudformation-json", json.loads)):
        result = invoke(tmp_path, "src", "--format", fmt)
        assert result.exit_code == 0
        template = load(result.stdout)
        assert template["Resources"] and "acme-out/daily/*" in json.dumps(template)


def test_document_formats_refuse_unresolved_needs_but_not_with_allow_unresolved(tree):
    refused = invoke(tree, "repo", "--format", "bundle")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert "16 problem(s); no document written (--allow-unresolved writes what is known)" \
        in refused.stderr
    assert "redshift-iam: repo/plugins/operators.py:19:12: skipped: SQL built by " \
        "concatenation" in refused.stderr
    known = invoke(tree, "repo", "--format", "bundle", "--allow-unresolved")
    assert known.exit_code == 1  # places were skipped
    # every principal named; grants only where the location is known
    assert [(p["principal"], len(p["policies"])) for p in
            json.loads(known.stdout)["principals"]] == [
        ("arn:aws:iam::123456789012:role/clicks", 0), ("arn:aws:iam::123456789012:role/dwh", 1),
        ("arn:aws:iam::123456789012:role/export", 1), ("arn:aws:iam::123456789012:role/loader", 0),
        ("arn:aws:iam::123456789012:role/old", 1), ("arn:aws:iam::123456789012:role/orders", 1),
        ("arn:aws:iam::123456789012:role/stage", 1), ("arn:aws:iam::123456789012:role/u", 0)]


def test_out_dir_writes_the_documents_and_prints_the_report(tmp_path):
    _resolved_tree(tmp_path)
    result = invoke(tmp_path, "src", "--format", "json", "--out-dir", "out")
    assert result.exit_code == 0
    assert [s["location"] for s in json.loads(result.stdout)["statements"]] == [
        "src/etl/load.py:1:8", "src/jobs/Unload.scala:2:16"]
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [".redshift-iam.json", "etl~123456789012.policy.json",
                       "etl~123456789012.trust.json"]
    check = invoke(tmp_path, "src", "--format", "bundle", "--out-dir", "out", "--check")
    assert (check.exit_code, check.stdout) == (0, "")


def test_hostile_tree_is_reported_never_a_traceback(tmp_path):
    root = _tree(tmp_path / "src", {
        **CLEAN,
        "deep.py": "x = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n" + CLEAN["etl/load.py"],
        "latin1.sql": "",
        "template.py": 'S = """COPY t FROM \'s3://acme/{% if x %}k\' IAM_ROLE \'r\';"""\n',
    })
    (root / "latin1.sql").write_bytes("COPY t FROM 's3://café/'".encode("latin-1"))
    (root / "bin.sql").write_bytes(b"COPY\0")
    os.symlink(".", root / "loop")
    result = invoke(tmp_path, "src", "--format", "json")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "internal error" not in result.output
    report = json.loads(result.stdout)
    # ast gives up on deep.py; the generic scan still finds its statement
    assert [s["location"] for s in report["statements"]] == [
        "src/deep.py:2:8", "src/etl/load.py:1:8"]
    assert [(p["path"], p["line"], p["col"], p["reason"]) for p in report["skipped"]] == [
        ("src/bin.sql", 0, 0, "binary file (holds NUL bytes): not read"),
        ("src/deep.py", 1, 205, "not Python 3 (too many nested parentheses): string literals "
                                "read by the generic scan"),
        ("src/latin1.sql", 0, 0, "not UTF-8 text (byte 21): not read; convert it (iconv -t "
                                 "UTF-8)"),
        ("src/loop", 0, 0, "symlink to a directory that contains it (a loop): not followed"),
        ("src/template.py", 1, 31, "RI170 Jinja syntax error: Unexpected end of template. Jinja "
                                  "was looking for the following tags: 'elif' or 'else' or "
                                  "'endif'. The innermost block that needs to be closed is "
                                  "'if'.; fix the Jinja syntax at that line (see the jinja2 "
                                  "template designer docs)"),
    ]


def test_psql_includes_are_read_once_where_the_included_file_lies(tmp_path):
    statement = f"COPY {{}} FROM 's3://acme-raw/{{}}' IAM_ROLE '{ROLE}';\n"
    _tree(tmp_path, {"elsewhere.sql": statement.format("e", "e")})
    _tree(tmp_path / "src", {
        "a.sql": "\\ir other.sql\n" + statement.format("a", "a"),
        "other.sql": statement.format("o", "o"),
        "b.sql": "\\ir ../elsewhere.sql\n\\i missing.sql\n" + statement.format("b", "b"),
    })
    report = json.loads(invoke(tmp_path, "src", "--format", "json").stdout)
    assert [s["location"] for s in report["statements"]] == [
        "src/a.sql:2:1", "src/b.sql:3:1", "src/other.sql:1:1"]
    hint = "; check the path and that it is a readable text file"
    assert report["skipped"] == [
        {"path": "src/b.sql", "line": 1, "col": 1,
         "reason": "RI100 cannot include ../elsewhere.sql: scan follows no psql include "
                   "outside the paths scanned (add its folder as a PATH)" + hint},
        {"path": "src/b.sql", "line": 2, "col": 1,
         "reason": "RI100 cannot include missing.sql: no such file (relative to the working "
                   "directory, as psql does)" + hint},
    ]


def test_check_prints_only_the_diff(tmp_path):
    _resolved_tree(tmp_path)
    stale = invoke(tmp_path, "src", "--out-dir", "out", "--check")  # bundle by default
    assert stale.exit_code == 1
    assert stale.stdout.startswith("--- /dev/null\n+++ out/etl~123456789012.policy.json\n")
    assert "--- /dev/null\n+++ out/etl~123456789012.trust.json\n" in stale.stdout
    assert '"statements"' not in stale.stdout  # the diff alone, no report
    wrong = invoke(tmp_path, "src", "--out-dir", "out", "--check", "--format", "json")
    assert wrong.exit_code == 2
    assert "--check prints only the diff on stdout" in wrong.stderr


def test_skipped_places_on_stderr_as_json_lines(tree):
    result = invoke(tree, "repo/plugins", "--format", "bundle", "--allow-unresolved",
                    "--error-format", "json")
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    skipped = {"code": None, "severity": "warning", "location": "repo/plugins/operators.py:19:12",
               "message": "skipped: SQL built by concatenation with parts that are not literals "
                          "('...' + table + '...'); write it as one template (f-string or "
                          ".format) so it can be read whole", "hint": None}
    assert lines[-1] == {"code": None, "severity": "error", "message": "1 place(s) skipped",
                         "location": None, "hint": None}
    assert lines[:-1].count(skipped) == 1  # among the diagnostics, at its place in the file

    def place(line: dict) -> tuple[str, int, int]:
        path, row, col = line["location"].rsplit(":", 2)
        return path, int(row), int(col)

    assert [place(line) for line in lines[:-1]] == sorted(place(line) for line in lines[:-1])
    assert result.exit_code == 1


def test_text_report_of_a_tree_without_statements(tmp_path):
    _tree(tmp_path / "src", {"app.py": "import copy\nx = copy.copy([])\n"})
    result = invoke(tmp_path, "src", "--format", "text")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "No COPY, UNLOAD or CREATE LIBRARY found.\n\n0 statement(s) found in 1 file(s) "
           "read; 0 unresolved need(s); 0 place(s) skipped.\n", "")


def test_a_bad_value_from_a_module_binding_names_the_binding(tmp_path):
    _tree(tmp_path / "src", {"x.py": 'BUCKET = "Bad_Bucket"\nSQL = f"COPY t FROM '
                                     f"'s3://{{BUCKET}}/k' IAM_ROLE '{ROLE}';\"\n"})
    result = invoke(tmp_path, "src", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["skipped"] == [{
        "path": "src/x.py", "line": 2, "col": 27,
        "reason": "RI120 'Bad_Bucket' is not a valid S3 bucket name (the text comes from "
                  "placeholder {BUCKET} at src/x.py:2:27, value from src/x.py:1); write the "
                  "location as s3://bucket/key with a valid bucket name"}]


def test_template_style_overrides_the_style_the_host_implies(tmp_path):
    _tree(tmp_path / "src", {"k.py": f'S = f"COPY t FROM \'s3://acme-raw/{{k}}/\' IAM_ROLE '
                                     f"'{ROLE}';\"\n"})
    templated = json.loads(invoke(tmp_path, "src", "--format", "json").stdout)
    literal = json.loads(invoke(tmp_path, "src", "--format", "json",
                                "--template-style", "none").stdout)
    assert [g["resource"] for g in templated["statements"][0]["grants"]] == [
        "arn:aws:s3:::acme-raw/*/*", "arn:aws:s3:::acme-raw"]
    assert [g["resource"] for g in literal["statements"][0]["grants"]] == [
        "arn:aws:s3:::acme-raw/{k}/*", "arn:aws:s3:::acme-raw"]


def test_the_exit_codes_scan_help_states(tmp_path):
    text = CliRunner().invoke(main, ["scan", "--help"]).stdout
    assert "1  something unresolved (unless --allow-unresolved), skipped or in error, or a " \
           "PATH that" in text
    # what it states: a missing PATH exits 1 with the report printed; no PATH is a usage error
    assert invoke(tmp_path, "nowhere", "--format", "json").exit_code == 1
    assert invoke(tmp_path).exit_code == 2


def test_a_document_format_prints_each_skipped_error_once(tmp_path):
    _tree(tmp_path / "sk", {"bad.py": "X = 1\nSQL = \"COPY t FROM 's3://acme-raw/k' IAM_ROLE '"
                                      + ROLE + "' NOSUCH;\"\n"})
    result = invoke(tmp_path, "sk", "--format", "bundle")
    assert result.exit_code == 1
    assert result.stderr.count("unknown COPY option 'NOSUCH'") == 1
    assert result.stderr.splitlines()[0].startswith(
        "sk/bad.py:2:84: error RI111: unknown COPY option 'NOSUCH'")
    assert result.stderr.splitlines()[-1] == "redshift-iam: 1 place(s) skipped"

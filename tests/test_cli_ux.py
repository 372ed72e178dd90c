"""Issue 8's everyday-use items on the CLI: piped trust (3), '=' in flag targets (13), explain
as a review (14), --role by name (15), hints and snippets (16), console account ids (17),
structured warnings (18), JSON errors (19), the install hint (20), 100 columns (21)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.errors import wants_json
from redshift_iam.cli.main import main
from redshift_iam.inputs.flags import FlagError, _split_pair, check_account
from redshift_iam.output import iac_common

A = "arn:aws:iam::123456789012:role/A"
B = "arn:aws:iam::210987654321:role/B"
CHAIN = f"copy t from 's3://bkt/k' iam_role '{A},{B}';\n"
SERVICE = {"Version": "2012-10-17", "Statement": [{
    "Sid": "RedshiftAssumeRole", "Effect": "Allow",
    "Principal": {"Service": "redshift.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
NOTHING = ("redshift-iam: nothing to grant: the input has no COPY, UNLOAD or CREATE LIBRARY "
           "that needs AWS permissions (an empty policy is not a valid IAM document)\n")


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def trusted(result) -> object:
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return json.loads(result.stdout)["Statement"][0]["Principal"]


@pytest.fixture
def script(tmp_path: Path, monkeypatch):
    """Writes a script in a fresh working directory and returns its short relative name."""
    monkeypatch.chdir(tmp_path)

    def write(text: str, name: str = "s.sql") -> str:
        (tmp_path / name).write_text(text)
        return name
    return write


# --- 3: trust reads piped SQL ------------------------------------------------------------------

def test_trust_reads_piped_sql_like_a_file(script) -> None:
    piped = invoke("trust", "--role", B, stdin=CHAIN)
    assert trusted(piped) == {"AWS": A}
    assert piped.stdout == invoke("trust", "--role", B, script(CHAIN)).stdout
    assert invoke("trust", "--role", "B", stdin=CHAIN).stdout == piped.stdout  # item 15
    assert trusted(invoke("trust", "--role", A, stdin=CHAIN)) == {
        "Service": "redshift.amazonaws.com"}
    single = f"unload ('select 1') to 's3://out/u/' iam_role '{A}';"
    assert trusted(invoke("trust", stdin=single)) == {"Service": "redshift.amazonaws.com"}


@pytest.mark.parametrize("stdin", [None, "", "  \n\t\n"])
def test_trust_with_empty_stdin_prints_the_standard_trust(stdin: str | None) -> None:
    result = invoke("trust", stdin=stdin)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == SERVICE


@pytest.mark.parametrize("stdin", ["select 1;", "-- only a comment\n",
                                   "create library f language plpythonu "
                                   "from 'https://x.example/f.zip';"])
def test_trust_with_piped_sql_that_needs_nothing_is_nothing_to_grant(stdin: str) -> None:
    result = invoke("trust", stdin=stdin)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", NOTHING)


def test_trust_on_a_terminal_prints_the_standard_trust(monkeypatch) -> None:
    class Terminal:  # CliRunner's stdin is a pipe: a terminal is simulated
        def isatty(self) -> bool:
            return True

        @property
        def buffer(self):
            raise AssertionError("a terminal on stdin is never read")

    for module in ("redshift_iam.cli.document_commands", "redshift_iam.cli.common"):
        monkeypatch.setattr(f"{module}.sys", types.SimpleNamespace(stdin=Terminal()))
    result = invoke("trust", stdin=CHAIN)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == SERVICE
    policy = invoke("policy")
    assert (policy.exit_code, policy.stdout) == (2, "")
    assert policy.stderr.endswith("Error: no SCRIPT given and standard input is a terminal\n")


# --- 13: '=' inside S3 targets -----------------------------------------------------------------

@pytest.mark.parametrize("flag, value, expected", [
    ("--kms-key", "s3://b/dt=2024-01-01/=arn:aws:kms:us-east-1:111111111111:key/k",
     ("s3://b/dt=2024-01-01/", "arn:aws:kms:us-east-1:111111111111:key/k")),
    ("--kms-key", "s3://b/a=1/b=2=K", ("s3://b/a=1/b=2", "K")),
    ("--kms-key", "alias/etl=arn:aws:kms:us-east-1:111111111111:key/k",
     ("alias/etl", "arn:aws:kms:us-east-1:111111111111:key/k")),
    ("--manifest", "s3://b/dt=2024-01-01/m.manifest=local.json",
     ("s3://b/dt=2024-01-01/m.manifest", "local.json")),
])
def test_split_pair_at_the_end_of_the_uri(flag: str, value: str, expected: tuple) -> None:
    assert _split_pair(flag, value) == expected


@pytest.mark.parametrize("value", ["s3://b/k=", "=x", "s3://b/k", "alias/etl"])
def test_split_pair_needs_both_sides(value: str) -> None:
    with pytest.raises(FlagError, match=r"expected TARGET=KEY"):
        _split_pair("--kms-key", value)


def test_manifest_with_hive_partitions_in_uri_and_local_path(script, tmp_path: Path,
                                                             monkeypatch) -> None:
    uri = "s3://bkt/dt=2024-01-01/m.manifest"
    sql = script(f"copy t from '{uri}' iam_role default manifest;")
    mirror = tmp_path / "dt=2024-01-01"
    mirror.mkdir()
    (mirror / "m.manifest").write_text('{"entries": [{"url": "s3://data/dt=2024-01-01/p0"}]}')
    (tmp_path / "local.json").write_text('{"entries": [{"url": "s3://data/x/p1"}]}')
    monkeypatch.chdir(tmp_path)
    for local, entry in (("local.json", "arn:aws:s3:::data/x/p1"),
                         ("dt=2024-01-01/m.manifest", "arn:aws:s3:::data/dt=2024-01-01/p0"),
                         (str(mirror / "m.manifest"), "arn:aws:s3:::data/dt=2024-01-01/p0")):
        result = invoke("policy", sql, "--manifest", f"{uri}={local}")
        assert (result.exit_code, result.stderr) == (0, ""), result.stderr
        assert json.loads(result.stdout)["Statement"][0]["Resource"] == [
            "arn:aws:s3:::bkt/dt=2024-01-01/m.manifest", entry]


def test_kms_key_target_with_hive_partition(script) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    sql = script("copy t from 's3://bkt/dt=2024-01-01/' iam_role default;")
    result = invoke("policy", sql, "--kms-key", f"s3://bkt/dt=2024-01-01/={key}")
    assert result.exit_code == 0, result.stderr
    kms = [s for s in json.loads(result.stdout)["Statement"] if s["Action"] == "kms:Decrypt"]
    assert kms == [{"Sid": "KmsDecrypt", "Effect": "Allow", "Action": "kms:Decrypt",
                    "Resource": key}]


# --- 14: explain is a review -------------------------------------------------------------------

def test_explain_marks_unresolved_needs_under_their_statement(script) -> None:
    path = script("copy a from 's3://bkt/d/' iam_role default;\n"
                  "copy t from 's3://bkt/m' iam_role default manifest;\n")
    result = invoke("explain", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:12] == [
        f"{path}:1  COPY s3  a <- s3://bkt/d/",
        "  as default",
        "    s3:GetObject   arn:aws:s3:::bkt/d/*                            copy-s3-prefix",
        "    s3:ListBucket  arn:aws:s3:::bkt      StringLike s3:prefix d/*  copy-s3-prefix",
        "",
        f"{path}:2  COPY manifest  t <- s3://bkt/m",
        "  as default",
        "    s3:GetObject   arn:aws:s3:::bkt/m                          copy-manifest",
        "    s3:ListBucket  arn:aws:s3:::bkt    StringLike s3:prefix m  copy-manifest",
        f"  unresolved RI142 at {path}:2:13: the data files of manifest s3://bkt/m are unknown",
        "    hint: pass --manifest s3://bkt/m=FILE (a local copy of the manifest)",
        "",
    ]
    assert result.stderr.endswith(
        "redshift-iam: 1 unresolved need(s), marked in the explanation; supply them (see the "
        "hints) or pass --allow-unresolved\n")
    allowed = invoke("explain", path, "--allow-unresolved")
    assert (allowed.exit_code, allowed.stdout) == (0, result.stdout)


def test_explain_json_review_exits_1_with_the_document(script) -> None:
    path = script("copy t from 'dynamodb://Tab' iam_role default readratio 50;\n")
    result = invoke("explain", path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["statements"][0]["grants"] == []
    assert data["diagnostics"] == [{
        "code": "RI141", "severity": "unresolved",
        "message": "this ARN needs the cluster's Region", "location": f"{path}:1:13",
        "hint": "pass --region REGION (the cluster's Region) or add REGION 'REGION' to this COPY"}]


def test_explain_with_an_error_prints_nothing(script) -> None:
    path = script("copy t from 's3://bkt/m' iam_role default manifest frob;\n")
    result = invoke("explain", path)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith("redshift-iam: 1 problem(s); no document written\n")


def test_unmapped_statement_is_marked_in_explain(script) -> None:
    path = script(f"create external schema s from data catalog database 'd' iam_role '{A}';\n")
    result = invoke("explain", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        f"{path}:1  UNMAPPED  CREATE EXTERNAL SCHEMA", "    (no grant)",
        f"  unresolved RI130 at {path}:1:1: CREATE EXTERNAL SCHEMA is not mapped to IAM "
        "permissions yet"]


def test_unresolved_need_outside_any_statement_is_listed_at_the_end() -> None:
    from redshift_iam.core.diagnostics import Diagnostic, Location
    from redshift_iam.output.text import explain_text
    from tests.helpers import run

    analysis = run("copy t from 's3://bkt/d/' iam_role default;\n")
    stray = Diagnostic("RI142", "the data files of manifest s3://x/m are unknown",
                       Location("other.sql", 3, 1))
    analysis = analysis._replace(script=analysis.script._replace(diagnostics=(stray,)))
    text = explain_text(analysis).splitlines()
    at = text.index("Unresolved:")
    assert text[at - 2:at + 3] == [
        "1 statement(s) touch AWS; 0 skipped.", "", "Unresolved:",
        "  unresolved RI142 at other.sql:3:1: the data files of manifest s3://x/m are unknown",
        "    hint: pass --manifest S3URI=LOCALFILE with a local copy of the manifest"]


# --- 15: --role by name ------------------------------------------------------------------------

ROLES = ("copy t from 's3://bkt/a/' iam_role 'arn:aws:iam::123456789012:role/etl/EtlLoader';\n"
         "copy t from 's3://bkt/b/' iam_role 'arn:aws:iam::123456789012:role/Other';\n"
         "copy t from 's3://bkt/c/' iam_role 'arn:aws:iam::999999999999:role/Other';\n")


@pytest.mark.parametrize("role, key", [("EtlLoader", "a/*"), ("etl/EtlLoader", "a/*"),
                                       ("/etl/EtlLoader", "a/*"),
                                       ("arn:aws:iam::999999999999:role/Other", "c/*")])
def test_role_by_name_or_path(script, role: str, key: str) -> None:
    result = invoke("policy", script(ROLES), "--role", role)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["Statement"][0]["Resource"] == f"arn:aws:s3:::bkt/{key}"


@pytest.mark.parametrize("role, message", [
    ("Other", "--role Other matches several principals; give the ARN of one: "
              "arn:aws:iam::123456789012:role/Other, arn:aws:iam::999999999999:role/Other"),
    ("other/EtlLoader", "--role other/EtlLoader matches no principal of the input "
                        "(arn:aws:iam::123456789012:role/Other, "
                        "arn:aws:iam::123456789012:role/etl/EtlLoader, "
                        "arn:aws:iam::999999999999:role/Other)"),
    ("Etl", "--role Etl matches no principal of the input "
            "(arn:aws:iam::123456789012:role/Other, arn:aws:iam::123456789012:role/etl/EtlLoader, "
            "arn:aws:iam::999999999999:role/Other)"),
])
def test_role_names_that_do_not_pick_one(script, role: str, message: str) -> None:
    result = invoke("policy", script(ROLES), "--role", role)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"redshift-iam: {message}\n")


# --- 16: hints and snippets --------------------------------------------------------------------

BIG = "".join(f"copy t from 's3://bkt/k{n:05}/f' iam_role default;\n" for n in range(400))


@pytest.mark.parametrize("flags, hint", [
    (["--max-policies", "1", "--no-fold"],
     "raise --max-policies (IAM allows up to 20 managed policies per role on request), drop "
     "--no-fold to allow folding, or split the statements between several roles"),
    (["--inline", "--no-fold"],
     "drop --inline (managed policies: up to 20 of 6,144 characters each), drop --no-fold to "
     "allow folding, or split the statements between several roles"),
])
def test_ri160_hint_names_only_the_flags_given(script, flags: list[str], hint: str) -> None:
    result = invoke("policy", script(BIG), *flags)
    assert (result.exit_code, result.stdout) == (1, "")
    assert f"    hint: {hint}\n" in result.stderr
    data = json.loads(invoke("explain", script(BIG), *flags, "--format", "json",
                             "--error-format", "json").stderr.splitlines()[0])
    assert (data["code"], data["hint"]) == ("RI160", hint)


@pytest.mark.parametrize("sql, col, code", [
    ("copy t from 'dynamodb://Tab' iam_role default readratio 50;", 13, "RI141"),
    ("copy t from 'dynamodb://Tab' iam_role default region 'us-east-1' readratio 50;", 1,
     "RI140"),
    ("unload ('x') to 's3://bkt/u/' iam_role default kms_key_id 'alias/etl' encrypted;", 59,
     "RI143"),
])
def test_derive_diagnostics_show_line_and_caret(script, sql: str, col: int, code: str) -> None:
    path = script("select 1;\n" + sql + "\n")
    lines = invoke("policy", path).stderr.splitlines()
    assert lines[0].startswith(f"{path}:2:{col}: unresolved {code}: ")
    assert lines[1:3] == [f"    2 | {sql}", "      | " + " " * (col - 1) + "^"]


def test_derive_snippet_is_redacted_like_the_reader(script) -> None:
    sql = ("copy t from 'dynamodb://Tab' access_key_id 'AKIAIOSFODNN7EXAMPLE' "
           "secret_access_key 'wJalrXUtnFEMI/K7MDENG' readratio 50;")
    lines = invoke("policy", script(sql)).stderr.splitlines()
    snippets = [line for line in lines if line.startswith("    1 | ")]
    assert snippets and all(line == "    1 | copy t from 'dynamodb://Tab' access_key_id "
                                     "'AKIAIOSFODNN7EXAMPLE' secret_access_key '****' "
                                     "readratio 50;" for line in snippets)
    assert "wJalr" not in "\n".join(lines)


# --- 17: console account ids -------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [("1111-2222-3333", "111122223333"),
                                             ("123456789012", "123456789012")])
def test_account_forms_accepted(value: str, expected: str) -> None:
    assert check_account(value) == expected


@pytest.mark.parametrize("value", ["1111-2222-333", "111-12222-3333", "1111 2222 3333",
                                   "1111-2222-3333-", "11112222-3333"])
def test_other_account_forms_are_usage_errors(script, value: str) -> None:
    result = invoke("policy", script("copy t from 'dynamodb://Tab' iam_role default;"),
                    "--account-id", value, "--region", "us-east-1")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(f"Error: Invalid value for '--account-id': {value!r}: an AWS "
                                  "account id is 12 digits\n")


def test_console_account_reaches_the_arn(script) -> None:
    result = invoke("policy", script("copy t from 'dynamodb://Tab' iam_role default;"),
                    "--account-id", "1111-2222-3333", "--region", "us-east-1")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["Statement"][0]["Resource"] == (
        "arn:aws:dynamodb:us-east-1:111122223333:table/Tab")


# --- 18: structured warnings -------------------------------------------------------------------

def test_generate_warnings_are_diagnostic_objects(script) -> None:
    path = script("copy t from 's3://bkt/a*/' iam_role default;\n"
                  "copy t from 's3://bkt/m' iam_role default manifest;\n")
    bundle = json.loads(invoke("generate", path, "--allow-unresolved").stdout)
    assert bundle["warnings"] == [
        {"code": "RW206", "severity": "warning",
         "message": "S3 key 'a*/' holds * or ?, which IAM reads as wildcards",
         "location": f"{path}:1:13",
         "hint": "IAM treats * and ? as wildcards; the grant also matches other keys"},
        {"code": "RI142", "severity": "unresolved",
         "message": "the data files of manifest s3://bkt/m are unknown",
         "location": f"{path}:2:13",
         "hint": "pass --manifest s3://bkt/m=FILE (a local copy of the manifest)"}]
    explained = json.loads(invoke("explain", path, "--format", "json",
                                  "--allow-unresolved").stdout)
    assert explained["diagnostics"] == bundle["warnings"]


# --- 19: JSON errors ---------------------------------------------------------------------------

def test_json_errors_one_object_per_line(script) -> None:
    path = script("copy t from 's3://bkt/d' iam_role default frob;\n"
                  "copy t from 's3://bkt/m' iam_role default manifest;\n")
    result = invoke("policy", path, "--error-format", "json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert [json.loads(line) for line in result.stderr.splitlines()] == [
        {"code": "RI111", "severity": "error", "message": "unknown COPY option 'frob'",
         "location": f"{path}:1:43",
         "hint": "an option the tool does not know may need a permission; check its spelling "
                 "against the Redshift reference"},
        {"code": "RI142", "severity": "unresolved",
         "message": "the data files of manifest s3://bkt/m are unknown",
         "location": f"{path}:2:13",
         "hint": "pass --manifest s3://bkt/m=FILE (a local copy of the manifest)"},
        {"code": None, "severity": "error", "message": "2 problem(s); no document written",
         "location": None, "hint": None}]


@pytest.mark.parametrize("args, message", [
    (["policy", "--error-format", "json", "--frob"],
     "No such option '--frob'. Did you mean '--role'?"),
    (["trust", "--error-format=json", "--account-id", "12"],
     "Invalid value for '--account-id': '12': an AWS account id is 12 digits"),
])
def test_json_usage_errors(args: list[str], message: str) -> None:
    result = invoke(*args, stdin="")
    assert (result.exit_code, result.stdout) == (2, "")
    assert json.loads(result.stderr) == {
        "code": None, "severity": "usage", "message": message, "location": None,
        "hint": f"'redshift-iam {args[0]} --help' shows the usage"}


def test_json_errors_for_missing_file_and_nothing_to_grant(tmp_path: Path) -> None:
    missing = invoke("generate", str(tmp_path / "no.sql"), "--error-format", "json")
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert json.loads(missing.stderr.splitlines()[0]) == {
        "code": "RI100", "severity": "error", "message": f"{tmp_path / 'no.sql'}: no such file",
        "location": None, "hint": "check the path and that it is a readable text file"}
    nothing = invoke("policy", "--error-format", "json", stdin="select 1;")
    assert json.loads(nothing.stderr)["message"] == NOTHING[len("redshift-iam: "):-1]


def test_json_lines_for_written_files_and_explains_review(script, tmp_path: Path) -> None:
    path = script("copy t from 's3://bkt/d/' iam_role default;")
    written = invoke("generate", path, "--out-dir", "out", "--error-format", "json")
    assert (written.exit_code, written.stdout) == (0, "")
    assert [json.loads(line) for line in written.stderr.splitlines()] == [
        {"code": None, "severity": "info", "message": f"wrote {Path('out', name)}",
         "location": None, "hint": None}
        for name in ("default-role.policy.json", "default-role.trust.json")]
    unchanged = invoke("generate", path, "--out-dir", "out")
    assert (unchanged.exit_code, unchanged.stdout, unchanged.stderr) == (0, "", "")
    text = invoke("generate", path, "--out-dir", "out2")
    assert (text.exit_code, text.stdout) == (0, "")
    assert text.stderr == "".join(f"wrote {Path('out2', name)}\n" for name in (
        "default-role.policy.json", "default-role.trust.json"))
    review = invoke("explain", script("copy t from 's3://bkt/m' iam_role default manifest;"),
                    "--error-format", "json")
    assert review.exit_code == 1 and review.stdout.startswith("s.sql:1  COPY manifest")
    assert [json.loads(line)["code"] for line in review.stderr.splitlines()] == ["RI142", None]
    assert json.loads(review.stderr.splitlines()[1]) == {
        "code": None, "severity": "unresolved",
        "message": "1 unresolved need(s), marked in the explanation; supply them (see the "
                   "hints) or pass --allow-unresolved", "location": None, "hint": None}


def test_text_errors_stay_text_with_json_stdout(script) -> None:
    result = invoke("explain", "--format", "json", script("copy t from 's3://bkt/d' frob;"))
    assert result.stderr.endswith("redshift-iam: 1 problem(s); no document written\n")


@pytest.mark.parametrize("argv, expected", [
    (["policy", "--error-format", "json"], True), (["--error-format=json"], True),
    (["--error-format", "json", "--error-format", "text"], False),
    (["--", "--error-format", "json"], False), (["--error-format"], False)])
def test_wants_json(argv: list[str], expected: bool) -> None:
    assert wants_json(argv) is expected


# --- 20: the install hint ----------------------------------------------------------------------

def test_jinja2_missing_hint_from_a_checkout(script, tmp_path: Path, monkeypatch) -> None:
    checkout = tmp_path / "clone"
    (checkout / "redshift_iam").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\n")
    monkeypatch.setattr(iac_common, "PACKAGE_DIR", checkout / "redshift_iam")
    monkeypatch.setitem(sys.modules, "jinja2", None)  # import jinja2 raises ImportError
    path = str(tmp_path / script(f"copy t from 's3://bkt/d/' iam_role '{A}';"))
    result = invoke("generate", path, "--format", "terraform")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"redshift-iam: this format needs jinja2: pip install -e "
                             f"'{checkout}'\n")
    monkeypatch.chdir(checkout)
    result = invoke("generate", path, "--format", "cloudformation")
    assert result.stderr == "redshift-iam: this format needs jinja2: pip install -e '.'\n"


def test_jinja2_missing_hint_when_installed(script, tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site-packages"
    (site / "redshift_iam").mkdir(parents=True)
    monkeypatch.setattr(iac_common, "PACKAGE_DIR", site / "redshift_iam")
    monkeypatch.setitem(sys.modules, "jinja2", None)
    for fmt in ("terraform", "cloudformation"):
        result = invoke("generate", script(f"copy t from 's3://bkt/d/' iam_role '{A}';"),
                        "--format", fmt)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == ("redshift-iam: this format needs jinja2: pip install "
                                 "'redshift-iam'\n")


# --- 21: 100 columns ---------------------------------------------------------------------------

def test_explain_fits_100_columns(script) -> None:
    long_key = "exports/" + "/".join(f"segment-{n:03}" for n in range(20)) + "/"
    path = script(
        f"unload ('select 1') to 's3://a-rather-long-bucket-name-for-exports/{long_key}' "
        f"iam_role '{A},arn:aws:iam::210987654321:role/some/deep/path/PartnerWriterRole' "
        "kms_key_id '1234abcd-12ab-34cd-56ef-1234567890ab' encrypted region 'eu-west-1' "
        "cleanpath;\n"
        "copy t from 's3://bkt/m' iam_role default manifest;\n")
    result = invoke("explain", path, "--account-id", "123456789012", "--allow-unresolved")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 100
    assert "where dg/ = https://docs.aws.amazon.com/redshift/latest/dg/" in lines
    assert "      mgmt/ = https://docs.aws.amazon.com/redshift/latest/mgmt/" in lines
    assert "    role-chain" in lines
    assert ("        mgmt/authorizing-redshift-service.html#authorizing-redshift-service-"
            "chaining-roles") in lines
    assert not any("https://" in line for line in lines if not line.startswith(("where", " ")))


def test_terraform_without_python_hcl2_is_the_same_text_unchecked(script, monkeypatch) -> None:
    path = script(f"copy t from 's3://bkt/d/' iam_role '{A}';")
    checked = invoke("generate", path, "--format", "terraform")
    monkeypatch.setitem(sys.modules, "hcl2", None)  # import hcl2 raises ImportError
    unchecked = invoke("generate", path, "--format", "terraform")
    assert (unchecked.exit_code, unchecked.stderr) == (0, "")
    assert unchecked.stdout == checked.stdout and 'resource "aws_iam_policy"' in checked.stdout

"""``generate --out-dir`` and ``--check``: names that depend on the principal alone, an index
of principals, a folder kept like a build tool keeps its outputs, nothing written outside it;
and access key ids validated where the SQL gives them (RI127)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import string
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.cli.main import main
from redshift_iam.core.grants import Principal
from redshift_iam.core.policy import PolicyDocument
from redshift_iam.core.reports import PrincipalReport
from redshift_iam.core.statements import AuthKind
from redshift_iam.output.outdir import OutDirError, check_names, plan_documents, write_out_dir
from tests.helpers import examples

KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
LEDGER = ".redshift-iam.json"
PAST = 1_000_000_000_000_000_000  # 2001-09-09, in ns: an mtime no run of the tool gives


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def copy(prefix: str, auth: str) -> str:
    return f"copy t from 's3://bkt/{prefix}/' {auth};\n"


def role(arn: str) -> str:
    return f"iam_role '{arn}'"


def policy_text(prefix: str, partition: str = "aws") -> str:
    """The policy of ``copy(prefix, ...)``, as the tool writes it."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "S3GetObject", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": f"arn:{partition}:s3:::bkt/{prefix}/*"},
        {"Sid": "S3ListBucketBkt", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": f"arn:{partition}:s3:::bkt",
         "Condition": {"StringLike": {"s3:prefix": f"{prefix}/*"}}},
    ]}, indent=2) + "\n"


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "RedshiftAssumeRole", "Effect": "Allow",
     "Principal": {"Service": "redshift.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    indent=2) + "\n"


def folder_files(folder: Path) -> dict[str, str]:
    """Every file but the ledger, name -> text."""
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.name != LEDGER}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """name -> (inode, mtime in ns) of every entry."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def age(folder: Path) -> None:
    """Set every file's mtime to PAST, so a rewrite cannot hide within the clock's grain."""
    for entry in folder.iterdir():
        os.utime(entry, ns=(PAST, PAST))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def sql(tmp_path: Path):
    def write(text: str, name: str = "s.sql") -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


@pytest.fixture
def umask():
    """Set the process umask for one test, then restore it."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


# --- names depend on the principal alone (issue 8, item 4) ----------------------------------

ETL_1 = "arn:aws:iam::111111111111:role/Etl"
ETL_2 = "arn:aws:iam::222222222222:role/Etl"


def test_a_same_named_role_in_another_account_moves_nothing(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    first = invoke("generate", sql(copy("a", role(ETL_1))), "--out-dir", str(out))
    assert (first.exit_code, first.stdout) == (0, "")
    assert first.stderr == (f"wrote {out}/Etl~111111111111.policy.json\n"
                            f"wrote {out}/Etl~111111111111.trust.json\n")
    age(out)
    before = stamps(out)
    both = sql(copy("b", role(ETL_2)) + copy("a", role(ETL_1)))
    second = invoke("generate", both, "--out-dir", str(out))
    assert (second.exit_code, second.stdout) == (0, "")
    assert second.stderr == (f"wrote {out}/Etl~222222222222.policy.json\n"
                             f"wrote {out}/Etl~222222222222.trust.json\n")
    assert folder_files(out) == {
        "Etl~111111111111.policy.json": policy_text("a"),
        "Etl~111111111111.trust.json": TRUST,
        "Etl~222222222222.policy.json": policy_text("b"),
        "Etl~222222222222.trust.json": TRUST,
    }
    after = stamps(out)
    for name in ("Etl~111111111111.policy.json", "Etl~111111111111.trust.json"):
        assert after[name] == before[name]  # not rewritten: same inode, same mtime
    assert json.loads((out / LEDGER).read_text()) == {
        "files": {name: digest(text) for name, text in folder_files(out).items()},
        "principals": {
            ETL_1: ["Etl~111111111111.policy.json", "Etl~111111111111.trust.json"],
            ETL_2: ["Etl~222222222222.policy.json", "Etl~222222222222.trust.json"],
        },
    }


def test_a_role_named_like_a_key_owner_keeps_apart(sql, tmp_path: Path) -> None:
    keys = f"access_key_id '{KEY}' secret_access_key '{SECRET}'"
    lookalike = f"arn:aws:iam::123456789012:role/user-{KEY}"
    expected = {
        f"user-{KEY}.policy.json": policy_text("k"),
        f"user-{KEY}~123456789012.policy.json": policy_text("r"),
        f"user-{KEY}~123456789012.trust.json": TRUST,
    }
    folders = []
    for order, text in enumerate([copy("k", keys) + copy("r", role(lookalike)),
                                  copy("r", role(lookalike)) + copy("k", keys)]):
        out = tmp_path / f"iam{order}"
        result = invoke("generate", sql(text, f"{order}.sql"), "--out-dir", str(out))
        assert result.exit_code == 0, result.stderr
        assert folder_files(out) == expected
        folders.append((out / LEDGER).read_text())
    assert folders[0] == folders[1]  # the input's order changes nothing, index included
    assert json.loads(folders[0])["principals"] == {
        lookalike: [f"user-{KEY}~123456789012.policy.json", f"user-{KEY}~123456789012.trust.json"],
        f"user:{KEY}": [f"user-{KEY}.policy.json"],
    }


@pytest.mark.parametrize("arn, stem", [
    ("arn:aws:iam::123456789012:role/Etl", "Etl~123456789012"),
    ("arn:aws-cn:iam::123456789012:role/Etl", "Etl~123456789012~aws-cn"),
    ("arn:aws-us-gov:iam::123456789012:role/Etl", "Etl~123456789012~aws-us-gov"),
    ("arn:aws:iam::0123456789012:role/MyRedshiftRole", "MyRedshiftRole~0123456789012"),
    ("arn:aws:iam::account-number:role/R", "R~account-number"),
    ("arn:aws:iam::123456789012:role/service-role/Etl", "service-role%2FEtl~123456789012"),
    ("arn:aws:iam::123456789012:role/a+b=c,d.e@f_g-h", "a+b=c,d.e@f_g-h~123456789012"),
    ("arn:aws:iam::123456789012:role/.hidden", "%2Ehidden~123456789012"),
    ("arn:aws:iam::123456789012:role/-rf", "%2Drf~123456789012"),
    ("arn:aws:iam::123456789012:role/../../x", "%2E.%2F..%2Fx~123456789012"),
    ("arn:aws:iam::12 3/~%:role/R", "R~12%203%2F%7E%25"),
    ("arn:aws:iam::é:role/R", "R~%C3%A9"),
])
def test_role_stems(arn: str, stem: str) -> None:
    assert Principal(AuthKind.ROLE, arn).file_stem == stem


def test_partitions_and_odd_accounts_through_the_cli(sql, tmp_path: Path) -> None:
    text = (copy("a", role("arn:aws-cn:iam::123456789012:role/Etl"))
            + copy("b", role("arn:aws-cn:iam::0123456789012:role/Etl")))
    out = tmp_path / "iam"
    result = invoke("generate", sql(text), "--out-dir", str(out), "--partition", "aws-cn")
    assert result.exit_code == 0, result.stderr
    assert folder_files(out) == {
        "Etl~0123456789012~aws-cn.policy.json": policy_text("b", "aws-cn"),
        "Etl~0123456789012~aws-cn.trust.json": TRUST,
        "Etl~123456789012~aws-cn.policy.json": policy_text("a", "aws-cn"),
        "Etl~123456789012~aws-cn.trust.json": TRUST,
    }


def test_other_stems() -> None:
    assert Principal(AuthKind.DEFAULT_ROLE, "default").file_stem == "default-role"
    assert Principal(AuthKind.KEYS, f"user:{KEY}").file_stem == f"user-{KEY}"
    assert Principal(AuthKind.KEYS, "user:/../../pwn").file_stem == "user-%2F..%2F..%2Fpwn"
    for odd in (Principal(AuthKind.ROLE, "R"), Principal(AuthKind.DEFAULT_ROLE, "x"),
                Principal(AuthKind.KEYS, KEY)):
        with pytest.raises(ValueError):
            odd.file_stem  # noqa: B018 - the property raises


def test_several_policies_are_numbered(tmp_path: Path) -> None:
    report = PrincipalReport(Principal(AuthKind.ROLE, ETL_1), (PolicyDocument(()),) * 3, None, ())
    plan = plan_documents([report])
    assert plan.by_principal == {ETL_1: [f"Etl~111111111111.policy-{n}.json" for n in (1, 2, 3)]}
    assert sorted(plan.files) == sorted(plan.by_principal[ETL_1])


# --- injectivity, over random principal sets ------------------------------------------------

_SUFFIX = re.compile(r"\.(?:policy(?:-[1-9][0-9]*)?|trust)\.json\Z")


def decode_stem(stem: str) -> Principal:
    """The inverse of Principal.file_stem, written from its documented format: if every stem
    decodes back to its principal, no two principals can share a stem."""
    def field(text: str) -> str:
        return unquote(text, errors="surrogatepass")
    if stem == "default-role":
        return Principal(AuthKind.DEFAULT_ROLE, "default")
    if "~" not in stem:
        assert stem.startswith("user-")
        return Principal(AuthKind.KEYS, "user:" + field(stem[len("user-"):]))
    name, account, *rest = stem.split("~")
    assert len(rest) <= 1
    partition = field(rest[0]) if rest else "aws"
    return Principal(AuthKind.ROLE,
                     f"arn:{partition}:iam::{field(account)}:role/{field(name)}")


ROLE_CHARS = string.ascii_letters + string.digits + "_+=,.@-"
ANY_TEXT = st.text(st.characters(exclude_characters=":") | st.sampled_from("\ud800/\\~%.\n"),
                   max_size=12)
PARTITIONS = (st.sampled_from(["aws", "aws-cn", "aws-us-gov"])
              | st.text("abcdefghijklmnopqrstuvwxyz-", max_size=12))
ACCOUNTS = (st.from_regex(r"[0-9]{12}", fullmatch=True)
            | st.sampled_from(["0123456789012", "account-number", "", KEY]) | ANY_TEXT)
ROLE_NAMES = (st.text(ROLE_CHARS, min_size=1, max_size=64)
              | st.sampled_from([f"user-{KEY}", "default-role", "..", ".", "-"]))
ROLE_ARNS = st.builds(
    lambda partition, account, path, name: f"arn:{partition}:iam::{account}:role/"
                                           + "".join(f"{p}/" for p in path) + name,
    PARTITIONS, ACCOUNTS, st.lists(st.text(ROLE_CHARS, min_size=1, max_size=12), max_size=3),
    ROLE_NAMES)
KEY_IDS = st.from_regex(r"(AKIA|ASIA)[A-Z0-9]{12,30}", fullmatch=True) | ANY_TEXT
PRINCIPALS = (st.builds(lambda arn: Principal(AuthKind.ROLE, arn), ROLE_ARNS)
              | st.builds(lambda key: Principal(AuthKind.KEYS, f"user:{key}"), KEY_IDS)
              | st.just(Principal(AuthKind.DEFAULT_ROLE, "default")))
REPORTS = st.builds(
    lambda principal, policies, trust: PrincipalReport(
        principal, (PolicyDocument(()),) * policies,
        PolicyDocument(()) if trust and principal.kind is not AuthKind.KEYS else None, ()),
    PRINCIPALS, st.integers(0, 12), st.booleans())
_PLAIN = re.compile(r"[A-Za-z0-9_+=,@%][A-Za-z0-9_+=,.@%~-]*\Z")


@settings(max_examples=examples(3), deadline=None)
@given(st.lists(REPORTS, max_size=8, unique_by=lambda report: report.principal))
def test_names_are_injective_and_independent(reports: list[PrincipalReport]) -> None:
    plan = plan_documents(reports)
    owners = {name: principal for principal, names in plan.by_principal.items() for name in names}
    # two principals never share a name, and every name is its own principal's
    assert sum(len(names) for names in plan.by_principal.values()) == len(owners) == len(plan.files)
    for name, owner in owners.items():
        assert _PLAIN.match(name), name  # a plain name: no "/", no leading ".", ASCII
        assert decode_stem(_SUFFIX.split(name)[0]).name == owner
    # the folder check accepts them unless they clash by case or exceed NAME_MAX
    fits = (len({name.casefold() for name in owners}) == len(owners)
            and all(len(name.encode()) <= 255 for name in owners))
    if fits:
        check_names(owners)
    else:
        with pytest.raises(OutDirError):
            check_names(owners)
    # a principal's names are the same whatever else the input holds
    for report in reports:
        alone = plan_documents([report]).by_principal[report.principal.name]
        assert plan.by_principal[report.principal.name] == alone


@settings(max_examples=examples(3), deadline=None)
@given(PRINCIPALS)
def test_stems_decode_to_their_principal(principal: Principal) -> None:
    assert decode_stem(principal.file_stem) == principal


# --- a folder kept like a build tool keeps its outputs (issue 11) ---------------------------

@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664),
                                        (0o077, 0o600)])
def test_files_get_the_umask_mode(sql, tmp_path: Path, umask, mask: int, mode: int) -> None:
    umask(mask)
    out = tmp_path / "iam"
    assert invoke("generate", sql(copy("a", role(ETL_1))), "--out-dir", str(out)).exit_code == 0
    assert {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()} == {
        LEDGER: mode, "Etl~111111111111.policy.json": mode, "Etl~111111111111.trust.json": mode}
    # a changed file is a new file: it gets the mode of the umask at that time, too
    (out / "Etl~111111111111.policy.json").chmod(0o600)
    umask(0o022)
    assert invoke("generate", sql(copy("b", role(ETL_1))), "--out-dir", str(out)).exit_code == 0
    assert (out / "Etl~111111111111.policy.json").stat().st_mode & 0o777 == 0o644


def test_a_second_run_touches_nothing(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    path = sql(copy("a", role(ETL_1)) + copy("d", "iam_role default"))
    assert invoke("generate", path, "--out-dir", str(out)).exit_code == 0
    age(out)
    before = stamps(out)
    again = invoke("generate", path, "--out-dir", str(out))
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")
    assert stamps(out) == before  # the ledger included
    assert set(before) == {LEDGER, "Etl~111111111111.policy.json", "Etl~111111111111.trust.json",
                           "default-role.policy.json", "default-role.trust.json"}


def test_only_changed_files_are_written(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    assert invoke("generate", sql(copy("a", role(ETL_1))), "--out-dir", str(out)).exit_code == 0
    age(out)
    before = stamps(out)
    result = invoke("generate", sql(copy("b", role(ETL_1))), "--out-dir", str(out))
    assert (result.exit_code, result.stderr) == (0, f"wrote {out}/Etl~111111111111.policy.json\n")
    after = stamps(out)
    assert after["Etl~111111111111.trust.json"] == before["Etl~111111111111.trust.json"]
    assert after["Etl~111111111111.policy.json"][1] != PAST
    assert after[LEDGER][1] != PAST  # the policy's hash changed
    assert (out / "Etl~111111111111.policy.json").read_text() == policy_text("b")


def test_stale_files_are_removed_and_reported(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    first = sql(copy("a", role(ETL_1)) + copy("b", role(ETL_2)))
    assert invoke("generate", first, "--out-dir", str(out)).exit_code == 0
    (out / "notes.txt").write_text("mine\n")
    result = invoke("generate", sql(copy("d", "iam_role default") + copy("a", role(ETL_1))),
                    "--out-dir", str(out))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (f"wrote {out}/default-role.policy.json\n"
                             f"wrote {out}/default-role.trust.json\n"
                             f"removed {out}/Etl~222222222222.policy.json\n"
                             f"removed {out}/Etl~222222222222.trust.json\n")
    assert sorted(p.name for p in out.iterdir()) == [
        LEDGER, "Etl~111111111111.policy.json", "Etl~111111111111.trust.json",
        "default-role.policy.json", "default-role.trust.json", "notes.txt"]


def test_an_edited_stale_file_is_kept_and_reported(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    assert invoke("generate", sql(copy("b", role(ETL_2))), "--out-dir", str(out)).exit_code == 0
    (out / "Etl~222222222222.policy.json").write_text("{} edited\n")
    result = invoke("generate", sql(copy("a", role(ETL_1))), "--out-dir", str(out))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        f"wrote {out}/Etl~111111111111.policy.json\n"
        f"wrote {out}/Etl~111111111111.trust.json\n"
        f"removed {out}/Etl~222222222222.trust.json\n"
        f"kept {out}/Etl~222222222222.policy.json: the input no longer produces it, but it was "
        "edited since redshift-iam wrote it\n")
    assert (out / "Etl~222222222222.policy.json").read_text() == "{} edited\n"
    assert sorted(json.loads((out / LEDGER).read_text())["files"]) == [
        "Etl~111111111111.policy.json", "Etl~111111111111.trust.json"]


def test_identical_files_without_a_ledger_are_adopted(sql, tmp_path: Path) -> None:
    """A folder checked out without its ledger: files equal to the output are not foreign."""
    out = tmp_path / "iam"
    path = sql(copy("a", role(ETL_1)))
    assert invoke("generate", path, "--out-dir", str(out)).exit_code == 0
    (out / LEDGER).unlink()
    age(out)
    before = stamps(out)
    result = invoke("generate", path, "--out-dir", str(out))
    assert (result.exit_code, result.stderr) == (0, "")
    assert {k: v for k, v in stamps(out).items() if k != LEDGER} == before
    assert sorted(json.loads((out / LEDGER).read_text())["files"]) == [
        "Etl~111111111111.policy.json", "Etl~111111111111.trust.json"]


def test_a_folder_of_the_old_naming_is_migrated(sql, tmp_path: Path) -> None:
    """Files an earlier version wrote (role name only, a ledger without an index) are the
    tool's own: replaced by the new names, and each removal reported."""
    out = tmp_path / "iam"
    out.mkdir()
    old = {"Etl.policy.json": policy_text("a"), "Etl.trust.json": TRUST}
    for name, text in old.items():
        (out / name).write_text(text)
    (out / LEDGER).write_text(json.dumps({"files": {n: digest(t) for n, t in old.items()}}))
    result = invoke("generate", sql(copy("a", role(ETL_1))), "--out-dir", str(out))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (f"wrote {out}/Etl~111111111111.policy.json\n"
                             f"wrote {out}/Etl~111111111111.trust.json\n"
                             f"removed {out}/Etl.policy.json\n"
                             f"removed {out}/Etl.trust.json\n")
    assert folder_files(out) == {"Etl~111111111111.policy.json": policy_text("a"),
                                 "Etl~111111111111.trust.json": TRUST}


# --- generate --check ------------------------------------------------------------------------

def test_check_an_up_to_date_folder(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    path = sql(copy("a", role(ETL_1)))
    assert invoke("generate", path, "--out-dir", str(out)).exit_code == 0
    age(out)
    before = stamps(out)
    result = invoke("generate", path, "--out-dir", str(out), "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert stamps(out) == before


def test_check_a_folder_never_written(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    result = invoke("generate", sql(copy("d", "iam_role default")), "--out-dir", str(out),
                    "--check")
    assert result.exit_code == 1
    assert result.stdout == "".join(
        f"--- /dev/null\n+++ {out}/{name}\n@@ -0,0 +1,{text.count(chr(10))} @@\n"
        + "".join(f"+{line}\n" for line in text.splitlines())
        for name, text in [("default-role.policy.json", policy_text("d")),
                           ("default-role.trust.json", TRUST)])
    assert result.stderr == (f"redshift-iam: {out} is out of date (2 to add); run generate "
                             "without --check to update it\n")
    assert not out.exists()


def test_check_shows_changes_and_removals_and_writes_nothing(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    assert invoke("generate", sql(copy("a", role(ETL_1)) + copy("b", role(ETL_2))),
                  "--out-dir", str(out)).exit_code == 0
    age(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}, stamps(out)
    result = invoke("generate", sql(copy("c", role(ETL_1))), "--out-dir", str(out), "--check")
    assert result.exit_code == 1
    assert result.stdout == f"""\
--- {out}/Etl~111111111111.policy.json
+++ {out}/Etl~111111111111.policy.json
@@ -5,7 +5,7 @@
       "Sid": "S3GetObject",
       "Effect": "Allow",
       "Action": "s3:GetObject",
-      "Resource": "arn:aws:s3:::bkt/a/*"
+      "Resource": "arn:aws:s3:::bkt/c/*"
     }},
     {{
       "Sid": "S3ListBucketBkt",
@@ -14,7 +14,7 @@
       "Resource": "arn:aws:s3:::bkt",
       "Condition": {{
         "StringLike": {{
-          "s3:prefix": "a/*"
+          "s3:prefix": "c/*"
         }}
       }}
     }}
--- {out}/Etl~222222222222.policy.json
+++ /dev/null
@@ -1,22 +0,0 @@
""" + "".join(f"-{line}\n" for line in policy_text("b").splitlines()) + f"""\
--- {out}/Etl~222222222222.trust.json
+++ /dev/null
@@ -1,13 +0,0 @@
""" + "".join(f"-{line}\n" for line in TRUST.splitlines())
    assert result.stderr == (f"redshift-iam: {out} is out of date (1 to change, 2 to remove); "
                             "run generate without --check to update it\n")
    assert ({p.name: p.read_bytes() for p in out.iterdir()}, stamps(out)) == before


def test_check_counts_foreign_files_and_marks_a_missing_newline(sql, tmp_path: Path) -> None:
    out = tmp_path / "iam"
    out.mkdir()
    (out / "default-role.trust.json").write_text("{}")  # not the tool's, no final newline
    result = invoke("generate", sql(copy("d", "iam_role default")), "--out-dir", str(out),
                    "--check")
    assert result.exit_code == 1
    trust_diff = (f"--- {out}/default-role.trust.json\n+++ {out}/default-role.trust.json\n"
                  "@@ -1 +1,13 @@\n-{}\n\\ No newline at end of file\n"
                  + "".join(f"+{line}\n" for line in TRUST.splitlines()))
    assert result.stdout.endswith(trust_diff)
    assert result.stderr == (f"redshift-iam: {out} is out of date (1 to add, 1 to change; 1 of "
                             "them edited by hand or not written by redshift-iam); run generate "
                             "--force without --check to replace them\n")
    assert sorted(p.name for p in out.iterdir()) == ["default-role.trust.json"]


def test_check_needs_out_dir(sql) -> None:
    result = invoke("generate", sql(copy("a", role(ETL_1))), "--check")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith("Error: --check compares an --out-dir folder with what "
                                  "generate would write; give --out-dir DIR\n")


def test_check_of_a_plain_file(sql, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("x")
    result = invoke("generate", sql(copy("a", role(ETL_1))), "--out-dir", str(plain), "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"redshift-iam: {plain} exists and is not a folder\n")


def test_check_with_terraform(sql, tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    out = tmp_path / "tf"
    path = sql(copy("a", role(ETL_1)))
    args = ("generate", path, "--format", "terraform", "--out-dir", str(out))
    assert invoke(*args).exit_code == 0
    assert json.loads((out / LEDGER).read_text())["principals"] == {ETL_1: ["redshift-iam.tf"]}
    assert invoke(*args, "--check").exit_code == 0
    (out / "redshift-iam.tf").write_text("# edited\n")
    stale = invoke(*args, "--check")
    assert stale.exit_code == 1
    assert stale.stdout.startswith(f"--- {out}/redshift-iam.tf\n+++ {out}/redshift-iam.tf\n")


# --- nothing leaves the folder (issue 8, item 11) --------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("../x.json", "refusing to write '../x.json': not a plain file name inside the folder"),
    ("/etc/x.json", "refusing to write '/etc/x.json': not a plain file name inside the folder"),
    ("sub/x.json", "refusing to write 'sub/x.json': not a plain file name inside the folder"),
    ("..", "refusing to write '..': not a plain file name inside the folder"),
    ("", "refusing to write '': not a plain file name inside the folder"),
    (".hidden.json", "refusing to write '.hidden.json': not a plain file name inside the folder"),
    (LEDGER, "refusing to write '.redshift-iam.json': not a plain file name inside the folder"),
    ("a\\b.json", "refusing to write 'a\\\\b.json': not a plain file name inside the folder"),
    ("a\nb.json", "refusing to write 'a\\nb.json': not a plain file name inside the folder"),
    ("é.json", "refusing to write 'é.json': not a plain file name inside the folder"),
    ("-rf.json", "refusing to write '-rf.json': not a plain file name inside the folder"),
    ("x" * 256, f"the file name {'x' * 60}... has 256 bytes; file systems allow 255"),
])
def test_unsafe_names_are_refused_before_anything_is_written(tmp_path: Path, name: str,
                                                             message: str) -> None:
    out = tmp_path / "new" / "iam"
    with pytest.raises(OutDirError) as refused:
        write_out_dir(out, {"fine.json": "{}\n", name: "{}\n"}, force=True)
    assert str(refused.value) == message
    assert not (tmp_path / "new").exists()


def test_names_that_differ_only_in_case_are_refused(sql, tmp_path: Path) -> None:
    text = copy("a", role(ETL_1)) + copy("b", role("arn:aws:iam::111111111111:role/etl"))
    out = tmp_path / "iam"
    result = invoke("generate", sql(text), "--out-dir", str(out))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "redshift-iam: Etl~111111111111.policy.json and etl~111111111111.policy.json differ "
        "only in letter case: on a case-insensitive file system (macOS, Windows) they are one "
        "file; IAM does not distinguish role names by case either, so write each role's name "
        "one way\n")
    assert not out.exists()


def test_a_name_of_255_bytes_is_fine() -> None:
    check_names(["x" * 255, "default-role.policy.json"])


def test_hostile_key_id_cannot_escape_even_with_a_user_folder(sql, tmp_path: Path) -> None:
    """The issue's exploit: a 'user-' folder in --out-dir and a key id of '/../../pwn'."""
    out = tmp_path / "a" / "b" / "iam"
    (out / "user-").mkdir(parents=True)
    path = sql(copy("k", f"access_key_id '/../../pwn' secret_access_key '{SECRET}'"))
    result = invoke("generate", path, "--out-dir", str(out))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{path}:1:42: error RI127: character 1 of the access key id is not an uppercase letter "
        "or digit\n"
        "    1 | copy t from 's3://bkt/k/' access_key_id '****\n"
        "      |                                          ^\n"
        "    hint: an access key id looks like AKIAIOSFODNN7EXAMPLE: AKIA or ASIA, uppercase "
        "letters and digits, 16 to 128 characters (is the secret key there instead?)\n"
        "redshift-iam: 1 problem(s); no document written\n")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "a", "a/b", "a/b/iam", "a/b/iam/user-", "s.sql"]


def test_hostile_principal_names_stay_inside(tmp_path: Path) -> None:
    """Defence in depth: names the reader would refuse still give plain names in the folder."""
    hostile = [Principal(AuthKind.KEYS, "user:/../../pwn"),
               Principal(AuthKind.KEYS, "user:../../../etc/passwd"),
               Principal(AuthKind.ROLE, "arn:aws:iam::/../..:role/../../x")]
    reports = [PrincipalReport(p, (PolicyDocument(()),), None, ()) for p in hostile]
    out = tmp_path / "iam"
    plan = plan_documents(reports)
    outcome = write_out_dir(out, plan.files, force=False, index=plan.by_principal)
    assert outcome.written == ("%2E.%2F..%2Fx~%2F..%2F...policy.json",
                               "user-%2F..%2F..%2Fpwn.policy.json",
                               "user-..%2F..%2F..%2Fetc%2Fpasswd.policy.json")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == sorted([
        "iam", f"iam/{LEDGER}", *(f"iam/{name}" for name in outcome.written)])


@pytest.mark.parametrize("listed", ["../victim.txt", "VICTIM", "sub/victim.txt", ".victim.txt",
                                    "sub/../victim.txt"])
def test_a_hostile_ledger_removes_nothing_it_does_not_own(sql, tmp_path: Path,
                                                          listed: str) -> None:
    out = tmp_path / "iam"
    (out / "sub").mkdir(parents=True)
    victims = [tmp_path / "victim.txt", out / "sub" / "victim.txt", out / ".victim.txt"]
    for victim in victims:
        victim.write_text("precious\n")
    name = str(tmp_path / "victim.txt") if listed == "VICTIM" else listed
    ledger = {"files": {name: digest("precious\n")}}
    (out / LEDGER).write_text(json.dumps(ledger))
    for extra in ((), ("--check",)):
        result = invoke("generate", sql(copy("a", role(ETL_1))), "--out-dir", str(out), *extra)
        assert "removed" not in result.stderr and "/victim" not in result.stdout
    assert all(victim.read_text() == "precious\n" for victim in victims)


def test_a_symlink_in_the_folder_is_replaced_not_followed(sql, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("precious\n")
    out = tmp_path / "iam"
    out.mkdir()
    (out / "Etl~111111111111.policy.json").symlink_to(outside)
    path = sql(copy("a", role(ETL_1)))
    refused = invoke("generate", path, "--out-dir", str(out))
    assert (refused.exit_code, refused.stderr) == (
        1, f"redshift-iam: {out}/Etl~111111111111.policy.json is a symbolic link, not a file "
           "redshift-iam wrote: it is never read or written through; pass --force to replace "
           "the link with the document\n")
    assert invoke("generate", path, "--out-dir", str(out), "--force").exit_code == 0
    assert outside.read_text() == "precious\n"
    assert not (out / "Etl~111111111111.policy.json").is_symlink()


def test_special_files_are_never_read(sql, tmp_path: Path) -> None:
    """A FIFO where a document or the ledger goes is not opened (reading would block)."""
    out = tmp_path / "iam"
    out.mkdir()
    os.mkfifo(out / "Etl~111111111111.policy.json")
    os.mkfifo(out / LEDGER)
    path = sql(copy("a", role(ETL_1)))
    refused = invoke("generate", path, "--out-dir", str(out))
    assert (refused.exit_code, refused.stderr) == (
        1, f"redshift-iam: {out}/Etl~111111111111.policy.json is a FIFO (named pipe), not a "
           "file redshift-iam wrote: it is never read or written through; pass --force to "
           "replace it with the document\n")
    forced = invoke("generate", path, "--out-dir", str(out), "--force")
    assert (forced.exit_code, forced.stderr) == (0, "".join(
        f"redshift-iam: {out}/{name}: a FIFO (named pipe), not a regular file: never read, "
        "written through or removed\n" for name in (LEDGER, "Etl~111111111111.policy.json")
    ) + f"wrote {out}/Etl~111111111111.policy.json\nwrote {out}/Etl~111111111111.trust.json\n")
    assert folder_files(out) == {"Etl~111111111111.policy.json": policy_text("a"),
                                 "Etl~111111111111.trust.json": TRUST}
    assert (out / LEDGER).is_file()


TOKEN = "aws_secret_access_key = TOKEN-f0e1d2c3b4a5"


@pytest.fixture
def trap(tmp_path: Path):
    """A folder where a document, the ledger and a stale file the (real-looking) ledger claims
    are symbolic links to secrets outside it; returns (folder, the secrets, their stamps)."""
    secrets = tmp_path / "home"
    secrets.mkdir()
    for name in ("credentials", "environ", "old"):
        (secrets / name).write_text(f"{TOKEN} {name}\n")
    out = tmp_path / "iam"
    out.mkdir()
    (out / "Etl~111111111111.policy.json").symlink_to(secrets / "credentials")
    (out / "Old~111111111111.policy.json").symlink_to(secrets / "old")
    # the ledger is itself a link, to a file that claims the stale link as the tool's own
    (secrets / "ledger.json").write_text(json.dumps({"files": {
        "Old~111111111111.policy.json": digest((secrets / "old").read_text())}}))
    (out / LEDGER).symlink_to(secrets / "ledger.json")
    targets = sorted(secrets.iterdir())
    return out, targets, {p: (p.read_text(), p.stat().st_mtime_ns) for p in targets}


WARN = "a symbolic link, not a regular file: never read, written through or removed\n"


def test_check_never_reads_through_a_link(sql, tmp_path: Path, trap) -> None:
    out, targets, before = trap
    result = invoke("generate", sql(copy("a", role(ETL_1))), "--out-dir", str(out), "--check")
    assert TOKEN.split()[-1] not in result.stdout + result.stderr
    policy, trust = out / "Etl~111111111111.policy.json", out / "Etl~111111111111.trust.json"
    assert result.exit_code == 1
    assert result.stdout == (
        f"--- {policy}\n+++ {policy}\n@@ -0,0 +1,{len(policy_text('a').splitlines())} @@\n"
        + "".join(f"+{line}\n" for line in policy_text("a").splitlines())
        + f"--- /dev/null\n+++ {trust}\n@@ -0,0 +1,{len(TRUST.splitlines())} @@\n"
        + "".join(f"+{line}\n" for line in TRUST.splitlines()))
    assert result.stderr == (
        f"redshift-iam: {out}/{LEDGER}: {WARN}"
        f"redshift-iam: {policy}: {WARN}"
        f"redshift-iam: {out} is out of date (1 to add, 1 to change; 1 of them edited by hand "
        "or not written by redshift-iam); run generate --force without --check to replace "
        "them\n")
    assert {p: (p.read_text(), p.stat().st_mtime_ns) for p in targets} == before


def test_writes_never_go_through_a_link(sql, tmp_path: Path, trap) -> None:
    out, targets, before = trap
    path = sql(copy("a", role(ETL_1)))
    refused = invoke("generate", path, "--out-dir", str(out))
    assert refused.exit_code == 1 and "pass --force to replace the link" in refused.stderr
    forced = invoke("generate", path, "--out-dir", str(out), "--force")
    assert TOKEN.split()[-1] not in refused.output + forced.output
    assert (forced.exit_code, forced.stderr) == (0, (
        f"redshift-iam: {out}/{LEDGER}: {WARN}"
        f"redshift-iam: {out}/Etl~111111111111.policy.json: {WARN}"
        f"wrote {out}/Etl~111111111111.policy.json\nwrote {out}/Etl~111111111111.trust.json\n"))
    # the links were replaced by files (never written through); the stale link, which only a
    # linked ledger claimed, is still there and was never removed through
    assert folder_files(out) == {"Etl~111111111111.policy.json": policy_text("a"),
                                 "Etl~111111111111.trust.json": TRUST,
                                 "Old~111111111111.policy.json": f"{TOKEN} old\n"}
    assert (out / "Old~111111111111.policy.json").is_symlink()
    assert not (out / LEDGER).is_symlink()
    assert {p: (p.read_text(), p.stat().st_mtime_ns) for p in targets} == before


def test_a_stale_link_claimed_by_the_ledger_is_kept_unread(sql, tmp_path: Path) -> None:
    """The ledger is a real file that claims a stale name; the name is now a link to a secret
    whose hash matches: it is not the tool's (never read, diffed or removed)."""
    secret = tmp_path / "secret"
    secret.write_text(f"{TOKEN}\n")
    out = tmp_path / "iam"
    path = sql(copy("a", role(ETL_1)))
    assert invoke("generate", path, "--out-dir", str(out)).exit_code == 0
    ledger = json.loads((out / LEDGER).read_text())
    ledger["files"]["Old~111111111111.policy.json"] = digest(f"{TOKEN}\n")
    (out / LEDGER).write_text(json.dumps(ledger))
    (out / "Old~111111111111.policy.json").symlink_to(secret)
    check = invoke("generate", path, "--out-dir", str(out), "--check")
    assert (check.exit_code, check.stdout) == (0, "")
    assert check.stderr == f"redshift-iam: {out}/Old~111111111111.policy.json: {WARN}"
    written = invoke("generate", path, "--out-dir", str(out))
    assert TOKEN.split()[-1] not in check.output + written.output
    assert (written.exit_code, written.stderr) == (0, (
        f"redshift-iam: {out}/Old~111111111111.policy.json: {WARN}"
        f"kept {out}/Old~111111111111.policy.json: the input no longer produces it, but it was "
        "edited since redshift-iam wrote it\n"))
    assert (out / "Old~111111111111.policy.json").is_symlink()
    assert secret.read_text() == f"{TOKEN}\n"


# --- access key ids have a shape (issue 8, item 11) ------------------------------------------

HINT = ("    hint: an access key id looks like AKIAIOSFODNN7EXAMPLE: AKIA or ASIA, uppercase "
        "letters and digits, 16 to 128 characters (is the secret key there instead?)\n")
BAD_KEY_IDS = [
    ("/../../pwn", 1, "character 1 of the access key id is not an uppercase letter or digit"),
    ("AKIA/../../pwn00000", 5,
     "character 5 of the access key id is not an uppercase letter or digit"),
    (SECRET, 1, "character 1 of the access key id is not an uppercase letter or digit"),
    ("AKIAIOSFODNN7EXAMPLe", 20,
     "character 20 of the access key id is not an uppercase letter or digit"),
    ("AKIAIOSFODNN7_EXAMPLE", 14,
     "character 14 of the access key id is not an uppercase letter or digit"),
    ("AKIAIOSFODNN7EXAMPLÉ", 20,
     "character 20 of the access key id is not an uppercase letter or digit"),
    ("AKIAIOSFODNN7EXAMPLE٣", 21,
     "character 21 of the access key id is not an uppercase letter or digit"),
    ("AIDAIOSFODNN7EXAMPLE", 1,
     "an access key id starts with AKIA (an IAM user's key) or ASIA (temporary credentials)"),
    ("ABIAIOSFODNN7EXAMPLE", 1,
     "an access key id starts with AKIA (an IAM user's key) or ASIA (temporary credentials)"),
    ("AKIAIOSFODNN7EX", 1, "an access key id has 16 to 128 characters, this one has 15"),
    ("AKIA", 1, "an access key id has 16 to 128 characters, this one has 4"),
    ("AKIA" + "7" * 125, 129, "an access key id has 16 to 128 characters, this one has 129"),
]


@pytest.mark.parametrize("key_id, at, message", BAD_KEY_IDS)
def test_malformed_access_key_id(key_id: str, at: int, message: str) -> None:
    sql = f"copy t from 's3://bkt/k/' access_key_id '{key_id}' secret_access_key '{SECRET}';"
    result = invoke("generate", stdin=sql)
    start = sql.index("'", sql.index("access_key_id")) + 1
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"<stdin>:1:{start + at}: error RI127: {message}\n"
        f"    1 | {sql[:start]}****\n"
        f"      | {' ' * start}^\n" + HINT + "redshift-iam: 1 problem(s); no document written\n")


@pytest.mark.parametrize("key_id, at, message", BAD_KEY_IDS)
def test_malformed_access_key_id_in_credentials(key_id: str, at: int, message: str) -> None:
    sql = (f"copy t from 's3://bkt/k/'\ncredentials 'aws_access_key_id={key_id};"
           f"aws_secret_access_key={SECRET}';")
    result = invoke("generate", stdin=sql)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"<stdin>:2:{len('credentials ') + len(chr(39) + 'aws_access_key_id=') + at}: error "
        f"RI127: {message}\n"
        "    2 | credentials 'aws_access_key_id=****\n"  # hidden from the key id on
        f"      | {' ' * len('credentials ' + chr(39) + 'aws_access_key_id=')}^\n" + HINT +
        "redshift-iam: 1 problem(s); no document written\n")


@pytest.mark.parametrize("key_id", [KEY, "ASIAIOSFODNN7EXAMPLE", "AKIA234567ABCDEF",
                                    "ASIA" + "Z" * 124])
def test_well_formed_access_key_ids(key_id: str) -> None:
    for auth in (f"access_key_id '{key_id}' secret_access_key '{SECRET}'",
                 f"credentials 'aws_access_key_id={key_id};aws_secret_access_key={SECRET}'"):
        result = invoke("generate", stdin=f"copy t from 's3://bkt/k/' {auth};")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["principals"][0]["principal"] == f"user:{key_id}"
        assert SECRET[:8] not in result.stdout + result.stderr

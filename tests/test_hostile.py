"""Hostile input: every bad script, flag or file ends in a clear message, never a traceback or
lost data, and a non-zero exit never leaves a half document on stdout.

Every case runs the real command line through click's CliRunner and checks the exit code,
stdout and stderr exactly. Cases that tests/test_cli.py or tests/test_parser.py already pin
down exactly are not repeated here; their variants (other orders, other commands, files instead
of standard input, secrets in the statement) are.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

ROLE = "arn:aws:iam::123456789012:role/Etl"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
NOTHING = ("redshift-iam: nothing to grant: the input has no COPY, UNLOAD or CREATE LIBRARY "
           "that needs AWS permissions (an empty policy is not a valid IAM document)\n")
EMPTY_BUNDLE = '{\n  "principals": [],\n  "skipped": 0,\n  "warnings": []\n}\n'
HINT = {
    "RI100": "check the path and that it is a readable text file",
    "RI101": "close the string with a single quote",
    "RI102": "close the quoted identifier with a double quote",
    "RI103": "close the comment with */",
    "RI104": "close the dollar-quoted body with the same $tag$",
    "RI105": "the input is not UTF-8 text; convert it (iconv -t UTF-8)",
    "RI110": "see the statement's syntax in the Redshift Database Developer Guide",
    "RI111": "an option the tool does not know may need a permission; check its spelling "
             "against the Redshift reference",
    "RI113": "the Redshift reference forbids this combination",
    "RI115": "add the missing part",
    "RI120": "write the location as s3://bucket/key with a valid bucket name",
    "RI121": "replace the placeholder with the real value (the CLI reads template placeholders: "
             "--var NAME=VALUE)",
    "RI122": "use an AWS Region code such as us-east-1",
    "RW206": "IAM treats * and ? as wildcards; the grant also matches other keys",
}


# --- helpers ---------------------------------------------------------------------------------

def invoke(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def block(where: str, severity: str, code: str, message: str,
          snippet: tuple[int, str, int] | None = None) -> str:
    """One rendered diagnostic: ``where: severity CODE: message``, the snippet (line number,
    line text as shown, 1-based caret column) and the hint."""
    text = f"{where}: " if where else ""
    text += f"{severity} {code}: {message}\n"
    if snippet:
        number, line, caret = snippet
        text += f"{number:>5} | {line}\n      | {' ' * (caret - 1)}^\n"
    return text + f"    hint: {HINT[code]}\n"


def error(where: str, code: str, message: str,
          snippet: tuple[int, str, int] | None = None) -> str:
    return block(where, "error", code, message, snippet)


def col(text: str, needle: str) -> int:
    """The 1-based column of the one occurrence of ``needle`` in a one-line ``text``."""
    assert text.count(needle) == 1, needle
    return text.index(needle) + 1


def windowed(line: str, caret: int) -> tuple[str, int]:
    """A one-line snippet's text and caret column as shown: a caret past column 101 shows
    the line from 50 characters before it, after "..." (``Source.snippet``'s window)."""
    if caret - 1 <= 100:
        return line, caret
    return "..." + line[caret - 1 - 50:], 54


def tail(problems: int = 1) -> str:
    return f"redshift-iam: {problems} problem(s); no document written\n"


def assert_failed(result: Result, stderr: str, exit_code: int = 1) -> None:
    """A failure: the exact exit code and stderr, nothing on stdout, no traceback."""
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert (result.exit_code, result.stdout, result.stderr) == (exit_code, "", stderr)


def assert_ok(result: Result, stderr: str = "") -> object:
    """Exit 0, the exact stderr, and stdout that parses as JSON (returned)."""
    assert "Traceback" not in result.stderr
    assert (result.exit_code, result.stderr) == (0, stderr), result.stderr
    return json.loads(result.stdout)


def policy_of(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def get_list(bucket: str, key: str, list_sid: str) -> dict[str, object]:
    """The COPY-from-prefix policy for ``s3://bucket/key``."""
    return policy_of(
        {"Sid": "S3GetObject", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/{key}*"},
        {"Sid": list_sid, "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringLike": {"s3:prefix": f"{key}*"}}},
    )


@pytest.fixture
def write(tmp_path: Path):
    """Write a script (text or bytes) to a file and return its path."""
    def make(content: str | bytes, name: str = "s.sql") -> str:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)
    return make


# --- empty input and comments ----------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"\n\t  \n", b"\xef\xbb\xbf", b";;\n;"],
                         ids=["empty", "whitespace", "bom-only", "semicolons-only"])
def test_empty_file(write, content: bytes) -> None:
    path = write(content)
    assert assert_ok(invoke("generate", path)) == json.loads(EMPTY_BUNDLE)
    assert invoke("generate", path).stdout == EMPTY_BUNDLE
    explained = invoke("explain", path)
    assert (explained.exit_code, explained.stdout, explained.stderr) == (
        0, "0 statement(s) touch AWS; 0 skipped.\n", "")
    for command in ("policy", "trust"):
        assert_failed(invoke(command, path), NOTHING)


def test_empty_stdin() -> None:
    assert invoke("generate", stdin="").stdout == EMPTY_BUNDLE
    explained = assert_ok(invoke("explain", "--format", "json", stdin=""))
    assert (explained["statements"], explained["skipped"], explained["diagnostics"]) == (
        [], 0, [])
    for command in ("policy", "trust"):
        assert_failed(invoke(command, "-", stdin=""), NOTHING)


COMMENTS_ONLY = (
    "-- copy t from 's3://bkt/d/' iam_role default;\n"
    "/* unload ('select 1') to 's3://bkt/u/'\n   iam_role default; */\n"
    "--\n"
)


def test_only_comments_need_nothing(write) -> None:
    """SQL inside comments is not read: no grant, no principal, no error."""
    path = write(COMMENTS_ONLY)
    for command in ("policy", "trust"):
        assert_failed(invoke(command, path), NOTHING)
    bundle = assert_ok(invoke("generate", path))
    assert (bundle["principals"], bundle["warnings"]) == ([], [])


@pytest.mark.parametrize("script, skipped", [
    (COMMENTS_ONLY, 0),
    ("select 1; -- done\n", 1),
    ("select 1;\n/* end */\n", 1),
], ids=["comments-only", "trailing-line-comment", "trailing-block-comment"])
def test_comments_are_not_statements(script: str, skipped: int) -> None:
    assert assert_ok(invoke("generate", stdin=script))["skipped"] == skipped


def test_comment_ends_at_carriage_return() -> None:
    script = b"-- nightly load\rcopy t from 's3://bkt/d/' iam_role default;\r"
    bundle = assert_ok(invoke("generate", stdin=script))
    assert [p["principal"] for p in bundle["principals"]] == ["default"]


def test_crlf_line_endings_keep_positions() -> None:
    script = b"select 1;\r\n-- c\r\ncopy t from 's3://bkt/d/' iam_role default frob;\r\n"
    assert_failed(invoke("policy", stdin=script), error(
        "<stdin>:3:44", "RI111", "unknown COPY option 'frob'",
        (3, "copy t from 's3://bkt/d/' iam_role default frob;", 44)) + tail())


# --- binary and non-UTF-8 input --------------------------------------------------------------

@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "copy t from 's3://bkt/d/' iam_role default;".encode("utf-16"),
    "copy t from 's3://bkt/d/' iam_role default;".encode("utf-16-le"),
    random.Random(105).randbytes(65536),
    b"copy t from 's3://bkt/d/' iam_role default;\n" * 100 + b"\x00",
], ids=["png", "utf-16-bom", "utf-16-le", "random-64k", "nul-at-end"])
def test_binary_input(write, content: bytes) -> None:
    path = write(content, "b.sql")
    for command in ("policy", "generate", "explain"):
        assert_failed(invoke(command, path), error(
            f"{path}:1:1", "RI105", f"{path} looks binary (it holds NUL bytes)") + tail())
    assert_failed(invoke("generate", stdin=content), error(
        "<stdin>:1:1", "RI105", "<stdin> looks binary (it holds NUL bytes)") + tail())


@pytest.mark.parametrize("content, where, message", [
    (b"\xff\xfe\xfd", "1:1", "byte 0xff at offset 0 is not UTF-8"),
    # Latin-1 on line 2; the column counts characters, the offset bytes (the caf\xc3\xa9 is
    # valid UTF-8 and one character)
    (b"-- caf\xc3\xa9\nselect '\xe9';", "2:9", "byte 0xe9 at offset 17 is not UTF-8"),
    # Windows-1252 smart quotes in an S3 key
    (b"select 1;\n\n  copy t from 's3://bkt/\x93k\x94' iam_role default;", "3:25",
     "byte 0x93 at offset 35 is not UTF-8"),
    # an overlong encoding of '/', a UTF-16 surrogate, a sequence cut at the end of the file
    (b"copy t from 's3://bkt/\xc0\xaf' iam_role default;", "1:23",
     "byte 0xc0 at offset 22 is not UTF-8"),
    (b"copy t from 's3://bkt/\xed\xa0\x80' iam_role default;", "1:23",
     "byte 0xed at offset 22 is not UTF-8"),
    (b"copy t from 's3://bkt/d/' iam_role default; -- \xe2\x82", "1:48",
     "byte 0xe2 at offset 47 is not UTF-8"),
], ids=["no-utf8-at-all", "latin-1", "cp1252-quotes", "overlong", "surrogate", "truncated"])
def test_non_utf8_text(write, content: bytes, where: str, message: str) -> None:
    path = write(content, "l.sql")
    assert_failed(invoke("policy", path), error(f"{path}:{where}", "RI105", message) + tail())


def test_non_utf8_file_fails_the_run_but_every_file_is_checked(write) -> None:
    good = write(f"copy t from 's3://bkt/d/' iam_role '{ROLE}';", "good.sql")
    bad = write(b"select '\xe9';", "bad.sql")
    broken = write("copy t from 's3://bkt/d/' iam_role default frob;", "broken.sql")
    result = invoke("generate", good, bad, broken)
    assert_failed(result, error(f"{bad}:1:9", "RI105", "byte 0xe9 at offset 8 is not UTF-8")
                  + error(f"{broken}:1:44", "RI111", "unknown COPY option 'frob'",
                          (1, "copy t from 's3://bkt/d/' iam_role default frob;", 44))
                  + tail(2))


# --- unterminated strings, identifiers, comments and bodies ----------------------------------

@pytest.mark.parametrize("line, code, message, col, shown", [
    ("copy t from 's3://bkt/d/ iam_role default;", "RI101", "unterminated string", 13,
     "copy t from '****"),
    ("copy t from 's3://bkt/d/\\' iam_role default;", "RI101", "unterminated string", 13,
     "copy t from '****"),
    ('copy "sales from \'s3://bkt/d/\' iam_role default;', "RI102",
     "unterminated quoted identifier", 6, 'copy "sales from \'s3://bkt/d/\' iam_role default;'),
    ("copy t /* from 's3://bkt/d/' iam_role default;", "RI103", "unterminated block comment",
     8, "copy t /* from 's3://bkt/d/' iam_role default;"),
    ("unload ($$select 1) to 's3://bkt/u/' iam_role default;", "RI104",
     "unterminated dollar-quoted body", 9, "unload ($$select 1) to 's3://bkt/u/' iam_role "
                                           "default;"),
    # $q$ that never closes is a $NAME$ placeholder: the $$ after it is the unterminated body
    ("unload ($q$select 1$$) to 's3://bkt/u/' iam_role default;", "RI104",
     "unterminated dollar-quoted body", 20, "unload ($q$select 1$$) to 's3://bkt/u/' iam_role "
                                           "default;"),
], ids=["string", "string-escaped-quote", "quoted-identifier", "block-comment", "dollar",
        "dollar-tag"])
def test_unterminated(write, line: str, code: str, message: str, col: int, shown: str) -> None:
    path = write(f"select 1;\n-- the next statement never ends\n{line}\nselect 2;\n")
    for command in ("policy", "generate", "explain"):
        assert_failed(invoke(command, path),
                      error(f"{path}:3:{col}", code, message, (3, shown, col)) + tail())


def test_unterminated_string_hides_a_secret() -> None:
    script = f"copy t from 's3://bkt/d/' access_key_id 'AKIAEXAMPLE' secret_access_key '{SECRET}"
    result = invoke("generate", stdin=script)
    # hidden from the first secret-bearing option, before the open quote
    assert_failed(result, error("<stdin>:1:73", "RI101", "unterminated string",
                                (1, "copy t from 's3://bkt/d/' access_key_id 'AKIAEXAMPLE' ****",
                                 55)) + tail())
    assert SECRET[:6] not in result.stderr


# --- missing, directory, unreadable ----------------------------------------------------------

def test_missing_directory_and_unreadable_paths_are_all_reported(tmp_path: Path, write) -> None:
    good = write(f"copy t from 's3://bkt/d/' iam_role '{ROLE}';", "good.sql")
    missing = str(tmp_path / "missing.sql")
    loop = tmp_path / "loop.sql"
    loop.symlink_to(loop)
    dangling = tmp_path / "dangling.sql"
    dangling.symlink_to(tmp_path / "nowhere")
    through_file = good + "/x.sql"
    result = invoke("policy", good, missing, str(tmp_path), str(loop), str(dangling),
                    through_file)
    # the directory stands for its *.sql files (dangling, good, loop), each read once; a link
    # found in a directory is followed only to a file inside it
    assert_failed(result, "".join([
        error("", "RI100", f"{missing}: no such file"),
        error("", "RI100", f"{dangling}: symlink cannot be followed: No such file or directory"),
        error("", "RI100", f"{loop}: symlink cannot be followed: Too many levels of symbolic "
                           "links"),
        error("", "RI100", f"{through_file}: Not a directory"),
    ]) + tail(4))


@pytest.mark.parametrize("command", ["policy", "trust", "generate", "explain"])
def test_missing_file_for_every_command(tmp_path: Path, command: str) -> None:
    missing = str(tmp_path / "nope.sql")
    assert_failed(invoke(command, missing), error("", "RI100", f"{missing}: no such file")
                  + tail())


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads any file (tests/test_cli.py simulates EACCES instead)")
def test_unreadable_file(write) -> None:
    path = write(f"copy t from 's3://bkt/d/' iam_role '{ROLE}';")
    os.chmod(path, 0)
    try:
        assert_failed(invoke("policy", path),
                      error("", "RI100", f"{path}: permission denied") + tail())
    finally:
        os.chmod(path, 0o600)


def test_device_read_error(tmp_path: Path) -> None:
    """An OSError other than 'missing' or 'denied' still ends as RI100 with its reason."""
    if not Path("/proc/self/mem").exists():
        pytest.skip("needs /proc/self/mem, whose first page cannot be read")
    assert_failed(invoke("policy", "/proc/self/mem"),
                  error("", "RI100", "/proc/self/mem: Input/output error") + tail())


# --- unknown options -------------------------------------------------------------------------

@pytest.mark.parametrize("sql, at, message", [
    ("unload ('select 1') to 's3://bkt/u/' iam_role default frob", "frob",
     "unknown UNLOAD option 'frob'"),
    ("unload ('select 1') to 's3://bkt/u/' iam_role default ignoreheader 1", "ignoreheader",
     "IGNOREHEADER is not a UNLOAD option"),
    ("create library f language plpythonu from 's3://bkt/f.zip' iam_role default gzip", "gzip",
     "GZIP is not a CREATE LIBRARY option"),
    ("copy t from 's3://bkt/d/' iam_role default 'gzip'", "'gzip'",
     "unknown COPY option a quoted string"),
    ("copy t from 's3://bkt/d/' iam_role default 42", "42", "unknown COPY option '42'"),
    ("copy t from 's3://bkt/d/' iam_role default gzip;;; copy u from 's3://bkt/e/' "
     "iam_role default delimeter", "delimeter",
     "unknown COPY option 'delimeter' (did you mean DELIMITER?)"),
], ids=["unload", "copy-only-in-unload", "library", "string", "number", "second-statement"])
def test_unknown_option(sql: str, at: str, message: str) -> None:
    where = col(sql, at)
    assert_failed(invoke("generate", stdin=sql),
                  error(f"<stdin>:1:{where}", "RI111", message, (1, sql, where)) + tail())


def test_every_bad_statement_is_reported_once() -> None:
    sql = ("copy a from 's3://bkt/d/' iam_role default frob;\n"
           "unload ('x') to 's3://bkt/u/' iam_role default frob;\n"
           f"copy b from 's3://bkt/e/' iam_role '{ROLE}';\n")
    assert_failed(invoke("explain", stdin=sql), "".join([
        error("<stdin>:1:44", "RI111", "unknown COPY option 'frob'",
              (1, "copy a from 's3://bkt/d/' iam_role default frob;", 44)),
        error("<stdin>:2:48", "RI111", "unknown UNLOAD option 'frob'",
              (2, "unload ('x') to 's3://bkt/u/' iam_role default frob;", 48)),
    ]) + tail(2))


# --- the exclusions the Redshift reference states --------------------------------------------

KEYS = f"access_key_id 'AKIAIOSFODNN7EXAMPLE' secret_access_key '{SECRET}'"
CRED_KEYS = f"credentials 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;aws_secret_access_key={SECRET}'"
R = f"iam_role '{ROLE}'"
C = "copy t from 's3://bkt/d/'"
U = "unload ('select 1') to 's3://bkt/u/'"


@pytest.mark.parametrize("sql, code, message, at, secret_word", [
    # IAM_ROLE with keys or CREDENTIALS: the error points at the later of the two options; the
    # snippet masks the secret values alone (each secret-bearing word, the access key id and
    # the rest of the line show)
    (f"{C} {R} {KEYS}", "RI113", "IAM_ROLE can't be used with ACCESS_KEY_ID", "access_key_id",
     "secret_access_key"),
    (f"{C} {KEYS} {R}", "RI113", "IAM_ROLE can't be used with ACCESS_KEY_ID", "iam_role",
     "secret_access_key"),
    (f"{C} {R} secret_access_key '{SECRET}'", "RI113",
     "IAM_ROLE can't be used with SECRET_ACCESS_KEY", "secret_access_key", "secret_access_key"),
    (f"{C} {R} session_token '{TOKEN}'", "RI113", "IAM_ROLE can't be used with SESSION_TOKEN",
     "session_token", "session_token"),
    (f"{C} {R} token '{TOKEN}'", "RI113", "IAM_ROLE can't be used with TOKEN", "token '",
     "token '"),
    (f"{C} {R} with {CRED_KEYS}", "RI113", "IAM_ROLE can't be used with CREDENTIALS",
     "credentials", "credentials"),
    (f"{C} {CRED_KEYS} access_key_id 'AKIAIOSFODNN7EXAMPLE'", "RI113",
     "CREDENTIALS can't be used with ACCESS_KEY_ID", "access_key_id 'AKIA", "credentials"),
    (f"{C} credentials 'aws_iam_role={ROLE};aws_access_key_id=AKIAIOSFODNN7EXAMPLE'", "RI113",
     "CREDENTIALS can't give both aws_iam_role and access keys", "'aws_iam_role",
     "credentials"),
    # KMS_KEY_ID with CREDENTIALS (access keys this time), in both orders
    (f"{U} {CRED_KEYS} kms_key_id 'alias/k' encrypted", "RI113",
     "KMS_KEY_ID can't be used with CREDENTIALS", "kms_key_id", "credentials"),
    (f"{U} kms_key_id 'alias/k' encrypted {CRED_KEYS}", "RI113",
     "KMS_KEY_ID can't be used with CREDENTIALS", "credentials", "credentials"),
    # CLEANPATH with ALLOWOVERWRITE, the other way round from tests/test_parser.py
    (f"{U} iam_role default allowoverwrite cleanpath", "RI113",
     "CLEANPATH can't be used with ALLOWOVERWRITE", "cleanpath", None),
    # ENCRYPTED AUTO with MASTER_SYMMETRIC_KEY (either order) or with KMS_KEY_ID first: the
    # error points at ENCRYPTED
    (f"{U} iam_role default encrypted auto master_symmetric_key '{SECRET}'", "RI113",
     "ENCRYPTED AUTO can't be used with KMS_KEY_ID or MASTER_SYMMETRIC_KEY", "encrypted",
     "master_symmetric_key"),
    (f"{U} iam_role default master_symmetric_key '{SECRET}' encrypted auto", "RI113",
     "ENCRYPTED AUTO can't be used with KMS_KEY_ID or MASTER_SYMMETRIC_KEY", "encrypted",
     "master_symmetric_key"),
    (f"{U} iam_role default kms_key_id 'alias/k' encrypted auto", "RI113",
     "ENCRYPTED AUTO can't be used with KMS_KEY_ID or MASTER_SYMMETRIC_KEY", "encrypted", None),
    (f"{U} {CRED_KEYS} master_symmetric_key '{SECRET}' encrypted", "RI113",
     "MASTER_SYMMETRIC_KEY can't be used with CREDENTIALS", "master_symmetric_key",
     "credentials"),
    # SESSION_TOKEN (or TOKEN) without keys, and half a key pair
    (f"{U} session_token '{TOKEN}'", "RI115",
     "SESSION_TOKEN needs ACCESS_KEY_ID and SECRET_ACCESS_KEY", "session_token",
     "session_token"),
    (f"{C} token '{TOKEN}'", "RI115", "TOKEN needs ACCESS_KEY_ID and SECRET_ACCESS_KEY",
     "token", "token"),
    (f"{C} access_key_id 'AKIAIOSFODNN7EXAMPLE' session_token '{TOKEN}'", "RI115",
     "ACCESS_KEY_ID and SECRET_ACCESS_KEY go together", "access_key_id", "session_token"),
    (f"{C} secret_access_key '{SECRET}' session_token '{TOKEN}'", "RI115",
     "ACCESS_KEY_ID and SECRET_ACCESS_KEY go together", "secret_access_key",
     "secret_access_key"),
    (f"create library f language plpythonu from 's3://bkt/f.zip' session_token '{TOKEN}'",
     "RI115", "SESSION_TOKEN needs ACCESS_KEY_ID and SECRET_ACCESS_KEY", "session_token",
     "session_token"),
], ids=["role-then-keys", "keys-then-role", "role-secret", "role-session-token", "role-token",
        "role-with-credentials-keys", "credentials-and-key-id", "credentials-role-and-keys",
        "kms-after-credentials", "kms-before-credentials", "allowoverwrite-cleanpath",
        "auto-then-msk", "msk-then-auto", "kms-then-auto", "msk-with-credentials",
        "unload-session-token-alone", "copy-token-alone", "key-id-without-secret",
        "secret-without-key-id", "library-session-token-alone"])
def test_documented_exclusions(sql: str, code: str, message: str, at: str,
                               secret_word: str | None) -> None:
    sql += ";"
    where = col(sql, at)
    shown = sql.replace(SECRET, "****").replace(TOKEN, "****")
    assert secret_word is None or secret_word in shown  # the word shows, its value does not
    result = invoke("policy", stdin=sql + "\n")
    assert_failed(result, error(f"<stdin>:1:{where}", code, message,
                                (1, *windowed(shown, col(shown, at)))) + tail())
    for secret in (SECRET, TOKEN):
        assert secret[:8] not in result.stderr


# --- bucket names ----------------------------------------------------------------------------

RESERVED = ("the name of an access point, Multi-Region Access Point, directory or table bucket, "
            "which the tool cannot map to IAM resources yet")


@pytest.mark.parametrize("template, col", [
    ("copy t from '{}' iam_role default", 19),
    ("unload ('select 1') to '{}' iam_role default", 30),
    ("create library f language plpythonu from '{}' iam_role default", 48),
    ("copy t from 's3://bkt/d/' iam_role default json '{}'", 55),
], ids=["copy", "unload", "library", "jsonpaths"])
@pytest.mark.parametrize("uri, message", [
    ("s3:///d/", "the S3 location has no bucket name"),
    ("s3://", "the S3 location has no bucket name"),
    ("S3://", "the S3 location has no bucket name"),
    ("s3://ab/d/", "'ab' is not a valid S3 bucket name"),
    ("s3://" + "a" * 64 + "/d/", f"'{'a' * 60}...' is not a valid S3 bucket name"),
    ("s3://Acme-Raw/d/", "'Acme-Raw' is not a valid S3 bucket name"),
    ("s3://acme_raw/d/", "'acme_raw' is not a valid S3 bucket name"),
    ("s3://-acme/d/", "'-acme' is not a valid S3 bucket name"),
    ("s3://acme-/d/", "'acme-' is not a valid S3 bucket name"),
    ("s3://ac..me/d/", "'ac..me' is not a valid S3 bucket name"),
    ("s3://192.168.5.4/d/", "'192.168.5.4' is not a valid S3 bucket name"),
    ("s3://xn--acme/d/", "'xn--acme' starts with xn--, which no S3 bucket name may start with"),
    ("s3://amzn-s3-demo-bucket/d/", "'amzn-s3-demo-bucket' starts with amzn-s3-demo-, a prefix "
                                    "S3 reserves for the AWS docs' example buckets: write your "
                                    "own bucket's name"),
    ("s3://acme bucket/d/", "'acme bucket' is not a valid S3 bucket name"),
    ("s3://acmé/d/", "'acmé' is not a valid S3 bucket name"),
    ("s3://my-ap-abc123-s3alias/d/", f"'my-ap-abc123-s3alias' ends with -s3alias: {RESERVED}"),
    ("s3://b--table-s3/d/", f"'b--table-s3' ends with --table-s3: {RESERVED}"),
], ids=["no-bucket", "bare-scheme", "upper-scheme", "short", "long", "upper", "underscore",
        "leading-dash", "trailing-dash", "double-dot", "ip", "xn", "demo", "space", "unicode",
        "ap-alias", "table-bucket"])
def test_invalid_and_empty_bucket_names(template: str, col: int, uri: str, message: str) -> None:
    sql = template.format(uri)
    assert_failed(invoke("generate", stdin=sql),
                  error(f"<stdin>:1:{col}", "RI120", message, (1, sql, col)) + tail())


@pytest.mark.parametrize("bucket", ["sthree-data", "data--ol-s3", "data.mrap",
                                    "data--usw2-az1--x-s3", "data--table-s3", "bkt\n"],
                         ids=["sthree", "object-lambda", "mrap", "directory-bucket",
                              "table-bucket", "trailing-newline"])
def test_reserved_bucket_names(bucket: str) -> None:
    result = invoke("policy", stdin=f"copy t from 's3://{bucket}/d/' iam_role default")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("<stdin>:1:19: error RI120: ")


# --- S3 keys with quotes, backslashes, unicode and wildcards ---------------------------------

@pytest.mark.parametrize("literal, key", [
    ("it''s/x/", "it's/x/"),
    ("it\\'s/x/", "it's/x/"),
    ("back\\\\slash/", "back\\slash/"),
    ("back\\slash/", "back\\slash/"),
    ('"dq"/x/', '"dq"/x/'),
    ("sp ace/tab\there/", "sp ace/tab\there/"),
    ("ünï/çødé/日本/🙂/", "ünï/çødé/日本/🙂/"),
    ("semi;colon/--dash/", "semi;colon/--dash/"),
], ids=["doubled-quote", "backslash-quote", "escaped-backslash", "lone-backslash",
        "double-quotes", "space-tab", "unicode", "semicolon-dashes"])
def test_s3_key_is_kept_exactly(literal: str, key: str) -> None:
    result = invoke("policy", stdin=f"copy t from 's3://bkt/{literal}' iam_role '{ROLE}';")
    assert assert_ok(result) == get_list("bkt", key, "S3ListBucketBkt")


def test_s3_key_unicode_is_not_normalized() -> None:
    nfd = unicodedata.normalize("NFD", "café/")
    assert nfd != "café/"
    result = invoke("policy", stdin=f"copy t from 's3://bkt/{nfd}' iam_role '{ROLE}'".encode())
    assert assert_ok(result) == get_list("bkt", nfd, "S3ListBucketBkt")


@pytest.mark.parametrize("sql, key", [
    (f"copy t from 's3://bkt/logs/*/2024/' iam_role '{ROLE}'", "logs/*/2024/"),
    (f"copy t from 's3://bkt/file?.csv' iam_role '{ROLE}'", "file?.csv"),
    (f"unload ('select 1') to 's3://bkt/out*/' iam_role '{ROLE}'", "out*/"),
    (f"create library f language plpythonu from 's3://bkt/lib?.zip' iam_role '{ROLE}'",
     "lib?.zip"),
    (f"copy t from 's3://bkt/d/' iam_role '{ROLE}' json 's3://bkt/paths*.json'", "paths*.json"),
], ids=["copy-star", "copy-question", "unload", "library", "jsonpaths"])
def test_iam_wildcards_in_keys_warn(sql: str, key: str) -> None:
    where = col(sql, f"'s3://bkt/{key}'")  # the warning points at the string
    warning = block(f"<stdin>:1:{where}", "warning", "RW206",
                    f"S3 key {key!r} holds * or ?, which IAM reads as wildcards",
                    (1, sql, where))
    policy = assert_ok(invoke("policy", stdin=sql), warning)
    assert any(key in json.dumps(s["Resource"]) for s in policy["Statement"])
    bundle = assert_ok(invoke("generate", stdin=sql), warning)
    assert bundle["warnings"] == [{
        "code": "RW206", "severity": "warning",
        "message": f"S3 key {key!r} holds * or ?, which IAM reads as wildcards",
        "location": f"<stdin>:1:{where}",
        "hint": "IAM treats * and ? as wildcards; the grant also matches other keys"}]


def test_policy_variable_in_key_is_not_emitted() -> None:
    """${...} in a Resource is an IAM policy variable; the key must not reach the policy. The
    CLI reads ${aws:username} as a shell placeholder (a whole-expression one, named by its
    text) without a value: any text stands in its place, so the grant has * there."""
    sql = f"copy t from 's3://bkt/${{aws:username}}/' iam_role '{ROLE}'"
    warning = ("<stdin>:1:23: warning RW221: ${aws:username} is unresolved in the S3 key "
               "s3://bkt/${aws:username}/: granted as bkt/*/ (any text in its place)\n"
               f"    1 | {sql}\n      | {' ' * 22}^\n"
               "    hint: pass --var '${aws:username}=VALUE' to grant one prefix\n")
    result = invoke("policy", stdin=sql)
    assert (result.exit_code, result.stderr) == (0, warning)
    document = json.loads(result.stdout)
    resources = [s["Resource"] for s in document["Statement"]]
    assert resources == ["arn:aws:s3:::bkt/*/*", "arn:aws:s3:::bkt"]
    assert "${" not in result.stdout


# --- deep nesting and huge literals ----------------------------------------------------------

DEPTH = 20_000
UNLOAD_POLICY = policy_of(
    {"Sid": "S3GetObjectPutObject", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "arn:aws:s3:::bkt/u/*"},
    {"Sid": "S3ListBucketBkt", "Effect": "Allow", "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::bkt", "Condition": {"StringLike": {"s3:prefix": "u/*"}}},
)


def test_nested_parentheses_in_unload_query() -> None:
    query = "select " + "(" * DEPTH + "1" + ")" * DEPTH
    start = time.perf_counter()
    result = invoke("policy", stdin=f"unload ('{query}') to 's3://bkt/u/' iam_role '{ROLE}';")
    assert assert_ok(result) == UNLOAD_POLICY
    assert time.perf_counter() - start < 10


def test_nested_parentheses_around_unload_query() -> None:
    sql = f"unload ({'(' * DEPTH}'select 1'{')' * DEPTH}) to 's3://bkt/u/' iam_role default"
    assert_failed(invoke("policy", stdin=sql), error(
        "<stdin>:1:9", "RI110", "expected the SELECT query (a quoted string), found '('",
        (1, sql[:200] + "...", 9)) + tail())


def test_nested_parentheses_in_partition_by_and_column_list() -> None:
    nested = "(" * DEPTH + "a" + ")" * DEPTH
    unload = f"unload ('select 1') to 's3://bkt/u/' iam_role '{ROLE}' partition by {nested}"
    assert assert_ok(invoke("policy", stdin=unload)) == UNLOAD_POLICY
    copy = f"copy t {nested} from 's3://bkt/d/' iam_role '{ROLE}'"
    assert assert_ok(invoke("policy", stdin=copy)) == get_list("bkt", "d/", "S3ListBucketBkt")
    skipped = assert_ok(invoke("generate", stdin=f"select {nested};"))
    assert (skipped["principals"], skipped["skipped"]) == ([], 1)


def test_unclosed_parentheses_in_partition_by() -> None:
    prefix = "unload ('select 1') to 's3://bkt/u/' iam_role default partition by "
    sql = prefix + "(" * DEPTH + "a"
    end = len(sql)  # the caret sits just after the last token
    assert_failed(invoke("policy", stdin=sql), error(
        f"<stdin>:1:{end + 1}", "RI110", "statement ends where ')' was expected",
        (1, "..." + sql[end - 50:], 54)) + tail())


FIVE_MB = 5 * 1024 * 1024


def test_five_megabyte_query_literal() -> None:
    query = "select '" + "x" * FIVE_MB + "'"
    sql = f"unload ('{query.replace(chr(39), chr(39) * 2)}') to 's3://bkt/u/' iam_role '{ROLE}'"
    start = time.perf_counter()
    assert assert_ok(invoke("policy", stdin=sql)) == UNLOAD_POLICY
    assert time.perf_counter() - start < 20


def test_five_megabyte_unterminated_literal() -> None:
    result = invoke("policy", stdin="unload ('select " + "x" * FIVE_MB)
    assert_failed(result, error("<stdin>:1:9", "RI101", "unterminated string",
                                (1, "unload ('****", 9)) + tail())


def test_five_megabyte_word_is_cut_in_the_message() -> None:
    prefix = f"copy t from 's3://bkt/d/' iam_role '{ROLE}' "
    sql = prefix + "x" * FIVE_MB
    assert_failed(invoke("policy", stdin=sql), error(
        f"<stdin>:1:{len(prefix) + 1}", "RI111", f"unknown COPY option {'x' * 40!r}",
        (1, sql[:200] + "...", len(prefix) + 1)) + tail())


def test_five_megabyte_literal_before_an_error_keeps_the_snippet_short() -> None:
    prefix = "select '" + "x" * FIVE_MB + "'; copy t from 's3://bkt/d/' iam_role default "
    result = invoke("policy", stdin=prefix + "frob")
    col = len(prefix) + 1
    assert_failed(result, error(f"<stdin>:1:{col}", "RI111", "unknown COPY option 'frob'",
                                (1, "..." + (prefix + "frob")[col - 51:], 54)) + tail())


@pytest.mark.parametrize("sql", [
    "copy t from 's3://" + "a" * FIVE_MB + "/d/' iam_role default",
    "copy t from 's3://bkt/d/' iam_role default region '" + "a" * FIVE_MB + "'",
], ids=["bucket", "region"])
def test_five_megabyte_value_is_cut_in_the_message(sql: str) -> None:
    result = invoke("policy", stdin=sql)
    assert (result.exit_code, result.stdout) == (1, "")
    assert len(result.stderr) < 2000


@pytest.mark.parametrize("length", [1025, FIVE_MB], ids=["1025-bytes", "5MB"])
def test_overlong_s3_key_is_rejected(length: int) -> None:
    result = invoke("policy", stdin=f"copy t from 's3://bkt/{'k' * length}' iam_role default")
    assert (result.exit_code, result.stdout) == (1, "")
    first = result.stderr.splitlines()[0]
    assert first.startswith("<stdin>:1:") and " error RI120: " in first


# --- bad flags and commands ------------------------------------------------------------------

def usage(command: str, message: str) -> str:
    if command:
        return (f"Usage: redshift-iam {command} [OPTIONS] [SCRIPT]...\n"
                f"Try 'redshift-iam {command} --help' for help.\n\nError: {message}\n")
    return ("Usage: redshift-iam [OPTIONS] COMMAND [ARGS]...\n"
            f"Try 'redshift-iam --help' for help.\n\nError: {message}\n")


@pytest.mark.parametrize("args, message", [
    (["--account-id", "1234567890123"],
     "Invalid value for '--account-id': '1234567890123': an AWS account id is 12 digits"),
    (["--account-id", "12345678901a"],
     "Invalid value for '--account-id': '12345678901a': an AWS account id is 12 digits"),
    (["--account-id", " 123456789012"],
     "Invalid value for '--account-id': ' 123456789012': an AWS account id is 12 digits"),
    (["--account-id", "arn:aws:iam::123456789012:root"],
     "Invalid value for '--account-id': 'arn:aws:iam::123456789012:root': an AWS account id "
     "is 12 digits"),
    (["--region", "US-EAST-1"],
     "Invalid value for '--region': 'US-EAST-1' is not an AWS Region code (like us-east-1)"),
    (["--region", "us-east-1a"],
     "Invalid value for '--region': 'us-east-1a' is not an AWS Region code (like us-east-1)"),
    (["--region", "eu-west-1;rm -rf /"],
     "Invalid value for '--region': 'eu-west-1;rm -rf /' is not an AWS Region code (like "
     "us-east-1)"),
    (["--partition", "AWS"],
     "Invalid value for '--partition': 'AWS' is not one of 'aws', 'aws-cn', 'aws-us-gov'."),
    (["--partition", ""],
     "Invalid value for '--partition': '' is not one of 'aws', 'aws-cn', 'aws-us-gov'."),
    (["--region", "us-gov-west-1"],
     "--region us-gov-west-1 is in partition aws-us-gov, not aws; pass --partition aws-us-gov"),
    (["--region", "us-east-1", "--partition", "aws-cn"],
     "--region us-east-1 is in partition aws, not aws-cn; pass --partition aws"),
], ids=["account-13", "account-letter", "account-space", "account-arn", "region-upper",
        "region-az", "region-shell", "partition-upper", "partition-empty", "gov-region",
        "cn-partition"])
@pytest.mark.parametrize("command", ["policy", "generate"])
def test_bad_flag_values_exit_2(tmp_path: Path, write, command: str, args: list[str],
                                message: str) -> None:
    # a missing script too: the flag is reported first and alone
    path = write(f"copy t from 's3://bkt/d/' iam_role '{ROLE}';")
    for scripts in ([path], [str(tmp_path / "missing.sql")]):
        assert_failed(invoke(command, *args, *scripts), usage(command, message), exit_code=2)


@pytest.mark.parametrize("flag", ["--account-id", "--region", "--partition"])
def test_flag_without_value_exits_2(flag: str) -> None:
    assert_failed(invoke("policy", flag), f"Error: Option '{flag}' requires an argument.\n",
                  exit_code=2)


@pytest.mark.parametrize("args, sql, exit_code", [
    (["--account-id", "١٢٣٤٥٦٧٨٩٠١٢", "--region", "us-east-1"], "", 2),
    (["--account-id", "123456789012\n", "--region", "us-east-1"], "", 2),
    (["--account-id", "123456789012", "--region", "us-east-1\n"], "", 2),
    (["--account-id", "123456789012", "--region", "us-east-١"], "", 2),
    (["--account-id", "123456789012"], " region 'us-east-1\n'", 1),
], ids=["account-arabic-digits", "account-newline", "region-newline", "region-arabic-digit",
        "sql-region-newline"])
def test_lookalike_account_and_region_are_rejected(args: list[str], sql: str,
                                                   exit_code: int) -> None:
    script = f"copy t from 'dynamodb://tbl' iam_role default readratio 50{sql}"
    result = invoke("policy", *args, stdin=script)
    assert (result.exit_code, result.stdout) == (exit_code, "")
    assert ("Invalid value for" if exit_code == 2 else "error RI122") in result.stderr


@pytest.mark.parametrize("args, stderr", [
    (["frobnicate"], usage("", "No such command 'frobnicate'.")),
    ([""], usage("", "No such command ''.")),
    (["POLICY"], usage("", "No such command 'POLICY'.")),
    (["polic"], usage("", "No such command 'polic'. Did you mean 'policy'?")),
    (["--frob"], usage("", "No such option '--frob'.")),
    (["policy", "--frob"], usage("policy", "No such option '--frob'. Did you mean '--role'?")),
], ids=["unknown", "empty", "upper-case", "prefix", "group-option", "command-option"])
def test_unknown_command_exits_2(args: list[str], stderr: str) -> None:
    assert_failed(invoke(*args, stdin="copy t from 's3://bkt/d/' iam_role default"), stderr,
                  exit_code=2)


def test_no_command_prints_help_on_stderr_and_exits_2() -> None:
    result = invoke()
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Usage: redshift-iam [OPTIONS] COMMAND [ARGS]...\n")
    assert "Traceback" not in result.stderr


# --- the output folder -----------------------------------------------------------------------

COPY = f"copy t from 's3://bkt/d/' iam_role '{ROLE}';\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_out_dir_never_overwrites_foreign_files(tmp_path: Path, write) -> None:
    out = tmp_path / "iam"
    out.mkdir()
    (out / "Etl~123456789012.trust.json").write_text("hand written\n")
    before = snapshot(out)
    path = write(COPY)
    refused = invoke("generate", path, "--out-dir", str(out))
    assert_failed(refused, f"redshift-iam: {out}/Etl~123456789012.trust.json exists and was "
                           "not written by redshift-iam (or was edited since); pass --force to "
                           "replace it\n")
    # every target is checked before any is written: Etl~123456789012.policy.json (new) is not
    # written either, nor the ledger, nor a temporary file
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["Etl~123456789012.trust.json"]


def test_out_dir_keeps_unrelated_files(tmp_path: Path, write) -> None:
    out = tmp_path / "iam"
    out.mkdir()
    (out / "README.md").write_text("mine\n")
    (out / "default-role.policy.json").write_text("{}\n")  # a name a later run may produce
    assert invoke("generate", write(COPY), "--out-dir", str(out)).exit_code == 0
    # a run whose output changes still keeps files it never wrote
    other = write(f"copy t from 's3://bkt/d/' iam_role '{ROLE[:-3]}Other';", "o.sql")
    assert invoke("generate", other, "--out-dir", str(out)).exit_code == 0
    assert (out / "README.md").read_text() == "mine\n"
    assert (out / "default-role.policy.json").read_text() == "{}\n"
    assert sorted(p.name for p in out.iterdir()) == [
        ".redshift-iam.json", "Other~123456789012.policy.json", "Other~123456789012.trust.json",
        "README.md", "default-role.policy.json"]


@pytest.mark.parametrize("ledger", ["not json", "[1, 2]",
                                    '{"files": ["Etl~123456789012.trust.json"]}',
                                    '{"files": {"Etl~123456789012.trust.json": "0"}}',
                                    '{"files": null}'],
                         ids=["garbage", "list", "files-list", "wrong-hash", "null"])
def test_corrupt_ledger_adopts_nothing(tmp_path: Path, write, ledger: str) -> None:
    out = tmp_path / "iam"
    out.mkdir()
    (out / ".redshift-iam.json").write_text(ledger)
    (out / "Etl~123456789012.trust.json").write_text("hand written\n")
    before = snapshot(out)
    refused = invoke("generate", write(COPY), "--out-dir", str(out))
    assert_failed(refused, f"redshift-iam: {out}/Etl~123456789012.trust.json exists and was "
                           "not written by redshift-iam (or was edited since); pass --force to "
                           "replace it\n")
    assert snapshot(out) == before


@pytest.mark.parametrize("outside", ["relative", "absolute"])
def test_ledger_cannot_delete_files_outside_the_folder(tmp_path: Path, write,
                                                       outside: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "iam"
    out.mkdir()
    name = "../victim.txt" if outside == "relative" else str(victim)
    digest = hashlib.sha256(b"precious\n").hexdigest()
    (out / ".redshift-iam.json").write_text(json.dumps({"files": {name: digest}}))
    invoke("generate", write(COPY), "--out-dir", str(out))
    assert victim.exists() and victim.read_text() == "precious\n"


def test_bad_script_never_touches_the_out_dir(tmp_path: Path, write) -> None:
    out = tmp_path / "new" / "iam"
    path = write(COPY + "copy u from 's3://bkt/e/' iam_role default frob;\n")
    result = invoke("generate", path, "--out-dir", str(out))
    assert_failed(result, error(f"{path}:2:44", "RI111", "unknown COPY option 'frob'",
                                (2, "copy u from 's3://bkt/e/' iam_role default frob;", 44))
                  + tail())
    assert not (tmp_path / "new").exists()


# --- no half documents -----------------------------------------------------------------------

@pytest.mark.parametrize("command", ["policy", "trust", "generate", "explain"])
def test_one_bad_file_among_good_ones_prints_nothing(write, command: str) -> None:
    good = write(COPY * 50, "good.sql")
    line = "unload ('select 1') to 's3://bkt/u/' iam_role default cleanpath allowoverwrite;"
    bad = write(line, "bad.sql")
    result = invoke(command, good, bad, good)
    where = col(line, "allowoverwrite")
    assert_failed(result, error(f"{bad}:1:{where}", "RI113",
                                "CLEANPATH can't be used with ALLOWOVERWRITE", (1, line, where))
                  + tail())


# --- secrets never reach a message, even from malformed statements --------------------------

@pytest.mark.parametrize("sql", [
    f"copy t from 's3://bkt/d/' access_key_id 'AKIAIOSFODNN7EXAMPLE' secret_access_key {SECRET}",
    f"copy t from 's3://bkt/d/' access_key_id 'AKIAIOSFODNN7EXAMPLE' secret_access_key "
    f"\"{SECRET}\"",
    f"unload ('select 1') to 's3://bkt/u/' iam_role default master_symmetric_key {SECRET} "
    "encrypted",
    f"copy t from 's3://bkt/d/' credentials 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;"
    f"aws_secret_access_key:{SECRET}'",
], ids=["unquoted-secret", "double-quoted-secret", "unquoted-master-key", "colon-pair"])
def test_malformed_secret_is_not_echoed(sql: str) -> None:
    result = invoke("policy", stdin=sql)
    assert (result.exit_code, result.stdout) == (1, "")
    assert SECRET[:8] not in result.stderr


def test_value_after_an_unknown_word_is_hidden() -> None:
    sql = "copy t from 's3://bkt/d/' iam_role default secret_acess_key 'wJalrXUtnFEMI'"
    result = invoke("policy", stdin=sql)
    assert (result.exit_code, result.stdout) == (1, "")
    assert "wJalr" not in result.stderr
    assert result.stderr.splitlines()[1] == (
        "    1 | copy t from 's3://bkt/d/' iam_role default secret_acess_key****")

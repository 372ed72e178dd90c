"""Secrets never reach stdout or stderr: every command, every output and error format, on
scripts full of secrets (several statements on a line, an unterminated string, secrets in the
wrong slot, in a .env and a values file, in source code that ``scan`` reads, in a spec).

Each case asserts exact snippets and messages for the issue's examples; the sweep at the end
asserts that no secret, nor any 12-character piece of one, appears anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # the AWS docs' example secret key
SECRET2 = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
TOKEN = ("FwoGZXIvYXdzEJr//////////wEaDM4Nh7t6cUs2p0kZ0yKsAfKk0rYl4fGmSm3Xq3UQ8v1uN1qwEXAMPLE"
         "TOKENIQoJb3JpZ2luX2VjEJz//////////wEaCXVzLWVhc3QtMSJHMEUCIQDqEXAMPLE2")
MASTER = "Nt3xS6rJ2hW9kQ1pL7vB4mC8dF0gH5jK2lZ9xY3wQ1E="  # base64 of a 256-bit key
ENV_SECRET = "Zk3rQ8mP1vL6tW9yB2nC5xD7fG0hJ4sA6uE8iO1pEX"[:40]
YAML_SECRET = "Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc1Vb2Nm3As"[:40]
SECRETS = (SECRET, SECRET2, TOKEN, MASTER, ENV_SECRET, YAML_SECRET)
KEY = "AKIAIOSFODNN7EXAMPLE"
ROLE = "arn:aws:iam::123456789012:role/Etl"

# The example: the second statement's error on a line that holds the first's secret.
ONE_LINE = (f"COPY a FROM 's3://acme-in/k' ACCESS_KEY_ID '{KEY}' SECRET_ACCESS_KEY '{SECRET}' ; "
            "COPY bad FROM 's3://acme-in/k' IAM_ROLE default nonsense;\n")

SCRIPT = ONE_LINE + (
    f"COPY c FROM 's3://acme-in/k' bad2 ; COPY d FROM 's3://acme-in/k' CREDENTIALS "
    f"'aws_access_key_id={KEY};aws_secret_access_key={SECRET2};token={TOKEN}';\n"
    f"COPY e FROM 's3://acme-in/k' ACCESS_KEY_ID '{KEY}' SECRET_ACCESS_KEY '{SECRET}' "
    f"SECRET_ACCESS_KEY '{SECRET2}';\n"
    f"COPY f FROM '{SECRET}' IAM_ROLE '{ROLE}';\n"
    f"COPY g FROM 's3://acme-in/k' IAM_ROLE '{SECRET2}';\n"
    f"COPY h FROM 's3://acme-in/k' SECRET_ACCESS_KEY '{SECRET}' SESSION_TOKEN '{TOKEN}';\n"
    f"COPY i FROM 's3://acme-in/k' ACCESS_KEY_ID '{SECRET}' IAM_ROLE '{ROLE}';\n"
    f"UNLOAD ('select 1') TO 's3://acme-out/u' IAM_ROLE '{ROLE}' MASTER_SYMMETRIC_KEY "
    f"'{MASTER}' ENCRYPTED; COPY j FROM 's3://Bad_Bucket/k' IAM_ROLE '{ROLE}';\n"
    f"COPY k FROM 's3://acme-in/{{{{ where }}}}' IAM_ROLE '{ROLE}' SECRET_ACCESS_KEY "
    f"'{{{{ aws_secret }}}}';\n"
    f"UNLOAD ('select 1') TO 's3://acme-out/{{{{ where }}}}' CREDENTIALS 'aws_iam_role={ROLE};"
    f"master_symmetric_key={MASTER}' ENCRYPTED nope; COPY n FROM 's3://acme-in/k' CREDENTIALS "
    f"'aws_access_key_id={KEY};aws_secret_access_key={SECRET};token={TOKEN}' bogus;\n")
UNTERMINATED = (f"COPY l FROM 's3://acme-in/k' IAM_ROLE default; COPY m FROM 's3://acme-in/{SECRET}"
                f"\n ACCESS_KEY_ID '{KEY}' SECRET_ACCESS_KEY '{SECRET2}';\n")
ENV = (f"where=in/{ENV_SECRET}\naws_secret={ENV_SECRET}\n"
       f'AWS_SECRET_ACCESS_KEY="{ENV_SECRET}\n')  # an unterminated quote: a bad line
YAML = f"where: {YAML_SECRET}\nnested:\n  secret_access_key: {YAML_SECRET}\n"
PYTHON = (f'SQL = "COPY t FROM \'s3://acme-in/p\' SECRET_ACCESS_KEY \'{SECRET}\' ; COPY u FROM '
          f'\'s3://acme-in/p\' IAM_ROLE default junk"\n'
          f'Q = "COPY v FROM \'{SECRET2}\' IAM_ROLE default"\n'
          f'C = "COPY w FROM \'s3://acme-in/p\' CREDENTIALS \'aws_access_key_id={KEY};'
          f'aws_secret_access_key={SECRET};token={TOKEN}\' bogus"\n')
SPEC = (f"operations:\n  - copy: {{from: 's3://acme-in/k', access_key_id: {KEY}, "
        f"secret_access_key: '{SECRET}'}}\n"
        f"  - copy: {{from: 's3://acme-in/k', role: '{SECRET2}'}}\n")


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def leaked(text: str) -> list[str]:
    """Each secret of which the text holds 12 characters or more in a row."""
    return [secret[:20] for secret in SECRETS
            if any(secret[i:i + 12] in text for i in range(len(secret) - 11))]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "etl.sql").write_text(SCRIPT)
    (tmp_path / "open.sql").write_text(UNTERMINATED)
    (tmp_path / "v.env").write_text(ENV)
    (tmp_path / "v.yaml").write_text(YAML)
    (tmp_path / "good.env").write_text(ENV.rsplit("\n", 2)[0] + "\n")
    (tmp_path / "spec.yaml").write_text(SPEC)
    code = tmp_path / "repo"
    code.mkdir()
    (code / "job.py").write_text(PYTHON)
    (code / "load.sql").write_text(SCRIPT)
    (code / "open.sql").write_text(UNTERMINATED)
    return tmp_path


def test_another_statements_secret_on_the_line_is_masked(tree: Path) -> None:
    result = invoke("policy", str(tree / "etl.sql"))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    at = lines.index(f"{tree / 'etl.sql'}:2:30: error RI111: unknown COPY option 'bad2'")
    assert lines[at + 1:at + 3] == [
        "    2 | COPY c FROM 's3://acme-in/k' bad2 ; COPY d FROM 's3://acme-in/k' CREDENTIALS "
        f"'aws_access_key_id={KEY};aws_secret_access_key=****;token=****';",
        "      |                              ^"]
    short = invoke("policy", stdin=f"COPY a FROM 's3://acme-in/k' SECRET_ACCESS_KEY '{SECRET}';"
                                    " COPY b FROM 's3://acme-in/k' IAM_ROLE default bad;")
    assert short.stderr.splitlines()[4:7] == [
        "<stdin>:1:138: error RI111: unknown COPY option 'bad'",
        # the caret stands past column 100: the line shows from 50 characters before it
        "    1 | ...*'; COPY b FROM 's3://acme-in/k' IAM_ROLE default bad;",
        "      |" + " " * 54 + "^"]
    after = invoke("policy", stdin=f"COPY b FROM 's3://acme-in/k' IAM_ROLE default bad; COPY a "
                                    f"FROM 's3://acme-in/k' CREDENTIALS 'aws_access_key_id={KEY}"
                                    f";aws_secret_access_key={SECRET}';")
    assert after.stderr.splitlines()[:3] == [
        "<stdin>:1:47: error RI111: unknown COPY option 'bad'",
        "    1 | COPY b FROM 's3://acme-in/k' IAM_ROLE default bad; COPY a FROM "
        f"'s3://acme-in/k' CREDENTIALS 'aws_access_key_id={KEY};aws_secret_access_key=****';",
        "      |                                               ^"]


@pytest.mark.parametrize(("sql", "expected"), [
    # RI123: a secret given as the role
    (f"COPY g FROM 's3://acme-in/k' IAM_ROLE '{SECRET2}';",
     ["<stdin>:1:40: error RI123: '****' is not an IAM role ARN",
      "    1 | COPY g FROM 's3://acme-in/k' IAM_ROLE '****';"]),
    # RI126 / RI120: a secret where the location stands
    (f"COPY f FROM '{SECRET}' IAM_ROLE '{ROLE}';",
     ["<stdin>:1:14: error RI126: not an s3://, dynamodb:// or emr:// source; a local file "
      "needs psql's \\copy, which uses no IAM",
      f"    1 | COPY f FROM '****' IAM_ROLE '{ROLE}';"]),
    (f"UNLOAD ('select 1') TO 's3://x{SECRET}' IAM_ROLE '{ROLE}';",
     ["<stdin>:1:30: error RI120: 's3:****' does not start with a valid S3 bucket name",
      f"    1 | UNLOAD ('select 1') TO 's3:****' IAM_ROLE '{ROLE}';"]),
    # RI127: a secret key given as the access key id (the value is hidden from the key id on)
    (f"COPY i FROM 's3://acme-in/k' ACCESS_KEY_ID '{SECRET}' SECRET_ACCESS_KEY 'x';",
     ["<stdin>:1:45: error RI127: character 1 of the access key id is not an uppercase letter "
      "or digit",
      "    1 | COPY i FROM 's3://acme-in/k' ACCESS_KEY_ID '****"]),
    # RI112: a secret option given twice
    (f"COPY e FROM 's3://acme-in/k' ACCESS_KEY_ID '{KEY}' SECRET_ACCESS_KEY '{SECRET}' "
     f"SECRET_ACCESS_KEY '{SECRET2}';",
     ["<stdin>:1:128: error RI112: SECRET_ACCESS_KEY is given twice",
      f"    1 | COPY e FROM 's3://acme-in/k' ACCESS_KEY_ID '{KEY}' SECRET_ACCESS_KEY '****' "
      "SECRET_ACCESS_KEY '****';"]),
    # RI113: IAM_ROLE and keys; RI115: a key without its pair, the secret in the wrong slot
    (f"COPY i FROM 's3://acme-in/k' IAM_ROLE '{ROLE}' ACCESS_KEY_ID '{KEY}' "
     f"SECRET_ACCESS_KEY '{SECRET}';",
     ["<stdin>:1:76: error RI113: IAM_ROLE can't be used with ACCESS_KEY_ID",
      f"    1 | COPY i FROM 's3://acme-in/k' IAM_ROLE '{ROLE}' ACCESS_KEY_ID '{KEY}' "
      "SECRET_ACCESS_KEY '****';"]),
    (f"COPY h FROM 's3://acme-in/k' IAM_ROLE '{ROLE}' MASTER_SYMMETRIC_KEY '{MASTER}';",
     ["<stdin>:1:76: error RI115: MASTER_SYMMETRIC_KEY needs ENCRYPTED",
      f"    1 | COPY h FROM 's3://acme-in/k' IAM_ROLE '{ROLE}' MASTER_SYMMETRIC_KEY '****';"]),
])
def test_messages_say_where_not_what(sql: str, expected: list[str]) -> None:
    result = invoke("policy", stdin=sql)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == expected
    assert leaked(result.stderr) == []


def test_a_bad_env_line_holding_a_secret_names_only_its_key(tree: Path) -> None:
    result = invoke("policy", "--vars", str(tree / "v.env"), stdin="COPY t FROM 's3://acme-in/k'"
                                                               " IAM_ROLE default;")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{tree / 'v.env'}:3:1: error RI175: the value of AWS_SECRET_ACCESS_KEY is not one "
        "python-dotenv can read (a quote that never closes?)\n"
        "    hint: write KEY=VALUE (optionally export KEY=VALUE); close every quoted value with "
        "its own quote\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_secrets_from_values_files_do_not_reach_messages(tree: Path) -> None:
    line = f"COPY k FROM 's3://acme-in/{{{{ where }}}}' IAM_ROLE '{ROLE}' nope;"
    for values in ("good.env", "v.yaml"):
        result = invoke("policy", "--vars", str(tree / values), stdin=line)
        assert result.exit_code == 1
        assert result.stderr.splitlines()[:2] == [
            "<stdin>:1:86: error RI111: unknown COPY option 'nope'",
            f"    1 | {line}"]
        assert leaked(result.output) == []


COMMANDS = [
    ("policy",), ("trust",), ("generate",), ("generate", "--format", "terraform"),
    ("generate", "--format", "cloudformation"), ("explain",), ("explain", "--format", "json"),
    ("spec",),
]


@pytest.mark.parametrize("errors", ["text", "json"])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_command_prints_a_secret(tree: Path, command: tuple[str, ...], errors: str) -> None:
    if command == ("spec",):  # spec prints its problems as text only
        command = ("spec", "--input-format", "auto")
        errors = "text"

    def invoke(*args: str, stdin: str | None = None) -> Result:
        given = list(args)
        if command[0] == "spec":
            at = given.index("--error-format")
            del given[at:at + 2]
        return CliRunner().invoke(main, given, input=stdin)

    runs = [
        invoke(*command, str(tree / "etl.sql"), "--error-format", errors),
        invoke(*command, str(tree / "open.sql"), "--error-format", errors),
        invoke(*command, str(tree / "etl.sql"), "--vars", str(tree / "good.env"),
               "--vars", str(tree / "v.yaml"), "--error-format", errors),
        invoke(*command, str(tree / "etl.sql"), "--vars", str(tree / "v.env"),
               "--error-format", errors),
        invoke(*command, "--var", f"where={SECRET}", "--var", f"aws_secret={SECRET2}",
               "--error-format", errors, stdin=SCRIPT.splitlines()[8]),
        invoke(*command, str(tree / "spec.yaml"), "--error-format", errors),
    ]
    for result in runs:
        assert result.exit_code == 1, result.output
        assert result.stderr.strip()
        assert leaked(result.stdout + result.stderr) == []
        if errors == "json":
            assert all(json.loads(line) for line in result.stderr.splitlines())


@pytest.mark.parametrize("errors", ["text", "json"])
@pytest.mark.parametrize("form", ["text", "json"])
def test_scan_prints_no_secret(tree: Path, form: str, errors: str) -> None:
    result = invoke("scan", str(tree / "repo"), "--format", form, "--error-format", errors,
                    "--vars", str(tree / "good.env"))
    assert result.exit_code == 1
    assert "job.py" in result.stdout and "load.sql" in result.stdout
    assert leaked(result.stdout + result.stderr) == []


def test_a_credentials_string_masks_only_its_secret_values() -> None:
    sql = (f"COPY t FROM 's3://acme-in/k' CREDENTIALS 'aws_access_key_id={KEY};"
           f"aws_secret_access_key={SECRET};token={TOKEN}' bad;")
    result = invoke("policy", stdin=sql)
    assert result.exit_code == 1
    shown = (f"COPY t FROM 's3://acme-in/k' CREDENTIALS 'aws_access_key_id={KEY};"
             "aws_secret_access_key=****;token=****' bad;")
    caret = shown.index("bad")  # past column 100: the line shows from 50 before the caret
    assert result.stderr.splitlines()[:3] == [
        f"<stdin>:1:{sql.index('bad') + 1}: error RI111: unknown COPY option 'bad'",
        "    1 | ..." + shown[caret - 50:],
        "      |" + " " * 54 + "^"]
    assert leaked(result.stderr) == []


@pytest.mark.parametrize(("sql", "expected"), [
    # the example: a placeholder where the token goes; the rest of the line shows
    ("COPY t FROM 's3://bkt1/{p}' CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/R; "
     "token={x}';",
     ["<stdin>:1:41: error RI110: the CREDENTIALS string must not contain spaces",
      "    1 | COPY t FROM 's3://bkt1/{p}' CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:"
      "role/R; token=****';",
      "      |" + " " * 41 + "^"]),
    # a role-only CREDENTIALS string holds no secret: shown whole
    (f"COPY t FROM 's3://acme-in/{{p}}' CREDENTIALS 'aws_iam_role={ROLE}' nope;",
     ["<stdin>:1:94: error RI111: unknown COPY option 'nope'",
      f"    1 | COPY t FROM 's3://acme-in/{{p}}' CREDENTIALS 'aws_iam_role={ROLE}' nope;",
      "      |" + " " * 94 + "^"]),
    # an option line and a commented-out secret clause hold no secret value: shown whole
    (f"COPY t FROM 's3://acme-in/k' IAM_ROLE '{ROLE}' -- CREDENTIALS 'x'\n  GZIP nope;",
     ["<stdin>:2:8: error RI111: unknown COPY option 'nope'",
      "    2 |   GZIP nope;",
      "      |        ^"]),
])
def test_a_snippet_masks_secret_characters_only(sql: str, expected: list[str]) -> None:
    result = invoke("policy", stdin=sql)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:3] == expected


def test_scan_masks_a_secret_in_the_host_line(tree: Path) -> None:
    result = invoke("scan", str(tree / "repo" / "job.py"), "--format", "json")
    lines = result.stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if ":3:" in line and "RI111" in line)
    assert lines[at + 1].startswith("    3 | ...")  # the host line, cut around its caret
    assert lines[at + 1].endswith(f"{KEY[-7:]};aws_secret_access_key=****;token=****' bogus\"")
    assert leaked(result.stderr) == []


def test_scan_hides_a_secret_in_the_key_id_slot_of_a_host_line(tmp_path: Path) -> None:
    short = "wJalrXUtnFEMI/K7MDENG"  # too short for a secret's shape: hidden by its slot
    (tmp_path / "a.py").write_text(f"Q = \"COPY t FROM 's3://bkt/k' ACCESS_KEY_ID '{short}' "
                                   "SECRET_ACCESS_KEY 'abc'\"\n")
    result = invoke("scan", str(tmp_path / "a.py"), "--format", "json")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:3] == [
        "    1 | Q = \"COPY t FROM 's3://bkt/k' ACCESS_KEY_ID '****",
        "      |" + " " * 46 + "^"]
    assert short[:8] not in result.stderr

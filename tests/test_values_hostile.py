"""Hostile values end to end: manifests (a duplicate "entries", deep nesting, lone surrogates,
long numbers), text that is not characters in every input path (a scanned ``.py`` literal, a
``--var``, a values file, a manifest, a spec, a Jinja literal), file names that are not UTF-8,
output under ``LC_ALL=C`` / ``PYTHONIOENCODING=ascii``, and a YAML ``--vars`` date end to end.
Exact exit codes and messages throughout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

ROLE = "arn:aws:iam::123456789012:role/Etl"
MANIFEST_SQL = f"COPY t FROM 's3://acme-in/m' IAM_ROLE '{ROLE}' MANIFEST;\n"


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


# --- manifests ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ('{"entries": [{"url": "s3://acme-in/a"}],\n "entries": []}',
     ":2:2: error RI150: manifest: key 'entries' is given twice"),
    ('{"entries": [{"url": "s3://acme-in/a",\n  "url": "s3://acme-in/b"}]}',
     ":2:3: error RI150: manifest: key 'url' is given twice"),
    ('{"entries": ' + "[" * 5000 + "]" * 5000 + "}",
     ":1:44: error RI150: manifest: lists and mappings nest more than 32 levels deep here"),
    ('{"entries": [{"url": "s3://acme-in/a", "meta": {"content_length": ' + "7" * 5000 + "}}]}",
     ":1:67: error RI150: manifest: the number is too long to read"),
    ('{"entries": [{"url": "s3://acme-in/k\\ud800"}]}',
     ":1:22: error RI128: the string holds U+D800 (character 15), a lone surrogate"),
    ('{"entries": [\n {"url": "s3://acme-in/a"},\n {"url": 7}]}',
     ":3:10: error RI150: entry 2: no \"url\" string"),
])
def test_a_hostile_manifest_is_one_located_error(tmp_path: Path, text: str, expected: str) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text(text)
    result = invoke("policy", "--manifest", f"s3://acme-in/m={manifest}", stdin=MANIFEST_SQL)
    assert (result.exit_code, result.stdout) == (1, "")
    code = expected.split(" error ")[1][:5]
    hint = ('a manifest is JSON with an "entries" list of {"url": "s3://..."}' if code == "RI150"
            else "a lone surrogate (U+D800-U+DFFF) is half a character and cannot be written: "
                 "fix the \\uD8XX escape (give the whole character) or the bytes that are not "
                 "UTF-8")
    assert result.stderr == f"{manifest}{expected}\n    hint: {hint}\n"


def test_a_manifest_urls_position_is_its_own_even_when_urls_repeat(tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text('{"entries": [\n {"url": "s3://acme-in/a"},\n {"url": "s3://acme-in/a"},'
                        '\n {"url": "s3://acme-in/a*"}]}')
    result = invoke("policy", "--manifest", f"s3://acme-in/m={manifest}", stdin=MANIFEST_SQL)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"{manifest}:4:11: warning RW206: S3 key 'a*' holds * or ?, which IAM reads as "
        "wildcards")


# --- text that is not characters ------------------------------------------------------------

def test_a_surrogate_in_a_scanned_literal_skips_that_place_only(tmp_path: Path) -> None:
    (tmp_path / "job.py").write_text(
        'Q = "COPY t FROM \'s3://acme-in/k\\ud800\' IAM_ROLE \'' + ROLE + '\'"\n')
    (tmp_path / "load.sql").write_text(f"COPY u FROM 's3://acme-in/k' IAM_ROLE '{ROLE}';\n")
    result = invoke("scan", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [s["location"] for s in report["statements"]] == [f"{tmp_path}/load.sql:1:1"]
    assert report["skipped"] == [{
        "path": f"{tmp_path}/job.py", "line": 1, "col": 33,
        "reason": "RI128 the text holds U+D800 (character 28), a lone surrogate; a lone "
                  "surrogate (U+D800-U+DFFF) is half a character and cannot be written: fix "
                  "the \\uD8XX escape (give the whole character) or the bytes that are not "
                  "UTF-8"}]
    assert "\ud800" not in result.stderr
    # the snippet is the host file's line, its caret under the escape
    assert (f"    1 | Q = \"COPY t FROM 's3://acme-in/k\\ud800' IAM_ROLE '{ROLE}'\"\n"
            f"      | {' ' * 32}^\n") in result.stderr


def test_a_surrogate_from_a_template_literal_is_ri128_at_the_template() -> None:
    result = invoke("policy", "--template-style", "jinja",
                    stdin="COPY t FROM 's3://acme-in/{{ \"\\ud800\" }}' IAM_ROLE default;\n")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        "<stdin>:1:27: error RI128: the text holds U+D800 (character 27), a lone surrogate")


def test_a_var_that_is_not_utf8_is_a_usage_error() -> None:
    result = invoke("policy", "--var", "bucket=acme-\udcff",
                    stdin="COPY t FROM 's3://{{ bucket }}/' IAM_ROLE default;")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "Error: Invalid value for '--var': the --var argument holds U+DCFF (character 13), a "
        "lone surrogate; a lone surrogate (U+D800-U+DFFF) is half a character and cannot be "
        "written: fix the \\uD8XX escape (give the whole character) or the bytes that are not "
        "UTF-8\n")


@pytest.mark.parametrize(("name", "text", "where"), [
    ("s.json", '{"operations": [{"copy": {"from": "s3://acme-in/\\udfff", "role": "' + ROLE
     + '"}}]}', "1:35"),
    ("s.yaml", 'operations:\n  - copy: {from: "s3://acme-in/\\udfff", role: ' + ROLE + "}\n",
     "2:18"),
])
def test_a_surrogate_in_a_spec_is_ri128(tmp_path: Path, name: str, text: str, where: str) -> None:
    spec = tmp_path / name
    spec.write_text(text)
    result = invoke("policy", str(spec))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        f"{spec}:{where}: error RI128: the string holds U+DFFF (character 14), a lone surrogate")


def test_a_manifest_flag_uri_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text('{"entries": []}')
    result = invoke("policy", "--manifest", f"s3://acme-in/\udcff={manifest}", stdin=MANIFEST_SQL)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith("Error: --manifest 's3://acme-in/\\udcff': expected "
                                  "s3://bucket/key\n")


# --- output that cannot be encoded ------------------------------------------------------------

def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "redshift_iam", *args], cwd=cwd,
                          env={**os.environ, **env}, capture_output=True, timeout=120)


@pytest.mark.parametrize("env", [{"LC_ALL": "C", "LANG": "C"}, {"PYTHONIOENCODING": "ascii"},
                                 {"PYTHONIOENCODING": "latin-1"},
                                 {"PYTHONIOENCODING": "utf-8:strict"}],
                         ids=lambda env: ",".join(f"{k}={v}" for k, v in env.items()))
def test_output_never_fails_to_encode(tmp_path: Path, env: dict[str, str]) -> None:
    bad_name = os.fsdecode(b"\xff-load.sql")
    (tmp_path / bad_name).write_text(f"COPY t FROM 's3://acme-in/\u20ac/k' IAM_ROLE '{ROLE}';\n")
    (tmp_path / "broken.sql").write_text(f"COPY t FROM 's3://acme-in/\u20ac/k' IAM_ROLE '{ROLE}' "
                                         "junk;\n")
    (tmp_path / os.fsdecode(b"\xfe-bad.sql")).write_text("COPY t FROM 's3://acme-in/' junk;\n")
    runs = [_run(["policy", bad_name], env, tmp_path),
            _run(["explain", bad_name], env, tmp_path),
            _run(["policy", "broken.sql", "--error-format", "json"], env, tmp_path),
            _run(["policy", os.fsdecode(b"\xfe-bad.sql")], env, tmp_path),
            _run(["scan", ".", "--format", "text"], env, tmp_path),
            _run(["scan", ".", "--format", "json"], env, tmp_path)]
    assert [run.returncode for run in runs] == [0, 0, 1, 1, 1, 1]
    for run in runs:
        assert b"Traceback" not in run.stderr and b"internal error" not in run.stderr
    policy = json.loads(runs[0].stdout)
    assert policy["Statement"][0]["Resource"] == "arn:aws:s3:::acme-in/\u20ac/k*"
    report = json.loads(runs[5].stdout)
    assert [s["location"] for s in report["statements"]] == ["\udcff-load.sql:1:1"]
    assert [(s["path"], s["reason"][:5]) for s in report["skipped"]] == [
        ("broken.sql", "RI111"), ("\udcfe-bad.sql", "RI111")]
    errors = [json.loads(line) for line in runs[2].stderr.decode("ascii", "replace").splitlines()]
    assert errors[0]["code"] == "RI111"


# --- a dbt-style date through --vars, end to end -----------------------------------------------

def test_a_yaml_date_is_the_text_as_written(tmp_path: Path) -> None:
    values = tmp_path / "vars.yaml"
    values.write_text("ds: 2024-06-01\nat: 2024-06-01T10:00:00Z\n")
    result = invoke("policy", "--vars", str(values),
                    stdin=f"COPY t FROM 's3://acme-in/{{{{ ds }}}}/{{{{ at }}}}/' IAM_ROLE "
                          f"'{ROLE}';")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["Statement"][0]["Resource"] == (
        "arn:aws:s3:::acme-in/2024-06-01/2024-06-01T10:00:00Z/*")


def test_a_manifest_that_is_not_a_regular_file_is_not_read(tmp_path: Path) -> None:
    link = tmp_path / "m.json"
    link.symlink_to("/dev/zero")
    result = invoke("policy", "--manifest", f"s3://acme-in/m={link}", stdin=MANIFEST_SQL)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(f"Error: --manifest s3://acme-in/m={link}: cannot read {link}: "
                                  "not a regular file\n")


def test_a_dotenv_file_end_to_end(tmp_path: Path, monkeypatch) -> None:
    """The issue's examples: a quoted value with a comment after it, ``${OTHER}`` expanded from
    the file; the user's own environment is never read."""
    monkeypatch.setenv("DS", "from-the-environment")
    values = tmp_path / ".env"
    values.write_text('BUCKET="acme-in"   # the raw bucket\nexport PREFIX=${BUCKET}-raw\n'
                      "DS=${DS:-2024-06-01}\n")
    result = invoke("policy", "--vars", str(values),
                    stdin=f"COPY t FROM 's3://${{BUCKET}}/${{PREFIX}}/${{DS}}/' IAM_ROLE '{ROLE}';")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["Statement"][0]["Resource"] == (
        "arn:aws:s3:::acme-in/acme-in-raw/2024-06-01/*")

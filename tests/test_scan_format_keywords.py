"""``.format()`` keyword arguments (and ``%`` dict entries) that are not literals are named by
their source text, as positional arguments are: ``sql.format(bucket=cfg.bucket)`` names
``{bucket}`` ``cfg.bucket``, so the hint is ``--var cfg.bucket=VALUE`` and a value the code
states for ``cfg.bucket`` fills it. A plain name keeps the field's name (an alias of the
module constant); a call is named by its text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/R"
BRIEF = ("import cfg\n"
         "\n"
         "sql = \"COPY t FROM 's3://{bucket}/k/' IAM_ROLE '{role}' CSV;\"\n"
         "\n"
         "def load(cur):\n"
         "    cur.execute(sql.format(bucket=cfg.bucket, role=get_role()))\n")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str]) -> None:
        for name, text in files.items():
            (tmp_path / name).write_text(text)
    return write


def scan(*args: str) -> Result:
    return CliRunner().invoke(main, ["scan", ".", *args])


def names(result: Result) -> list[tuple[str, str, str]]:
    report = json.loads(result.stdout)
    return [(p["name"], p["location"], p["status"])
            for s in report["statements"] for p in s["placeholders"]]


def grants(result: Result) -> list[tuple[str, str]]:
    report = json.loads(result.stdout)
    return sorted((g["action"], g["resource"]) for s in report["statements"]
                  for g in s["grants"])


def as_policy(result: Result) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": resource}
        for action, resource in grants(result)]}


def test_keyword_attribute_and_call_are_named_by_their_text(repo) -> None:
    repo({"etl.py": BRIEF})
    result = scan("--format", "json")
    assert result.exit_code == 1
    assert names(result) == [("cfg.bucket", "etl.py:3:26", "unresolved"),
                             ("get_role()", "etl.py:3:49", "unresolved")]
    line = "    3 | sql = \"COPY t FROM 's3://{bucket}/k/' IAM_ROLE '{role}' CSV;\"\n"
    assert result.stderr == (
        "etl.py:3:26: unresolved RI145: variable cfg.bucket ({bucket}) is unresolved in the "
        "S3 location of this COPY (s3://{bucket}/k/): its grants are left out\n"
        + line + "      |" + " " * 26 + "^\n"
        "    hint: pass --var cfg.bucket=VALUE\n"
        "etl.py:3:49: unresolved RI146: {role} is unresolved in the role (IAM_ROLE or "
        "aws_iam_role=) of this COPY: who gets the permissions is never guessed\n"
        + line + "      |" + " " * 49 + "^\n"
        "    hint: pass --var 'get_role()=VALUE'\n"
        "redshift-iam: 2 unresolved need(s)\n")


def test_the_hinted_names_fill_the_keyword_fields(repo) -> None:
    repo({"etl.py": BRIEF})
    result = scan("--format", "json", "--var", "cfg.bucket=bkt", "--var", f"get_role()={ROLE}")
    assert (result.exit_code, result.stderr) == (0, "")
    assert names(result) == [("cfg.bucket", "etl.py:3:26", "resolved"),
                             ("get_role()", "etl.py:3:49", "resolved")]
    assert grants(result) == [("s3:GetObject", "arn:aws:s3:::bkt/k/*"),
                              ("s3:ListBucket", "arn:aws:s3:::bkt")]
    policy = as_policy(result)
    assert allowed([policy], "s3:GetObject", "arn:aws:s3:::bkt/k/a.csv")
    assert not allowed([policy], "s3:GetObject", "arn:aws:s3:::bkt/other/a.csv")
    # the field's own name is no longer what the placeholder is known by
    unused = scan("--format", "json", "--var", "bucket=bkt", "--var", f"get_role()={ROLE}")
    assert unused.exit_code == 1
    assert "warning RW225: --var bucket fills no placeholder of the input" in unused.stderr


def test_a_value_the_code_states_fills_a_keyword_and_a_percent_entry(repo) -> None:
    repo({"dwh.cfg": "[S3]\nBUCKET = bkt-ini\n",
          "etl.py": "import configparser\n"
                    "config = configparser.ConfigParser()\n"
                    "config.read('dwh.cfg')\n"
                    f"sql = \"COPY t FROM 's3://{{bucket}}/k/' IAM_ROLE '{ROLE}' CSV;\"\n"
                    "def load(cur):\n"
                    "    cur.execute(sql.format(bucket=config['S3']['BUCKET']))\n"
                    f"    cur.execute(\"UNLOAD ('select 1') TO 's3://%(b)s/u/' IAM_ROLE '{ROLE}';\""
                    " % {\"b\": config['S3']['BUCKET']})\n"})
    result = scan("--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    report = json.loads(result.stdout)
    assert [(p["name"], p["status"], p["value"]) for s in report["statements"]
            for p in s["placeholders"]] == [("config.S3.BUCKET", "resolved", "bkt-ini"),
                                            ("config.S3.BUCKET", "resolved", "bkt-ini")]
    assert grants(result) == [
        ("s3:GetObject", "arn:aws:s3:::bkt-ini/k/*"), ("s3:GetObject", "arn:aws:s3:::bkt-ini/u/*"),
        ("s3:ListBucket", "arn:aws:s3:::bkt-ini"), ("s3:ListBucket", "arn:aws:s3:::bkt-ini"),
        ("s3:PutObject", "arn:aws:s3:::bkt-ini/u/*")]


@pytest.mark.parametrize(("call", "name"), [
    ("'{p}'.format(p=opts.prefix)", "opts.prefix"),
    ("'{p}'.format(p=settings['prefix'])", "settings.prefix"),
    ("'{p.sub}'.format(p=opts.prefix)", "opts.prefix.sub"),
    ("'{p}'.format(p=prefix)", "p"),  # a plain name: the field's name (an alias)
    ("'{p}'.format(**extra, p=opts.prefix)", "opts.prefix"),
    ("'%(p)s' % {'p': opts.prefix}", "opts.prefix"),
    ("'%(p)s' % {'p': opts.prefix, **extra}", "p"),  # the unpacking may override it
])
def test_each_keyword_form_names_its_field(repo, call: str, name: str) -> None:
    quote = call[0]
    template = call[1:call.index(quote, 1)]
    rest = call[call.index(quote, 1) + 1:]
    repo({"etl.py": f"def load(cur, opts, settings, prefix, extra):\n"
                    f"    cur.execute(\"COPY t FROM 's3://bkt/{template}/' IAM_ROLE '{ROLE}' "
                    f"CSV;\"{rest})\n"})
    result = scan("--format", "json")
    assert names(result) == [(name, "etl.py:2:40", "wildcard")]
    assert f"    hint: pass --var {name}=VALUE to grant one prefix\n" in result.stderr

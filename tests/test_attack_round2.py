"""Attack round 2 on issue 15 (hostile repositories): each test is one finding that reproduces
on main, written as the behaviour the project promises, and marked xfail(strict=True) so the
suite stays green until the finding is fixed (then the marker must go)."""

from __future__ import annotations

import json

import pytest

from tests.iam_eval import allowed
from tests.rendering import R, reads, writes
from tests.rendering import policy as policy_cli
from tests.rendering import scan as scan_cli

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ARGS = ("--account-id", "123456789012", "--region", "us-east-1")


def _every_rendering_or_exit_1(run, bucket: str, prefix: str) -> None:
    """The issue's standard: every rendering allowed, or exit 1."""
    assert run.code == 1 or reads(run.policies(), bucket, prefix), run.stderr


# --- silent under-grants: scanned Python ----------------------------------------------------

REBINDS = {
    "globals() item": 'globals()["B"] = "prod-bkt"\n',
    "globals().update": 'globals().update(B="prod-bkt")\n',
    "vars() item": 'vars()["B"] = "prod-bkt"\n',
    "setattr on the module": 'import sys\nsetattr(sys.modules[__name__], "B", "prod-bkt")\n',
}


@pytest.mark.xfail(strict=True, reason="attack: module constant rebound through globals()/vars()/setattr")
@pytest.mark.parametrize("rebind", REBINDS.values(), ids=REBINDS.keys())
def test_constant_rebound_through_namespace_dict(tmp_path, rebind):
    source = (f'B = "dev-bkt"\n{rebind}'
              f'def f(cur):\n    cur.execute(f"COPY t FROM \'s3://{{B}}/k/\' {R}")\n')
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS)
    _every_rendering_or_exit_1(run, "prod-bkt", "k/")


@pytest.mark.xfail(strict=True, reason="attack: SQL variable rewritten by .replace() in a branch")
def test_sql_variable_replaced_in_a_branch(tmp_path):
    source = ("def f(cur, prod):\n"
              f"    sql = \"COPY t FROM 's3://dev-bkt/k/' {R}\"\n"
              "    if prod:\n"
              "        sql = sql.replace('dev-bkt', 'prod-bkt')\n"
              "    cur.execute(sql)\n")
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS)
    _every_rendering_or_exit_1(run, "prod-bkt", "k/")


APPENDED = {
    "+= literal MANIFEST under if": ("def f(cur, manifest):\n"
                                     f"    sql = \"COPY t FROM 's3://acme/m' {R} CSV\"\n"
                                     "    if manifest:\n        sql += ' MANIFEST'\n"
                                     "    cur.execute(sql)\n"),
    "constant + literal": (f"BASE = \"COPY t FROM 's3://acme/m' {R} CSV\"\n"
                           "def f(cur):\n    cur.execute(BASE + ' MANIFEST')\n"),
    "' '.join with a parameter": ("def f(cur, opts):\n"
                                  f"    cur.execute(' '.join([\"COPY t FROM 's3://acme/m' {R} CSV\","
                                  " opts]))\n"),
    "sql = sql + f-string KMS_KEY_ID": (
        "def f(cur, key):\n"
        f"    sql = \"UNLOAD ('select 1') TO 's3://acme/u/' {R}\"\n"
        "    sql = sql + f\" KMS_KEY_ID '{key}' ENCRYPTED\"\n"
        "    cur.execute(sql)\n"),
}


@pytest.mark.xfail(strict=True, reason="attack: options appended to a scanned SQL literal are ignored")
@pytest.mark.parametrize("source", APPENDED.values(), ids=APPENDED.keys())
def test_options_appended_to_a_literal_are_not_ignored(tmp_path, source):
    """Text added to a found statement (MANIFEST, KMS_KEY_ID...) changes its grants: the
    statement is unresolved (RI148, or RI142 for a literal MANIFEST) or skipped, exit 1;
    never granted as the bare literal with exit 0."""
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS, "--format", "json")
    assert run.code == 1, run.stdout
    report = json.loads(run.stdout)
    codes = {entry["code"] for entry in report["unresolved"]}
    assert codes & {"RI148", "RI142"} or report["skipped"], report

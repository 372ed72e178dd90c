"""Attack on issue 17 (placeholders in grammar slots, extended literals in scan, psql includes,
Jinja mutation, masking): each test is one finding that reproduces on main, written as the
behaviour the project promises and marked xfail(strict=True) so the suite stays green until
the finding is fixed (then the marker must go). Tests without the marker are attacks that held."""

from __future__ import annotations

import contextlib
import json

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.iam_eval import allowed
from tests.rendering import ATTACK_ARGS as ARGS
from tests.rendering import R, reads
from tests.rendering import attack as _attack
from tests.rendering import policy as policy_cli
from tests.rendering import scan as scan_cli


def _every_rendering_or_exit_1(run, bucket: str, prefix: str) -> None:
    """The issue's standard for ``policy``: every rendering allowed, or exit 1."""
    if run.code == 1:
        return
    assert run.code == 0, run.stderr
    assert reads([json.loads(run.stdout)], bucket, prefix), run.stdout


# --- silent under-grants: a Jinja block in a column list that closes it ---------------------

COLUMN_BLOCKS = {
    "if: a ( in a comment balances the )": (
        "COPY t ({% if x %}a /*(*/) FROM 's3://other-bkt/k/' " + R + " --{% else %}a"
        "{% endif %}) FROM 's3://bkt/k/' " + R + ";\n"),
    "if: a ( in a quoted identifier balances the )": (
        "COPY t ({% if x %}a, \"(\") FROM 's3://other-bkt/k/' " + R + " --{% else %}a"
        "{% endif %}) FROM 's3://bkt/k/' " + R + ";\n"),
    "for over unknown columns: a ( in a comment": (
        "COPY t ({% for c in cols %}{{ c }} /*(*/) FROM 's3://other-bkt/k/' " + R + " --"
        "{% endfor %}) FROM 's3://bkt/k/' " + R + ";\n"),
}


@pytest.mark.parametrize("text", [
    pytest.param(text, id=key, marks=[_attack(
        "a for block has no recorded branches: its body's comment hides the ) that closes "
        "the list (exit 0, the other source's bucket never granted)")] if key.startswith("for")
        else []) for key, text in COLUMN_BLOCKS.items()])
def test_column_list_block_closing_the_list_is_not_any_columns(tmp_path, text):
    run = policy_cli(tmp_path, "c.sql", text, *ARGS)
    _every_rendering_or_exit_1(run, "other-bkt", "k/")


# --- silent under-grants: Jinja state changed in place through another name ----------------

def _jinja_copy(prelude: str) -> str:
    return prelude + " COPY t FROM 's3://acme/{{ l|last }}/k/' " + R + " CSV;\n"


ALIASED = {
    "alias then mutate": "{% set l = ['dev'] %}{% set m = l %}{% if x %}"
                         "{% set _ = m.append('prod') %}{% endif %}",
    "bound method": "{% set l = ['dev'] %}{% set f = l.append %}{% if x %}"
                    "{% set _ = f('prod') %}{% endif %}",
    "attr filter": "{% set l = ['dev'] %}{% if x %}"
                   "{% set _ = (l|attr('append'))('prod') %}{% endif %}",
    "through a dict attribute": "{% set d = {'l': ['dev']} %}{% set l = d.l %}{% if x %}"
                                "{% set _ = d.l.append('prod') %}{% endif %}",
    "through a dict subscript": "{% set d = {'l': ['dev']} %}{% set l = d['l'] %}{% if x %}"
                                "{% set _ = d['l'].append('prod') %}{% endif %}",
}


@pytest.mark.parametrize("prelude", ALIASED.values(), ids=ALIASED.keys())
def test_mutation_through_another_name_leaves_the_value_unknown(tmp_path, prelude):
    run = policy_cli(tmp_path, "j.sql", _jinja_copy(prelude), *ARGS)
    _every_rendering_or_exit_1(run, "acme", "prod/k/")


# --- silent under-grants: a scanned constant read into a longer text ------------------------

BASE = f"BASE = \"COPY t FROM 's3://acme/m' {R} CSV\"\n"
EXTENDED = {
    "% on the name": "    cur.execute('%s MANIFEST' % BASE)\n",
    "% with a dict": "    cur.execute('%(b)s MANIFEST' % {'b': BASE})\n",
    ".format positional": "    sql = '{} MANIFEST'.format(BASE)\n    cur.execute(sql)\n",
    ".format keyword": "    cur.execute('{b} {o}'.format(b=BASE, o='MANIFEST'))\n",
    "BASE.__add__": "    cur.execute(BASE.__add__(' MANIFEST'))\n",
    "str.__add__": "    cur.execute(str.__add__(BASE, ' MANIFEST'))\n",
    "operator.add": "    import operator\n    cur.execute(operator.add(BASE, ' MANIFEST'))\n",
    "list extend then join": ("    parts = [BASE]\n    parts.extend([' MANIFEST'])\n"
                              "    cur.execute(''.join(parts))\n"),
    "string.Template": ("    import string\n"
                        "    cur.execute(string.Template('$b MANIFEST').substitute(b=BASE))\n"),
    "BASE.replace": "    cur.execute(BASE.replace('CSV', 'CSV MANIFEST'))\n",
    "BASE.rstrip() + text": "    cur.execute(BASE.rstrip() + ' MANIFEST')\n",
    "alias then +=": "    sql = BASE\n    sql += ' MANIFEST'\n    cur.execute(sql)\n",
    "join over filter(None, [...])": ("    cur.execute(' '.join(filter(None, "
                                      "[BASE, ' MANIFEST'])))\n"),
    "join over [BASE] + list": "    cur.execute(' '.join([BASE] + ['MANIFEST']))\n",
}


_STILL_OPEN = {"list extend then join", "alias then +="}


@pytest.mark.parametrize("use", [
    pytest.param(use, id=key, marks=[_attack(
        "a constant copied into a list or another name, then extended, is found as the bare "
        "literal: exit 0, MANIFEST (RI142) never seen")] if key in _STILL_OPEN else [])
    for key, use in EXTENDED.items()])
def test_constant_read_into_a_longer_text_is_not_the_statement(tmp_path, use):
    run = scan_cli(tmp_path, {"m.py": BASE + "def f(cur):\n" + use}, *ARGS, "--format", "json")
    assert run.code == 1, run.stdout
    report = json.loads(run.stdout)
    assert report["skipped"] or {u["code"] for u in report["unresolved"]} & {"RI142", "RI148"}


@_attack("+= on a nonlocal variable inside a nested function is not seen: exit 0, bare literal")
def test_sql_appended_in_a_nested_function(tmp_path):
    source = ("def f(cur):\n"
              f"    sql = \"COPY t FROM 's3://acme/m' {R} CSV\"\n"
              "    def g():\n        nonlocal sql\n        sql += ' MANIFEST'\n"
              "    g()\n    cur.execute(sql)\n")
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS, "--format", "json")
    assert run.code == 1, run.stdout


# --- leaks: a secret holding an escaped quote is masked only up to the quote -----------------

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
QUOTED = (f"COPY t FROM 's3://acme/k/' CREDENTIALS 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;"
          f"aws_secret_access_key={SECRET[:10]}''{SECRET[10:]}';\n")


@pytest.mark.parametrize("command", ["policy", "explain", "lint"])
def test_secret_with_a_doubled_quote_is_masked_whole(tmp_path, command):
    (tmp_path / "k.sql").write_text(QUOTED)
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(main, [command, "k.sql"])
    assert "RW203" in result.stdout + result.stderr
    assert SECRET[10:] not in result.stdout + result.stderr


def test_scan_snippet_masks_a_secret_with_a_doubled_quote(tmp_path):
    source = f"def f(cur):\n    cur.execute(\"{QUOTED.strip()}\")\n"
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS, "--format", "text")
    assert "RW203" in run.stderr
    assert SECRET[10:] not in run.stdout + run.stderr


KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@_attack("PARTITION BY's Jinja for: a ( in a comment balances the ) that closes the list, so "
         "KMS_KEY_ID after it is never read: exit 0 without kms:GenerateDataKey")
def test_partition_by_block_closing_the_list_is_not_any_columns(tmp_path):
    text = ("UNLOAD ('select 1') TO 's3://acme/u/' " + R + " PARTITION BY ("
            "{% for c in cols %}{{ c }} /*(*/) KMS_KEY_ID '" + KEY + "' ENCRYPTED --"
            "{% endfor %});\n")
    run = policy_cli(tmp_path, "u.sql", text, *ARGS)
    if run.code != 1:
        assert run.code == 0, run.stderr
        assert allowed([json.loads(run.stdout)], "kms:GenerateDataKey", KEY), run.stdout


def test_scan_snippet_masks_a_secret_continued_on_the_next_host_line(tmp_path):
    source = ("def f(cur):\n    cur.execute(\"COPY t FROM 's3://acme/k/' CREDENTIALS "
              "'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;aws_secret_access_key="
              f"{SECRET[:10]}\\\n{SECRET[10:]}' BAD;\")\n")
    for form in ("text", "json"):
        run = scan_cli(tmp_path, {"m.py": source}, *ARGS, "--format", form)
        assert "RI111" in run.stderr + run.stdout
        assert SECRET[10:] not in run.stdout + run.stderr


@_attack("a class attribute read into a longer text (Q.BASE + ' MANIFEST') is found as the bare "
         "literal: exit 0")
def test_class_attribute_read_into_a_longer_text(tmp_path):
    source = (f"class Q:\n    BASE = \"COPY t FROM 's3://acme/m' {R} CSV\"\n"
              "def f(cur):\n    cur.execute(Q.BASE + ' MANIFEST')\n")
    run = scan_cli(tmp_path, {"m.py": source}, *ARGS, "--format", "json")
    assert run.code == 1, run.stdout

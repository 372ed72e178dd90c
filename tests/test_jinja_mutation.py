"""A variable changed in place inside an ``if``/``for`` whose test is unknown is unknown after
it (docs/templates.md), as one set there is: any branch could have run. A mutating method
(``append``, ``update``, ``pop``, cycler ``next``) or a call of a variable the template sets (a
``joiner``) changes it; a method that only reads (``index``) does not, nor does a block whose
test is known."""

from __future__ import annotations

import json

import pytest

from tests.rendering import R
from tests.rendering import policy as policy_cli


def _copy(before: str, key: str) -> str:
    return before + f"COPY t FROM 's3://acme/{key}/k' {R} CSV;"


UNKNOWN_AFTER = {
    "append under if": ("{% set l = ['dev'] %}{% if x %}{% set _ = l.append('prod') %}{% endif %}",
                        "{{ l|last }}", "x"),
    "update under if": ("{% set d = {'b': 'dev'} %}{% if x %}{% set _ = d.update({'b': 'p'}) %}"
                        "{% endif %}", "{{ d.b }}", "x"),
    "pop in a for": ("{% set l = ['dev', 'prod'] %}{% for e in envs %}{% set _ = l.pop() %}"
                     "{% endfor %}", "{{ l|last }}", "envs"),
    "joiner under if": ("{% set j = joiner('x') %}{% if x %}{% set _ = j() %}{% endif %}",
                        "{{ j() }}", "x"),
}


@pytest.mark.parametrize(("before", "key", "name"), UNKNOWN_AFTER.values(),
                         ids=UNKNOWN_AFTER.keys())
def test_a_value_changed_in_an_unknown_block_is_unknown_after(tmp_path, before, key, name):
    run = policy_cli(tmp_path, "t.sql", _copy(before, key))
    column = len(before) + len("COPY t FROM 's3://acme/") + 1
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines()[0] == (
        f"t.sql:1:{column}: warning RW221: variable {name} ({key}) is unresolved in the S3 key "
        f"s3://acme/{key}/k: granted as acme/*/k (any text in its place)")
    assert json.loads(run.stdout)["Statement"][0]["Resource"] == "arn:aws:s3:::acme/*/k*"


KNOWN_AFTER = {
    "a reading method": ("{% set l = ['dev'] %}{% if x %}{% set _ = l.index('dev') %}{% endif %}",
                         "{{ l|last }}", "dev"),
    "a known test": ("{% set l = ['dev'] %}{% if true %}{% set _ = l.append('prod') %}"
                     "{% endif %}", "{{ l|last }}", "prod"),
    "a call of a helper": ("{% if x %}{% set _ = range(2) %}{% endif %}{% set l = range(3) %}",
                           "{{ l|last }}", "2"),
}


@pytest.mark.parametrize(("before", "key", "value"), KNOWN_AFTER.values(), ids=KNOWN_AFTER.keys())
def test_a_value_not_changed_by_the_block_keeps_its_value(tmp_path, before, key, value):
    run = policy_cli(tmp_path, "t.sql", _copy(before, key))
    assert (run.code, run.stderr) == (0, "")
    assert json.loads(run.stdout)["Statement"][0]["Resource"] == f"arn:aws:s3:::acme/{value}/k*"

"""Every rendering covered, or unresolved (RULES "Templated SQL"): a Jinja value that depends on
an undefined variable through a filter, a test, concatenation, slicing, a ``set`` inside an
``if``, or a random helper is unknown as a whole. Each case is judged against real renderings:
the template rendered by plain jinja2 with sampled values, read as plain SQL, and every request
that SQL needs checked with the IAM evaluator against the policy of the template (exit 0), or
the template is unresolved (exit 1)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/etl"
R = f"IAM_ROLE '{ROLE}'"
SAMPLES = ({"x": "ab", "env": "prod"}, {"x": "Prod", "env": "dev"},
           {"x": "a/b/cdefghijk", "env": "qa"}, {"x": "", "env": ""})


def _cli(cwd: Path, sql: str, *args: str):
    (cwd / "t.sql").write_text(sql)
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, ["policy", "t.sql", *args], catch_exceptions=False)


def requests_of(document: dict) -> list[tuple[str, str, dict[str, str]]]:
    """The requests a policy of plain SQL stands for (each * made concrete)."""
    found = []
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [
            statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [
            statement["Resource"]]
        context = {key: value.replace("*", "x") for keys in
                   statement.get("Condition", {}).values() for key, value in keys.items()}
        found += [(action, resource.replace("*", "x"), context)
                  for action in actions for resource in resources]
    return found


def covered(tmp_path: Path, sql: str, samples=SAMPLES) -> list[str]:
    """The template's policy allows what every sampled rendering needs; its resources."""
    result = _cli(tmp_path, sql)
    assert result.exit_code == 0, result.stderr
    policy = json.loads(result.stdout)
    for values in samples:
        plain = jinja2.Environment().from_string(sql).render(**values)
        needs = _cli(tmp_path, plain)
        assert needs.exit_code == 0, (plain, needs.stderr)
        for action, resource, context in requests_of(json.loads(needs.stdout)):
            assert allowed([policy], action, resource, context), (plain, action, resource)
    return [statement["Resource"] for statement in policy["Statement"]]


def unresolved(tmp_path: Path, sql: str) -> str:
    """The template is unresolved: exit 1, nothing on stdout; the first diagnostic line."""
    result = _cli(tmp_path, sql)
    assert (result.exit_code, result.stdout) == (1, "")
    return result.stderr.splitlines()[0]


KEY = "COPY t FROM 's3://acme/{}/' " + R + ";\n"


# -- a filter over an undefined value: the issue's `x|string|length` was granted as p3
@pytest.mark.parametrize("expression", [
    "p{{ x|string|length }}", "{{ x|lower }}", "{{ x|trim }}", "{{ x|default('dev') }}",
    "{{ x|replace('a', 'b') }}", "{{ x|upper|truncate(3) }}",
])
def test_a_filtered_undefined_value_is_any_text_in_a_key(tmp_path, expression):
    resources = covered(tmp_path, KEY.format(expression))
    prefix = "p" if expression.startswith("p") else ""
    assert resources == [f"arn:aws:s3:::acme/{prefix}*/*", "arn:aws:s3:::acme"]


def test_a_filtered_undefined_value_in_the_bucket_is_unresolved(tmp_path):
    line = unresolved(tmp_path, f"COPY t FROM 's3://{{{{ x|lower }}}}/k/' {R};\n")
    assert line.startswith("t.sql:1:19: unresolved RI145: variable x ({{ x|lower }})")


# -- a test on an undefined value decides an `if`: the block is unknown
@pytest.mark.parametrize("test", ["x is none", "x|lower == 'prod'", "x is defined",
                                  "'a' in x", "x|length > 3", "x is string"])
def test_an_if_on_a_tested_undefined_value_is_an_unknown_block(tmp_path, test):
    sql = f"COPY t FROM 's3://acme/k/' {R} {{% if {test} %}}MANIFEST{{% endif %}};\n"
    assert unresolved(tmp_path, sql).startswith(
        f"t.sql:1:74: unresolved RI148: variable x ({{% if {test} %}}) is unresolved in the "
        "options of this COPY")


@pytest.mark.parametrize("test", ["x is none", "x|lower == 'prod'", "x ~ '' == 'p'"])
def test_a_tested_undefined_value_choosing_the_bucket_is_unresolved(tmp_path, test):
    sql = (f"COPY t FROM 's3://{{% if {test} %}}acme-prod{{% else %}}acme-dev{{% endif %}}/k/' "
           f"{R};\n")
    assert unresolved(tmp_path, sql).startswith("t.sql:1:19: unresolved RI145: variable x")


@pytest.mark.parametrize("test", ["x is none", "x|lower == 'prod'", "x[1:] == 'b'"])
def test_a_tested_undefined_value_choosing_a_key_is_any_key(tmp_path, test):
    sql = KEY.format(f"{{% if {test} %}}prod{{% else %}}dev{{% endif %}}")
    assert covered(tmp_path, sql) == ["arn:aws:s3:::acme/*/*", "arn:aws:s3:::acme"]


# -- concatenation and slicing: in place when spliced, unknown as a whole when used
@pytest.mark.parametrize(("expression", "resource"), [
    ("{{ 'sales/' ~ x ~ '/day' }}", "arn:aws:s3:::acme/sales/*/day/*"),
    ("{{ x[1:] }}", "arn:aws:s3:::acme/*/*"),
    ("{{ (x ~ '')|length }}", "arn:aws:s3:::acme/*/*"),
    ("{{ ['sales', x]|join('/') }}", "arn:aws:s3:::acme/sales/*/*"),
    ("{{ 'sales/{}'.format(x) }}", "arn:aws:s3:::acme/*/*"),
])
def test_concatenation_and_slicing_of_an_undefined_value(tmp_path, expression, resource):
    assert covered(tmp_path, KEY.format(expression)) == [resource, "arn:aws:s3:::acme"]


def test_an_if_on_a_concatenated_undefined_value_is_unknown(tmp_path):
    sql = f"COPY t FROM 's3://acme/k/' {R} {{% if x ~ '' %}}MANIFEST{{% endif %}};\n"
    assert unresolved(tmp_path, sql).startswith("t.sql:1:74: unresolved RI148: variable x")


# -- {% set %} inside an if on an unknown variable: every branch is possible
SET_IN_IF = [
    # the example: only one branch's value was used
    "{% if env == 'prod' %}{% set b = 'acme-prod' %}{% else %}{% set b = 'acme-dev' %}"
    "{% endif %}",
    "{% set b = 'acme-dev' %}{% if env == 'prod' %}{% set b = 'acme-prod' %}{% endif %}",
    "{% set b = 'acme-dev' %}{% if env == 'qa' %}{% elif env == 'prod' %}"
    "{% set b = 'acme-prod' %}{% endif %}",
    "{% set ns = namespace(b='acme-dev') %}{% if env is none %}{% set ns.b = 'acme-prod' %}"
    "{% endif %}{% set b = ns.b %}",
    "{% set ns = namespace(b='acme-dev') %}{% for e in env %}{% set ns.b = 'acme-prod' %}"
    "{% endfor %}{% set b = ns.b %}",
]


@pytest.mark.parametrize("prelude", SET_IN_IF)
def test_a_set_inside_an_unknown_if_makes_the_bucket_unresolved(tmp_path, prelude):
    line = unresolved(tmp_path, f"{prelude}COPY t FROM 's3://{{{{ b }}}}/k/' {R};\n")
    assert "unresolved RI145: variable env ({{ b }})" in line


@pytest.mark.parametrize("prelude", [
    "{% if env == 'prod' %}{% set p = 'a' %}{% else %}{% set p = 'b' %}{% endif %}",
    "{% macro pick() %}{% if env %}{% set p = 'a' %}{% endif %}{{ p }}{% endmacro %}"
    "{% set p = pick() %}",
    "{% set p = 'b' %}{% if env|length > 2 %}{% set p, q = 'a', 'c' %}{% endif %}",
])
def test_a_set_inside_an_unknown_if_makes_a_key_any_key(tmp_path, prelude):
    sql = prelude + KEY.format("{{ p }}")
    assert covered(tmp_path, sql) == ["arn:aws:s3:::acme/*/*", "arn:aws:s3:::acme"]


def test_with_the_variable_given_the_branch_is_taken(tmp_path):
    sql = SET_IN_IF[0] + f"COPY t FROM 's3://{{{{ b }}}}/k/' {R};\n"
    result = _cli(tmp_path, sql, "--var", "env=prod")
    assert result.exit_code == 0
    assert [s["Resource"] for s in json.loads(result.stdout)["Statement"]] == [
        "arn:aws:s3:::acme-prod/k/*", "arn:aws:s3:::acme-prod"]


# -- random helpers: the text could be any of them, and the output never varies
@pytest.mark.parametrize("expression", ["{{ ['a', 'b', 'c']|random }}", "{{ lipsum(1) }}",
                                        "{{ range(9)|random }}"])
def test_a_random_helper_is_any_text_and_the_output_never_varies(tmp_path, expression):
    sql = KEY.format(expression)
    first = _cli(tmp_path, sql)
    assert all(_cli(tmp_path, sql).stdout == first.stdout for _ in range(3))
    assert [s["Resource"] for s in json.loads(first.stdout)["Statement"]] == [
        "arn:aws:s3:::acme/*/*", "arn:aws:s3:::acme"]
    samples = [{} for _ in range(6)]
    assert covered(tmp_path, sql, samples) == ["arn:aws:s3:::acme/*/*", "arn:aws:s3:::acme"]


def test_a_random_choice_of_bucket_is_unresolved(tmp_path):
    sql = f"COPY t FROM 's3://{{{{ ['acme-a', 'acme-b']|random }}}}/k/' {R};\n"
    assert unresolved(tmp_path, sql).startswith("t.sql:1:19: unresolved RI145: variable random")


def test_a_cycler_is_deterministic_and_read(tmp_path):
    sql = ("{% set c = cycler('acme-a', 'acme-b') %}{% for i in range(2) %}"
           f"COPY t FROM 's3://{{{{ c.next() }}}}/k/' {R};\n{{% endfor %}}")
    assert covered(tmp_path, sql, [{}]) == [
        ["arn:aws:s3:::acme-a/k/*", "arn:aws:s3:::acme-b/k/*"], "arn:aws:s3:::acme-a",
        "arn:aws:s3:::acme-b"]

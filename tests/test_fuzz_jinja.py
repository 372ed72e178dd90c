"""Fuzz: Jinja templates mixing filters, tests, ``set``, ``if`` and ``for`` around undefined and
defined values. Property: the policy of the template (exit 0) allows what every sampled
rendering needs (the template rendered by plain jinja2, read as plain SQL, judged with the IAM
evaluator), or the template is unresolved (exit 1); never a traceback, never a private-use
character in what is printed. Seeded with the issue's examples."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import jinja2
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment

from redshift_iam.cli.main import main
from tests.iam_eval import allowed
from tests.test_jinja_every_rendering import requests_of

ROLE = "arn:aws:iam::123456789012:role/etl"
PRIVATE = re.compile("[\ue000-\uf8ff]")
UNSET = object()
# x and flag are never given to the tool: every value is a possible rendering (unset too)
SAMPLES = ({"x": "ab", "flag": True}, {"x": "prod", "flag": False}, {"x": "", "flag": UNSET},
           {"x": UNSET, "flag": True}, {"x": "Prod", "flag": False})
GIVEN = ("--var", "d=sales")

EXPRESSIONS = st.sampled_from([
    "x", "d", "x|lower", "x|trim", "x|string", "x|string|length", "x|default('dev')", "x ~ ''",
    "d ~ '/' ~ x", "x[1:]", "d|upper", "[d, x]|join('/')", "'p' ~ (x|length)", "v", "ns.v",
    "x|replace('a', 'b')", "(x ~ 'q')|length", "d if flag else 'e'", "x if x else 'z'",
    "['a', 'b']|random", "'{}-{}'.format(d, x)", "x['\\ue000']", "'\\ue001' ~ x",
])
TESTS = st.sampled_from([
    "x", "x is none", "x is defined", "x|lower == 'prod'", "'a' in x", "d == 'sales'", "flag",
    "x ~ '' == 'a'", "v == 'a'", "ns.v == 'n'", "x|length > 1", "not flag", "x is string",
])


@st.composite
def statements(draw) -> str:
    expression, test = draw(EXPRESSIONS), draw(TESTS)
    return draw(st.sampled_from([
        f"{{% set v = {expression} %}}",
        f"{{% if {test} %}}{{% set v = {expression} %}}{{% endif %}}",
        f"{{% if {test} %}}{{% set v = 'a' %}}{{% else %}}{{% set v = 'b' %}}{{% endif %}}",
        f"{{% set ns.v = {expression} %}}",
        f"{{% for i in [1, 2] %}}{{% set ns.v = {expression} %}}{{% endfor %}}",
        f"{{% for i in x %}}{{% set ns.v = {expression} %}}{{% endfor %}}",
        f"{{% if {test} %}}{{% set ns.v = 'f' %}}{{% elif flag %}}{{% set v = 'g' %}}"
        "{% endif %}",
        f"{{% macro m(a) %}}{{{{ a|lower }}}}{{% if {test} %}}-{{% endif %}}{{% endmacro %}}"
        f"{{% set v = m({expression}) %}}",
        f"{{% with w = {expression} %}}{{% set ns.v = w %}}{{% endwith %}}",
        f"{{% set v %}}{{{{ {expression} }}}}{{% endset %}}",
        f"{{% set v | upper %}}{{{{ {expression} }}}}-{{% endset %}}",
        f"{{% for i in ['a', 'b'] if {test} %}}{{% set ns.v = i %}}{{% endfor %}}",
    ]))


@st.composite
def key_parts(draw) -> str:
    expression, test = draw(EXPRESSIONS), draw(TESTS)
    return draw(st.sampled_from([
        "k", f"{{{{ {expression} }}}}", f"{{% if {test} %}}a{{% else %}}b{{% endif %}}",
        f"{{% if {test} %}}{{{{ {expression} }}}}{{% endif %}}",
        f"{{% filter lower %}}{{{{ {expression} }}}}{{% endfilter %}}",
        f"{{% macro k() %}}{{{{ caller() }}}}{{% endmacro %}}{{% call k() %}}{{{{ {expression} }}}}"
        "{% endcall %}",
    ]))


@st.composite
def templates(draw) -> str:
    prelude = "".join(draw(st.lists(statements(), max_size=3)))
    key = "/".join(draw(st.lists(key_parts(), min_size=1, max_size=3)))
    bucket = draw(st.sampled_from(["acme", "acme", "{{ d }}-raw", "{{ v }}", "{{ x|lower }}"]))
    options = draw(st.sampled_from(["", "", "{% if T %}MANIFEST{% endif %}",
                                    "{% if T %}GZIP{% endif %}"])).replace("T", draw(TESTS))
    return ("{% set ns = namespace(v='n') %}{% set v = 'w' %}" + prelude
            + f"COPY t FROM 's3://{bucket}/{key}/' IAM_ROLE '{ROLE}' {options};\n")


def _policy(cwd: Path, sql: str, *args: str):
    (cwd / "t.sql").write_text(sql)
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(main, ["policy", "t.sql", *args], catch_exceptions=False)
    assert not PRIVATE.search(result.stdout + result.stderr), result.stderr
    return result


def _renderings(sql: str) -> list[str]:
    """The template rendered by plain jinja2 with each sample (an unset name is undefined;
    a sample the template cannot render with is not a rendering)."""
    env = SandboxedEnvironment(undefined=jinja2.ChainableUndefined)
    found = []
    for sample in SAMPLES:
        values = {name: value for name, value in sample.items() if value is not UNSET}
        for _ in range(2 if "random" in sql else 1):
            with contextlib.suppress(jinja2.TemplateError, TypeError, ValueError):
                found.append(env.from_string(sql).render(d="sales", **values))
    return found


def _holds(cwd: Path, sql: str) -> None:
    result = _policy(cwd, sql, *GIVEN)
    if result.exit_code == 1:
        assert result.stdout == ""
        return
    assert result.exit_code == 0, result.stderr
    policy = json.loads(result.stdout)
    for plain in _renderings(sql):
        needs = _policy(cwd, plain)
        if needs.exit_code != 0:  # this rendering is not valid SQL (a bucket 'a/b'...)
            continue
        for action, resource, context in requests_of(json.loads(needs.stdout)):
            assert allowed([policy], action, resource, context), (sql, plain, action, resource)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(templates())
@example(f"COPY t FROM 's3://acme/p{{{{ x|string|length }}}}/' IAM_ROLE '{ROLE}';\n")
@example(f"COPY t FROM 's3://acme/{{{{ x|lower }}}}{{{{ x|trim }}}}/' IAM_ROLE '{ROLE}';\n")
@example(f"COPY t FROM 's3://acme/k/' IAM_ROLE '{ROLE}' {{% if x is none %}}MANIFEST"
         "{% endif %};\n")
@example(f"{{% if x ~ '' %}}{{% set b = 'acme-prod' %}}{{% else %}}{{% set b = 'acme-dev' %}}"
         f"{{% endif %}}COPY t FROM 's3://{{{{ b }}}}/k/' IAM_ROLE '{ROLE}';\n")
@example(f"COPY t FROM 's3://acme/{{{{ x|default('dev') }}}}/' IAM_ROLE '{ROLE}';\n")
@example(f"COPY t FROM 's3://acme/{{{{ ['a', 'b']|random }}}}/' IAM_ROLE '{ROLE}';\n")
def test_every_rendering_is_allowed_or_the_template_is_unresolved(tmp_path_factory, sql):
    _holds(tmp_path_factory.mktemp("fuzz"), sql)

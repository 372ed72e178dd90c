"""Jinja templates: rendered by jinja2 in the sandbox, undefined variables as sentinels named by
their dotted path, if/for on unknown variables as jinja-block placeholders, dbt's functions,
confined includes, bounded work, and offsets traced back to the template."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.core.diagnostics import InputError, Location
from redshift_iam.core.placeholders import SENTINEL, sentinel
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import Value, parse_var, template
from redshift_iam.inputs.templating import jinja as jinja_module
from tests.helpers import examples

S = sentinel


def run(sql: str, *specs: str, template_path: str | None = None, name: str = "t.sql"):
    return template(Source(name, sql), dict(parse_var(spec) for spec in specs),
                    template_path=template_path)


def shape(result) -> list[tuple[str, str, str, str, str | None, str]]:
    return [(p.form, p.name, p.text, str(p.location), p.value, p.origin)
            for p in result.placeholders]


def fails(sql: str, **kwargs) -> tuple[str, str, str]:
    with pytest.raises(InputError) as caught:
        run(sql, **kwargs)
    diagnostic = caught.value.diagnostic
    return diagnostic.code, diagnostic.message, str(diagnostic.location)


AIRFLOW = ("COPY sales\nFROM 's3://{{ params.bucket }}/sales/{{ ds }}/'\n"
           "IAM_ROLE '{{ var('iam_role') }}'\n{% if full %}MANIFEST{% endif %};\n")


def test_airflow_template_without_values():
    result = run(AIRFLOW)
    assert result.text == (f"COPY sales\nFROM 's3://{S(0)}/sales/{S(1)}/'\n"
                           f"IAM_ROLE '{S(2)}'\n{S(3)};\n")
    assert shape(result) == [
        ("jinja", "params.bucket", "{{ params.bucket }}", "t.sql:2:12", None, ""),
        ("jinja", "ds", "{{ ds }}", "t.sql:2:38", None, ""),
        ("jinja", "iam_role", "{{ var('iam_role') }}", "t.sql:3:11", None, ""),
        ("jinja-block", "full", "{% if full %}", "t.sql:4:1", None, "")]
    for found in SENTINEL.finditer(result.text):
        placeholder = result.placeholders[int(found.group("index"))]
        assert result.location(found.start()) == placeholder.location


def test_airflow_template_with_values():
    result = run(AIRFLOW, "params.bucket=acme", "ds=2026-01-02", "iam_role=arn:aws:iam::1:role/R",
                 "full=true")
    assert result.text == ("COPY sales\nFROM 's3://acme/sales/2026-01-02/'\n"
                           "IAM_ROLE 'arn:aws:iam::1:role/R'\nMANIFEST;\n")
    assert shape(result) == [
        ("jinja", "params.bucket", "{{ params.bucket }}", "t.sql:2:12", "acme",
         "--var params.bucket"),
        ("jinja", "ds", "{{ ds }}", "t.sql:2:38", "2026-01-02", "--var ds"),
        ("jinja", "iam_role", "{{ var('iam_role') }}", "t.sql:3:11", "arn:aws:iam::1:role/R",
         "--var iam_role")]
    # literal text maps 1:1, a value to its expression's start
    text = result.text
    assert result.location(text.index("acme")) == Location("t.sql", 2, 12)
    assert result.location(text.index("acme") + 3) == Location("t.sql", 2, 12)
    assert result.location(text.index("/sales")) == Location("t.sql", 2, 31)
    assert result.location(text.index("MANIFEST")) == Location("t.sql", 4, 14)
    assert result.template_offset(text.index("MANIFEST")) == AIRFLOW.index("MANIFEST")
    assert run(AIRFLOW, "full=").text.endswith("IAM_ROLE '" + S(2) + "'\n;\n")


def test_a_missing_key_of_a_given_mapping_is_named_by_its_full_path():
    result = run("FROM 's3://{{ params.bucket }}/{{ params['key'] }}/{{ cfg.a.b }}'",
                 "params.bucket=acme")
    assert result.text == f"FROM 's3://acme/{S(1)}/{S(2)}'"
    assert [p.name for p in result.placeholders] == ["params.bucket", "params.key", "cfg.a.b"]


def test_undefined_inside_an_expression_keeps_its_sentinel():
    result = run("FROM '{{ 's3://' ~ bucket ~ '/k' }}' {{ opts | upper }}")
    assert result.text == f"FROM 's3://{S(0)}/k' {S(1)}"
    assert [(p.name, str(p.location)) for p in result.placeholders] == [
        ("bucket", "t.sql:1:7"), ("opts", "t.sql:1:38")]


def test_if_elif_else_and_for_on_unknown_variables_are_jinja_blocks():
    sql = ("A{% if mode == 'full' %}MANIFEST{% elif x %}GZIP{% else %}CSV{% endif %}B\n"
           "{% for t in tables %}COPY {{ t }};{% endfor %}C")
    result = run(sql)
    assert result.text == f"A{S(0)}B\n{S(1)}C"
    assert shape(result) == [
        ("jinja-block", "mode,x", "{% if mode == 'full' %}", "t.sql:1:2", None, ""),
        ("jinja-block", "tables", "{% for t in tables %}", "t.sql:2:1", None, "")]
    assert dict(result.branches) == {0: ("MANIFEST", "GZIP", "CSV")}  # the for has none
    assert run(sql, "mode=full").text == "AMANIFESTB\n" + S(0) + "C"
    assert run(sql, "mode=inc", "x=true").text == "AGZIPB\n" + S(0) + "C"
    assert run(sql, "mode=inc", "x=", "tables=a").text == "ACSVB\nCOPY a;C"


def test_branches_are_recorded_only_when_plain_text():
    result = run("{% if a %} GZIP{% endif %}{% if b %}{{ x }}{% else %}Y{% endif %}"
                 "{% if c -%} A {%- elif d %}{% if e %}E{% endif %}{% endif %}")
    assert result.text == S(0) + S(1) + S(2)
    assert dict(result.branches) == {0: (" GZIP", "")}


def test_elif_on_an_unknown_variable_after_a_known_false_test():
    result = run("{% if a %}X{% elif b is defined %}Y{% else %}Z{% endif %}", "a=")
    assert result.text == S(0)
    assert shape(result) == [("jinja-block", "b", "{% if a %}", "t.sql:1:1", None, "")]


def test_known_loops_render_with_values_from_a_file(tmp_path):
    path = tmp_path / "vars.yaml"
    path.write_text("tables:\n  - sales\n  - items\n")
    from redshift_iam.inputs.templating import load_vars
    from redshift_iam.spec import yaml_tree

    sql = "{% for t in tables -%}\nCOPY {{ t }} FROM 's3://b/{{ t }}/';\n{% endfor %}"
    result = template(Source("t.sql", sql), load_vars(str(path), yaml_tree))
    assert result.text == "COPY sales FROM 's3://b/sales/';\nCOPY items FROM 's3://b/items/';\n"
    assert result.location(0) == Location("t.sql", 2, 1)
    assert result.location(result.text.index("FROM", 20)) == Location("t.sql", 2, 14)


def test_dbt_functions_read_only_the_given_values(monkeypatch):
    monkeypatch.setenv("BUCKET", "from-the-real-environment")
    sql = ("{{ config(materialized='table') }}COPY {{ ref('stg_sales') }}, {{ source('raw', 'x') }}"
           " FROM 's3://{{ env_var('BUCKET') }}/{{ var('prefix', 'dflt') }}/{{ target.name }}'"
           "{% if is_incremental() %} MANIFEST{% endif %}")
    result = run(sql)
    assert result.text == f"COPY stg_sales, raw.x FROM 's3://{S(3)}/dflt/{S(5)}'{S(6)}"
    assert [(p.form, p.name, p.value) for p in result.placeholders] == [
        ("jinja", "config(materialized='table')", ""),
        ("jinja", "ref('stg_sales')", "stg_sales"),
        ("jinja", "source('raw', 'x')", "raw.x"),
        ("jinja", "BUCKET", None),
        ("jinja", "prefix", "dflt"),  # dbt's default: the value the project states
        ("jinja", "target.name", None),
        ("jinja-block", "is_incremental", None)]
    assert result.placeholders[4].origin == "default in template"
    assert os.environ["BUCKET"] == "from-the-real-environment"
    given = run(sql, "BUCKET=acme", "target.name=prod", "is_incremental=true")
    assert given.text == "COPY stg_sales, raw.x FROM 's3://acme/dflt/prod' MANIFEST"


def test_captured_text_is_exact_and_maps_to_the_call():
    sql = ("{% macro load(t) %}COPY {{ t }} FROM 's3://{{ bucket }}/{{ t }}/'{% endmacro %}"
           "{% set opts %}GZIP{% endset %}{{ load('sales') }} {{ opts | lower }};")
    result = run(sql, "bucket=acme")
    assert result.text == "COPY sales FROM 's3://acme/sales/' gzip;"
    call = sql.index("{{ load")
    assert {result.template_offset(i) for i in range(len("COPY sales FROM 's3://acme/sales/'"))} \
        == {call}
    assert run(sql).text == f"COPY sales FROM 's3://{S(1)}/sales/' gzip;"


def test_whitespace_control_and_raw_blocks_keep_the_map():
    sql = "A  {%- if true -%}  B  {%- endif %}\n{% raw %}{{ x }}{% endraw %} {# c #}D"
    result = run(sql)
    assert result.text == "AB\n{{ x }} D"
    assert [result.template_offset(i) for i in range(len(result.text))] == [
        0, 20, 35, 45, 46, 47, 48, 49, 50, 51, 64, 72]


def test_include_under_template_path(tmp_path):
    (tmp_path / "opts.sql").write_text("MANIFEST\n{{ extra }}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "role.sql").write_text("IAM_ROLE '{{ role }}'")
    sql = "COPY t FROM 's3://b/k'\n{% include 'sub/role.sql' %}\n{% include 'opts.sql' %};"
    result = run(sql, "role=R", template_path=str(tmp_path))
    assert result.text == f"COPY t FROM 's3://b/k'\nIAM_ROLE 'R'\nMANIFEST\n{S(1)};"
    opts = str(tmp_path / "opts.sql")
    assert shape(result) == [
        ("jinja", "role", "{{ role }}", f"{tmp_path / 'sub' / 'role.sql'}:1:11", "R", "--var role"),
        ("jinja", "extra", "{{ extra }}", f"{opts}:2:1", None, "")]
    manifest = result.text.index("MANIFEST")
    assert result.location(manifest + 2) == Location(opts, 1, 3)
    assert result.template_offset(manifest + 2) == sql.index("{% include 'opts")


def test_a_missing_include_is_a_jinja_block(tmp_path):
    sql = "COPY t FROM 's3://b/k' {% include 'copy_options.sql' %};"
    for path in (None, str(tmp_path)):
        result = run(sql, template_path=path)
        assert result.text == f"COPY t FROM 's3://b/k' {S(0)};"
        assert shape(result) == [("jinja-block", "include copy_options.sql",
                                  "{% include 'copy_options.sql' %}", "t.sql:1:24", None, "")]


@pytest.mark.parametrize(("name", "message"), [
    ("/etc/passwd", "{% include '/etc/passwd' %} names a file outside --template-path"),
    ("../secret.sql", "{% include '../secret.sql' %} names a file outside --template-path"),
    ("sub/../../secret.sql",
     "{% include 'sub/../../secret.sql' %} names a file outside --template-path"),
])
def test_includes_outside_the_template_path_are_refused(tmp_path, name, message):
    (tmp_path / "secret.sql").write_text("secret")
    root = tmp_path / "templates"
    (root / "sub").mkdir(parents=True)
    assert fails(f"A{{% include '{name}' %}}", template_path=str(root)) == (
        "RI172", message, "t.sql:1:1")


def test_a_symlink_out_of_the_template_path_is_refused(tmp_path):
    (tmp_path / "secret.sql").write_text("secret")
    root = tmp_path / "templates"
    root.mkdir()
    (root / "link.sql").symlink_to(tmp_path / "secret.sql")
    code, message, _ = fails("{% include 'link.sql' %}", template_path=str(root))
    assert code == "RI172"
    assert message == ("{% include 'link.sql' %} leads outside --template-path "
                       f"{root.resolve()} (through a symlink)")


@pytest.mark.parametrize(("sql", "attribute"), [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "'__class__' of a 'str'"),
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "'__init__' of a 'function'"),
    ("{{ var.__globals__ }}", "'__globals__' of a 'function'"),
    ("{% set x = lipsum.__globals__ %}", "'__globals__' of a 'function'"),
])
def test_attribute_escapes_end_in_a_clear_error(sql, attribute):
    assert fails(sql) == ("RI171", "the template tried something the sandbox forbids: access to "
                          f"attribute {attribute} object is unsafe", "t.sql:1:1")


@pytest.mark.parametrize(("sql", "detail"), [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "the template's loops ran more than 100,000 iterations"),
    ("{{ 'x' * 100000000 }}", "an expression repeats 1 items 100000000 times"),
    ("{{ [1] * 100000000 }}", "an expression repeats 1 items 100000000 times"),
    ("{{ 9 ** 99999999 }}", "an expression raises to the power 99999999"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macros call themselves too deeply"),
])
def test_runaway_work_ends_in_a_clear_error(sql, detail):
    """(More in test_jinja_limits, with a memory and CPU guard.)"""
    assert fails(sql) == ("RI173", f"the template does too much work: {detail}", "t.sql:1:1")


def test_output_size_is_capped(monkeypatch):
    monkeypatch.setattr(jinja_module, "MAX_OUTPUT", 1000)
    assert fails("{% for i in range(200) %}0123456789{% endfor %}") == (
        "RI173", "the template does too much work: the rendering is larger than 1,000 characters",
        "t.sql:1:1")


def test_syntax_and_runtime_errors_are_located():
    assert fails("COPY t\nFROM '{{ x'\n") == (
        "RI170", "Jinja syntax error: unexpected char \"'\"", "t.sql:2:11")
    assert fails("COPY t FROM 's3://b/{{ x } }}/'") == (
        "RI170", "Jinja syntax error: unexpected '}'", "t.sql:1:26")
    assert fails("COPY t\n{% if %}") == (
        "RI170", "Jinja syntax error: Expected an expression, got 'end of statement block'",
        "t.sql:2:1")
    assert fails("a\nb {{ 1 / 0 }}") == (
        "RI177", "the template failed while rendering: ZeroDivisionError: division by zero",
        "t.sql:2:1")


# -- properties
_PLAIN = st.lists(st.sampled_from([
    "COPY t FROM 's3://acme/k/' ", "IAM_ROLE 'arn:aws:iam::123456789012:role/R' ", "a::int ",
    "DATEFORMAT 'YYYY-MM-DD' ", "LIKE 'a%' ", "$$ body $$ ", "$f$ x $f$ ", "'a$b' ", "a < b ",
    "c > d ", "'{\"a\": 1}' ", "-- {x}\n", "/* :y */ ", ";\n", "'s3://a/_$folder$' ", "x ",
]), max_size=20).map("".join)


@settings(max_examples=examples(2), deadline=None)
@given(_PLAIN)
def test_plain_sql_is_never_templated(sql):
    assert template(Source("p.sql", sql), {}) is None


_PIECES = st.sampled_from([
    "COPY t FROM 's3://", "{{ bucket }}", "{{ params.key }}", "/k/", "{% if full %}MANIFEST"
    "{% endif %}", "{% for t in tables %}{{ t }},{% endfor %}", " IAM_ROLE '", "{{ var('r') }}",
    "'\n", "{{- ' x ' -}}", "  ", "{% raw %}{{ y }}{% endraw %}", "{# c #}"])


@settings(max_examples=examples(1.5), deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=12).map("".join),
       st.dictionaries(st.sampled_from(["bucket", "params.key", "full", "tables", "r"]),
                       st.sampled_from(["acme", "true", "false", "[a, b]", "x'y", ""])))
def test_every_rendered_offset_maps_inside_the_template(sql, values):
    given_values = {name: Value(text, text, f"--var {name}") for name, text in values.items()}
    result = template(Source("r.sql", sql), given_values)
    if "{{" not in sql and "{%" not in sql and "{#" not in sql:
        assert result is None
        return
    for offset in range(len(result.text) + 1):
        mapped = result.template_offset(offset)
        assert 0 <= mapped <= len(sql)
        location = result.location(offset)
        assert location.file == "r.sql" and location.line >= 1 and location.col >= 1
    for segment in result.segments:  # literal runs are the template's own text
        piece = result.text[segment.start:segment.start + segment.size]
        assert piece == sql[segment.offset:segment.offset + segment.size]


def test_a_syntax_error_in_an_included_file_is_located_there(tmp_path):
    (tmp_path / "bad.sql").write_text("a\n{{ x) }}\n")
    assert fails("x\n{% include 'bad.sql' %}", template_path=str(tmp_path)) == (
        "RI170", "Jinja syntax error: unexpected ')'", f"{tmp_path / 'bad.sql'}:2:1")

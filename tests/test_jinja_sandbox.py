"""A template is data: every name a rendering shows it (the context, the globals, the filters and
tests, the runtime objects jinja2 makes) leads only to values and the tool's inert helpers,
whatever attribute, item or call it tries; the probes the tracing needs are out of its reach
and a template that names one is refused; the issue's payloads end in a clean error and write
nothing."""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from pathlib import Path
from types import BuiltinMethodType, FunctionType, GeneratorType, MethodType

import pytest
from click.testing import CliRunner
from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference
from jinja2.sandbox import SecurityError
from jinja2.utils import Cycler, Joiner, Namespace

from redshift_iam.cli.main import main
from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import jinja as jinja_module
from redshift_iam.inputs.templating import parse_var, template
from redshift_iam.inputs.templating.jinja_unknown import Unknown

ROLE = "arn:aws:iam::123456789012:role/r"
VALUES = ("bucket=acme", "params.bucket=acme", "params.tables=[a, b]", "var.value.role=R",
          "n=3", "flag=true", "cfg.nested.key=v")
# Names an attacker tries: the partial's and frame's routes, the state, loader, Path methods.
ESCAPES = ("args", "func", "keywords", "__self__", "__func__", "gi_frame", "gi_code",
           "cr_frame", "ag_frame", "f_globals", "f_back", "tb_frame", "__globals__",
           "__closure__", "__wrapped__", "__dict__", "__class__", "__init__", "__subclasses__",
           "__mro__", "mro", "__base__", "__reduce__", "__getattribute__", "__code__",
           "func_globals", "im_self", "loader", "environment", "ri_state", "ri_path",
           "_ri_path", "root", "_root", "joinpath", "read_text", "write_text",
           "compile_templates", "_environment", "_context", "_func", "_undefined_obj",
           "_TemplateReference__context", "_Namespace__attrs", "jinja_pass_arg", "globals",
           "blocks", "module", "__module__", "to_bytes", "encode", "expandtabs", "translate",
           "fromkeys", "format", "format_map", "value", "json", "items", "keys")
PLAIN = (str, int, float, bool, type(None), list, tuple, dict, range, KeysView, ValuesView,
         ItemsView)
# jinja2's runtime objects and iterators (``reverse``, ``map``... give them; their frames and
# code are the sandbox's to refuse, and the walk checks that)
HELPERS = (Unknown, Namespace, Cycler, Joiner, LoopContext, Macro, TemplateReference,
           BlockReference, TemplateModule, GeneratorType, Iterator)
CAPTURE = """{% macro m(a, b=1) %}[{{ a }}]{% endmacro %}
{% macro n() %}{% set _ = keep(caller, varargs, kwargs) %}{% endmacro %}
{% set ns = namespace(a=1) %}
{% for i in [1, 2] %}{% set _ = keep(loop, m, ns, cycler(1, 2), joiner(), self, i) %}{% endfor %}
{% call n(1, k=2) %}x{% endcall %}
{% block b %}B{% endblock %}{% set _ = keep(self.b, [1]|map('string'), lib, lib.helper) %}
"""


def _allowed(value: object) -> bool:
    """Plain data, the tool's helpers, jinja2's runtime objects, or a callable bound to one of
    those or defined by the tool (never a type, module, frame, environment, loader or path)."""
    if isinstance(value, (*PLAIN, *HELPERS)):
        return True
    if isinstance(value, FunctionType):
        return value.__module__.startswith("redshift_iam.")
    if isinstance(value, (BuiltinMethodType, MethodType)):
        return _allowed(value.__self__) and not isinstance(value.__self__, type)
    return False


@pytest.fixture
def prepared(tmp_path):
    (tmp_path / "lib.sql").write_text("{% macro helper(x) %}<{{ x }}>{% endmacro %}")
    given = dict(parse_var(spec) for spec in VALUES)
    ready = jinja_module.prepare(Source("t.sql", "{{ bucket }}"), given, str(tmp_path))
    ready.state.budget.until = math.inf  # the walk takes longer than a rendering may
    return ready


def _runtime_objects(prepared) -> list[object]:
    """What a rendering makes: loop, macros, caller, namespace, self, blocks, an import."""
    kept: list[object] = []
    env, state = prepared.environment, prepared.state
    text = "{% import 'lib.sql' as lib %}" + CAPTURE
    compiled = env.from_string(state.rewriter.rewrite(Source("c.sql", text)))
    "".join(compiled.generate({**prepared.context, "keep": lambda *found: kept.extend(found)}))
    assert len(kept) > 15
    return kept


def _walk(prepared, roots: list[object]) -> list[str]:
    """Every object reachable by attribute, item and call probes (3 steps deep); the paths of
    those that are not allowed."""
    env, context = prepared.environment, prepared.template.new_context(prepared.context)
    seen: set[int] = set()
    wrong: list[str] = []
    queue = [(root, f"root{index}", 0) for index, root in enumerate(roots)]
    while queue:
        value, path, depth = queue.pop()
        if id(value) in seen and not isinstance(value, (str, int)):
            continue
        seen.add(id(value))
        if not _allowed(value):
            wrong.append(f"{path}: {type(value).__name__}")
            continue
        if depth >= 3 or isinstance(value, (str, int, float, bool, type(None))):
            continue
        queue += [(found, f"{path}{step}", depth + 1) for step, found in _steps(env, context,
                                                                                 value)]
    return wrong


def _steps(env, context, value: object) -> list[tuple[str, object]]:
    found = []
    names = {name for name in dir(value) if not name.startswith("__")} | set(ESCAPES)
    for name in sorted(names):
        with contextlib.suppress(SecurityError, Exception):
            found.append((f".{name}", env.getattr(value, name)))
    keys = list(value)[:5] if isinstance(value, (dict, list, tuple)) else []
    for key in [*keys, "loader", "__class__", 0]:
        with contextlib.suppress(SecurityError, Exception):
            found.append((f"[{key!r}]", env.getitem(value, key)))
    if callable(value) and not isinstance(value, type):
        for args in ((), ("x",), (1,), ("x", "y"), (2, 3)):
            with contextlib.suppress(SecurityError, Exception):
                found.append((f"{args}", env.call(context, value, *args)))
    return found


def test_every_name_the_context_and_the_environment_expose_leads_only_to_values(prepared):
    context, env = prepared.context, prepared.environment
    assert set(context) == {"bucket", "params", "n", "flag", "cfg", "var", "env_var", "ref",
                            "source", "this", "config", "target", "is_incremental"}
    assert set(env.globals) == {"range", "dict", "cycler", "joiner", "namespace", "lipsum"}
    roots = [*context.values(), *env.globals.values(), *_runtime_objects(prepared)]
    assert _walk(prepared, roots) == []


@pytest.mark.parametrize("value", ["acme", 3, [1, "a"], {"k": "v"}, None])
def test_every_filter_and_test_gives_only_values(prepared, value):
    env = prepared.environment
    unknown = prepared.state.unknown(name="x")
    results = []
    for name in sorted(env.filters):
        for subject, args in ((value, ()), (value, ("x",)), (unknown, ()), (value, (unknown,))):
            with contextlib.suppress(Exception):
                results.append(env.call_filter(name, subject, args))
    for name in sorted(env.tests):
        for subject, args in ((value, ()), (unknown, ()), (value, ("x",))):
            with contextlib.suppress(Exception):
                results.append(env.call_test(name, subject, args))
    assert results and _walk(prepared, results) == []


def test_the_filters_kept_are_jinjas_but_the_html_ones():
    from jinja2.defaults import DEFAULT_FILTERS

    from redshift_iam.inputs.templating.jinja_tables import FILTERS, UNKNOWN_FILTERS

    assert set(DEFAULT_FILTERS) - set(FILTERS) - set(UNKNOWN_FILTERS) == {
        "e", "escape", "forceescape", "safe", "striptags", "urlize", "xmlattr", "pprint"}


def test_an_undefined_value_has_no_attribute_that_leads_anywhere(prepared):
    env = prepared.environment
    unknown = prepared.state.unknown(name="x")
    for name in ("ri_state", "ri_path", "environment", "loader", "args", "func"):
        found = env.getattr(unknown, name)
        assert isinstance(found, Unknown) and found._ri_paths == (f"x.{name}",)
    for name in ("_ri_paths", "_ri_use", "_undefined_obj", "__class__", "__init__"):
        with pytest.raises(SecurityError):
            env.getattr(unknown, name)
    assert [name for name in vars(type(unknown)) if not name.startswith("_")] == []
    assert [name for name in vars(Unknown) if not name.startswith("_")] == []


def test_the_probes_are_nowhere_in_the_context(prepared):
    assert not [name for name in prepared.context if name.startswith("_")]
    env = prepared.environment
    for name in ("_ri_found", "_ri_x", "_ri_at"):
        assert isinstance(prepared.template.new_context(prepared.context).resolve(name),
                          Unknown)
        assert name not in env.globals


def fails(sql: str, **kwargs) -> tuple[str, str, str]:
    with pytest.raises(InputError) as caught:
        template(Source("t.sql", sql), {}, **kwargs)
    diagnostic = caught.value.diagnostic
    return diagnostic.code, diagnostic.message, str(diagnostic.location)


RESERVED = ("the template tried something the sandbox forbids: it names {}; names starting "
            "with _ri_ are reserved for the tool's tracing")


@pytest.mark.parametrize(("sql", "name", "where"), [
    ("COPY t\n{{ _ri_found.args[0].environment.compile_templates('/tmp/x') }}", "_ri_found",
     "t.sql:2:1"),
    ("{% set _ri_x = 1 %}", "_ri_x", "t.sql:1:1"),
    ("{{ x._ri_at }}", "_ri_at", "t.sql:1:1"),
    ("{% for _ri_q in [1] %}{% endfor %}", "_ri_q", "t.sql:1:1"),
    ("{% macro m(_ri_if) %}{% endmacro %}", "_ri_if", "t.sql:1:1"),
])
def test_a_template_that_names_a_probe_is_refused(sql, name, where):
    assert fails(sql) == ("RI171", RESERVED.format(name), where)


def test_a_probe_name_in_text_or_a_string_is_only_text():
    result = template(Source("t.sql", "COPY _ri_x FROM 's3://b/{{ '_ri_at' }}/k'"), {})
    assert result.text == "COPY _ri_x FROM 's3://b/_ri_at/k'"


def test_an_included_file_that_names_a_probe_is_refused(tmp_path):
    (tmp_path / "inc.sql").write_text("\n{{ _ri_found }}")
    code, message, where = fails("{% include 'inc.sql' %}", template_path=str(tmp_path))
    assert (code, message, where) == ("RI171", RESERVED.format("_ri_found"),
                                      f"{tmp_path / 'inc.sql'}:2:1")


@pytest.mark.parametrize(("sql", "message"), [
    ("{{ range }}", "the template turns a function into text; only values print"),
    ("{{ cycler(1) }}", "the template turns a Cycler into text; only values print"),
    ("{{ [1]|map('string') }}", "the template turns a generator into text; only values print"),
    ("{{ (1).to_bytes(8, 'big') }}", "access to attribute 'to_bytes' of a 'int' object is "
                                     "unsafe"),
    ("{{ 'x'.encode() }}", "access to attribute 'encode' of a 'str' object is unsafe"),
    ("{{ {}.fromkeys(range(9)) }}", "access to attribute 'fromkeys' of a 'dict' object is "
                                    "unsafe"),
])
def test_what_is_not_a_value_does_not_print(sql, message):
    assert fails(sql) == ("RI171", f"the template tried something the sandbox forbids: {message}",
                          "t.sql:1:1")


def _cli(cwd: Path, *args: str):
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _repo(tmp_path: Path, payload: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    (repo / "models" / "load.sql").write_text(
        f"COPY t FROM 's3://acme/{payload}/' IAM_ROLE '{ROLE}';\n")
    return repo


def test_scan_of_the_compile_templates_payload_writes_nothing(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    repo = _repo(tmp_path, "{{ _ri_found.args[0].environment.compile_templates('"
                           f"{victim}') }}}}")
    result = _cli(repo, "scan", ".")
    assert result.exit_code == 1
    assert victim.read_text() == "keep"
    assert json.loads(result.stdout)["skipped"] == [{
        "path": "models/load.sql", "line": 1, "col": 1,
        "reason": "RI171 " + RESERVED.format("_ri_found") + "; the template is rendered in a "
                  "sandbox: use the values, not Python internals"}]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("payload", "code"), [
    ("{{ _ri_found.args[0].environment.loader.root.joinpath('/etc/hostname').read_text() }}",
     1),
    # an undefined x: every attribute is another undefined value, the key a wildcard
    ("{{ x.ri_state.environment.loader.root.joinpath('/etc/hostname').read_text() }}", 0),
])
def test_scan_with_a_template_path_reads_no_file_outside_it(tmp_path, payload, code):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    repo = _repo(tmp_path, payload.replace("/etc/hostname", str(secret)))
    result = _cli(repo, "scan", ".", "--template-path", str(repo))
    assert "TOPSECRET" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.exit_code == code
    report = json.loads(result.stdout)
    if code:
        assert [entry["reason"][:6] for entry in report["skipped"]] == ["RI171 "]
    else:
        assert [grant["resource"] for grant in report["statements"][0]["grants"]] == [
            "arn:aws:s3:::acme/*/*", "arn:aws:s3:::acme"]


FORGED = ("the template made the reserved character U+{} (with a string escape or a filter); "
          "the tool reserves U+E000-U+E00F for its sentinels")


@pytest.mark.parametrize(("sql", "char"), [
    ('{{ "\\ue0000\\ue001" }}', "E000"),  # a forged sentinel
    ("{{ '%c'|format(57348) }}", "E004"),  # a forged trace marker
    ("{% filter replace('a', '\\ue002') %}a{% endfilter %}", "E002"),
    ("{{ x ~ '\\ue005' }}", "E005"),
    ("{% set s = '\\ue003' %}{{ [s]|join }}", "E003"),
    ("{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{{ '\\ue006' }}{% endcall %}",
     "E006"),
])
def test_a_value_never_forges_a_sentinel_or_a_trace_marker(sql, char):
    assert fails(sql) == ("RI176", FORGED.format(char), "t.sql:1:1")


def test_a_name_never_carries_a_reserved_character(tmp_path):
    sql = ("COPY t FROM 's3://acme/{{ x['\\ue000'] }}/' IAM_ROLE '" + ROLE + "' "
           "{% include '\\ue001' %};\n")
    (tmp_path / "t.sql").write_text(sql)
    result = _cli(tmp_path, "policy", "t.sql")
    assert result.exit_code == 1
    assert "hint: pass --template-path DIR, the folder that holds \\ue001\n" in result.stderr
    assert "RW221: {{ x['\\ue000'] }} is unresolved in the S3 key" in result.stderr
    assert not re.search("[\ue000-\uf8ff]", result.stdout + result.stderr)


def test_a_given_value_holding_a_reserved_character_is_refused():
    with pytest.raises(InputError) as caught:
        template(Source("t.sql", "COPY t FROM 's3://acme/{{ k }}/'"),
                 dict([parse_var("k=a\ue001b")]))
    assert caught.value.diagnostic.code == "RI176"


@pytest.mark.parametrize("sql", ["{% import x as m %}{{ m.a }}", "{% extends [x]|join %}",
                                 "{% from x ~ '.sql' import b %}"])
def test_a_file_named_by_an_undefined_value_is_refused(sql):
    assert fails(sql) == (
        "RI177", "the template names the file to include, import or extend by undefined x, "
        "which the tool cannot follow; give its value with --var", "t.sql:1:1")


def test_an_undefined_value_deciding_what_no_probe_follows_is_refused():
    assert fails("{% autoescape x %}a{% endautoescape %}") == (
        "RI177", "the template decides something on undefined x where the tool cannot follow "
        "it (an import, extends or autoescape); give its value with --var", "t.sql:1:1")

"""Python's template forms render as Python renders them, or stay placeholders (RULES "Every
rendering, or unresolved"): f-string fields that are expressions, str.format specs and
conversions, %-format flags, widths and conversions; where Python would raise, RI177."""

from __future__ import annotations

import pytest

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.placeholders import sentinel
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import Value, template
from redshift_iam.inputs.templating.pyformat import MAX_WIDTH
from tests.rendering import R, reads, writes
from tests.rendering import scan as scan_cli

S = sentinel


def run(sql: str, style: str, values: dict[str, object] | None = None, names=()):
    given = {name: Value(value, str(value), f"--var {name}")
             for name, value in (values or {}).items()}
    return template(Source("t.sql", sql), given, style, positional_names=names)


def shape(result) -> list[tuple[str, str, int, str | None]]:
    return [(p.name, p.text, p.ordinal, p.value) for p in result.placeholders]


# --- f-string fields that are expressions -------------------------------------------------

EXPRESSIONS = [
    "date.today().isoformat()", "x()", "a + b", "x[1:]", "cfg[key]", "f(a, b=2)",
    "'-'.join(parts)", " {'a': 1}['a'] ", "n * 2", "-n", "(a or b)",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_an_fstring_expression_is_a_placeholder_named_by_its_text(expression):
    result = run(f"COPY t FROM 's3://acme/{{{expression}}}/k/'", "fstring")
    assert result.text == f"COPY t FROM 's3://acme/{S(0)}/k/'"
    assert shape(result) == [(expression.strip(), "{" + expression + "}", 0, None)]


def test_fstring_paths_are_names_and_bare_subscripts_are_expressions():
    result = run("{cfg.bucket}{cfg['bucket']}{ cfg[\"bucket\"] }{cfg[bucket]}{cfg[0]}", "fstring",
                 {"cfg.bucket": "acme"})
    assert [(p.name, p.value) for p in result.placeholders] == [
        ("cfg.bucket", "acme"), ("cfg.bucket", "acme"), ("cfg.bucket", "acme"),
        ("cfg[bucket]", None), ("cfg.0", None)]


def test_fstring_fields_by_scan_policy_allows_every_rendering(tmp_path):
    """The issue's example and two more: each field is * in the key, never literal text."""
    source = ("from datetime import date\n\nSQL = f\"COPY t FROM "
              "'s3://acme/{date.today().isoformat()}/{a + b}/{x[1:]}/' " + R + ";\"\n")
    run_ = scan_cli(tmp_path, {"load.py": source})
    policies = run_.policies()
    for key in ("2026-01-02/3/bc/", "x/y/z/", "2026-01-02/ab/cd/"):
        assert reads(policies, "acme", key), key
    assert not reads(policies, "acme", "2026-01-02/")  # three path segments, always
    assert run_.stderr.count("warning RW221") == 3
    assert run_.stderr.splitlines()[:4] == [
        "src/load.py:3:32: warning RW221: {date.today().isoformat()} is unresolved in the S3 "
        "key s3://acme/{date.today().isoformat()}/{a + b}/{x[1:]}/: granted as acme/*/*/*/ "
        "(any text in its place)",
        "    3 | " + source.splitlines()[2], "      | " + " " * 31 + "^",
        "    hint: pass --var 'date.today().isoformat()=VALUE' to grant one prefix"]


def test_an_fstring_expression_in_the_bucket_is_unresolved(tmp_path):
    run_ = scan_cli(tmp_path, {"load.py": f"SQL = f\"COPY t FROM 's3://{{get()}}/k/' {R};\"\n"})
    assert (run_.code, run_.stdout) == (1, "")
    assert run_.stderr.splitlines()[0] == (
        "src/load.py:1:27: unresolved RI145: {get()} is unresolved in the S3 location of this "
        "COPY (s3://{get()}/k/): its grants are left out")


# --- str.format specs and conversions -------------------------------------------------------

SPECS = [  # (template, values, rendering) as Python renders them
    ("{m:02d}", {"m": 3}, "03"),
    ("{p:0>3}", {"p": "a"}, "00a"),
    ("{x!r}", {"x": "b"}, "'b'"),
    ("{x!s:>4}", {"x": "b"}, "   b"),
    ("{x!a}", {"x": "é"}, "'\\xe9'"),
    ("{n:.2f}", {"n": 1.5}, "1.50"),
    ("{n:x}", {"n": 255}, "ff"),
    ("{n:,}", {"n": 1234567}, "1,234,567"),
    ("{m:{w}d}", {"m": 3, "w": "03"}, "003"),
    ("{0:02d}/{1}", {"a": 3, "b": "x"}, "03/x"),
]


@pytest.mark.parametrize(("spec", "values", "expected"), SPECS)
@pytest.mark.parametrize("style", ["format", "fstring", "auto"])
def test_a_format_spec_renders_as_python_does(spec, values, expected, style):
    if style != "format" and spec.startswith("{0"):
        return  # positional fields are str.format's only
    if style == "auto" and "{w}" in spec:
        return  # auto reads a spec without nested fields
    result = run(spec, style, values, names=("a", "b"))
    assert result.text == expected
    assert result.text == spec.format(values.get("a"), values.get("b"), **values)


@pytest.mark.parametrize("style", ["format", "fstring", "auto"])
def test_a_spec_or_conversion_without_a_value_stays_a_placeholder(style):
    result = run("s3://acme/{m:02d}/{p:0>3}/{x!r}/", style)
    assert result.text == f"s3://acme/{S(0)}/{S(1)}/{S(2)}/"
    assert shape(result) == [("m", "{m:02d}", 0, None), ("p", "{p:0>3}", 0, None),
                             ("x", "{x!r}", 0, None)]


def test_an_unknown_nested_width_leaves_the_field_a_placeholder():
    assert shape(run("{m:{w}d}", "fstring", {"m": 3})) == [("m", "{m:{w}d}", 0, None)]


@pytest.mark.parametrize(("spec", "values", "why"), [
    ("{m:02d}", {"m": "x"}, "Unknown format code 'd' for object of type 'str'"),
    ("{m:.2f}", {"m": "x"}, "Unknown format code 'f' for object of type 'str'"),
    ("{m!z}", {"m": 1}, "Unknown conversion specifier 'z'"),
    ("{m:%Y}", {"m": None}, "unsupported format string passed to NoneType.__format__"),
])
def test_a_value_python_cannot_format_is_ri177(spec, values, why):
    with pytest.raises(InputError) as caught:
        run(f"COPY t FROM 's3://acme/{spec}'", "format", values)
    diagnostic = caught.value.diagnostic
    assert (diagnostic.code, diagnostic.message, str(diagnostic.location)) == (
        "RI177", f"{spec} cannot format the value of m (from --var m): {why}", "t.sql:1:24")


def test_a_huge_width_is_refused_before_it_is_built():
    with pytest.raises(InputError) as caught:
        run("{m:999999999}", "format", {"m": 1})
    assert caught.value.diagnostic.message == (
        f"{{m:999999999}} cannot format the value of m (from --var m): the spec asks for "
        f"999,999,999 characters; the tool renders at most {MAX_WIDTH:,}")


def test_format_escapes_still_work():
    written = "'{{x}}' {{{m:02d}}} '}}'"
    result = run(written, "format", {"m": 3})
    assert result.text == written.format(m=3) == "'{x}' {03} '}'"
    # a template with escapes only still renders them ('{{x}}'.format() is '{x}')
    only = run("'s3://acme/{{x}}/100%%'", "format")
    assert (only.text, only.placeholders) == ("'s3://acme/{x}/100%%'", ())
    assert run("'100%%/{{x}}'", "percent").text == "'100%/{{x}}'"


def test_format_spec_by_scan_policy(tmp_path):
    source = (f"M = 3\nSQL = \"COPY t FROM 's3://acme/{{m:02d}}/{{p:0>3}}/' {R};\"."
              "format(m=month, p=part)\n")
    policies = scan_cli(tmp_path, {"load.py": source}).policies()
    for key in ("03/00a/", "12/001/", "x/y/"):
        assert reads(policies, "acme", key)
    narrowed = scan_cli(tmp_path, {}, "--var", "m=3", "--var", "p=7").policies()
    assert reads(narrowed, "acme", "03/007/") and not reads(narrowed, "acme", "3/7/")


# --- %-format ----------------------------------------------------------------------------

PERCENT = [  # (template, positional values by name, rendering) as Python's % renders them
    ("%02d", {"a": 3}, "03"),
    ("%(m)02d", {"m": 3}, "03"),
    ("%.2s", {"a": "abc"}, "ab"),
    ("%i", {"a": 7}, "7"),
    ("%x", {"a": 255}, "ff"),
    ("%5s", {"a": "ab"}, "   ab"),
    ("%-3s|", {"a": "a"}, "a  |"),
    ("%+d", {"a": 5}, "+5"),
    ("%#o", {"a": 8}, "0o10"),
    ("%r", {"a": "q"}, "'q'"),
    ("%(m)s%%", {"m": 1}, "1%"),
    ("%ld", {"a": 4}, "4"),
]


@pytest.mark.parametrize(("spec", "values", "expected"), PERCENT)
def test_a_percent_spec_renders_as_python_does(spec, values, expected):
    result = run(spec, "percent", values, names=("a",))
    python = spec % (values if "(" in spec else (values["a"],))
    assert (result.text, python) == (expected, expected)


def test_percent_flags_and_widths_without_values_are_placeholders():
    result = run("s3://acme/%02d/%(m)02d/%.2s/%i/%x/%5s/%-3s/%*d", "percent")
    assert result.text == "s3://acme/" + "/".join(S(i) for i in range(8))
    assert shape(result) == [
        ("", "%02d", 1, None), ("m", "%(m)02d", 0, None), ("", "%.2s", 2, None),
        ("", "%i", 3, None), ("", "%x", 4, None), ("", "%5s", 5, None), ("", "%-3s", 6, None),
        ("", "%*d", 8, None)]  # * takes an argument of its own


def test_auto_reads_printf_specs_but_not_like_patterns():
    """Go's %v too (scan reads Go literals in auto style: fmt.Sprintf)."""
    result = run("COPY t FROM 's3://a/%02d/%(m)03d/%5s/%x/%v/' WHERE a LIKE '%abc%' "
                 "AND b LIKE '%a%' AND c LIKE '%d%' AND d LIKE '50% sale' AND e LIKE '%v%'",
                 "auto", {"g": 7}, names=("", "", "", "g"))  # %(m) is not positional
    assert [(p.text, p.value) for p in result.placeholders] == [
        ("%02d", None), ("%(m)03d", None), ("%5s", None), ("%x", None), ("%v", "7"),
        ("%d", None)]


@pytest.mark.parametrize(("spec", "why"), [
    ("%d", "%d format: a real number is required, not str"),
    ("%x", "%x format: an integer is required, not str"),
    ("%c", "%c requires int or char"),
])
def test_a_value_the_percent_operator_rejects_is_ri177(spec, why):
    with pytest.raises(InputError) as caught:
        run(f"s3://acme/{spec}", "percent", {"a": "xy"}, names=("a",))
    assert caught.value.diagnostic.message == (
        f"{spec} cannot format the value of a (from --var a): {why}")


def test_percent_by_scan_policy_allows_every_rendering(tmp_path):
    """The issue's forms: %02d and %(m)02d were not placeholders at all."""
    source = ("def sql(year, month, day):\n"
              f"    return \"UNLOAD ('select 1') TO 's3://acme/%04d/%02d/%(d)02d/' {R};\" % "
              "(year, month)\n")
    run_ = scan_cli(tmp_path, {"export.py": source})
    policies = run_.policies()
    for key in ("2026/01/02/", "1/2/3/"):
        assert writes(policies, "acme", key)
    assert not writes(policies, "acme", "2026/")
    assert run_.stderr.count("RW221") == 3
    narrowed = scan_cli(tmp_path, {}, "--var", "year=2026", "--var", "month=1",
                        "--var", "d=2").policies()
    assert writes(narrowed, "acme", "2026/01/02/") and not writes(narrowed, "acme", "2026/1/2/")


def test_a_derived_calls_expression_argument_is_a_placeholder(tmp_path):
    """S3ToRedshiftOperator(s3_key=key_for(day)): the call's text is no literal key."""
    source = ("t = S3ToRedshiftOperator(task_id='t', table='t', s3_bucket='acme',\n"
              "    s3_key=key_for(day), copy_options=['CSV'],\n    aws_conn_id='c')\n")
    run_ = scan_cli(tmp_path, {"dag.py": source}, "--var",
                    "aws_conn.c=aws_iam_role=arn:aws:iam::123456789012:role/etl")
    policies = run_.policies()
    for key in ("2026/", "x/y/", "key_for(day)"):
        assert reads(policies, "acme", key)
    assert run_.stderr.splitlines()[0] == (
        "src/dag.py:2:12: warning RW221: {key_for(day)} is unresolved in the S3 key "
        "s3://acme/{key_for(day)}: granted as acme/* (any text in its place)")

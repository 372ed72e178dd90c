"""The placeholder forms of RULES "Templated SQL": each form bare and in strings, its name,
its splice, the look-alikes that are not placeholders, --template-style, and the offset map."""

from __future__ import annotations

import pytest

from redshift_iam.core.diagnostics import InputError, Location
from redshift_iam.core.placeholders import SENTINEL, Placeholder, sentinel
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import Value, template

S = sentinel


def run(sql: str, values: dict[str, str] | None = None, **kwargs):
    given = {name: Value(text, text, f"--var {name}") for name, text in (values or {}).items()}
    return template(Source("t.sql", sql), given, **kwargs)


def shape(result) -> list[tuple[str, str, str, int, int, int, str | None, str]]:
    """Each placeholder as (form, name, text, line, col, ordinal, value, origin)."""
    return [(p.form, p.name, p.text, p.location.line, p.location.col, p.ordinal, p.value,
             p.origin) for p in result.placeholders]


# (template, rendered text without values, [(form, name, text, col, ordinal)])
FORMS = [
    ("COPY t FROM '{bucket}'", f"COPY t FROM '{S(0)}'", [("format", "bucket", "{bucket}", 14, 0)]),
    ("COPY t FROM {}", f"COPY t FROM {S(0)}", [("format", "", "{}", 13, 1)]),
    ("COPY t FROM '{0}'", f"COPY t FROM '{S(0)}'", [("format", "", "{0}", 14, 1)]),
    ("COPY t FROM '{cfg.bucket}'", f"COPY t FROM '{S(0)}'",
     [("format", "cfg.bucket", "{cfg.bucket}", 14, 0)]),
    ("COPY t FROM {cfg[bucket]}", f"COPY t FROM {S(0)}",
     [("format", "cfg.bucket", "{cfg[bucket]}", 13, 0)]),
    ("COPY t FROM {cfg['bucket']}", f"COPY t FROM {S(0)}",
     [("format", "cfg.bucket", "{cfg['bucket']}", 13, 0)]),
    ('COPY t FROM {cfg["bucket"]}', f"COPY t FROM {S(0)}",
     [("format", "cfg.bucket", '{cfg["bucket"]}', 13, 0)]),
    ("COPY t FROM '%(bucket)s'", f"COPY t FROM '{S(0)}'",
     [("percent", "bucket", "%(bucket)s", 14, 0)]),
    ("COPY t FROM %s IAM_ROLE %s", f"COPY t FROM {S(0)} IAM_ROLE {S(1)}",
     [("percent", "", "%s", 13, 1), ("percent", "", "%s", 25, 2)]),
    ("COPY t FROM '%smanifest'", f"COPY t FROM '{S(0)}manifest'", [("percent", "", "%s", 14, 1)]),
    ("COPY t FROM '${BUCKET}'", f"COPY t FROM '{S(0)}'", [("shell", "BUCKET", "${BUCKET}", 14, 0)]),
    ("COPY t FROM '${cfg.bucket}'", f"COPY t FROM '{S(0)}'",
     [("shell", "cfg.bucket", "${cfg.bucket}", 14, 0)]),
    ("COPY t FROM 's3://$BUCKET/k'", f"COPY t FROM 's3://{S(0)}/k'",
     [("shell", "BUCKET", "$BUCKET", 19, 0)]),
    ("COPY t FROM 's3://$BUCKET$/k'", f"COPY t FROM 's3://{S(0)}/k'",
     [("shell", "BUCKET", "$BUCKET$", 19, 0)]),
    ("COPY t FROM '${X%%-*}'", f"COPY t FROM '{S(0)}'", [("shell", "${X%%-*}", "${X%%-*}", 14, 0)]),
    ("COPY t FROM '#{bucket}'", f"COPY t FROM '{S(0)}'", [("ruby", "bucket", "#{bucket}", 14, 0)]),
    ("COPY t FROM :bucket", f"COPY t FROM {S(0)}", [("psql", "bucket", ":bucket", 13, 0)]),
    ("COPY t FROM :'bucket'", f"COPY t FROM {S(0)}",
     [("psql-literal", "bucket", ":'bucket'", 13, 0)]),
    ('COPY :"tbl" FROM x', f"COPY {S(0)} FROM x", [("psql-ident", "tbl", ':"tbl"', 6, 0)]),
    ("COPY t FROM 's3://<bucket_name>/k'", f"COPY t FROM 's3://{S(0)}/k'",
     [("angle", "bucket_name", "<bucket_name>", 19, 0)]),
    ("IAM_ROLE <params.X>", f"IAM_ROLE {S(0)}", [("angle", "params.X", "<params.X>", 10, 0)]),
    ("COPY t FROM 's3://{a}{b}'", f"COPY t FROM 's3://{S(0)}{S(1)}'",
     [("format", "a", "{a}", 19, 0), ("format", "b", "{b}", 22, 0)]),
    # what the engine computes when it runs (RULES "Every rendering, or unresolved")
    ("COPY t FROM 's3://a/{m:02d}/'", f"COPY t FROM 's3://a/{S(0)}/'",
     [("format", "m", "{m:02d}", 21, 0)]),
    ("COPY t FROM 's3://a/%02d/%(m)03d/'", f"COPY t FROM 's3://a/{S(0)}/{S(1)}/'",
     [("percent", "", "%02d", 21, 1), ("percent", "m", "%(m)03d", 26, 0)]),
    ("COPY t FROM 's3://a/$(date +%F)/$((n+1))/'", f"COPY t FROM 's3://a/{S(0)}/{S(1)}/'",
     [("shell", "$(date +%F)", "$(date +%F)", 21, 0), ("shell", "$((n+1))", "$((n+1))", 33, 0)]),
    ("COPY t FROM 's3://a/${1}/'", f"COPY t FROM 's3://a/{S(0)}/'",
     [("shell", "$1", "${1}", 21, 0)]),
]


@pytest.mark.parametrize(("sql", "rendered", "expected"), FORMS, ids=[f[0] for f in FORMS])
def test_each_form_unresolved(sql, rendered, expected):
    result = run(sql)
    assert result.text == rendered
    assert shape(result) == [(form, name, text, 1, col, ordinal, None, "")
                             for form, name, text, col, ordinal in expected]
    for index, found in enumerate(SENTINEL.finditer(result.text)):
        assert int(found.group("index")) == index
        assert result.location(found.start()) == Location("t.sql", 1, expected[index][3])


LOOK_ALIKES = [
    "COPY t FROM 's3://acme/sales/' IAM_ROLE 'arn:aws:iam::123456789012:role/Etl';",
    "SELECT a::int, b::varchar(10) FROM t WHERE c::date > '2024-01-01';",
    "COPY t FROM 's3://a/k' IAM_ROLE 'r' DATEFORMAT 'YYYY-MM-DD' TIMEFORMAT 'HH:MI:SS';",
    "SELECT * FROM t WHERE a LIKE 'a%' AND b LIKE '%_x%%';",
    "COPY t FROM 's3://acme/folder_$folder$/a$b/' IAM_ROLE 'r';",
    "SELECT a < b and c > d FROM t;",
    "SELECT json_extract_path_text('{\"a\": 1, \"b\": {\"c\": 2}}', 'a');",
    "CREATE FUNCTION f() RETURNS int AS $$ return '{}'.format(x) % s $$ LANGUAGE plpythonu;",
    "CREATE FUNCTION g() RETURNS int AS $body$ {x} ${Y} :z $body$ LANGUAGE sql;",
    "-- COPY t FROM '{bucket}' IAM_ROLE :role\nSELECT 1; /* ${X} %s */",
    "SELECT ':not_psql', 'a:b' FROM t WHERE x = 'arn:aws:kms:us-east-1:1:key/k';",
    "SELECT col$1, #temp FROM t;",
]


@pytest.mark.parametrize("sql", LOOK_ALIKES)
def test_look_alikes_are_not_placeholders(sql):
    assert run(sql) is None


def test_psql_variables_are_never_read_inside_quotes_but_other_forms_are():
    result = run("COPY t FROM 's3://:bucket/{k}/' IAM_ROLE :role")
    assert result.text == f"COPY t FROM 's3://:bucket/{S(0)}/' IAM_ROLE {S(1)}"
    assert [(p.form, p.name) for p in result.placeholders] == [("format", "k"), ("psql", "role")]


def test_values_are_spliced_raw_with_their_origin():
    result = run("COPY t FROM 's3://{bucket}/k' IAM_ROLE '${ROLE}' {copy_options};",
                 {"bucket": "acme", "ROLE": "arn:aws:iam::123456789012:role/R",
                  "copy_options": "MANIFEST"})
    assert result.text == ("COPY t FROM 's3://acme/k' IAM_ROLE "
                           "'arn:aws:iam::123456789012:role/R' MANIFEST;")
    assert [(p.name, p.value, p.origin) for p in result.placeholders] == [
        ("bucket", "acme", "--var bucket"),
        ("ROLE", "arn:aws:iam::123456789012:role/R", "--var ROLE"),
        ("copy_options", "MANIFEST", "--var copy_options")]


def test_a_positional_value_brings_its_own_quotes():
    result = run("COPY {} FROM {} IAM_ROLE {}", {"table": "sales", "s3_path": "'s3://a/k'"},
                 positional_names=("table", "s3_path"))
    assert result.text == f"COPY sales FROM 's3://a/k' IAM_ROLE {S(2)}"
    assert [(p.name, p.ordinal, p.value) for p in result.placeholders] == [
        ("table", 1, "sales"), ("s3_path", 2, "'s3://a/k'"), ("", 3, None)]
    assert result.placeholders[2].label == "{} #3 of t.sql:1"


def test_psql_literal_and_identifier_quoting():
    result = run("COPY :\"t\" FROM :'src' IAM_ROLE :'role'",
                 {"t": 'my"tbl', "src": "s3://o'brien/k", "role": "r"})
    assert result.text == "COPY \"my\"\"tbl\" FROM 's3://o''brien/k' IAM_ROLE 'r'"


def test_psql_set_defines_values_from_its_line_on():
    sql = ("COPY a FROM :'src';\n"
           "\\set src 's3://acme/' 'k''1'\n"
           "COPY b FROM :'src' IAM_ROLE :role;\n")
    result = run(sql, {"role": "R"})
    assert result.text == ("COPY a FROM " + S(0) + ";\n\\set src 's3://acme/' 'k''1'\n"
                           "COPY b FROM 's3://acme/k''1' IAM_ROLE R;\n")
    assert shape(result) == [
        ("psql-literal", "src", ":'src'", 1, 13, 0, None, ""),
        ("psql-literal", "src", ":'src'", 3, 13, 0, "'s3://acme/k''1'", "\\set at line 2"),
        ("psql", "role", ":role", 3, 29, 0, "R", "--var role")]
    assert [(w.code, w.message, str(w.location), w.hint) for w in result.warnings] == [(
        "RW220", "psql variable :'src' is used before \\set at line 2; psql does not expand "
        "it there", "t.sql:1:13", "move \\set src above line 1, or pass --var src=VALUE")]


def test_non_jinja_values_map_every_offset_inside_the_template():
    sql = "COPY {} FROM 's3://{b}/${K:-x}/%(p)s' IAM_ROLE :r -- {c}\n<o>;"
    for values in ({}, {"b": "acme", "K": "", "p": "a'b", "r": "'R'", "o": "MANIFEST GZIP"}):
        result = run(sql, values)
        for offset in range(len(result.text) + 1):
            assert 0 <= result.template_offset(offset) <= len(sql)
        for segment in result.segments:
            piece = result.text[segment.start:segment.start + segment.size]
            assert piece == sql[segment.offset:segment.offset + segment.size]
    assert result.text == ("COPY " + S(0) + " FROM 's3://acme/x/a'b' IAM_ROLE 'R' -- {c}\n"
                           "MANIFEST GZIP;")


@pytest.mark.parametrize(("style", "sql", "values"), [
    ("format", "COPY {} FROM 's3://{b:>4}/{c!r}/{x[1:]}' -- {{d}}\n{e:{w}}", {"b": "ac"}),
    ("fstring", "COPY t FROM 's3://{b}/{f(x)}/{ {'a': 1}['a'] }' {o!s:>9}", {"o": "GZIP"}),
    ("percent", "COPY t FROM 's3://%(b)s/%02d/%.2s' %%s %s", {"b": "acme"}),
    ("shell", "COPY t FROM 's3://$B/$(date '+%F')/`id`/$1/' ${O:-GZIP} $$ $1 $$", {"B": "a"}),
    ("terraform", "COPY t FROM 's3://${var.b}/%{ if x ~} k %{~ endif }/' $${y}", {"var.b": "a"}),
    ("dollar", "COPY t FROM 's3://$b/${c + 1}/' ${o}", {"o": "CSV"}),
    ("auto", "\\if :x\n\\set b a\n\\endif\nCOPY t FROM :'b' $(x) %(y)02d {z:02d}", {}),
])
def test_every_offset_of_a_computed_form_maps_inside_the_template(style, sql, values):
    result = run(sql, values, style=style)
    for offset in range(len(result.text) + 1):
        assert 0 <= result.template_offset(offset) <= len(sql)
    for segment in result.segments:
        if segment.size:
            piece = result.text[segment.start:segment.start + segment.size]
            assert piece == sql[segment.offset:segment.offset + segment.size]
    for placeholder in result.placeholders:
        start = placeholder.location.col - 1 + sum(
            len(line) + 1 for line in sql.split("\n")[:placeholder.location.line - 1])
        assert sql[start:start + len(placeholder.text)] == placeholder.text


def test_shell_default_is_used_only_without_a_value():
    sql = "COPY t FROM 's3://${B:-dflt}/${K-x}'"
    assert run(sql).text == "COPY t FROM 's3://dflt/x'"
    assert [p.origin for p in run(sql).placeholders] == ["default in template"] * 2
    assert run(sql, {"B": "acme"}).text == "COPY t FROM 's3://acme/x'"
    # ${B:-d} also replaces an empty value, ${K-x} only a missing one (as the shell does)
    assert run(sql, {"B": "", "K": ""}).text == "COPY t FROM 's3://dflt/'"


def test_a_placeholder_in_a_sql_comment_is_not_read():
    result = run("-- from {old}\nCOPY t FROM '{new}' /* {older} */")
    assert [p.name for p in result.placeholders] == ["new"]


@pytest.mark.parametrize(("style", "names"), [
    ("auto", ["a", "b", "", "c", "d", "e", "f"]),
    ("format", ["a", "c", "d"]),  # str.format reads the {c} of ${c} and the {d} of #{d}
    ("percent", ["b", ""]),
    ("shell", ["c"]),
    ("ruby", ["d"]),
    ("psql", ["e"]),
    ("angle", ["f"]),
])
def test_template_style_restricts_recognition(style, names):
    sql = "COPY t FROM '{a}%(b)s%s${c}#{d}' IAM_ROLE :e <f>"
    assert [p.name for p in run(sql, style=style).placeholders] == names


def test_template_style_none_and_jinja_on_plain_forms():
    sql = "COPY t FROM '{a}' IAM_ROLE :e"
    assert run(sql, style="none") is None
    assert run(sql, style="jinja") is None


def test_escapes_apply_only_to_the_chosen_style():
    assert run("SELECT '{{x}}' || '{a}'", style="format").text == f"SELECT '{{x}}' || '{S(0)}'"
    assert run("SELECT '100%%', '%s'", style="percent").text == f"SELECT '100%', '{S(0)}'"


def test_unknown_style_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown template style 'mustache'"):
        run("{a}", style="mustache")


def test_reserved_characters_are_refused():
    with pytest.raises(InputError) as caught:
        run("COPY t FROM '{a}\ue001'")
    assert caught.value.diagnostic.code == "RI176"
    assert str(caught.value.diagnostic.location) == "t.sql:1:17"


def test_offsets_map_back_to_the_template():
    sql = "COPY t\nFROM '{bucket}/x' IAM_ROLE {}"
    result = run(sql, {"bucket": "acme-raw"})
    assert result.text == f"COPY t\nFROM 'acme-raw/x' IAM_ROLE {S(1)}"
    # literal text maps 1:1, the value and the sentinel to the placeholder's start
    expected = list(range(13)) + [13] * 8 + list(range(21, 34)) + [34] * 3 + [36]
    assert [result.template_offset(i) for i in range(len(result.text) + 1)] == expected
    assert result.location(13) == Location("t.sql", 2, 7)
    assert result.location(len(result.text) - 1) == Location("t.sql", 2, 28)
    assert result.placeholders[1] == Placeholder(1, "", "format", "{}", Location("t.sql", 2, 28),
                                                 1, None, "")

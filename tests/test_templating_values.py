"""Template values: --var typing and spellings, --vars files (.json, .yaml, .env) with the
exact origin of each key, nested names, malformed input as located RI174/RI175 errors."""

from __future__ import annotations

import pytest

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import Value, load_vars, merge, parse_var, template
from redshift_iam.inputs.templating.values import nested
from redshift_iam.spec import yaml_tree


@pytest.mark.parametrize(("spec", "name", "value"), [
    ("bucket=acme-raw", "bucket", Value("acme-raw", "acme-raw", "--var bucket")),
    # the value is the text after the first '=', exactly as typed: never typed as YAML
    ("full=true", "full", Value("true", "true", "--var full")),
    ("flag=yes", "flag", Value("yes", "yes", "--var flag")),
    ("n=007", "n", Value("007", "007", "--var n")),
    ("x=null", "x", Value("null", "null", "--var x")),
    ("ds=2020-01-02", "ds", Value("2020-01-02", "2020-01-02", "--var ds")),
    ("fmt= GZIP", "fmt", Value(" GZIP", " GZIP", "--var fmt")),
    ("p='s3://b/k'", "p", Value("'s3://b/k'", "'s3://b/k'", "--var p")),
    ('q="quoted"', "q", Value('"quoted"', '"quoted"', "--var q")),
    ("empty=", "empty", Value("", "", "--var empty")),
    ("q=a=b=c", "q", Value("a=b=c", "a=b=c", "--var q")),
    ("list=[1, 2]", "list", Value("[1, 2]", "[1, 2]", "--var list")),
    ("cfg['bucket']=acme", "cfg.bucket", Value("acme", "acme", "--var cfg.bucket")),
    ('cfg["bucket"]=acme', "cfg.bucket", Value("acme", "acme", "--var cfg.bucket")),
    ("cfg.bucket=acme", "cfg.bucket", Value("acme", "acme", "--var cfg.bucket")),
    ("config['S3']['LOG_DATA']=s3://b/k", "config.S3.LOG_DATA",
     Value("s3://b/k", "s3://b/k", "--var config.S3.LOG_DATA")),
    # any name a hint prints: the text before the first '='
    ("s3-internal=acme", "s3-internal", Value("acme", "acme", "--var s3-internal")),
    ("aws-account-id-1=1", "aws-account-id-1", Value("1", "1", "--var aws-account-id-1")),
    ("""sql.replace("'", "''")=x""", """sql.replace("'", "''")""",
     Value("x", "x", """--var sql.replace("'", "''")""")),
    ("role=arn:aws:iam::123456789012:role/R", "role",
     Value("arn:aws:iam::123456789012:role/R", "arn:aws:iam::123456789012:role/R", "--var role")),
])
def test_parse_var(spec, name, value):
    assert parse_var(spec) == (name, value)


@pytest.mark.parametrize("spec", ["bucket", "=x", " =x", ""])
def test_parse_var_rejects_bad_syntax(spec):
    with pytest.raises(InputError) as caught:
        parse_var(spec)
    diagnostic = caught.value.diagnostic
    assert (diagnostic.code, diagnostic.message) == ("RI174", f"--var {spec!r} is not NAME=VALUE")
    assert diagnostic.hint == ("write --var NAME=VALUE, e.g. --var bucket=acme-raw or "
                               "--var cfg.bucket=acme")


def test_yaml_file_gives_dotted_and_nested_names_with_key_lines(tmp_path):
    path = tmp_path / "vars.yaml"
    path.write_text("# values\nbucket: acme-raw\ncfg:\n  role: arn:aws:iam::1:role/R\n"
                    "  full: true\n  tables:\n    - a\n    - b\n")
    loaded = load_vars(str(path), yaml_tree)
    assert loaded == {
        "bucket": Value("acme-raw", "acme-raw", f"{path}:2"),
        "cfg": Value({"role": "arn:aws:iam::1:role/R", "full": True, "tables": ["a", "b"]},
                     '{"role": "arn:aws:iam::1:role/R", "full": true, "tables": ["a", "b"]}',
                     f"{path}:3"),
        "cfg.role": Value("arn:aws:iam::1:role/R", "arn:aws:iam::1:role/R", f"{path}:4"),
        "cfg.full": Value(True, "true", f"{path}:5"),
        "cfg.tables": Value(["a", "b"], '["a", "b"]', f"{path}:6"),
    }
    assert nested(loaded) == {"bucket": "acme-raw", "cfg": {
        "role": "arn:aws:iam::1:role/R", "full": True, "tables": ["a", "b"]}}


def test_json_file_lines(tmp_path):
    path = tmp_path / "vars.json"
    path.write_text('{\n  "bucket": "acme",\n  "params": {\n    "key": "k/1"\n  }\n}\n')
    assert {name: value.origin for name, value in load_vars(str(path), yaml_tree).items()} == {
        "bucket": f"{path}:2", "params": f"{path}:3", "params.key": f"{path}:4"}


def test_env_file(tmp_path):
    path = tmp_path / "prod.env"
    path.write_text("# comment\nBUCKET=acme-raw\nexport ROLE='arn:aws:iam::1:role/R'\n\n"
                    'KEY="a b # not a comment"\nPLAIN=x # a comment\n')
    assert load_vars(str(path), yaml_tree) == {
        "BUCKET": Value("acme-raw", "acme-raw", f"{path}:2"),
        "ROLE": Value("arn:aws:iam::1:role/R", "arn:aws:iam::1:role/R", f"{path}:3"),
        "KEY": Value("a b # not a comment", "a b # not a comment", f"{path}:5"),
        "PLAIN": Value("x", "x", f"{path}:6"),
    }


@pytest.mark.parametrize(("name", "text", "where", "message"), [
    ("bad.yaml", "a: [1, 2\nb: 3\n", ":2:2", "not valid YAML: expected ',' or ']', but got "
                                             "':'"),
    ("bad.json", '{"a": 1,,}', ":1:9", "not valid JSON: expected a string key in double quotes"),
    ("list.yaml", "- a\n- b\n", ":1:1", "the top level is not a mapping of names to values"),
    ("bad.env", "OK=1\nnot a line\n", ":2:1", "not a KEY=VALUE line python-dotenv can read"),
    ("vars.toml", "a = 1\n", ":1:1", "unknown values file type"),
    ("nohead.ini", "x = 1\n", ":1:1", "a key before any [SECTION] header"),
    ("dup.cfg", "[A]\nx = 1\nX = 2\n", ":3:1", "key x given twice in section [A]"),
    ("dups.ini", "[A]\n[B]\n[A]\n", ":3:1", "section [A] given twice"),
    ("ref.ini", "[A]\nx = %(y)s\n", ":2:1",
     "the value of A.x uses %(y)s, which [A] and [DEFAULT] do not set"),
    ("pct.ini", "[A]\nsecret = 50%\n", ":2:1",
     "the value of A.secret holds a '%' that is neither '%%' nor '%(name)s'"),
    ("loop.ini", "[A]\nx = %(x)s\n", ":2:1",
     "the value of A.x nests %(...)s references more than 10 deep (a loop?)"),
])
def test_bad_values_files_are_located_errors(tmp_path, name, text, where, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_vars(str(path), yaml_tree)
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "RI175"
    assert str(diagnostic.location) == f"{path}{where}"
    assert diagnostic.message == (f"{path}: {message}" if name == "vars.toml" else message)


def test_missing_values_file(tmp_path):
    with pytest.raises(InputError) as caught:
        load_vars(str(tmp_path / "none.yaml"))
    assert caught.value.diagnostic.code == "RI175"
    assert caught.value.diagnostic.message == (
        f"cannot read {tmp_path / 'none.yaml'}: No such file or directory")


def test_merge_later_source_wins_and_origins_reach_placeholders(tmp_path):
    path = tmp_path / "vars.yaml"
    path.write_text("bucket: from-file\nrole: R\n")
    values = merge(load_vars(str(path), yaml_tree), dict([parse_var("bucket=from-flag")]))
    result = template(Source("t.sql", "COPY t FROM 's3://{bucket}/' IAM_ROLE '{role}'"), values)
    assert result.text == "COPY t FROM 's3://from-flag/' IAM_ROLE 'R'"
    assert [(p.name, p.origin) for p in result.placeholders] == [
        ("bucket", "--var bucket"), ("role", f"{path}:2")]


def test_var_values_arrive_as_typed_in_every_form():
    values = dict([parse_var("full=yes"), parse_var("n=007"), parse_var("f= GZIP"),
                   parse_var("p='s3://b/k'"), parse_var("d=2020-01-02")])
    result = template(Source("t.sql", "{full} %(n)s ${f} {p} <d>"), values)
    assert result.text == "yes 007  GZIP 's3://b/k' 2020-01-02"
    result = template(Source("t.sql", "{{ full }} {{ n }}{{ f }} {{ p }} {{ d }}"), values)
    assert result.text == "yes 007 GZIP 's3://b/k' 2020-01-02"


def test_ini_file_names_section_dot_key_as_configparser_reads_it(tmp_path):
    path = tmp_path / "dwh.cfg"
    path.write_text("[DEFAULT]\nregion = us-west-2\n\n[S3]\n"
                    "LOG_DATA='s3://udacity-dend/log_data'\n"
                    "LOG_JSONPATH = s3://udacity-dend/log_json_path.json\n"
                    "both = %(log_jsonpath)s/%(REGION)s 100%%\n; a comment\n"
                    "[IAM_ROLE]\nARN=arn:aws:iam::123456789012:role/dwhRole\n")
    loaded = {name: (value.value, value.origin.rsplit(":", 1)[1])
              for name, value in load_vars(str(path)).items()}
    assert loaded == {
        "DEFAULT": ({"region": "us-west-2"}, "1"),
        "DEFAULT.region": ("us-west-2", "2"),
        "S3": ({"LOG_DATA": "'s3://udacity-dend/log_data'",
                "LOG_JSONPATH": "s3://udacity-dend/log_json_path.json",
                "both": "s3://udacity-dend/log_json_path.json/us-west-2 100%",
                "region": "us-west-2"}, "4"),
        "S3.LOG_DATA": ("'s3://udacity-dend/log_data'", "5"),
        "S3.LOG_JSONPATH": ("s3://udacity-dend/log_json_path.json", "6"),
        "S3.both": ("s3://udacity-dend/log_json_path.json/us-west-2 100%", "7"),
        "S3.region": ("us-west-2", "2"),
        "IAM_ROLE": ({"ARN": "arn:aws:iam::123456789012:role/dwhRole", "region": "us-west-2"},
                     "9"),
        "IAM_ROLE.ARN": ("arn:aws:iam::123456789012:role/dwhRole", "10"),
        "IAM_ROLE.region": ("us-west-2", "2"),
    }
    result = template(Source("t.py.sql", "COPY t FROM {config['S3']['LOG_JSONPATH']} "
                                         "{{ S3.LOG_DATA }}"),
                      load_vars(str(path)))
    assert result.text == ("COPY t FROM {config['S3']['LOG_JSONPATH']} "
                           "'s3://udacity-dend/log_data'")


def test_ini_expansion_is_bounded(tmp_path):
    path = tmp_path / "bomb.ini"
    lines = ["[A]", "a0 = " + "x" * 1000]
    lines += [f"a{i} = " + f"%(a{i - 1})s" * 10 for i in range(1, 10)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        load_vars(str(path))
    assert caught.value.diagnostic.message == (
        "the value of A.a3 makes the file's values longer than its text and 1 MiB more")


# --- .env read as python-dotenv reads it ------------------------------------------------------

def _env(tmp_path, text: str) -> dict[str, tuple[object, str]]:
    path = tmp_path / "v.env"
    path.write_text(text)
    return {name: (value.value, value.origin.rsplit(":", 1)[1])
            for name, value in load_vars(str(path)).items()}


def test_env_values_are_dotenvs(tmp_path, monkeypatch):
    text = ('A="a"   # a comment after a quoted value\n'
            "export B=${A}-raw\n"
            "C='multi\nline'\n"
            'D="tab\\there \\"quoted\\""\n'
            "E= # nothing but a comment\n"
            "\n\n  F=${B:-x}/${G:-dflt}\n"
            "G\n"
            "H=${G}x\n")
    assert _env(tmp_path, text) == {
        "A": ("a", "1"), "B": ("a-raw", "2"), "C": ("multi\nline", "3"),
        "D": ('tab\there "quoted"', "5"), "E": ("", "6"), "F": ("a-raw/dflt", "9"),
        "G": (None, "10"), "H": ("x", "11")}
    from dotenv import dotenv_values  # the reference: the same values (no process variable)
    assert dotenv_values(tmp_path / "v.env") == {k: v for k, (v, _) in _env(tmp_path, text).items()}


@pytest.mark.parametrize(("text", "message"), [
    ("BUCKET=${HOME}/x\n", "the value of BUCKET uses ${HOME}, which no earlier line of the file "
                           "sets"),
    ("B=${LATER}\nLATER=x\n", "the value of B uses ${LATER}, which no earlier line of the file "
                              "sets"),
    ("A=1\nB='${AWS_SECRET_ACCESS_KEY}'\n", "the value of B uses ${AWS_SECRET_ACCESS_KEY}, which "
                                          "no earlier line of the file sets"),
])
def test_env_never_reads_the_process_environment(tmp_path, monkeypatch, text, message):
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    path = tmp_path / "v.env"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_vars(str(path))
    found = caught.value.diagnostic
    name = message.split("${")[1].split("}")[0]
    assert (found.code, found.message, found.hint) == (
        "RI175", message, f"set {name} on an earlier line of the file, or give a default: "
                          f"${{{name}:-VALUE}}; the process environment is never read")
    assert str(found.location).startswith(f"{path}:")


@pytest.mark.parametrize(("text", "where", "message"), [
    ('AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n', 1,
     "the value of AWS_SECRET_ACCESS_KEY is not one python-dotenv can read (a quote that never "
     "closes?)"),
    ("OK=1\n\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY pasted here\n", 3,
     "not a KEY=VALUE line python-dotenv can read"),
    ("A=1\nexport TOKEN='abc\n", 2,
     "the value of TOKEN is not one python-dotenv can read (a quote that never closes?)"),
])
def test_a_bad_env_line_says_where_never_what(tmp_path, text, where, message):
    path = tmp_path / "v.env"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_vars(str(path))
    found = caught.value.diagnostic
    assert (found.code, str(found.location), found.message) == ("RI175", f"{path}:{where}:1",
                                                                message)
    assert "wJal" not in found.render()


# --- YAML and JSON values: one safe reader ----------------------------------------------------

def test_dates_and_times_are_their_text_as_written(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("ds: 2024-06-01\nts: 2024-06-01T10:00:00Z\nlocal: 2024-06-01 10:00:00.50\n"
                    "cfg:\n  2024-01-01: new year\n")
    assert {k: (v.value, v.text) for k, v in load_vars(str(path), yaml_tree).items()} == {
        "ds": ("2024-06-01", "2024-06-01"),
        "ts": ("2024-06-01T10:00:00Z", "2024-06-01T10:00:00Z"),
        "local": ("2024-06-01 10:00:00.50", "2024-06-01 10:00:00.50"),
        "cfg": ({"2024-01-01": "new year"}, '{"2024-01-01": "new year"}'),
        "cfg.2024-01-01": ("new year", "new year")}


def _laughs() -> str:
    """The YAML "billion laughs": nine levels of nine aliases (about 600 bytes, 9**9 items)."""
    lines, before = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'], "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [{','.join([f'*{before}'] * 9)}]")
        before = name
    return "\n".join(lines) + "\n"


BOMB = _laughs()


@pytest.mark.parametrize(("text", "where", "message"), [
    ("ds: !!binary aGVsbG8=\n", "1:5", "the YAML tag !!binary is not read: a value is a string, "
                                      "number, true/false, null, list or mapping"),
    ("ds: !!set {a, b}\n", "1:5", "the YAML tag !!set is not read: a value is a string, number, "
                                  "true/false, null, list or mapping"),
    ("x: 1\nds: !!python/object:os.system {}\n", "2:5",
     "the YAML tag !!python/object:os.system is not read: a value is a string, number, "
     "true/false, null, list or mapping"),
    ("ds: !!omap [a: 1]\n", "1:5", "the YAML tag !!omap is not read: a value is a string, "
                                   "number, true/false, null, list or mapping"),
    ("ds: !local x\n", "1:5", "the YAML tag !local is not read: a value is a string, number, "
                              "true/false, null, list or mapping"),
    ("<<: {a: 1}\n", "1:1", "the YAML tag !!merge is not read: a value is a string, number, "
                            "true/false, null, list or mapping"),
    (BOMB, "2:8", "an alias (*name) repeats a value; a values file uses no aliases: write "
                  "it out"),
    ("a: &a [*a]\n", "1:8", "an alias (*name) repeats a value; a values file uses no aliases: "
                            "write it out"),
    ("a: &s text\nb: *s\n", "2:4", "an alias (*name) repeats a value; a values file uses no "
                                   "aliases: write it out"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", "1:35", "lists and mappings nest more than 32 levels "
                                                 "deep here"),
    ("".join(f"{'  ' * i}k{i}:\n" for i in range(40)), "33:65",
     "lists and mappings nest more than 32 levels deep here"),
    ("n: " + "9" * 5000 + "\n", "1:4", "this value cannot be read as !!int (not that type, or a "
                                       "number too long)"),
    ("a: 1\na: 2\n", "2:1", "key 'a' is given twice"),
    ("1: a\n", "1:1", "a key must be a string (write it in quotes)"),
])
def test_yaml_values_refuse_what_a_hostile_file_could_use(tmp_path, text, where, message):
    path = tmp_path / "v.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_vars(str(path), yaml_tree)
    found = caught.value.diagnostic
    assert (found.code, str(found.location), found.message) == ("RI175", f"{path}:{where}",
                                                                message)


@pytest.mark.parametrize(("text", "code", "where", "message"), [
    ('{"a": ' * 5000 + "1" + "}" * 5000, "RI175", "1:193",
     "lists and mappings nest more than 32 levels deep here"),
    ('{"a": [' + "9" * 5000 + "]}", "RI175", "1:8", "the number is too long to read"),
    ('{"a": 1,\n "a": 2}', "RI175", "2:2", "key 'a' is given twice"),
    ('{"b": "s3://x/\\ud800"}', "RI128", "1:7", "the string holds U+D800 (character 8), a "
                                                "lone surrogate"),
    ('{"\\udc80": "x"}', "RI128", "1:2", "the string holds U+DC80 (character 1), a lone "
                                        "surrogate"),
])
def test_json_values_refuse_depth_long_numbers_duplicates_and_surrogates(tmp_path, text, code,
                                                                         where, message):
    path = tmp_path / "v.json"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_vars(str(path))
    found = caught.value.diagnostic
    assert (found.code, str(found.location), found.message) == (code, f"{path}:{where}", message)
    assert "\ud800" not in found.render() and "\udc80" not in found.render()


def test_a_yaml_escape_to_a_surrogate_is_ri128(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text('ok: 1\nbucket: "acme-\\ud83d"\n')
    with pytest.raises(InputError) as caught:
        load_vars(str(path), yaml_tree)
    found = caught.value.diagnostic
    assert (found.code, str(found.location), found.message) == (
        "RI128", f"{path}:2:9", "the string holds U+D83D (character 6), a lone surrogate")


@pytest.mark.parametrize(("spec", "value"), [
    ("ds=2024-06-01", "2024-06-01"),  # a date stays its text
    ("n=" + "9" * 5000, "9" * 5000),  # too long to convert: the text
    ("x=!!python/object:os.system {}", "!!python/object:os.system {}"),  # never a document
    ("x=&a [*a]", "&a [*a]"),
    ("x=" + "[" * 5000, "[" * 5000),
    ('x="quoted"', '"quoted"'),  # quotes are part of the value
    ('x="a": ' + "[" * 5000 + '"b"', '"a": ' + "[" * 5000 + '"b"'),
    ("x=a # b", "a # b"),
    ('x="\\ud800"', '"\\ud800"'),  # no escapes are read: six characters
])
def test_a_var_value_is_its_text(spec, value):
    assert parse_var(spec)[1].value == value


@pytest.mark.parametrize(("spec", "message", "col"), [
    ("bucket=acme-\udcff", "the --var argument holds U+DCFF (character 13), a lone surrogate", 13),
    ("b\ud800=x", "the --var argument holds U+D800 (character 2), a lone surrogate", 2),
])
def test_a_var_that_is_not_characters_is_ri128(spec, message, col):
    with pytest.raises(InputError) as caught:
        parse_var(spec)
    found = caught.value.diagnostic
    assert (found.code, found.message, str(found.location)) == ("RI128", message, f"--var:1:{col}")


# --- bounds: what a values file may cost ------------------------------------------------------

def test_a_values_file_over_256_kib_is_not_read(tmp_path):
    path = tmp_path / "v.json"
    path.write_text('{"a": "' + "x" * (256 << 10) + '"}')
    with pytest.raises(InputError) as caught:
        load_vars(str(path))
    assert caught.value.diagnostic.message == f"cannot read {path}: larger than 256 KiB"


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_only_a_regular_file_is_read(tmp_path, special):
    import os
    path = special
    if special == "fifo":
        path = str(tmp_path / "v.env")
        os.mkfifo(path)  # opening it for reading would wait for a writer
    link = tmp_path / "v.yaml"
    link.symlink_to(path)
    with pytest.raises(InputError) as caught:
        load_vars(str(link), yaml_tree)
    assert caught.value.diagnostic.message == f"cannot read {link}: not a regular file"


def test_env_expansion_that_doubles_per_line_stops_at_the_budget(tmp_path):
    path = tmp_path / "v.env"
    lines = ["A=" + "x" * 1000] + [f"A{i}=${{A{i - 1 if i else ''}}}${{A{i - 1 if i else ''}}}"
                                   for i in range(40)]
    path.write_text("\n".join(lines).replace("${A-1}", "${A}") + "\n")
    with pytest.raises(InputError) as caught:
        load_vars(str(path))
    found = caught.value.diagnostic
    assert (found.code, str(found.location), found.message) == (
        "RI175", f"{path}:11:1", "the value of A9 makes the file's values longer than its text "
                                 "and 1 MiB more: ${NAME} is expanded too many times")

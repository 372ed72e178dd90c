"""Template values: --var typing and spellings, --vars files (.json, .yaml, .env) with the
exact origin of each key, nested names, malformed input as located RI174/RI175 errors."""

from __future__ import annotations

import pytest

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import Value, load_vars, merge, parse_var, template
from redshift_iam.inputs.templating.variables import nested
from redshift_iam.spec import yaml_tree


@pytest.mark.parametrize(("spec", "name", "value"), [
    ("bucket=acme-raw", "bucket", Value("acme-raw", "acme-raw", "--var bucket")),
    ("full=true", "full", Value(True, "true", "--var full")),
    ("full=False", "full", Value(False, "False", "--var full")),
    ("n=3", "n", Value(3, "3", "--var n")),
    ("ratio=1.5", "ratio", Value(1.5, "1.5", "--var ratio")),
    ("x=null", "x", Value(None, "null", "--var x")),
    ("empty=", "empty", Value(None, "", "--var empty")),
    ("q=a=b=c", "q", Value("a=b=c", "a=b=c", "--var q")),
    ("list=[1, 2]", "list", Value("[1, 2]", "[1, 2]", "--var list")),  # scalars only
    ("cfg['bucket']=acme", "cfg.bucket", Value("acme", "acme", "--var cfg.bucket")),
    ('cfg["bucket"]=acme', "cfg.bucket", Value("acme", "acme", "--var cfg.bucket")),
    ("cfg.bucket=acme", "cfg.bucket", Value("acme", "acme", "--var cfg.bucket")),
    ("role=arn:aws:iam::123456789012:role/R", "role",
     Value("arn:aws:iam::123456789012:role/R", "arn:aws:iam::123456789012:role/R", "--var role")),
])
def test_parse_var(spec, name, value):
    assert parse_var(spec) == (name, value)


@pytest.mark.parametrize("spec", ["bucket", "=x", "1a=x", "a b=x"])
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


def test_python_forms_splice_python_text_and_shell_forms_the_text_as_written():
    values = dict([parse_var("full=true"), parse_var("n=007")])
    result = template(Source("t.sql", "{full} %(n)s ${full} ${n}"), values)
    assert result.text == "True 7 true 007"

"""Fuzzing the values a hostile repository or command line gives: random YAML, JSON and .env
values files, manifests, and text with lone surrogates in SQL and ``--var``.

Properties (each seeded with the issue's examples):

1. a values file (``load_vars``) is values or a clean located InputError (RI175, or RI128 for
   a lone surrogate), never another exception: no RecursionError, no constructor error, no
   alias expansion;
2. a manifest (``load_manifest``) is entries or RI150/RI128 (or a flag error), never another
   exception;
3. SQL, a ``--var`` or a ``--vars`` file holding any text, lone surrogates included, never
   makes the CLI print a traceback: exit 0, 1 or 2, and stdout is a JSON document or empty.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from redshift_iam.cli.main import main
from redshift_iam.core.diagnostics import InputError
from redshift_iam.inputs.flags import FlagError, load_manifest
from redshift_iam.inputs.templating import Value, load_vars
from redshift_iam.spec import yaml_tree
from tests.test_templating_values import BOMB  # the YAML "billion laughs"

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ROLE = "arn:aws:iam::123456789012:role/Etl"

SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
ANY_TEXT = st.text(alphabet=st.one_of(st.characters(), SURROGATES), max_size=80)


YAML_SEEDS = [
    BOMB, "ds: 2024-06-01\n", "ts: 2024-06-01T10:00:00Z\n", "x: !!binary aGVsbG8=\n",
    "x: !!set {a, b}\n", "x: !!python/object:os.system {}\n", "a: &a [*a]\n",
    "a: " + "[" * 3000 + "\n", "a:\n" + "".join(f"{' ' * (i + 1)}- \n" for i in range(60)),
    "x: " + "9" * 5000 + "\n", 'x: "\\ud800"\n', "<<: *a\n", "? [a]\n: b\n", "x: !!int abc\n",
]
JSON_SEEDS = ['{"a": ' * 3000 + "1" + "}" * 3000, '{"a": 1, "a": 2}', '{"a": "\\udc80"}',
              '{"a": ' + "1" * 5000 + "}", '{"a": 1e999}', "[1, 2]", "", '{"a": NaN}']
ENV_SEEDS = ['A="a"   # comment\nB=${A}-x\n', "X=${HOME}\n", "C='multi\nline'\nD=\"a\\nb\"\n",
             "export E=1\nF\n", 'G="never closed\n', "=x\n", "H=${I:-d}${J}\n"]

YAML_ALPHABET = st.sampled_from(list("ab01 :-[]{},&*!|>?'\"#%@`\\\n\t.=~") + [
    "!!binary ", "!!set ", "!!python/object:x ", "&a ", "*a", "<<: ", "2024-06-01", "\\u",
    "\\ud800", "    ", "- ", "? "])
ENV_ALPHABET = st.sampled_from(list("AB_=\"'${}:-#\\ \n\texport") + ["${A}", "${", "export ",
                                                                  "\\n", "\\\"", "# "])


def _check_values(name: str, text: str, codes: frozenset[str] = frozenset({"RI175", "RI128"})
                  ) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            found = load_vars(str(path), yaml_tree)
        except InputError as exc:
            assert exc.diagnostic.code in codes, exc.diagnostic
            assert exc.diagnostic.location is not None
            assert exc.diagnostic.location.file == str(path)
            return
        assert all(isinstance(value, Value) for value in found.values())
        for value in found.values():
            json.dumps(value.value)  # plain data only: no dates, bytes, sets or objects


@FUZZ
@given(st.lists(YAML_ALPHABET, max_size=60).map("".join))
@example(YAML_SEEDS[0])
@example(YAML_SEEDS[1])
@example(YAML_SEEDS[2])
@example(YAML_SEEDS[3])
@example(YAML_SEEDS[4])
@example(YAML_SEEDS[5])
@example(YAML_SEEDS[6])
@example(YAML_SEEDS[7])
@example(YAML_SEEDS[8])
@example(YAML_SEEDS[9])
@example(YAML_SEEDS[10])
@example(YAML_SEEDS[11])
@example(YAML_SEEDS[12])
@example(YAML_SEEDS[13])
def test_any_yaml_values_file_is_values_or_a_clean_error(text: str) -> None:
    _check_values("v.yaml", text)


def _nest(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.lists(inner, max_size=3),
                     st.dictionaries(st.text(max_size=5), inner, max_size=3))


VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=10), st.dates().map(str)),
    _nest, max_leaves=12)


@FUZZ
@given(st.dictionaries(st.text(min_size=1, max_size=8), VALUES, max_size=5),
       st.sampled_from(["yaml", "json"]))
def test_a_well_formed_values_file_reads_back(data: dict, kind: str) -> None:
    text = yaml.safe_dump(data) if kind == "yaml" else json.dumps(data)
    _check_values(f"v.{kind}", text)


@FUZZ
@given(st.lists(st.sampled_from(list('{}[]":,0123456789abtrufalsen -.eE\\/u') + [
    '"\\ud800"', "1e999", '"a"', "{" * 40]), max_size=80).map("".join))
@example(JSON_SEEDS[0])
@example(JSON_SEEDS[1])
@example(JSON_SEEDS[2])
@example(JSON_SEEDS[3])
@example(JSON_SEEDS[4])
@example(JSON_SEEDS[5])
@example(JSON_SEEDS[6])
@example(JSON_SEEDS[7])
def test_any_json_values_file_is_values_or_a_clean_error(text: str) -> None:
    _check_values("v.json", text)


@FUZZ
@given(st.lists(ENV_ALPHABET, max_size=60).map("".join))
@example(ENV_SEEDS[0])
@example(ENV_SEEDS[1])
@example(ENV_SEEDS[2])
@example(ENV_SEEDS[3])
@example(ENV_SEEDS[4])
@example(ENV_SEEDS[5])
@example(ENV_SEEDS[6])
def test_any_env_values_file_is_values_or_a_clean_error(text: str) -> None:
    _check_values("v.env", text, frozenset({"RI175"}))


@FUZZ
@given(st.lists(st.sampled_from(list('{}[]":,0123456789 \\u') + [
    '"entries"', '"url"', '"s3://acme-in/k"', '"s3://Bad/k"', '"\\ud800"', '"mandatory"',
    "true", "{" * 40]), max_size=80).map("".join))
@example('{"entries": [{"url": "s3://acme-in/a"}], "entries": []}')
@example('{"entries": ' + "[" * 5000 + "]" * 5000 + "}")
@example('{"entries": [{"url": "s3://acme-in/k\\ud800"}]}')
@example('{"entries": [{"url": "s3://acme-in/k", "meta": ' + "7" * 5000 + "}]}")
def test_any_manifest_is_entries_or_a_clean_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.json"
        path.write_text(text)
        try:
            entries = load_manifest("s3://acme-in/m", str(path))
        except InputError as exc:
            assert exc.diagnostic.code in ("RI150", "RI128")
            return
        except FlagError:
            return
        assert all(entry.bucket and entry.key for entry in entries)


def _cli(*args: str, stdin: str | None = None) -> None:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 0 and args[0] == "policy":
        json.loads(result.stdout)
    elif result.exit_code:
        assert result.stdout == ""


@FUZZ
@given(ANY_TEXT, ANY_TEXT)
@example("s3://acme-in/k\ud800", "x")
@example("\udcff", "\ud800")
@example("", "")
def test_any_text_in_sql_or_a_var_is_no_traceback(key: str, value: str) -> None:
    sql = f"COPY t FROM 's3://acme-in/{key}/{{{{ v }}}}' IAM_ROLE '{ROLE}';"
    _cli("policy", "--var", f"v={value}", stdin=sql.encode("utf-8", "surrogatepass").decode(
        "utf-8", "replace"))
    _cli("policy", "--var", f"v={value}", "--template-style", "jinja",
         stdin=f"COPY t FROM 's3://acme-in/{{{{ {json.dumps(key)} }}}}/' IAM_ROLE '{ROLE}';")


@FUZZ
@given(ANY_TEXT)
@example('"\\ud800"')
@example("x: !!binary aGVsbG8=")
@example(BOMB)
def test_any_values_file_through_the_cli_is_no_traceback(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name in ("v.yaml", "v.json", "v.env"):
            path = Path(folder) / name
            path.write_text(f"v: {text}\n" if name == "v.yaml" else text, encoding="utf-8",
                            errors="surrogatepass")
            _cli("policy", "--vars", str(path),
                 stdin=f"COPY t FROM 's3://acme-in/{{{{ v }}}}/' IAM_ROLE '{ROLE}';")

"""The templated samples without any value (samples/*.flags gives them for test_samples and
test_iac_formats): explain's review, the JSON formats' refusal, and Terraform/CloudFormation
that take the open values as variables. Goldens: tests/golden/unresolved/ (explain) and
tests/golden/iac/unresolved/ (``UPDATE_GOLDENS=1`` rewrites them; review the diff)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest
import yaml
from click.testing import CliRunner

from redshift_iam.cli.main import main
from tests.test_samples import ROOT, TEMPLATED

EXPLAIN = ROOT / "tests" / "golden" / "unresolved"
IAC = ROOT / "tests" / "golden" / "iac" / "unresolved"
SAMPLES = sorted(TEMPLATED)
# What each sample leaves open where a grant needs a value: the Terraform variables.
VARIABLES = {
    "airflow_jinja": {"params_bucket"},
    "dbt_macro": {"export_bucket", "EXPORT_KMS_KEY"},
    "psql_vars": {"sales_path"},
    "python_format": {"bucket", "ddb_table", "region"},
}
# The codes `generate` (JSON) stops on, at file:line:col.
REFUSED = {
    "airflow_jinja": ["5:12 unresolved RI145", "10:10 unresolved RI145"],
    "dbt_macro": ["6:10 unresolved RI145", "8:13 unresolved RI147"],
    "psql_vars": ["7:6 unresolved RI145"],
    "python_format": ["5:12 unresolved RI145", "7:22 unresolved RI145",
                      "10:18 unresolved RI147"],
}
# Samples whose CloudFormation is refused (exit 1), with the message's end: none since a
# whole-location variable is two Parameters.
CFN_REFUSED: dict[str, str] = {}
# The whole-location variables: two CloudFormation Parameters each, <Name>Bucket and <Name>Key.
WHOLE_LOCATIONS = {"psql_vars": {"sales_path"}}
EXTENSIONS = {"terraform": "tf", "cloudformation": "cfn.yaml", "cloudformation-json": "cfn.json"}


@pytest.fixture(autouse=True)
def _at_root(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _check(path: Path, text: str) -> None:
    if os.environ.get("UPDATE_GOLDENS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text, f"{path.name} changed; UPDATE_GOLDENS=1 rewrites it"


def test_the_templated_samples_are_the_four_styles() -> None:
    assert SAMPLES == ["airflow_jinja", "dbt_macro", "psql_vars", "python_format"]
    assert set(VARIABLES) == set(REFUSED) == set(SAMPLES)


@pytest.mark.parametrize("sample", SAMPLES)
def test_explain_without_values_lists_the_placeholders_and_exits_1(sample: str) -> None:
    result = invoke("explain", f"samples/{sample}.sql", "--region", "us-east-1")
    assert result.exit_code == 1
    _check(EXPLAIN / f"{sample}.explain.txt", result.stdout)
    assert max(map(len, result.stdout.splitlines())) <= 100


@pytest.mark.parametrize("sample", SAMPLES)
def test_json_formats_refuse_the_values_a_grant_needs(sample: str) -> None:
    result = invoke("generate", f"samples/{sample}.sql", "--region", "us-east-1")
    assert (result.exit_code, result.stdout) == (1, "")
    found = re.findall(rf"^samples/{sample}\.sql:(\d+:\d+): (unresolved RI14\d)", result.stderr,
                       re.M)
    assert [f"{where} {code}" for where, code in found] == REFUSED[sample]


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("sample", SAMPLES)
def test_iac_without_values_golden(sample: str, fmt: str) -> None:
    result = invoke("generate", "--format", fmt, f"samples/{sample}.sql")
    if fmt != "terraform" and sample in CFN_REFUSED:
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr.endswith(CFN_REFUSED[sample])
        return
    assert result.exit_code == 0, result.stderr
    _check(IAC / f"{sample}.{EXTENSIONS[fmt]}", result.stdout)
    rw222 = set(re.findall(r"RW222: .*: the file takes it as var\.(\S+) ", result.stderr))
    assert rw222 == VARIABLES[sample]


def test_every_iac_golden_without_values_is_a_rendering() -> None:
    expected = {f"{s}.{ext}" for s in SAMPLES for ext in EXTENSIONS.values()}
    expected -= {f"{s}.{ext}" for s in CFN_REFUSED for ext in ("cfn.yaml", "cfn.json")}
    assert {p.name for p in IAC.iterdir()} == expected
    assert {p.name for p in EXPLAIN.iterdir()} == {f"{s}.explain.txt" for s in SAMPLES}


@pytest.mark.parametrize("sample", SAMPLES)
def test_terraform_declares_exactly_the_variables_it_uses(sample: str) -> None:
    text = (IAC / f"{sample}.tf").read_text()
    parsed = hcl2.loads(text)
    declared = {name.strip('"'): body for block in parsed["variable"]
                for name, body in block.items()}
    used = set(re.findall(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)", text))
    assert used == set(declared)
    template = {name for name in declared if not name.endswith("_role_name")}
    assert template == VARIABLES[sample]
    for name in template:  # no default: the value is given at apply
        assert set(declared[name]) == {"description", "type", "__is_block__"}
        assert declared[name]["type"] == "string"
        assert re.fullmatch(rf'"Value of .+ in the SQL at (samples/{sample}\.sql:\d+(, )?)+"',
                            declared[name]["description"])


@pytest.mark.parametrize("sample", SAMPLES)
def test_terraform_without_values_is_in_terraform_fmt_layout(sample: str) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    text = (IAC / f"{sample}.tf").read_text()
    done = subprocess.run([terraform, "fmt", "-"], input=text, capture_output=True, text=True,
                          env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull}, check=True)
    assert done.stdout == text


CFN_GOLDENS = sorted(f"{s}.{e}" for s in SAMPLES if s not in CFN_REFUSED
                     for e in ("cfn.yaml", "cfn.json"))


@pytest.mark.parametrize("name", CFN_GOLDENS)
def test_cloudformation_without_values_passes_cfn_lint(name: str) -> None:
    from cfnlint.api import ManualArgs, lint
    matches = lint((IAC / name).read_text(), config=ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


@pytest.mark.parametrize("name", CFN_GOLDENS)
def test_cloudformation_declares_exactly_the_parameters_it_uses(name: str) -> None:
    text = (IAC / name).read_text()
    template = yaml.safe_load(text) if name.endswith("yaml") else json.loads(text)
    declared = set(template["Parameters"])
    body = json.dumps(template["Resources"])
    used = set(re.findall(r'"Ref": "([A-Za-z0-9]+)"', body)) | set(
        re.findall(r"\$\{([A-Za-z0-9]+)\}", body))
    assert used - set(template["Resources"]) == declared
    sample = name.split(".")[0]
    no_default = {p for p, spec in template["Parameters"].items() if "Default" not in spec}
    whole = WHOLE_LOCATIONS.get(sample, set())
    names = {v.replace("_", "").lower() for v in VARIABLES[sample] - whole}
    names |= {v.replace("_", "").lower() + part for v in whole for part in ("bucket", "key")}
    assert {p.lower() for p in no_default} == names


# The values given at apply; the JSON bundle gets the same ones with --var (and nothing for
# the placeholders in keys, which stay `*` in both).
APPLY = {
    "airflow_jinja": {"params.bucket": "acme-data-lake"},
    "dbt_macro": {"export_bucket": "acme-exports", "EXPORT_KMS_KEY":
                  "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
    "psql_vars": {"sales_path": "s3://acme-raw-data/sales/2024/06/"},
    "python_format": {"bucket": "acme-events", "ddb_table": "Customers", "region": "us-west-2"},
}
_INTERPOLATION = re.compile(r'\$\{((?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}')
_CALL = re.compile(r"([a-z]+)\((.*)\)(\[0\])?\Z", re.S)


def _terraform_value(expression: str, values: dict[str, str]) -> str:
    """A Terraform expression of the renderer's forms (var.X, trimprefix, split(...)[0],
    replace with a /regex/), evaluated as Terraform does."""
    expression = expression.strip()
    if expression.startswith('"'):
        return json.loads(expression)
    if expression.startswith("var."):
        return values[expression[4:]]
    name, inner, index = _CALL.match(expression).groups()
    args = [_terraform_value(a, values) for a in _arguments(inner)]
    if name == "trimprefix":
        out: object = args[0].removeprefix(args[1])
    elif name == "split":
        out = args[1].split(args[0])
    else:
        assert name == "replace" and args[1].startswith("/") and args[1].endswith("/")
        out = re.sub(args[1][1:-1], args[2], args[0])
    return out[0] if index else out


def _arguments(text: str) -> list[str]:
    """A call's arguments: split at the commas outside strings and parentheses."""
    out, depth, quoted, start = [], 0, False, 0
    for at, char in enumerate(text):
        if char == '"' and text[at - 1] != "\\":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == ",":
            out.append(text[start:at])
            start = at + 1
    return [*out, text[start:]]


def _terraform_applied(sample: str) -> dict:
    from tests.test_iac_formats import _terraform_documents
    values = {name.replace(".", "_"): value for name, value in APPLY[sample].items()}
    text = (IAC / f"{sample}.tf").read_text()
    for name in values:  # declared without a default: drop the blocks once filled in
        text = re.sub(rf'\nvariable "{name}" \{{\n.*?\n\}}\n', "\n", text, flags=re.S)
    for name, value in values.items():  # a lone variable is written bare
        text = text.replace(f"= var.{name}\n", f"= {json.dumps(value)}\n")

    def fill(match: re.Match[str]) -> str:
        if "var." not in match.group(1) or "_role_name" in match.group(1):
            return match.group()
        return json.dumps(_terraform_value(match.group(1), values))[1:-1]

    text = _INTERPOLATION.sub(fill, text)
    return _terraform_documents(text)


def _cloudformation_applied(name: str) -> dict:
    from tests.test_iac_formats import _cloudformation_documents
    text = (IAC / name).read_text()
    template = yaml.safe_load(text) if name.endswith("yaml") else json.loads(text)
    sample = name.split(".")[0]
    values = {template_name.replace(".", "").replace("_", "").lower(): value
              for template_name, value in APPLY[sample].items()}
    for whole in WHOLE_LOCATIONS.get(sample, ()):  # s3://BUCKET/KEY as its two Parameters
        bucket, _, key = APPLY[sample][whole].removeprefix("s3://").partition("/")
        base = whole.replace("_", "").lower()
        values |= {base + "bucket": bucket, base + "key": key}
    given = {p: values[p.lower()] for p in template["Parameters"] if p.lower() in values}

    def refs(node: object) -> object:
        if isinstance(node, dict):
            if set(node) == {"Ref"} and node["Ref"] in given:
                return given[node["Ref"]]
            return {k: refs(v) for k, v in node.items()}
        return [refs(v) for v in node] if isinstance(node, list) else node

    for parameter, value in given.items():
        template["Parameters"][parameter]["Default"] = value
    return _cloudformation_documents(refs(template))


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _canonical(documents: dict) -> dict:
    """Per principal: the trust, and each (action, resource, s3:prefix) the policies allow.
    Sids and statement grouping differ: the file only knows the bucket at apply, so two
    statements on one bucket given by a variable are not merged."""
    out = {}
    for label, entry in documents.items():
        allowed = set()
        for doc in entry["policies"]:
            for s in doc["Statement"]:
                prefixes = s.get("Condition", {}).get("StringLike", {}).get("s3:prefix", [None])
                allowed |= {(a, r, p) for a in _listed(s["Action"])
                            for r in _listed(s["Resource"]) for p in _listed(prefixes)}
        out[label] = (json.dumps(entry.get("trust"), sort_keys=True), allowed)
    return out


def _bundle(sample: str, label) -> dict:
    flags = [w for name, value in APPLY[sample].items() for w in ("--var", f"{name}={value}")]
    result = invoke("generate", f"samples/{sample}.sql", "--region", "us-east-1",
                    "--account-id", "123456789012", *flags)
    assert result.exit_code == 0, result.stderr
    return {label(p["principal"]): {"policies": p["policies"], "trust": p["trust"]}
            for p in json.loads(result.stdout)["principals"]}


@pytest.mark.parametrize("sample", SAMPLES)
def test_terraform_applied_with_values_holds_the_bundle_of_those_values(sample: str) -> None:
    """The variables filled in as `terraform apply -var` would: exactly the documents the
    JSON bundle has with the same values given by --var (keys stay `*` in both)."""
    applied = _terraform_applied(sample)
    assert _canonical(applied) == _canonical(_bundle(sample, lambda p: p.rsplit("/", 1)[-1]))


@pytest.mark.parametrize("name", CFN_GOLDENS)
def test_cloudformation_applied_with_values_holds_the_bundle_of_those_values(name) -> None:
    applied = _cloudformation_applied(name)
    expected = _bundle(name.split(".")[0], lambda p: p.rsplit("/", 1)[-1])
    assert _canonical(applied) == _canonical(expected)

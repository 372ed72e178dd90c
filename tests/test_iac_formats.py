"""Terraform and CloudFormation output: goldens, validity (python-hcl2, terraform fmt, cfn-lint),
the same documents as the JSON bundle once the data sources / pseudo-parameters are filled,
one account per file, names that stay put, and provenance kept out of what AWS stores.

``UPDATE_GOLDENS=1`` rewrites tests/golden/iac/ (review the diff)."""

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
from tests import test_samples

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "iac"
SAMPLES = sorted(p.stem for p in (ROOT / "samples").glob("*.sql"))
FLAGS = {
    "manifest_load": ["--manifest", "s3://acme-raw-data/manifests/orders.manifest="
                                    "samples/manifests/orders.manifest"],
    "role_chain": ["--account-id", "210987654321"],  # its roles are in two accounts
}
FLAGS.update(test_samples.FLAGS)  # the values of the templated samples (samples/*.flags)
EXTENSIONS = {"terraform": "tf", "cloudformation": "cfn.yaml", "cloudformation-json": "cfn.json"}
SAMPLE_ACCOUNT = "123456789012"  # the account of every role in the samples but PartnerReader
TF_DATA = {"${data.aws_partition.current.partition}": "aws",
           "${data.aws_caller_identity.current.account_id}": SAMPLE_ACCOUNT,
           "${data.aws_region.current.name}": "us-east-1"}


def invoke(*args: str, sql: str | None = None):
    return CliRunner().invoke(main, list(args), input=sql)


def generate(fmt: str, *args: str, sql: str | None = None) -> str:
    result = invoke("generate", "--format", fmt, *args, sql=sql)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def sample_args(sample: str) -> list[str]:
    return [f"samples/{sample}.sql", *FLAGS.get(sample, [])]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("sample", SAMPLES)
def test_golden(sample: str, fmt: str) -> None:
    text = generate(fmt, *sample_args(sample))
    path = GOLDEN / f"{sample}.{EXTENSIONS[fmt]}"
    if os.environ.get("UPDATE_GOLDENS"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text, f"{path.name} changed; UPDATE_GOLDENS=1 rewrites it"
    assert "applyingregion" not in text and "000000000000" not in text  # placeholders


def test_every_sample_has_iac_goldens() -> None:
    assert {p.name for p in GOLDEN.iterdir() if p.is_file()} == {
        f"{s}.{ext}" for s in SAMPLES for ext in EXTENSIONS.values()}


@pytest.mark.parametrize("name", sorted(f"{s}.{e}" for s in SAMPLES for e in ("cfn.yaml",
                                                                               "cfn.json")))
def test_cloudformation_passes_cfn_lint(name: str) -> None:
    from cfnlint.api import ManualArgs, lint
    matches = lint((GOLDEN / name).read_text(), config=ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


@pytest.mark.parametrize("sample", SAMPLES)
def test_terraform_is_in_terraform_fmt_layout(sample: str) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    text = (GOLDEN / f"{sample}.tf").read_text()
    done = subprocess.run([terraform, "fmt", "-"], input=text, capture_output=True, text=True,
                          env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull}, check=True)
    assert done.stdout == text


def _strings(node: object):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


ARN_FIELDS = re.compile(r"arn:(\$\{[^}]*\}|[^:]*):[^:]*:(\$\{[^}]*\}|[^:]*):(\$\{[^}]*\}|[^:]*):")


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s != "role_chain"])
def test_terraform_names_account_partition_region_only_through_data_sources(sample) -> None:
    """With no --account-id/--region: every ARN's partition is the aws_partition data source;
    its account is the caller's (or none); its Region is aws_region's, none, or a Region the
    SQL names in a REGION option (or a template's value gives); no 12-digit number is left
    anywhere but in a value given for a template (an ARN passed with --var)."""
    sql = (ROOT / "samples" / f"{sample}.sql").read_text()
    sql_regions = set(re.findall(r"REGION\s+(?:AS\s+)?'([^']+)'", sql, re.I))
    text = (GOLDEN / f"{sample}.tf").read_text()
    given = [w.split("=", 1)[1] for w in test_samples.flags_file(sample) if "=" in w]
    sql_regions |= {v for v in given if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", v)}
    sql_regions |= {v.split(":")[3] for v in given if v.startswith("arn:")}
    for value in given:  # a template's values are the SQL's text: an ARN given stays
        text = text.replace(value, "")
    values = [s for s in _strings(hcl2.loads(text)) if not s.startswith("#")]
    arns = [m.groups() for s in values for m in ARN_FIELDS.finditer(s)]
    assert arns
    for partition, region, account in arns:
        assert partition == "${data.aws_partition.current.partition}"
        assert account in ("", "${data.aws_caller_identity.current.account_id}")
        assert region in {"", "${data.aws_region.current.name}"} | sql_regions
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", "\n".join(values))
    assert not re.search(r"arn:aws(-cn|-us-gov)?:", text)


def _hcl_object(expression: str, variables: dict[str, str], roles: dict[str, str]) -> object:
    """The JSON value of a ``${jsonencode({...})}`` as python-hcl2 prints it, with the data
    sources, variables and role ARNs filled in (test-only: the samples' strings hold no
    `` = `` and no commas inside keys)."""
    body = expression.removeprefix("${jsonencode(").removesuffix(")}")
    for reference, value in {**TF_DATA, **variables}.items():
        body = body.replace(reference, value)
    for reference, arn in roles.items():
        body = body.replace(reference, json.dumps(arn))
    body = re.sub(r'([{,]\s*)([A-Za-z_][A-Za-z0-9_-]*|"[^"]*") = ',
                  lambda m: m.group(1) + json.dumps(m.group(2).strip('"')) + ": ", body)
    return json.loads(body)


def _terraform_documents(text: str) -> dict[str, dict]:
    """Role name (or policy name) -> {"trust": ..., "policies": [...]}, the references
    resolved as AWS would for account SAMPLE_ACCOUNT in us-east-1."""
    parsed = hcl2.loads(text)
    variables = {f"${{var.{name.strip(chr(34))}}}": body["default"].strip('"')
                 for block in parsed.get("variable", []) for name, body in block.items()}
    resources = [(kind.strip('"'), label.strip('"'), body) for block in parsed["resource"]
                 for kind, labels in block.items() for label, body in labels.items()]
    roles = {f"aws_iam_role.{label}.arn": f"arn:aws:iam::{SAMPLE_ACCOUNT}:role"
             + body["path"].strip('"') + variables["${" + body["name"][2:-1] + "}"]
             for kind, label, body in resources if kind == "aws_iam_role"}
    out: dict[str, dict] = {}
    for kind, label, body in resources:
        if kind == "aws_iam_role":
            out.setdefault(label, {"policies": []})["trust"] = _hcl_object(
                body["assume_role_policy"], variables, roles)
        elif kind in ("aws_iam_policy", "aws_iam_role_policy"):
            owner = label.rsplit("_", 1)[0] if re.search(r"_\d+$", label) else label
            out.setdefault(owner, {"policies": []})["policies"].append(
                _hcl_object(body["policy"], variables, roles))
    return out


def _sub(node: object, parameters: dict[str, str], arns: dict[str, str]) -> object:
    """A CloudFormation value with Fn::Sub, Ref and Fn::GetAtt resolved for SAMPLE_ACCOUNT."""
    if isinstance(node, list):
        return [_sub(v, parameters, arns) for v in node]
    if not isinstance(node, dict):
        return node
    if "Fn::Sub" in node:
        names = {"AWS::Partition": "aws", "AWS::AccountId": SAMPLE_ACCOUNT,
                 "AWS::Region": "us-east-1", **parameters}
        return re.sub(r"\$\{([^}!]+)\}", lambda m: names[m.group(1)], node["Fn::Sub"])
    if "Fn::GetAtt" in node:
        return arns[node["Fn::GetAtt"][0]]
    return {k: _sub(v, parameters, arns) for k, v in node.items()}


def _cloudformation_documents(template: dict) -> dict[str, dict]:
    parameters = {name: p["Default"] for name, p in template.get("Parameters", {}).items()}
    resources = template["Resources"]
    arns = {name: f"arn:aws:iam::{SAMPLE_ACCOUNT}:role{r['Properties']['Path']}"
            + parameters[r["Properties"]["RoleName"]["Ref"]]
            for name, r in resources.items() if r["Type"] == "AWS::IAM::Role"}
    out: dict[str, dict] = {}
    for name, resource in resources.items():
        properties = _sub(resource["Properties"], parameters, arns)
        if resource["Type"] == "AWS::IAM::Role":
            entry = out.setdefault(name.removesuffix("Role"), {"policies": []})
            entry["trust"] = properties["AssumeRolePolicyDocument"]
            entry["policies"] += [p["PolicyDocument"] for p in properties.get("Policies", [])]
        else:
            owner = re.sub(r"Policy\d*$", "", name)
            out.setdefault(owner, {"policies": []})["policies"].append(
                properties["PolicyDocument"])
    return out


def _bundle_documents(sample: str, labels: dict[str, str], *flags: str) -> dict[str, dict]:
    """The JSON bundle's documents with --account-id SAMPLE_ACCOUNT --region us-east-1, keyed
    by the label each principal gets from ``labels`` (principal name -> label)."""
    bundle = json.loads(generate("json", *sample_args(sample), "--region", "us-east-1",
                                 *(["--account-id", SAMPLE_ACCOUNT] if sample != "role_chain"
                                   else []), *flags))
    out = {}
    for p in bundle["principals"]:
        if p["principal"] in labels:
            entry = {"policies": p["policies"]}
            if p["trust"] is not None:
                entry["trust"] = p["trust"]
            out[labels[p["principal"]]] = entry
    return out


def _labels(style: str) -> dict[str, str]:
    tf = {"default": "default-role", "user:AKIAIOSFODNN7EXAMPLE": "user-AKIAIOSFODNN7EXAMPLE"}
    cfn = {"default": "DefaultRole", "user:AKIAIOSFODNN7EXAMPLE": "UserAKIAIOSFODNN7EXAMPLE"}
    names = ["DynamoLoader", "EmrLoader", "EtlLoader", "IotLoader", "LakePublisher",
             "ManifestLoader", "OpsLoader", "UdfInstaller", "ClusterRole", "AirflowLoader",
             "DbtExporter", "PsqlLoader", "PyLoader"]
    out = {f"arn:aws:iam::{SAMPLE_ACCOUNT}:role/{n}": n for n in names}
    out["arn:aws:iam::210987654321:role/PartnerReader"] = "PartnerReader"
    return {**out, **(tf if style == "tf" else cfn)}


@pytest.mark.parametrize("sample", SAMPLES)
def test_filled_in_documents_equal_the_json_bundle(sample: str) -> None:
    """Once account, partition and Region are filled in, the Terraform and both
    CloudFormation forms hold exactly the bundle's documents: nothing widened or lost."""
    tf = _terraform_documents((GOLDEN / f"{sample}.tf").read_text())
    assert tf and all(entry["policies"] for entry in tf.values())
    assert tf == _bundle_documents(sample, {k: v for k, v in _labels("tf").items()
                                            if v in tf})
    for ext, load in (("cfn.yaml", yaml.safe_load), ("cfn.json", json.loads)):
        cfn = _cloudformation_documents(load((GOLDEN / f"{sample}.{ext}").read_text()))
        assert cfn == _bundle_documents(sample, {k: v for k, v in _labels("cfn").items()
                                                 if v in cfn})

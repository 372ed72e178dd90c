"""Terraform and CloudFormation renderers: valid output, exact resources, escaping, packaging."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import hcl2
from click.testing import CliRunner

from redshift_iam.cli.main import main
from redshift_iam.output.iac import render_terraform
from tests.helpers import run

ROOT = Path(__file__).resolve().parent.parent


def generate(fmt: str, *paths: str) -> str:
    result = CliRunner().invoke(main, ["generate", "--format", fmt, *paths])
    assert result.exit_code == 0, result.stderr
    return result.stdout


CHAIN = ("copy t from 's3://bkt/in/' iam_role "
         "'arn:aws:iam::123456789012:role/ClusterRole,arn:aws:iam::123456789012:role/Reader';\n")


def test_terraform_resources_for_a_chain() -> None:
    result = CliRunner().invoke(main, ["generate", "--format", "terraform"], input=CHAIN)
    assert result.exit_code == 0, result.stderr
    parsed = hcl2.loads(result.stdout)
    blocks = [(kind.strip('"'), label.strip('"'))
              for block in parsed["resource"] for kind, labels in block.items()
              for label in labels]
    assert blocks == [
        ("aws_iam_role", "ClusterRole"), ("aws_iam_policy", "ClusterRole"),
        ("aws_iam_role_policy_attachment", "ClusterRole"),
        ("aws_iam_role", "Reader"), ("aws_iam_policy", "Reader"),
        ("aws_iam_role_policy_attachment", "Reader"),
    ]


def test_terraform_escapes_hcl_templates() -> None:
    analysis = run("copy t from 's3://bkt/a%{ x }/' iam_role default")
    text = render_terraform(analysis.reports)
    assert '"arn:${data.aws_partition.current.partition}:s3:::bkt/a%%{ x }/*"' in text
    assert "%{ x }" not in text.replace("%%{ x }", "")


def test_cloudformation_template(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    template = json.loads(generate("cloudformation-json", "samples/role_chain.sql",
                                   "samples/legacy_keys.sql", "--account-id", "210987654321"))
    assert {name: r["Type"] for name, r in template["Resources"].items()} == {
        "PartnerReaderRole": "AWS::IAM::Role", "PartnerReaderPolicy": "AWS::IAM::ManagedPolicy",
        "UserAKIAIOSFODNN7EXAMPLEPolicy": "AWS::IAM::ManagedPolicy",
    }
    assert template["Resources"]["PartnerReaderPolicy"]["Properties"]["Roles"] == [
        {"Ref": "PartnerReaderRole"}]


def test_out_dir_with_terraform(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "tf"
    result = CliRunner().invoke(main, ["generate", "samples/nightly_etl.sql", "--format",
                                       "terraform", "--out-dir", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".redshift-iam.json", "redshift-iam.tf"]


def test_templates_ship_in_the_wheel(built_wheel: Path) -> None:
    names = set(zipfile.ZipFile(built_wheel).namelist())
    assert {"redshift_iam/templates/terraform.tf.j2",
            "redshift_iam/templates/cloudformation.json.j2"} <= names

"""Terraform and CloudFormation renderers: valid output, exact resources, escaping, packaging."""

from __future__ import annotations

import json
import subprocess
import sys
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


def test_terraform_resources_for_a_chain(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    parsed = hcl2.loads(generate("terraform", "samples/role_chain.sql"))
    blocks = [(kind.strip('"'), label.strip('"'))
              for block in parsed["resource"] for kind, labels in block.items()
              for label in labels]
    assert blocks == [
        ("aws_iam_policy", "ClusterRole"), ("aws_iam_role", "ClusterRole"),
        ("aws_iam_role_policy_attachment", "ClusterRole"),
        ("aws_iam_policy", "PartnerReader"), ("aws_iam_role", "PartnerReader"),
        ("aws_iam_role_policy_attachment", "PartnerReader"),
    ]


def test_terraform_escapes_hcl_templates() -> None:
    analysis = run("copy t from 's3://bkt/a%{ x }/' iam_role default")
    text = render_terraform(analysis.reports)
    assert '"arn:aws:s3:::bkt/a%%{ x }/*"' in text
    assert "%{ x }" not in text.replace("%%{ x }", "")


def test_cloudformation_template(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    template = json.loads(generate("cloudformation", "samples/role_chain.sql",
                                   "samples/legacy_keys.sql"))
    assert {name: r["Type"] for name, r in template["Resources"].items()} == {
        "ClusterRoleRole": "AWS::IAM::Role", "ClusterRolePolicy": "AWS::IAM::ManagedPolicy",
        "PartnerReaderRole": "AWS::IAM::Role", "PartnerReaderPolicy": "AWS::IAM::ManagedPolicy",
        "UserAKIAIOSFODNN7EXAMPLEPolicy": "AWS::IAM::ManagedPolicy",
    }
    assert template["Resources"]["ClusterRolePolicy"]["Properties"]["Roles"] == [
        {"Ref": "ClusterRoleRole"}]


def test_out_dir_with_terraform(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "tf"
    result = CliRunner().invoke(main, ["generate", "samples/nightly_etl.sql", "--format",
                                       "terraform", "--out-dir", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".redshift-iam.json", "redshift-iam.tf"]


def test_templates_ship_in_the_wheel(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(tmp_path), str(ROOT)], check=True,
                   capture_output=True)
    (wheel,) = tmp_path.glob("redshift_iam-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"redshift_iam/templates/terraform.tf.j2",
            "redshift_iam/templates/cloudformation.json.j2"} <= names

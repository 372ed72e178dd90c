"""The README's Recipes block runs as written, in order, against a moto server started on a
free loopback port (the ``moto_server`` console script of the test environment, from
``moto[server]`` in the ``test`` extra): each command line is read from the fenced block under
"## Recipes" and run by bash with ``pipefail``, so README and test cannot drift. ``etl.sql`` is
the script the README shows (``$ cat etl.sql``), ``sql/`` a copy of samples/makefile-demo/sql.

``aws`` is the AWS CLI when it is installed; the recipes also run (always) with
tests/fake_aws.py as ``aws``, which makes the boto3 calls equivalent to each recipe's AWS CLI
command (``iam create-role``, ``iam put-role-policy``, ``cloudformation deploy`` as a change
set). The AWS CLI is never installed by the test. No network but loopback: the endpoint is
``AWS_ENDPOINT_URL``, the credentials fake ones in the environment, config files
``/dev/null``."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MOTO_ACCOUNT = "123456789012"  # moto's account, also the account of every role used here


class Moto(NamedTuple):
    """A running moto server: its endpoint URL."""

    url: str


def readme_block(heading: str) -> str:
    """The first fenced code block under ``## heading`` in the README."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index(f"\n## {heading}\n"):]
    return re.search(r"^```\w*\n(.*?)^```$", section, re.S | re.M).group(1)


def recipe_commands(block: str) -> list[str]:
    """The shell commands of a block: comment and blank lines dropped, ``\\`` continuations
    joined."""
    lines = [line for line in block.replace("\\\n", "").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return [re.sub(r"\s+", " ", line).strip() for line in lines]


def readme_etl_sql() -> str:
    """The ``etl.sql`` the README's first example shows after ``$ cat etl.sql``."""
    text = (ROOT / "README.md").read_text()
    shown = text[text.index("$ cat etl.sql\n") + len("$ cat etl.sql\n"):]
    return shown[:shown.index("\n\n")] + "\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto() -> Iterator[Moto]:
    """``moto_server`` on a free 127.0.0.1 port, stopped after the module's tests."""
    port = _free_port()
    server = subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, url)
        yield Moto(url)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "moto_server exited"
        try:
            urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"moto_server did not answer on {url}")


def _reset(moto: Moto) -> None:
    request = urllib.request.Request(f"{moto.url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()


def _environment(moto: Moto, tmp_path: Path, aws: str) -> dict[str, str]:
    """The recipes' environment: the test's ``redshift-iam`` on PATH (as ``. .venv/bin/
    activate`` does), ``aws`` the CLI or the boto3 stand-in, AWS pointed at moto."""
    path = [str(BIN), os.environ.get("PATH", "")]
    if aws == "boto3":
        shim = tmp_path / "shim"
        shim.mkdir()
        (shim / "aws").write_text(f'#!/bin/sh\nexec "{sys.executable}" '
                                  f'"{ROOT / "tests" / "fake_aws.py"}" "$@"\n')
        (shim / "aws").chmod(0o755)
        path.insert(0, str(shim))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "PATH": os.pathsep.join(path), "AWS_ENDPOINT_URL": moto.url,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "PYTHONPATH": ""}


def test_the_recipe_block_is_what_the_test_runs() -> None:
    commands = recipe_commands(readme_block("Recipes"))
    assert [c.split(" ")[:3] for c in commands] == [
        ["aws", "iam", "create-role"], ["redshift-iam", "policy", "etl.sql"],
        ["redshift-iam", "generate", "sql/*.sql"], ["redshift-iam", "generate", "sql/*.sql"],
        ["redshift-iam", "generate", "sql/*.sql"], ["redshift-iam", "generate", "sql/*.sql"],
        ["aws", "cloudformation", "deploy"], ["redshift-iam", "explain", "etl.sql"]]
    assert readme_etl_sql() == ("COPY sales FROM 's3://acme-raw/sales/2024-06-01/'\n"
                                "IAM_ROLE 'arn:aws:iam::123456789012:role/EtlLoader' "
                                "FORMAT AS CSV GZIP;\n")


@pytest.mark.parametrize("aws", ["aws-cli", "boto3"])
def test_every_recipe_runs_as_written_in_order(moto: Moto, tmp_path: Path, aws: str) -> None:
    if aws == "aws-cli" and shutil.which("aws") is None:
        pytest.skip("the AWS CLI is not installed (the boto3 run covers the recipes)")
    _reset(moto)
    work = tmp_path / "work"
    shutil.copytree(ROOT / "samples" / "makefile-demo" / "sql", work / "sql")
    (work / "etl.sql").write_text(readme_etl_sql())
    env = _environment(moto, tmp_path, aws)
    for command in recipe_commands(readme_block("Recipes")):
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=work, env=env,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
    _assert_aws_state(moto, work, env)
    _assert_files(work)


def _tool(work: Path, env: dict[str, str], *args: str) -> dict:
    done = subprocess.run([str(BIN / "redshift-iam"), *args], cwd=work, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=True)
    return json.loads(done.stdout)


def _assert_aws_state(moto: Moto, work: Path, env: dict[str, str]) -> None:
    """What the recipes left in (moto's) AWS: EtlLoader with the trust and inline policy the
    tool prints, and the stack's roles with the documents ``generate`` gives."""
    import boto3

    iam = boto3.client("iam", endpoint_url=moto.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    loader = iam.get_role(RoleName="EtlLoader")["Role"]
    assert loader["AssumeRolePolicyDocument"] == _tool(work, env, "trust")
    inline = iam.get_role_policy(RoleName="EtlLoader", PolicyName="redshift-etl")
    assert inline["PolicyDocument"] == _tool(work, env, "policy", "etl.sql", "--inline")
    bundle = _tool(work, env, "generate", "sql/nightly_load.sql", "sql/revenue_export.sql",
                   "--account-id", MOTO_ACCOUNT, "--region", "us-east-1")
    for principal in bundle["principals"]:
        name = principal["principal"].rsplit("/", 1)[1]
        role = iam.get_role(RoleName=name)["Role"]
        assert role["Arn"] == principal["principal"]
        assert role["AssumeRolePolicyDocument"] == principal["trust"]
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        assert [_policy_document(iam, a["PolicyArn"]) for a in attached] \
            == principal["policies"]
    cfn = boto3.client("cloudformation", endpoint_url=moto.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    (stack,) = cfn.describe_stacks(StackName="redshift-iam")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    # (moto leaves a stack made from a change set without Outputs: they are not compared)
    resources = cfn.list_stack_resources(StackName="redshift-iam")["StackResourceSummaries"]
    assert sorted((r["LogicalResourceId"], r["ResourceType"], r["ResourceStatus"])
                  for r in resources) == [
        ("ExporterPolicy", "AWS::IAM::ManagedPolicy", "CREATE_COMPLETE"),
        ("ExporterRole", "AWS::IAM::Role", "CREATE_COMPLETE"),
        ("OrdersLoaderPolicy", "AWS::IAM::ManagedPolicy", "CREATE_COMPLETE"),
        ("OrdersLoaderRole", "AWS::IAM::Role", "CREATE_COMPLETE")]


def _policy_document(iam, arn: str) -> dict:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)
    found = document["PolicyVersion"]["Document"]
    return json.loads(found) if isinstance(found, str) else found


def _assert_files(work: Path) -> None:
    assert sorted(p.name for p in (work / "iam").iterdir()) == sorted([
        ".redshift-iam.json", "Exporter~123456789012.policy.json",
        "Exporter~123456789012.trust.json", "OrdersLoader~123456789012.policy.json",
        "OrdersLoader~123456789012.trust.json"])
    assert 'resource "aws_iam_role" "OrdersLoader"' in (work / "iam.tf").read_text()
    assert "Type: AWS::IAM::Role" in (work / "iam.yaml").read_text()


def test_the_quick_start_puts_the_command_on_path(tmp_path: Path) -> None:
    """The Quick start block is ``make demo``, activating .venv, ``redshift-iam --version``,
    ``make test``; its middle lines run as written with .venv the test's virtualenv (make demo
    itself is checked on a fresh clone, not here: it installs from PyPI)."""
    from importlib.metadata import version

    lines = [line.split("  #")[0].strip() for line in readme_block("Quick start").splitlines()]
    assert lines == ["make demo", ". .venv/bin/activate", "redshift-iam --version", "make test"]
    if not (BIN / "activate").is_file():
        pytest.skip("the tests do not run in a virtualenv")
    (tmp_path / ".venv").symlink_to(BIN.parent)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/bin:/bin"  # not the test's: activate must put the command there
    done = subprocess.run(["bash", "-ec", "; ".join(lines[1:3])], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    expected = f"redshift-iam, version {version('redshift-iam')}\n"
    assert (done.returncode, done.stdout) == (0, expected)

"""What the AWS-stage tests share: an environment that cannot reach real AWS, moto's in-process
mock, the one Redshift call moto lacks, and small builders.

No test here can reach AWS: credentials are dummies, the config and credentials files point to
nowhere, AWS_PROFILE and every AWS_ENDPOINT_URL are cleared, and the calls go to moto (in
process, or a server on 127.0.0.1) or to botocore's Stubber.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from moto import mock_aws

from redshift_iam.analysis import analyze_sources
from redshift_iam.core.reports import Analysis
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Loader"

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_MAX_ATTEMPTS": "2",
}
CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL",
           "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS",
           "AWS_SECURITY_TOKEN", "AWS_CA_BUNDLE", "AWS_RETRY_MODE")


def offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike) -> None:
    """Dummy credentials, us-east-1, no config or credentials file, no profile, no endpoint."""
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name, value in DUMMY_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(os.path.join(tmp_path, "no-config")))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(os.path.join(tmp_path, "no-creds")))


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike) -> Iterator[None]:
    """moto's in-process AWS (with ModifyClusterIamRoles) in an offline environment."""
    offline_env(monkeypatch, tmp_path)
    with mock_aws(), cluster_iam_roles():
        yield


@contextmanager
def cluster_iam_roles() -> Iterator[None]:
    """moto 5 has no ModifyClusterIamRoles: add it to moto's Redshift (in process, so a
    ThreadedMotoServer of this process answers it too) for the duration."""
    from moto.core.responses import ActionResult
    from moto.redshift.responses import RedshiftResponse

    def modify_cluster_iam_roles(self: RedshiftResponse) -> ActionResult:
        cluster = self.redshift_backend.describe_clusters(self._get_param("ClusterIdentifier"))[0]
        remove = set(self._get_param("RemoveIamRoles", []))
        kept = [arn for arn in cluster.iam_roles_arn if arn not in remove]
        cluster.iam_roles_arn = kept + [arn for arn in self._get_param("AddIamRoles", [])
                                        if arn not in kept]
        return ActionResult({"Cluster": cluster})

    had = getattr(RedshiftResponse, "modify_cluster_iam_roles", None)
    RedshiftResponse.modify_cluster_iam_roles = modify_cluster_iam_roles
    try:
        yield
    finally:
        if had is None:
            del RedshiftResponse.modify_cluster_iam_roles
        else:
            RedshiftResponse.modify_cluster_iam_roles = had


def make_cluster(name: str = "etl") -> None:
    boto3.client("redshift").create_cluster(
        ClusterIdentifier=name, NodeType="ra3.xlplus", MasterUsername="admin",
        MasterUserPassword="Passw0rd-not-secret", ClusterType="single-node")


def analysis_of(sql: str, settings: Settings | None = None, trust: TrustOptions | None = None
                ) -> Analysis:
    return analyze_sources([Source("etl.sql", sql)], settings or Settings(),
                           trust or TrustOptions())


def copy_sql(source: str, role: str = ROLE, options: str = "") -> str:
    return f"COPY t FROM '{source}' IAM_ROLE '{role}' {options};\n"

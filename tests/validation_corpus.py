"""SQL that exercises every rule of :data:`redshift_iam.derive.rules.RULES`, for the tests that
check the generated documents against IAM catalogues (policyuniverse, parliament) and moto's IAM.

``CORPUS`` holds ``(name, sql, cli_flags)`` triples. A flag is a string, or a
:class:`ManifestFlag` that :func:`generate_bundle` turns into ``--manifest S3URI=LOCALFILE``
after writing the manifest JSON to a temporary directory (see :func:`manifest_flag`).

This is a helper module, not a test file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from redshift_iam.cli.main import main

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/RedshiftEtl"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET_KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321"
READ_KEY_ARN = f"arn:aws:kms:us-west-2:{OTHER_ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
CN_ROLE = f"arn:aws-cn:iam::{ACCOUNT}:role/RedshiftChina"
GOV_ROLE = f"arn:aws-us-gov:iam::{ACCOUNT}:role/RedshiftGov"
CHAIN = (f"arn:aws:iam::{ACCOUNT}:role/A", f"arn:aws:iam::{OTHER_ACCOUNT}:role/B",
         f"arn:aws:iam::{OTHER_ACCOUNT}:role/C")


@dataclass(frozen=True)
class ManifestFlag:
    """A ``--manifest`` flag whose local file is written at run time."""

    uri: str
    urls: tuple[str, ...]


def manifest_flag(tmp_path: Path, uri: str, urls: tuple[str, ...] | list[str]) -> str:
    """Write a COPY manifest listing ``urls`` under ``tmp_path`` and return the
    ``--manifest URI=PATH`` flag that names it."""
    digest = hashlib.sha256(uri.encode()).hexdigest()[:12]
    path = tmp_path / f"manifest-{digest}.json"
    entries = [{"url": url, "mandatory": True} for url in urls]
    path.write_text(json.dumps({"entries": entries}, indent=2), encoding="utf-8")
    return f"--manifest={uri}={path}"


# (name, sql, cli_flags). The comment before each item names the rules it triggers.
CORPUS: list[tuple[str, str, tuple[str | ManifestFlag, ...]]] = [
    # copy-s3-prefix
    ("copy-prefix",
     f"COPY sales FROM 's3://example-data/tickit/sales/part' IAM_ROLE '{ROLE}' CSV GZIP;",
     ()),
    # copy-s3-prefix with an empty key: ListBucket without condition
    ("copy-whole-bucket",
     f"COPY venue FROM 's3://example-venues/' IAM_ROLE '{ROLE}' DELIMITER '|';",
     ()),
    # copy-shapefile
    ("copy-shapefile",
     f"COPY norway_natural FROM 's3://example-geo/shapefiles/norway/gis_osm_natural_free_1.shp'"
     f" FORMAT SHAPEFILE IAM_ROLE '{ROLE}';",
     ()),
    # copy-manifest, copy-manifest-entry (entries in two buckets)
    ("copy-manifest",
     f"COPY customer FROM 's3://example-data/manifests/cust.manifest' IAM_ROLE '{ROLE}'"
     " MANIFEST CSV;",
     (ManifestFlag("s3://example-data/manifests/cust.manifest",
                   ("s3://example-data/custdata.1", "s3://example-data/custdata.2",
                    "s3://example-archive/2024/custdata.3")),)),
    # copy-ssh-manifest
    ("copy-ssh",
     f"COPY sales FROM 's3://example-data/ssh_manifest' IAM_ROLE '{ROLE}' DELIMITER '|' SSH;",
     ()),
    # copy-jsonpaths + copy-s3-prefix
    ("copy-jsonpaths",
     f"COPY category FROM 's3://example-data/category_object_paths.json' IAM_ROLE '{ROLE}'"
     " JSON 's3://example-data/category_jsonpath.json';",
     ()),
    # copy-dynamodb (Region from --region, account from the role)
    ("copy-dynamodb",
     f"COPY favoritemovies FROM 'dynamodb://Movies' IAM_ROLE '{ROLE}' READRATIO 50;",
     ("--region", "us-east-1")),
    # copy-dynamodb with the statement's REGION
    ("copy-dynamodb-region",
     f"COPY favoritemovies FROM 'dynamodb://ProductCatalog' IAM_ROLE '{ROLE}' READRATIO 50"
     " REGION 'eu-west-1';",
     ("--region", "us-east-1")),
    # copy-emr
    ("copy-emr",
     f"COPY sales FROM 'emr://j-SAMPLE2B500FC/myoutput/part-*' IAM_ROLE '{ROLE}'"
     " DELIMITER '\\t' LZOP;",
     ("--region", "us-west-2")),
    # copy-emr + copy-jsonpaths
    ("copy-emr-jsonpaths",
     f"COPY events FROM 'emr://j-1H7OUO3B52HI5/events/part-*' IAM_ROLE '{ROLE}'"
     " JSON 's3://example-config/jsonpaths/events.json';",
     ("--region", "us-west-2")),
    # unload
    ("unload",
     "UNLOAD ('select * from venue') TO 's3://example-unload/venue/venue_'"
     f" IAM_ROLE '{ROLE}' PARALLEL OFF;",
     ()),
    # unload + unload-cleanpath
    ("unload-cleanpath",
     "UNLOAD ('select * from lineitem') TO 's3://example-unload/lineitem/'"
     f" IAM_ROLE '{ROLE}' PARQUET PARTITION BY (l_shipdate) CLEANPATH;",
     ()),
    # unload + unload-kms (a key ARN)
    ("unload-kms-arn",
     "UNLOAD ('select * from venue') TO 's3://example-unload/encrypted/venue_'"
     f" IAM_ROLE '{ROLE}' KMS_KEY_ID '{KEY_ARN}' ENCRYPTED;",
     ()),
    # unload + unload-kms (a key id: Region from REGION, account from the role)
    ("unload-kms-id",
     "UNLOAD ('select * from venue') TO 's3://example-unload/encrypted2/venue_'"
     f" IAM_ROLE '{ROLE}' KMS_KEY_ID '1234abcd-12ab-34cd-56ef-1234567890ab' ENCRYPTED"
     " REGION 'us-west-2';",
     ("--region", "us-east-1")),
    # unload + unload-encrypted-auto + unload-bucket-key (the bucket default key)
    ("unload-encrypted-auto",
     "UNLOAD ('select * from venue') TO 's3://example-secure/venue/'"
     f" IAM_ROLE '{ROLE}' ENCRYPTED AUTO;",
     ("--kms-key", f"s3://example-secure={BUCKET_KEY_ARN}")),
    # copy-s3-prefix + copy-sse-kms
    ("copy-sse-kms",
     f"COPY sales FROM 's3://example-partner/exports/sales/' IAM_ROLE '{ROLE}' CSV;",
     ("--kms-key", f"s3://example-partner/exports={READ_KEY_ARN}")),
    # unload + unload-bucket-key
    ("unload-bucket-key",
     "UNLOAD ('select * from sales') TO 's3://example-partner/imports/sales_'"
     f" IAM_ROLE '{ROLE}';",
     ("--kms-key", f"s3://example-partner/imports={BUCKET_KEY_ARN}")),
    # library-s3
    ("create-library",
     "CREATE OR REPLACE LIBRARY f_urlparse LANGUAGE plpythonu"
     f" FROM 's3://example-code/urlparse3-1.0.3.zip' IAM_ROLE '{ROLE}';",
     ()),
    # role-chain + copy-s3-prefix (C gets the data permissions)
    ("role-chain",
     f"COPY sales FROM 's3://example-shared/sales/' IAM_ROLE '{','.join(CHAIN)}' CSV;",
     ()),
    # role-chain through CREDENTIALS 'aws_iam_role=...' + unload
    ("role-chain-credentials",
     "UNLOAD ('select 1') TO 's3://example-shared/out/one_'"
     f" CREDENTIALS 'aws_iam_role={CHAIN[0]},{CHAIN[1]}';",
     ()),
    # IAM_ROLE default + copy-s3-prefix
    ("default-role",
     "COPY sales FROM 's3://example-data/default/sales' IAM_ROLE default CSV;",
     ()),
    # key-based authorization + copy-s3-prefix
    ("access-keys",
     "COPY sales FROM 's3://example-data/keys/sales' ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE'"
     " SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' CSV;",
     ()),
    # temporary credentials in CREDENTIALS + unload
    ("temporary-credentials",
     "UNLOAD ('select 1') TO 's3://example-unload/tmp/one_' CREDENTIALS"
     " 'aws_access_key_id=ASIAIOSFODNN7EXAMPLE;aws_secret_access_key=secretEXAMPLE;"
     "token=tokenEXAMPLE';",
     ()),
    # aws-cn: copy-s3-prefix, copy-dynamodb, unload, unload-kms (key id)
    ("partition-aws-cn",
     f"COPY sales FROM 's3://example-cn-data/sales/' IAM_ROLE '{CN_ROLE}' CSV;\n"
     f"COPY movies FROM 'dynamodb://Movies' IAM_ROLE '{CN_ROLE}' READRATIO 25;\n"
     "UNLOAD ('select * from sales') TO 's3://example-cn-data/out/sales_'"
     f" IAM_ROLE '{CN_ROLE}' KMS_KEY_ID '1234abcd-12ab-34cd-56ef-1234567890ab' ENCRYPTED;",
     ("--partition", "aws-cn", "--region", "cn-north-1")),
    # aws-us-gov: copy-emr, copy-manifest, copy-manifest-entry, library-s3, copy-sse-kms
    ("partition-aws-us-gov",
     f"COPY sales FROM 'emr://j-GOV12345/out/part-*' IAM_ROLE '{GOV_ROLE}';\n"
     f"COPY sales FROM 's3://example-gov-data/load.manifest' IAM_ROLE '{GOV_ROLE}' MANIFEST;\n"
     "CREATE LIBRARY f_lib LANGUAGE plpythonu FROM 's3://example-gov-code/lib.zip'"
     f" IAM_ROLE '{GOV_ROLE}';",
     ("--partition", "aws-us-gov", "--region", "us-gov-west-1",
      "--kms-key",
      f"s3://example-gov-data=arn:aws-us-gov:kms:us-gov-west-1:{ACCOUNT}:key/"
      "abcdabcd-1234-5678-9012-abcdabcdabcd",
      ManifestFlag("s3://example-gov-data/load.manifest",
                   ("s3://example-gov-data/part-0000", "s3://example-gov-data/part-0001")))),
    # several principals in one script
    ("several-principals",
     f"COPY a FROM 's3://example-data/a/' IAM_ROLE '{ROLE}';\n"
     "COPY b FROM 's3://example-data/b/' IAM_ROLE default;\n"
     "UNLOAD ('select 1') TO 's3://example-data/c/' IAM_ROLE"
     f" 'arn:aws:iam::{OTHER_ACCOUNT}:role/Unloader' CLEANPATH;",
     ()),
]

CORPUS_IDS = [name for name, _, _ in CORPUS]


def partition_of(flags: tuple[str | ManifestFlag, ...]) -> str:
    """The ``--partition`` the flags give (the CLI's default is ``aws``)."""
    strings = [flag for flag in flags if isinstance(flag, str)]
    for index, flag in enumerate(strings):
        if flag == "--partition":
            return strings[index + 1]
        if flag.startswith("--partition="):
            return flag.split("=", 1)[1]
    return "aws"


def resolve_flags(flags: tuple[str | ManifestFlag, ...], tmp_path: Path) -> list[str]:
    """The flags as strings, with every :class:`ManifestFlag` written out."""
    return [manifest_flag(tmp_path, flag.uri, flag.urls) if isinstance(flag, ManifestFlag)
            else flag for flag in flags]


def _script(sql: str, tmp_path: Path) -> Path:
    path = tmp_path / f"script-{hashlib.sha256(sql.encode()).hexdigest()[:12]}.sql"
    path.write_text(sql + "\n", encoding="utf-8")
    return path


def run_cli(command: str, sql: str, flags, tmp_path: Path, *extra: str):
    """Run ``redshift-iam COMMAND [flags] [extra] SCRIPT`` in-process; the click Result."""
    args = [command, *resolve_flags(tuple(flags), tmp_path), *extra,
            str(_script(sql, tmp_path))]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def generate_bundle(sql: str, flags, tmp_path: Path) -> dict:
    """``redshift-iam generate FLAGS SCRIPT`` in-process: the parsed JSON bundle (exit 0)."""
    result = run_cli("generate", sql, flags, tmp_path)
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    bundle = json.loads(result.stdout)
    assert set(bundle) == {"principals", "skipped", "warnings"}, bundle
    return bundle


def explain_json(sql: str, flags, tmp_path: Path) -> dict:
    """``redshift-iam explain --format json``: the parsed report (exit 0)."""
    result = run_cli("explain", sql, flags, tmp_path, "--format", "json")
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    return json.loads(result.stdout)


def permission_policies(bundle: dict):
    """``(principal name, policy document)`` for every permissions policy of a bundle."""
    return [(entry["principal"], doc) for entry in bundle["principals"]
            for doc in entry["policies"]]


def trust_policies(bundle: dict):
    """``(principal name, trust document)`` for every principal that has one."""
    return [(entry["principal"], entry["trust"]) for entry in bundle["principals"]
            if entry["trust"] is not None]

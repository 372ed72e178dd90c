"""One line per rule of docs/rules.md: SQL in, the exact set of grants out."""

from __future__ import annotations

import pytest

from redshift_iam.core.settings import KmsTarget, ManifestEntry, Settings
from redshift_iam.derive.rules import RULES, shapefile_stem
from tests.helpers import ROLE, grant_set, run

R = f"IAM_ROLE '{ROLE}'"
S3 = "arn:aws:s3:::"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
GET, PUT, LIST, DEL = "s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"
REGION = Settings(region="us-east-1")
MANIFESTS = Settings(manifests={"s3://bkt/m.manifest": (ManifestEntry("bkt", "d/part-0"),
                                                      ManifestEntry("other", "x/part-1"))})
SSE = Settings(kms_targets=(KmsTarget("bkt", "d/", KEY),))
AUTO = Settings(kms_targets=(KmsTarget("bkt", "", KEY),))

CASES = [
    # (id, sql, settings, expected grants)
    ("copy-prefix", f"COPY t FROM 's3://bkt/d/custdata.txt' {R}", None,
     {(GET, S3 + "bkt/d/custdata.txt*", ""), (LIST, S3 + "bkt", "d/custdata.txt*")}),
    ("copy-bucket-root", f"copy t from 's3://bkt/' {R}", None,
     {(GET, S3 + "bkt/*", ""), (LIST, S3 + "bkt", "")}),
    ("copy-shapefile", f"COPY t FROM 's3://bkt/gis/free_1.shp' FORMAT SHAPEFILE {R}", None,
     {(GET, S3 + "bkt/gis/free_1.*", ""), (LIST, S3 + "bkt", "gis/free_1.*")}),
    ("copy-shapefile-gz", f"COPY t FROM 's3://bkt/gis/free_1.shp.gz' {R} SHAPEFILE GZIP", None,
     {(GET, S3 + "bkt/gis/free_1.*", ""), (LIST, S3 + "bkt", "gis/free_1.*")}),
    ("copy-manifest", f"COPY t FROM 's3://bkt/m.manifest' {R} MANIFEST", MANIFESTS,
     {(GET, S3 + "bkt/m.manifest", ""), (LIST, S3 + "bkt", "m.manifest"),
      (GET, S3 + "bkt/d/part-0", ""), (LIST, S3 + "bkt", "d/part-0"),
      (GET, S3 + "other/x/part-1", ""), (LIST, S3 + "other", "x/part-1")}),
    ("copy-ssh", f"COPY t FROM 's3://bkt/ssh_manifest' {R} SSH", None,
     {(GET, S3 + "bkt/ssh_manifest", ""), (LIST, S3 + "bkt", "ssh_manifest")}),
    ("copy-jsonpaths", f"COPY t FROM 's3://bkt/d/' {R} JSON 's3://cfg/paths.json'", None,
     {(GET, S3 + "bkt/d/*", ""), (LIST, S3 + "bkt", "d/*"),
      (GET, S3 + "cfg/paths.json", ""), (LIST, S3 + "cfg", "paths.json")}),
    ("copy-avro-jsonpaths", f"COPY t FROM 's3://bkt/d/' {R} FORMAT AS AVRO 's3://cfg/p.json'", None,
     {(GET, S3 + "bkt/d/*", ""), (LIST, S3 + "bkt", "d/*"),
      (GET, S3 + "cfg/p.json", ""), (LIST, S3 + "cfg", "p.json")}),
    ("copy-json-auto", f"COPY t FROM 's3://bkt/d/' {R} JSON 'auto ignorecase'", None,
     {(GET, S3 + "bkt/d/*", ""), (LIST, S3 + "bkt", "d/*")}),
    ("copy-json-noshred", f"COPY t FROM 's3://bkt/d/' {R} FORMAT JSON 'noshred'", None,
     {(GET, S3 + "bkt/d/*", ""), (LIST, S3 + "bkt", "d/*")}),
    ("copy-dynamodb", f"COPY t FROM 'dynamodb://Movies' {R} READRATIO 50", REGION,
     {("dynamodb:DescribeTable", "arn:aws:dynamodb:us-east-1:123456789012:table/Movies", ""),
      ("dynamodb:Scan", "arn:aws:dynamodb:us-east-1:123456789012:table/Movies", "")}),
    ("copy-dynamodb-region", f"COPY t FROM 'dynamodb://Mov' {R} READRATIO 5 REGION AS 'eu-west-1'",
     REGION, {("dynamodb:DescribeTable", "arn:aws:dynamodb:eu-west-1:123456789012:table/Mov", ""),
              ("dynamodb:Scan", "arn:aws:dynamodb:eu-west-1:123456789012:table/Mov", "")}),
    ("copy-emr", f"COPY t FROM 'emr://j-SAMPLE2B500FC/myoutput/part-*' {R}", REGION,
     {("elasticmapreduce:ListInstances",
       "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-SAMPLE2B500FC", "")}),
    ("copy-emr-jsonpaths", f"COPY t FROM 'emr://j-ABC/out' {R} JSON 's3://cfg/p.json'", REGION,
     {("elasticmapreduce:ListInstances",
       "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-ABC", ""),
      (GET, S3 + "cfg/p.json", ""), (LIST, S3 + "cfg", "p.json")}),
    ("copy-sse-kms", f"COPY t FROM 's3://bkt/d/2024/' {R}", SSE,
     {(GET, S3 + "bkt/d/2024/*", ""), (LIST, S3 + "bkt", "d/2024/*"), ("kms:Decrypt", KEY, "")}),
    ("copy-sse-kms-other-prefix", f"COPY t FROM 's3://bkt/e/' {R}", SSE,
     {(GET, S3 + "bkt/e/*", ""), (LIST, S3 + "bkt", "e/*")}),
    ("copy-client-side", f"COPY t FROM 's3://bkt/d/' {R} MASTER_SYMMETRIC_KEY 'k' ENCRYPTED",
     None, {(GET, S3 + "bkt/d/*", ""), (LIST, S3 + "bkt", "d/*")}),
    ("copy-region-s3", f"COPY t FROM 's3://bkt/d/' {R} REGION 'us-west-2'", None,
     {(GET, S3 + "bkt/d/*", ""), (LIST, S3 + "bkt", "d/*")}),
    ("unload", f"UNLOAD ('select 1') TO 's3://bkt/u/venue_' {R}", None,
     {(GET, S3 + "bkt/u/venue_*", ""), (PUT, S3 + "bkt/u/venue_*", ""),
      (LIST, S3 + "bkt", "u/venue_*")}),
    ("unload-options-add-nothing",
     f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} MANIFEST VERBOSE PARTITION BY (d) INCLUDE "
     "FORMAT PARQUET ALLOWOVERWRITE MAXFILESIZE 1 GB", None,
     {(GET, S3 + "bkt/u/*", ""), (PUT, S3 + "bkt/u/*", ""), (LIST, S3 + "bkt", "u/*")}),
    ("unload-cleanpath", f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} CLEANPATH", None,
     {(GET, S3 + "bkt/u/*", ""), (PUT, S3 + "bkt/u/*", ""), (DEL, S3 + "bkt/u/*", ""),
      (LIST, S3 + "bkt", "u/*")}),
    ("unload-kms-id", f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} KMS_KEY_ID '{KEY_ID}' ENCRYPTED",
     REGION, {(GET, S3 + "bkt/u/*", ""), (PUT, S3 + "bkt/u/*", ""), (LIST, S3 + "bkt", "u/*"),
              ("kms:GenerateDataKey", KEY, ""), ("kms:Decrypt", KEY, "")}),
    ("unload-kms-arn", f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} ENCRYPTED KMS_KEY_ID '{KEY}'",
     None, {(GET, S3 + "bkt/u/*", ""), (PUT, S3 + "bkt/u/*", ""), (LIST, S3 + "bkt", "u/*"),
            ("kms:GenerateDataKey", KEY, ""), ("kms:Decrypt", KEY, "")}),
    ("unload-kms-alias", f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} KMS_KEY_ID 'alias/k' ENCRYPTED",
     Settings(kms_aliases={"alias/k": KEY}),
     {(GET, S3 + "bkt/u/*", ""), (PUT, S3 + "bkt/u/*", ""), (LIST, S3 + "bkt", "u/*"),
      ("kms:GenerateDataKey", KEY, ""), ("kms:Decrypt", KEY, "")}),
    ("unload-encrypted-auto", f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} ENCRYPTED AUTO", AUTO,
     {(GET, S3 + "bkt/u/*", ""), (PUT, S3 + "bkt/u/*", ""), (LIST, S3 + "bkt", "u/*"),
      ("s3:GetEncryptionConfiguration", S3 + "bkt", ""),
      ("kms:GenerateDataKey", KEY, ""), ("kms:Decrypt", KEY, "")}),
    ("unload-bucket-key", f"UNLOAD ('select 1') TO 's3://bkt/d/x_' {R}", SSE,
     {(GET, S3 + "bkt/d/x_*", ""), (PUT, S3 + "bkt/d/x_*", ""), (LIST, S3 + "bkt", "d/x_*"),
      ("kms:GenerateDataKey", KEY, ""), ("kms:Decrypt", KEY, "")}),
    ("unload-client-side",
     f"UNLOAD ('select 1') TO 's3://bkt/u/' {R} MASTER_SYMMETRIC_KEY 'k' ENCRYPTED", None,
     {(GET, S3 + "bkt/u/*", ""), (PUT, S3 + "bkt/u/*", ""), (LIST, S3 + "bkt", "u/*")}),
    ("library-s3", f"CREATE OR REPLACE LIBRARY f LANGUAGE plpythonu FROM 's3://bkt/f.zip' {R}",
     None, {(GET, S3 + "bkt/f.zip", ""), (LIST, S3 + "bkt", "f.zip")}),
    ("library-https", "CREATE LIBRARY f LANGUAGE plpythonu FROM 'https://x.example/f.zip'",
     None, set()),
    ("chain", "COPY t FROM 's3://bkt/d/' IAM_ROLE 'arn:aws:iam::111111111111:role/A,"
              "arn:aws:iam::222222222222:role/B'", None,
     {("sts:AssumeRole", "arn:aws:iam::222222222222:role/B", ""),
      (GET, S3 + "bkt/d/*", ""), (LIST, S3 + "bkt", "d/*")}),
]


@pytest.mark.parametrize("sql, settings, expected", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_rule(sql: str, settings: Settings | None, expected: set) -> None:
    assert grant_set(sql, settings) == expected


def test_every_rule_has_a_doc_link_and_a_case() -> None:
    for rule in RULES.values():
        assert rule.doc.startswith("https://docs.aws.amazon.com/"), rule.id
        assert rule.permissions, rule.id
    used = {g.rule for _, sql, settings, _ in CASES
            for g in run(sql, settings).derivation.grants}
    assert used == set(RULES)


@pytest.mark.parametrize("key, stem", [
    ("gis/free_1.shp", "gis/free_1."), ("gis/free_1.shp.gz", "gis/free_1."),
    ("gis/free_1.SHP.ZST", "gis/free_1."), ("a.b/noext", "a.b/noext"), ("x.shp.bz2", "x."),
])
def test_shapefile_stem(key: str, stem: str) -> None:
    assert shapefile_stem(key) == stem

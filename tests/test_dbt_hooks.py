"""SQL in a dbt model's ``config(pre_hook=..., post_hook=...)`` runs around the model with the
cluster's role (docs/templates.md): it is read as statements at the config call; a hook that
depends on an unknown value is a whole statement unresolved (RI131), never nothing."""

from __future__ import annotations

import json

from tests.rendering import scan as scan_cli

HOOK = ("{{ config(materialized='table', post_hook=\"UNLOAD ('select 1') TO 's3://\" ~ "
        "var('bucket'%s) ~ \"/dbt/o/' IAM_ROLE 'arn:aws:iam::123456789012:role/Dbt'\") }}\n"
        "select 1 as id\n")


def _report(tmp_path, text, *args):
    run = scan_cli(tmp_path, {"models/orders.sql": text}, "--format", "json", *args)
    return run.code, json.loads(run.stdout)


def test_a_post_hook_unload_is_read(tmp_path):
    code, report = _report(tmp_path, HOOK % "", "--var", "bucket=prod-b")
    assert code == 0
    assert [(s["location"], s["subject"]) for s in report["statements"]] == [
        ("src/models/orders.sql:1:1", "-> s3://prod-b/dbt/o/")]
    assert {(g["action"], g["resource"]) for g in report["statements"][0]["grants"]} == {
        ("s3:PutObject", "arn:aws:s3:::prod-b/dbt/o/*"),
        ("s3:GetObject", "arn:aws:s3:::prod-b/dbt/o/*"), ("s3:ListBucket", "arn:aws:s3:::prod-b")}


def test_a_hook_on_an_unknown_value_is_unresolved(tmp_path):
    code, report = _report(tmp_path, HOOK % "")
    assert code == 1
    assert [u["code"] for u in report["unresolved"]] == ["RI131"]


def test_pre_and_post_hook_lists_are_each_read(tmp_path):
    unload = "UNLOAD ('select 1') TO 's3://acme/%s/' IAM_ROLE 'arn:aws:iam::123456789012:role/D'"
    text = ("{{ config(pre_hook=[\"" + unload % "a" + "\"], post_hook=[\"" + unload % "b"
            + "\", \"" + unload % "c" + "\"]) }}\nselect 1\n")
    code, report = _report(tmp_path, text)
    assert code == 0
    assert [s["subject"] for s in report["statements"]] == [
        "-> s3://acme/a/", "-> s3://acme/b/", "-> s3://acme/c/"]

"""Operation specs: each statement kind and permission-changing option reads to the Script the
SQL reader gives for the same SQL; bad specs fail with exact messages (path and line:col)."""

from __future__ import annotations

import pytest

from redshift_iam.analysis import read_inputs
from redshift_iam.core.settings import Settings
from redshift_iam.core.source import Source
from redshift_iam.core.statements import Script
from redshift_iam.spec.operations import read_spec
from redshift_iam.spec.writer import write_spec
from tests.helpers import grant_set

R = "arn:aws:iam::123456789012:role/R"
R2 = "arn:aws:iam::123456789012:role/R2"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _unlocated(value: object) -> object:
    """A statement with every Location (and the informational options list) blanked."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        fields = {name: _unlocated(getattr(value, name)) for name in value._fields}
        for name in ("loc", "options"):
            if name in fields:
                fields[name] = None
        return type(value)(**fields)
    if isinstance(value, tuple):
        return tuple(_unlocated(v) for v in value)
    return value


def _spec(text: str, name: str = "s.yaml") -> Script:
    return read_spec(Source(name, text))


# (operation under `operations:`, top-level lines, the equivalent SQL)
EQUIVALENT = [
    ("copy: {table: t, from: 's3://bkt/k/'}", f"role: {R}",
     f"copy t from 's3://bkt/k/' iam_role '{R}'"),
    ("copy: {table: t, from: 's3://bkt/m', manifest: true}", f"role: {R}",
     f"copy t from 's3://bkt/m' iam_role '{R}' manifest"),
    ("copy: {table: t, from: 's3://bkt/h', ssh: true}", f"role: {R}",
     f"copy t from 's3://bkt/h' iam_role '{R}' ssh"),
    ("copy: {table: t, from: 's3://bkt/shp/x.shp.gz', format: shapefile}", f"role: {R}",
     f"copy t from 's3://bkt/shp/x.shp.gz' iam_role '{R}' format shapefile"),
    ("copy: {table: t, from: 's3://bkt/k', json: 's3://bkt/p.json'}", f"role: {R}",
     f"copy t from 's3://bkt/k' iam_role '{R}' json 's3://bkt/p.json'"),
    ("copy: {table: t, from: 's3://bkt/k', format: avro, avro: 's3://bkt/p.json'}", f"role: {R}",
     f"copy t from 's3://bkt/k' iam_role '{R}' format as avro 's3://bkt/p.json'"),
    ("copy: {table: t, from: 's3://bkt/k', json: auto ignorecase}", f"role: {R}",
     f"copy t from 's3://bkt/k' iam_role '{R}' json 'auto ignorecase'"),
    ("copy: {table: t, from: 'dynamodb://Movies', region: us-west-2}", f"role: {R}",
     f"copy t from 'dynamodb://Movies' iam_role '{R}' region 'us-west-2'"),
    ("copy: {table: t, from: 'emr://j-ABC/out/*', json: 's3://bkt/p.json'}", f"role: {R}",
     f"copy t from 'emr://j-ABC/out/*' iam_role '{R}' json 's3://bkt/p.json'"),
    ("copy: {table: t, from: 's3://bkt/k', encrypted: client}", f"role: {R}",
     f"copy t from 's3://bkt/k' iam_role '{R}' master_symmetric_key 'x' encrypted"),
    ("copy: {table: t, from: 's3://bkt/k', job: j1}", "role: default",
     "copy t from 's3://bkt/k' iam_role default job create j1"),
    ("copy: {table: t, from: 's3://bkt/k', access_key_id: AKIAXAMPLEKEY0001}", "",
     "copy t from 's3://bkt/k' access_key_id 'AKIAXAMPLEKEY0001' secret_access_key 's'"),
    ("copy: {table: t, from: 's3://bkt/k', access_key_id: AKIAXAMPLEKEY0001, "
     "session_token: true}",
     f"role: {R}",
     "copy t from 's3://bkt/k' access_key_id 'AKIAXAMPLEKEY0001' secret_access_key 's' "
     "session_token 't'"),
    ("copy: {table: t, from: 's3://bkt/k', role: [" + R + ", " + R2 + "]}", "",
     f"copy t from 's3://bkt/k' iam_role '{R},{R2}'"),
    (f"copy: {{table: t, from: 's3://bkt/k', role: '{R},{R2}'}}", "",
     f"copy t from 's3://bkt/k' iam_role '{R},{R2}'"),
    ("copy: {table: t, from: 's3://bkt/k*?/ '}", "role: arn:aws:iam::1234567890123:role/D",
     "copy t from 's3://bkt/k*?/ ' iam_role 'arn:aws:iam::1234567890123:role/D'"),
    ("unload: {to: 's3://bkt/out/'}", f"role: {R}",
     f"unload ('select 1') to 's3://bkt/out/' iam_role '{R}'"),
    ("unload: {to: 's3://bkt/out/', cleanpath: true}", f"role: {R}",
     f"unload ('select 1') to 's3://bkt/out/' iam_role '{R}' cleanpath"),
    ("unload: {to: 's3://bkt/out/', allowoverwrite: true, manifest: true}", f"role: {R}",
     f"unload ('select 1') to 's3://bkt/out/' iam_role '{R}' allowoverwrite manifest"),
    (f"unload: {{to: 's3://bkt/out/', encrypted: true, kms_key_id: '{KMS}'}}", f"role: {R}",
     f"unload ('select 1') to 's3://bkt/out/' iam_role '{R}' kms_key_id '{KMS}' encrypted"),
    ("unload: {to: 's3://bkt/out/', encrypted: true, "
     "kms_key_id: 1234abcd-12ab-34cd-56ef-1234567890ab}",
     f"role: {R}\nregion: eu-west-1",
     f"unload ('select 1') to 's3://bkt/out/' iam_role '{R}' region 'eu-west-1' "
     "kms_key_id '1234abcd-12ab-34cd-56ef-1234567890ab' encrypted"),
    ("unload: {to: 's3://bkt/out/', encrypted: auto}", f"role: {R}",
     f"unload ('select 1') to 's3://bkt/out/' iam_role '{R}' encrypted auto"),
    ("unload: {to: 's3://bkt/out/', encrypted: client}", f"role: {R}",
     f"unload ('select 1') to 's3://bkt/out/' iam_role '{R}' master_symmetric_key 'x' encrypted"),
    ("unload: {to: 's3://bkt/out/', partition_by: [a, b]}", f"role: {R}",
     f"unload ('select 1') to 's3://bkt/out/' iam_role '{R}' partition by (a, b)"),
    ("create_library: {name: f, from: 's3://bkt/lib.zip'}", f"role: {R}",
     f"create library f language plpythonu from 's3://bkt/lib.zip' iam_role '{R}'"),
    ("create_library: {name: f, from: 'https://example.com/f.zip'}", f"role: {R}",
     "create library f language plpythonu from 'https://example.com/f.zip'"),
    ("create_library: {name: f, from: 'https://example.com/f.zip', role: default}", "",
     "create library f language plpythonu from 'https://example.com/f.zip' iam_role default"),
]


@pytest.mark.parametrize(("operation", "top", "sql"), EQUIVALENT)
def test_spec_reads_as_the_equivalent_sql(operation: str, top: str, sql: str) -> None:
    spec = _spec(f"{top}\noperations:\n  - {operation}\n")
    script = read_inputs([Source("s.sql", sql + ";")])
    assert [d.code for d in spec.diagnostics if d.severity.value == "error"] == []
    assert _unlocated(spec.statements) == _unlocated(script.statements)
    assert [(d.code, d.message) for d in spec.diagnostics] == [
        (d.code, d.message) for d in script.diagnostics]


def test_grants_of_a_spec() -> None:
    spec = (f"role: {R}\nregion: us-east-1\noperations:\n"
            "  - unload: {to: 's3://out/p_', cleanpath: true}\n"
            "  - copy: {table: m, from: 'dynamodb://Movies', region: us-west-2}\n")
    settings = Settings(account_id="123456789012")
    from tests.helpers import run
    analysis = run(spec, settings, name="s.yaml")
    assert not analysis.diagnostics
    grants = {(g.action, g.resource, g.condition.value if g.condition else "")
              for g in analysis.derivation.grants}
    table = "arn:aws:dynamodb:us-west-2:123456789012:table/Movies"
    assert grants == {
        ("s3:PutObject", "arn:aws:s3:::out/p_*", ""), ("s3:GetObject", "arn:aws:s3:::out/p_*", ""),
        ("s3:DeleteObject", "arn:aws:s3:::out/p_*", ""),
        ("s3:ListBucket", "arn:aws:s3:::out", "p_*"),
        ("dynamodb:Scan", table, ""), ("dynamodb:DescribeTable", table, "")}
    assert grants == grant_set("unload ('x') to 's3://out/p_' iam_role '" + R + "' cleanpath;"
                               "copy m from 'dynamodb://Movies' iam_role '" + R + "' "
                               "region 'us-west-2';", settings)


def test_locations_point_into_the_spec() -> None:
    spec = _spec(f"role: {R}\noperations:\n  - unload:\n      to: \"s3://bkt/k\"\n"
                 f"      encrypted: true\n      kms_key_id: alias/x\n")
    unload = spec.statements[0]
    assert (str(unload.loc), str(unload.target.loc), str(unload.kms_key.loc),
            str(unload.auth.roles[0].loc)) == ("s.yaml:3:5", "s.yaml:4:12", "s.yaml:6:19",
                                               "s.yaml:1:7")


def test_top_level_region_skips_emr_and_a_chain_string_locates_each_role() -> None:
    spec = _spec(f"region: us-west-2\nrole: '{R},{R2}'\noperations:\n"
                 "  - copy: {from: 'emr://j-ABC/x'}\n  - copy: {from: 'dynamodb://Tab'}\n")
    emr, dynamo = spec.statements
    assert (emr.region, dynamo.region.value, emr.table, dynamo.table) == (
        None, "us-west-2", "operations[0]", "operations[1]")
    assert [str(r.loc) for r in emr.auth.roles] == ["s.yaml:2:8", f"s.yaml:2:{8 + len(R) + 1}"]


S = "s.yaml"
BAD = [
    # (spec text, first rendered line of each diagnostic)
    ("operations: 3\n", ["s.yaml:1:13: error RI181: operations: expected a list, found a number"]),
    ("role: x\n", ["s.yaml:1:1: error RI181: the spec: missing key 'operations'"]),
    ("- 1\n", ["s.yaml:1:1: error RI181: the spec: expected a mapping, found a list"]),
    ("operations: []\nrgion: us-east-1\n",
     ["s.yaml:2:1: error RI181: rgion: unknown key; expected one of role, region, operations"]),
    ("operations:\n  - cpy: {from: 's3://bkt/k'}\n",
     ["s.yaml:2:5: error RI181: operations[0].cpy: unknown key; expected one of copy, unload, "
      "create_library"]),
    ("operations:\n  - {copy: {from: 's3://bkt/k'}, unload: {to: 's3://bkt/k'}}\n",
     ["s.yaml:2:5: error RI181: operations[0]: an operation holds exactly one of copy, unload, "
      "create_library"]),
    ("operations:\n  - copy: {table: t}\n",
     ["s.yaml:2:5: error RI181: operations[0].copy: missing key 'from'"]),
    ("operations:\n  - copy:\n      from: s3://bkt/k\n      secret_access_key: abc/DEF\n",
     ["s.yaml:4:7: error RI181: operations[0].copy.secret_access_key: secrets have no place in "
      "a spec: leave secret_access_key out (access_key_id names the principal)"]),
    ("operations:\n  - unload: {to: 's3://bkt/k', credentials: 'aws_access_key_id=A;x=y'}\n",
     ["s.yaml:2:32: error RI181: operations[0].unload.credentials: secrets have no place in a "
      "spec: leave credentials out (use role, or access_key_id)"]),
    ("operations:\n  - unload: {to: 's3://bkt/k', encrypted: yes please}\n",
     ["s.yaml:2:43: error RI181: operations[0].unload.encrypted: 'yes please' is not one of "
      "true, false, auto, client"]),
    ("operations:\n  - copy: {from: 's3://bkt/k', format: xml}\n",
     ["s.yaml:2:40: error RI181: operations[0].copy.format: 'xml' is not one of csv, json, "
      "avro, parquet, orc, shapefile, fixedwidth, text"]),
    ("operations:\n  - copy: {from: 's3://bkt/k', manifest: 'true'}\n",
     ["s.yaml:2:42: error RI181: operations[0].copy.manifest: expected true or false, found a "
      "string"]),
    ("operations:\n  - copy: {from: 's3://bkt/k', role: []}\n",
     ["s.yaml:2:38: error RI181: operations[0].copy.role: give at least 1 item(s)"]),
    # a date or time is read as its text (the one YAML reader's rule); other tags are refused
    ("operations:\n  - copy: {from: 's3://bkt/k', table: !!binary aGk=}\n",
     ["s.yaml:2:39: error RI180: the YAML tag !!binary is not read: a value is a string, "
      "number, true/false, null, list or mapping"]),
    ("operations:\n  - copy: {from: 's3://bkt/k'\n",
     ["s.yaml:3:1: error RI180: not valid YAML: expected ',' or '}', but got '<stream end>'"]),
    ("operations: []\noperations: []\n",
     ["s.yaml:2:1: error RI180: key 'operations' is given twice"]),
    # value checks: the SQL reader's codes and messages, at the value
    (f"role: {R}\noperations:\n  - copy: {{from: 's3://My_Bucket/k'}}\n",
     ["s.yaml:3:24: error RI120: operations[0].copy.from: 'My_Bucket' is not a valid S3 bucket "
      "name"]),
    (f"role: {R}\noperations:\n  - copy: {{from: 'file.csv'}}\n",
     ["s.yaml:3:19: error RI126: operations[0].copy.from: not an s3://, dynamodb:// or emr:// "
      "source; a local file needs psql's \\copy, which uses no IAM"]),
    (f"role: {R}\noperations:\n  - copy: {{from: 's3://{{{{ bucket }}}}/k'}}\n",
     ["s.yaml:3:24: error RI121: operations[0].copy.from: placeholder '{{ bucket }}' instead of "
      "a real value"]),
    (f"role: {R}\noperations:\n  - copy: {{from: 's3://bkt/k', region: mars-1}}\n",
     ["s.yaml:3:40: error RI122: operations[0].copy.region: 'mars-1' is not an AWS Region "
      "code"]),
    ("role: arn:aws:iam::123456789012:user/U\noperations:\n  - copy: {from: 's3://bkt/k'}\n",
     ["s.yaml:1:7: error RI123: role: 'arn:aws:iam::123456789012:user/U' is not an IAM role "
      "ARN"]),
    (f"operations:\n  - copy: {{from: 's3://bkt/k', role: '{R}, {R2}'}}\n",
     [f"s.yaml:2:{39 + len(R) + 1}: error RI123: operations[0].copy.role: a role chain must not "
      "contain spaces"]),
    (f"operations:\n  - copy: {{from: 's3://bkt/k', role: [{R}, 'arn:aws:iam::1:role']}}\n",
     [f"s.yaml:2:{40 + len(R) + 2}: error RI123: operations[0].copy.role[1]: "
      "'arn:aws:iam::1:role' is not an IAM role ARN"]),
    ("operations:\n  - copy: {from: 's3://bkt/k', role: [" + ", ".join([R] * 11) + "]}\n",
     ["s.yaml:2:38: error RI113: operations[0].copy.role: a role chain has at most 10 roles, "
      "found 11"]),
    ("operations:\n  - copy: {from: 's3://bkt/k', json: 'maybe'}\n",
     ["s.yaml:2:39: error RI110: operations[0].copy.json: expected 'auto', 'auto ignorecase', "
      "'noshred' or an s3:// JSONPaths file"]),
    # the reference's exclusions
    ("operations:\n  - copy: {from: 's3://bkt/k'}\n",
     ["s.yaml:2:5: error RI115: operations[0].copy: COPY needs authorization: give role (here "
      "or at the top level) or access_key_id"]),
    (f"operations:\n  - unload: {{to: 's3://bkt/k', role: {R}, "
     "access_key_id: AKIAXAMPLEKEY0001}\n",
     [f"s.yaml:2:{40 + len(R)}: error RI113: operations[0].unload: role can't be used with "
      "access_key_id"]),
    (f"role: {R}\noperations:\n  - unload: {{to: 's3://bkt/k', session_token: true}}\n",
     ["s.yaml:3:32: error RI115: operations[0].unload: session_token needs access_key_id"]),
    (f"role: {R}\noperations:\n  - unload: {{to: 's3://bkt/k', cleanpath: true, "
     "allowoverwrite: true}\n",
     ["s.yaml:3:49: error RI113: operations[0].unload: cleanpath can't be used with "
      "allowoverwrite"]),
    (f"role: {R}\noperations:\n  - unload: {{to: 's3://bkt/k', kms_key_id: alias/k}}\n",
     ["s.yaml:3:32: error RI115: operations[0].unload: kms_key_id needs encrypted: true"]),
    (f"role: {R}\noperations:\n  - unload: {{to: 's3://bkt/k', encrypted: true}}\n",
     ["s.yaml:3:32: error RI115: operations[0].unload: encrypted: true needs kms_key_id (or "
      "encrypted: auto): nothing says which key encrypts"]),
    (f"role: {R}\noperations:\n  - unload: {{to: 's3://bkt/k', encrypted: auto, kms_key_id: "
     "alias/k}\n",
     ["s.yaml:3:49: error RI113: operations[0].unload: encrypted: auto can't be used with "
      "kms_key_id"]),
    (f"role: {R}\noperations:\n  - unload: {{to: 's3://bkt/k', encrypted: client, kms_key_id: "
     "alias/k}\n",
     ["s.yaml:3:51: error RI113: operations[0].unload: kms_key_id can't be used with "
      "encrypted: client"]),
    (f"role: {R}\noperations:\n  - copy: {{from: 'emr://j-1/x', manifest: true}}\n",
     ["s.yaml:3:33: error RI114: operations[0].copy: manifest can't be used with COPY from "
      "emr"]),
    (f"role: {R}\noperations:\n  - copy: {{from: 'emr://j-1/x', region: us-east-1}}\n",
     ["s.yaml:3:33: error RI114: operations[0].copy: region can't be used with COPY from emr"]),
    (f"role: {R}\noperations:\n  - copy: {{from: 'dynamodb://Tab', ssh: true}}\n",
     ["s.yaml:3:36: error RI114: operations[0].copy: ssh can't be used with COPY from "
      "dynamodb"]),
    (f"role: {R}\noperations:\n  - copy: {{from: 'dynamodb://Tab', format: csv}}\n",
     ["s.yaml:3:36: error RI114: operations[0].copy: format can't be used with COPY from "
      "dynamodb"]),
    (f"role: {R}\noperations:\n  - copy: {{from: 's3://bkt/k', format: csv, json: auto}}\n",
     ["s.yaml:3:45: error RI113: operations[0].copy: json conflicts with format csv"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_spec_messages(text: str, expected: list[str]) -> None:
    found = _spec(text, S).diagnostics
    assert [d.render().split("\n", 1)[0] for d in found] == expected


def test_every_schema_error_is_reported_in_text_order() -> None:
    text = ("operations:\n  - copy: {from: 3}\n  - unload: {to: 's3://bkt/k', bogus: 1}\n"
            "extra: 1\n")
    assert [d.render().split("\n", 1)[0] for d in _spec(text).diagnostics] == [
        "s.yaml:2:18: error RI181: operations[0].copy.from: expected a string, found a number",
        "s.yaml:3:32: error RI181: operations[1].unload.bogus: unknown key; expected one of "
        "query, to, cleanpath, allowoverwrite, encrypted, kms_key_id, partition_by, manifest, "
        "format, role, access_key_id, session_token, region",
        "s.yaml:4:1: error RI181: extra: unknown key; expected one of role, region, operations"]


def test_a_secret_never_appears_in_a_message() -> None:
    text = ("operations:\n  - copy: {from: 's3://bkt/k', secret_access_key: 'wJalrQQQ', "
            "token: 'TOKQQQ', master_symmetric_key: 'MSKQQQ'}\n")
    rendered = "\n".join(d.render() for d in _spec(text).diagnostics)
    assert [d.code for d in _spec(text).diagnostics] == ["RI181"] * 3
    assert "QQQ" not in rendered and rendered.count("****") == 3


def test_one_bad_operation_does_not_hide_the_others() -> None:
    text = (f"role: {R}\noperations:\n  - copy: {{from: 's3://B/k'}}\n"
            "  - unload: {to: 's3://okb/k'}\n  - copy: {from: 'x'}\n")
    script = _spec(text)
    assert [d.code for d in script.diagnostics] == ["RI120", "RI126"]
    assert [type(s).__name__ for s in script.statements] == ["Unload"]


JSON_SPEC = ('{\n  "role": "' + R + '",\n  "operations": [\n'
             '    {"copy": {"table": "t", "from": "s3://bkt/k/", "manifest": true}},\n'
             '    {"unload": {"to": "s3://bkt/o/", "cleanpath": "yes"}}\n  ]\n}\n')


def test_json_specs_have_positions_too() -> None:
    found = _spec(JSON_SPEC, "s.json").diagnostics
    assert [d.render().split("\n", 1)[0] for d in found] == [
        "s.json:5:51: error RI181: operations[1].unload.cleanpath: expected true or false, "
        "found a string"]
    good = _spec(JSON_SPEC.replace('"yes"', "true"), "s.json")
    assert [str(s.loc) for s in good.statements] == ["s.json:4:6", "s.json:5:6"]
    assert [d.render().split("\n", 1)[0] for d in _spec('{"operations": [1,]}', "s.json")
            .diagnostics] == ["s.json:1:19: error RI180: not valid JSON: expected a value"]


def test_writer_output_reads_back_to_the_same_statements() -> None:
    text = "\n".join(f"  - {op}" for op, top, _ in EQUIVALENT if top == f"role: {R}")
    first = _spec(f"role: {R}\noperations:\n{text}\n")
    assert not [d for d in first.diagnostics if d.severity.value == "error"]
    again = _spec(write_spec(first))
    assert _unlocated(again.statements) == _unlocated(first.statements)
    assert write_spec(again) == write_spec(first)


def test_policy_of_a_spec_allows_what_it_needs_and_no_neighbour() -> None:
    from tests.helpers import run
    from tests.iam_eval import allowed

    spec = (f"role: {R}\noperations:\n"
            "  - copy: {table: t, from: 's3://raw/orders.manifest', manifest: true}\n"
            "  - unload: {to: 's3://out/daily/p_', cleanpath: true}\n")
    (report,) = run(spec, name="s.yaml").reports
    docs = [doc.as_json() for doc in report.policies]
    assert allowed(docs, "s3:GetObject", "arn:aws:s3:::raw/orders.manifest")
    assert not allowed(docs, "s3:GetObject", "arn:aws:s3:::raw/orders.manifest2")
    assert allowed(docs, "s3:DeleteObject", "arn:aws:s3:::out/daily/p_0001")
    assert not allowed(docs, "s3:DeleteObject", "arn:aws:s3:::out/daily/q_0001")
    assert not allowed(docs, "s3:PutObject", "arn:aws:s3:::raw/orders.manifest")
    assert allowed(docs, "s3:ListBucket", "arn:aws:s3:::out", {"s3:prefix": "daily/p_1"})
    assert not allowed(docs, "s3:ListBucket", "arn:aws:s3:::out", {"s3:prefix": "daily/"})


@pytest.mark.parametrize("text", ["true", "123", "1.5", "null", "~", "", " x", "x ", "a: b",
                                  "#x", "s3://bkt/k #c", "é/ü", "tab\there", "line\nbreak",
                                  "'q'", '"dq"', "- x", "[a]", "{a}", "yes", "0x1F", "2024-01-01",
                                  "*star", "&anchor", "!tag", "%x", "@x", "`x"])
def test_writer_scalars_read_back_as_the_same_string(text: str) -> None:
    import yaml

    from redshift_iam.spec.writer import scalar
    assert yaml.safe_load(f"k: {scalar(text)}\n") == {"k": text}


def test_writer_round_trip_of_mixed_principals() -> None:
    sql = (f"copy a from 's3://bkt/a' iam_role '{R},{R2}';\n"
           "unload ('x') to 's3://bkt/o' access_key_id 'AKIAXAMPLEKEY0001' secret_access_key 's' "
           "session_token 't';\n"
           "create library f language plpythonu from 'https://example.com/f.zip' "
           "iam_role default;\n"
           "copy \"Odd Table\" from 'dynamodb://Tab' iam_role default region 'us-west-2';\n")
    script = read_inputs([Source("m.sql", sql)])
    text = write_spec(script)
    assert text == (
        "operations:\n"
        "  - copy:\n      table: a\n      from: s3://bkt/a\n      role:\n"
        f"        - {R}\n        - {R2}\n"
        "  - unload:\n      to: s3://bkt/o\n      access_key_id: AKIAXAMPLEKEY0001\n"
        "      session_token: true\n"
        "  - create_library:\n      name: f\n      from: https://example.com/f.zip\n"
        "      role: default\n"
        "  - copy:\n      table: \"Odd Table\"\n      from: dynamodb://Tab\n"
        "      region: us-west-2\n"
        "      role: default\n")
    assert _unlocated(_spec(text).statements) == _unlocated(script.statements)


def test_hostile_specs_fail_cleanly() -> None:
    laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\noperations: []\n"
    assert [d.render().split("\n", 1)[0] for d in _spec(laughs).diagnostics] == [
        "s.yaml:2:8: error RI180: this list or mapping is used again through an alias (*name); "
        "a spec may alias only plain values"]
    deep = "[" * 2000 + "]" * 2000  # beyond the recursion limit: refused at level 33
    for name in ("d.json", "d.yaml"):
        (found,) = _spec(deep, name).diagnostics
        assert (found.code, str(found.location), found.message) == (
            "RI180", f"{name}:1:33", "lists and mappings nest more than 32 levels deep here")


@pytest.mark.parametrize("source", ["dynamodb://Tab", "emr://j-1/x"])
def test_sql_rejects_ssh_from_dynamodb_and_emr_as_specs_do(source: str) -> None:
    """SSH names an SSH manifest in S3; the SQL reader used to take it as the COPY's mode."""
    kind = source.split(":", 1)[0]
    (found,) = read_inputs([Source("t.sql", f"copy t from '{source}' iam_role default ssh;")]
                           ).diagnostics
    assert (found.code, found.message) == ("RI114", f"SSH can't be used with COPY from {kind}")


@pytest.mark.parametrize("key_id, column, message", [
    ("wJalrXUtnFEMI", 47, "character 1 of the access key id is not an uppercase letter or digit"),
    ("ABCDEFGHIJKLMNOPQ", 47, "an access key id starts with AKIA (an IAM user's key) or ASIA "
                              "(temporary credentials)"),
    ("AKIASHORT", 47, "an access key id has 16 to 128 characters, this one has 9"),
])
def test_a_spec_access_key_id_has_the_shape_sql_demands(key_id: str, column: int,
                                                       message: str) -> None:
    text = f"operations:\n  - copy: {{from: 's3://bkt/k', access_key_id: {key_id}}}\n"
    [found] = _spec(text).diagnostics
    assert found.render().split("\n") == [
        f"s.yaml:2:{column}: error RI127: operations[0].copy.access_key_id: {message}",
        "    2 |   - copy: {from: 's3://bkt/k', access_key_id: ****",
        "      |" + " " * (column - 1) + " ^",
        f"    hint: {found.hint}"]
    assert key_id not in found.render()

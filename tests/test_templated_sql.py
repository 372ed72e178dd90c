"""Templated SQL read by where each placeholder stands (RULES "Templated SQL"): every form of
the RULES table bare and in strings reaching the grants of the plain SQL its values make; each
unresolved case with its exact code, message and location; wildcards judged with the IAM
evaluator; values from --var, --vars files and \\set; a value that is an option list, or
brings its own quotes."""

from __future__ import annotations

import json

import pytest

from redshift_iam.analysis import analyze_sources
from redshift_iam.core.reports import Analysis
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source
from redshift_iam.core.statements import AuthKind, Open
from redshift_iam.inputs.templating import Value, load_vars, parse_var, render_source
from redshift_iam.spec import yaml_tree
from tests.helpers import grant_set
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/Etl"
R = f"IAM_ROLE '{ROLE}'"
GET_LIST = {("s3:GetObject", "arn:aws:s3:::acme/sales/2024/*", ""),
            ("s3:ListBucket", "arn:aws:s3:::acme", "sales/2024/*")}


def values(**given: str) -> dict[str, Value]:
    """Values as --var gives them."""
    return dict(parse_var(f"{name}={text}") for name, text in given.items())


def read(sql: str, given: dict[str, Value] | None = None, style: str = "auto",
         settings: Settings | None = None, name: str = "t.sql") -> Analysis:
    source, _ = render_source(Source(name, sql), given or {}, style)
    return analyze_sources([source], settings or Settings(), TrustOptions())


def grants(analysis: Analysis) -> set[tuple[str, str, str]]:
    bad = [d.render() for d in analysis.failures(allow_unresolved=False)]
    assert not bad, bad
    return {(g.action, g.resource, g.condition.value if g.condition else "")
            for g in analysis.derivation.grants}


def found(analysis: Analysis) -> list[tuple[str, str, str, str]]:
    """(code, file:line:col, message, hint) of every diagnostic."""
    return [(d.code, str(d.location), d.message, d.hint) for d in analysis.diagnostics]


# --- every form, bare and in strings, with values: the grants of the plain SQL ---------------

PLAIN = f"COPY sales FROM 's3://acme/sales/2024/' {R}"
FORMS = [
    # (template, values)
    ("COPY sales FROM 's3://{{ bucket }}/sales/{{ year }}/' IAM_ROLE '{{ role }}'", {}),
    ("COPY sales FROM 's3://{{ params.bucket }}/sales/{{ var('year') }}/' IAM_ROLE "
     "'{{ env_var('ROLE') }}'", {"params.bucket": "acme", "ROLE": ROLE}),
    ("COPY sales FROM 's3://{bucket}/sales/{year}/' IAM_ROLE '{role}'", {}),
    ('COPY sales FROM \'s3://{cfg.bucket}/sales/{cfg[year]}/\' IAM_ROLE \'{cfg["role"]}\'',
     {"cfg.bucket": "acme", "cfg.year": "2024", "cfg.role": ROLE}),
    ("COPY sales FROM 's3://%(bucket)s/sales/%(year)s/' IAM_ROLE '%(role)s'", {}),
    ("COPY sales FROM 's3://${BUCKET}/sales/$YEAR/' IAM_ROLE '${ROLE}'",
     {"BUCKET": "acme", "YEAR": "2024", "ROLE": ROLE}),
    ("COPY sales FROM 's3://$BUCKET$/sales/${YEAR:-2024}/' IAM_ROLE '${ROLE}'",
     {"BUCKET": "acme", "ROLE": ROLE}),
    ("COPY sales FROM 's3://#{bucket}/sales/#{year}/' IAM_ROLE '#{role}'", {}),
    ("COPY sales FROM 's3://<bucket>/sales/<params.year>/' IAM_ROLE '<role>'",
     {"params.year": "2024"}),
    ("COPY sales FROM :'src' IAM_ROLE :'role'", {"src": "s3://acme/sales/2024/"}),
    ("\\set src s3://acme/sales/2024/\nCOPY sales FROM :'src' IAM_ROLE :'role'", {}),
    ("COPY sales FROM {src} IAM_ROLE {quoted_role}", {"src": "'s3://acme/sales/2024/'"}),
    ("COPY {table} ({cols}) FROM 's3://acme/sales/{year}/' IAM_ROLE '{role}' DELIMITER '{d}' "
     "DATEFORMAT {df} MAXERROR {n}", {"table": "sales", "cols": "a, b", "d": "|",
                                      "df": "'YYYY-MM-DD'", "n": "10"}),
]


@pytest.mark.parametrize(("template", "extra"), FORMS)
def test_every_form_with_values_reads_as_the_plain_sql(template: str, extra: dict) -> None:
    given = values(bucket="acme", year="2024", role=ROLE,
                   quoted_role=f"'{ROLE}'", **extra)
    analysis = read(template, given)
    assert grants(analysis) == grant_set(PLAIN) == GET_LIST
    # a shell default fills YEAR: granted, and said aloud (RW228)
    assert [d.code for d in analysis.diagnostics] == (["RW228"] if ":-" in template else [])
    assert analysis.derivation.principals()[0].name == ROLE


def test_statements_know_their_placeholders() -> None:
    analysis = read("COPY t FROM 's3://acme/{p}/{q}' IAM_ROLE '{role}';\n"
                    "UNLOAD ('select 1') TO 's3://acme/u/{q}' IAM_ROLE '{role}'",
                    values(role=ROLE, p="x"))
    first, second = analysis.script.statements
    assert [(p.name, p.value, p.location.line, p.location.col) for p in first.placeholders] == [
        ("p", "x", 1, 24), ("q", None, 1, 28), ("role", ROLE, 1, 43)]
    assert [(p.name, p.value, p.location.line) for p in second.placeholders] == [
        ("q", None, 2), ("role", ROLE, 2)]
    assert first.source.key == "x/\ue0001\ue001"


# --- unresolved, by where the placeholder stands ---------------------------------------------

BY_PLACE = [
    # inside the key: any text there, a warning naming the variable and the pattern
    (f"COPY t FROM 's3://acme/sales/{{{{ ds }}}}/' {R}",
     [("RW221", "t.sql:1:30", "variable ds ({{ ds }}) is unresolved in the S3 key "
       "s3://acme/sales/{{ ds }}/: granted as acme/sales/*/ (any text in its place)",
       "pass --var ds=VALUE to grant one prefix")]),
    (f"COPY t FROM 's3://acme/%s' {R}",
     [("RW221", "t.sql:1:24", "%s #1 of t.sql:1 is unresolved in the S3 key s3://acme/%s: "
       "granted as acme/* (any text in its place)",
       "pass --var '%s#1@t.sql:1=VALUE' to grant one prefix")]),
    # the bucket, the scheme, the whole location, glued placeholders
    (f"COPY t FROM 's3://{{bucket}}/sales/' {R}",
     [("RI145", "t.sql:1:19", "variable bucket ({bucket}) is unresolved in the S3 location "
       "of this COPY (s3://{bucket}/sales/): its grants are left out",
       "pass --var bucket=VALUE")]),
    (f"COPY t FROM %s {R}",
     [("RI145", "t.sql:1:13", "%s #1 of t.sql:1 is unresolved in the S3 location of this "
       "COPY: its grants are left out", "pass --var '%s#1@t.sql:1=VALUE'")]),
    (f"UNLOAD ('x') TO '{{scheme}}://acme/u/' {R}",
     [("RI145", "t.sql:1:18", "variable scheme ({scheme}) is unresolved in the S3 location "
       "of this UNLOAD ({scheme}://acme/u/): its grants are left out",
       "pass --var scheme=VALUE")]),
    (f"COPY t FROM 's3://{{a}}{{b}}' {R}",
     [("RI145", "t.sql:1:19", "variable a ({a}) is unresolved in the S3 location of this "
       "COPY (s3://{a}{b}): its grants are left out", "pass --var a=VALUE"),
      ("RI145", "t.sql:1:22", "variable b ({b}) is unresolved in the S3 location of this "
       "COPY (s3://{a}{b}): its grants are left out", "pass --var b=VALUE")]),
    ("CREATE LIBRARY f LANGUAGE plpythonu FROM '{{ lib }}' IAM_ROLE default",
     [("RI145", "t.sql:1:43", "variable lib ({{ lib }}) is unresolved in the S3 location of "
       "this CREATE LIBRARY: its grants are left out", "pass --var lib=VALUE")]),
    (f"COPY t FROM 's3://acme/d/' {R} JSON '{{paths}}'",
     [("RI145", "t.sql:1:80", "variable paths ({paths}) is unresolved in the JSONPaths file "
       "of this COPY: its grants are left out", "pass --var paths=VALUE")]),
    # who gets the permissions
    ("COPY t FROM 's3://acme/d/' IAM_ROLE '{role}'",
     [("RI146", "t.sql:1:38", "variable role ({role}) is unresolved in the role (IAM_ROLE or "
       "aws_iam_role=) of this COPY: who gets the permissions is never guessed",
       "pass --var role=VALUE")]),
    ("COPY t FROM 's3://acme/d/' IAM_ROLE 'arn:aws:iam::{{ acct }}:role/Etl'",
     [("RI146", "t.sql:1:51", "variable acct ({{ acct }}) is unresolved in the role (IAM_ROLE "
       "or aws_iam_role=) of this COPY (arn:aws:iam::{{ acct }}:role/Etl): who gets the "
       "permissions is never guessed", "pass --var acct=VALUE")]),
    ("COPY t FROM 's3://acme/d/' CREDENTIALS 'aws_iam_role=${ROLE}'",
     [("RI146", "t.sql:1:54", "variable ROLE (${ROLE}) is unresolved in the role (IAM_ROLE "
       "or aws_iam_role=) of this COPY: who gets the permissions is never guessed",
       "pass --var ROLE=VALUE")]),
    ("COPY t FROM 's3://acme/d/' ACCESS_KEY_ID '{key_id}' SECRET_ACCESS_KEY '{secret}'",
     [("RI146", "t.sql:1:43", "variable key_id ({key_id}) is unresolved in the access key id "
       "of this COPY: who gets the permissions is never guessed", "pass --var key_id=VALUE")]),
    ("COPY t FROM 's3://acme/d/' CREDENTIALS %s",
     [("RI146", "t.sql:1:40", "%s #1 of t.sql:1 is unresolved in the authorization of this "
       "COPY (the slot may hold CREDENTIALS or IAM_ROLE): who gets the permissions is never "
       "guessed", "pass --var '%s#1@t.sql:1=VALUE'")]),
    ("COPY t FROM 's3://acme/d/' {copy_credentials}",
     [("RI146", "t.sql:1:28", "variable copy_credentials ({copy_credentials}) is unresolved "
       "in the authorization of this COPY (the slot may hold CREDENTIALS or IAM_ROLE): who "
       "gets the permissions is never guessed", "pass --var copy_credentials=VALUE")]),
    # a DynamoDB table, an EMR cluster, a KMS key, a REGION a grant needs
    (f"COPY t FROM 'dynamodb://{{tbl}}' {R} READRATIO 50",
     [("RI147", "t.sql:1:25", "variable tbl ({tbl}) is unresolved in the DynamoDB table of "
       "this COPY: its grants are left out", "pass --var tbl=VALUE")]),
    (f"COPY t FROM 'emr://{{cluster}}/out' {R}",
     [("RI147", "t.sql:1:20", "variable cluster ({cluster}) is unresolved in the EMR cluster "
       "of this COPY: its grants are left out", "pass --var cluster=VALUE")]),
    (f"UNLOAD ('x') TO 's3://acme/u/' {R} ENCRYPTED KMS_KEY_ID '{{key}}'",
     [("RI147", "t.sql:1:100", "variable key ({key}) is unresolved in the KMS key of this "
       "UNLOAD: its grants are left out", "pass --var key=VALUE")]),
    (f"COPY t FROM 'dynamodb://Movies' {R} READRATIO 50 REGION '{{{{ region }}}}'",
     [("RI147", "t.sql:1:100", "variable region ({{ region }}) is unresolved in the REGION of "
       "this COPY: the grants that need it are left out", "pass --var region=VALUE")]),
    # where options may stand
    (f"COPY t FROM 's3://acme/d/' {R} {{copy_options}}",
     [("RI148", "t.sql:1:74", "variable copy_options ({copy_options}) is unresolved in the "
       "options of this COPY: the option set is unknown: it may add MANIFEST, SSH, SHAPEFILE, "
       "a JSON/AVRO JSONPaths file, REGION or the authorization",
       "pass --var copy_options=VALUE")]),
    (f"COPY t FROM 's3://acme/d/' {R} FORMAT AS {{fmt}}",
     [("RI148", "t.sql:1:84", "variable fmt ({fmt}) is unresolved in the options of this "
       "COPY: the option set is unknown: it may add MANIFEST, SSH, SHAPEFILE, a JSON/AVRO "
       "JSONPaths file, REGION or the authorization", "pass --var fmt=VALUE")]),
    (f"UNLOAD ('x') TO 's3://acme/u/' {R} {{% if wipe %}}CLEANPATH{{% endif %}}",
     [("RI148", "t.sql:1:78", "variable wipe ({% if wipe %}) is unresolved in the options of "
       "this UNLOAD: the option set is unknown: it may add CLEANPATH, ENCRYPTED, KMS_KEY_ID, "
       "ENCRYPTED AUTO, REGION or the authorization",
       "pass --var wipe=VALUE (the values the block tests)")]),
    # doc-style <name>: a code of its own
    (f"COPY t FROM 's3://<bucket_name>/d/' {R}",
     [("RI149", "t.sql:1:19", "variable bucket_name (<bucket_name>) is unresolved in the S3 "
       "location of this COPY (s3://<bucket_name>/d/): its grants are left out",
       "pass --var bucket_name=VALUE")]),
]


@pytest.mark.parametrize(("sql", "expected"), BY_PLACE)
def test_unresolved_by_where_it_stands(sql: str, expected: list) -> None:
    assert found(read(sql)) == expected


def test_unresolved_codes_fail_unless_allowed() -> None:
    analysis = read(f"COPY t FROM 's3://{{b}}/d/' {R};\nCOPY u FROM 's3://acme/k/' {R}")
    assert [d.code for d in analysis.failures(allow_unresolved=False)] == ["RI145"]
    assert analysis.failures(allow_unresolved=True) == ()
    # --allow-unresolved: the location's grants are left out, the rest stays
    assert {g.resource for g in analysis.derivation.grants} == {
        "arn:aws:s3:::acme/k/*", "arn:aws:s3:::acme"}


NO_EFFECT = [
    f"COPY {{table}} FROM 's3://acme/sales/2024/' {R}",
    f"COPY sales ({{cols}}) FROM 's3://acme/sales/2024/' {R} DELIMITER '{{d}}'",
    f"COPY sales FROM 's3://acme/sales/2024/' {R} DATEFORMAT '{{df}}' MAXERROR {{n}}",
    f"COPY sales FROM 's3://acme/sales/2024/' {R} REGION '{{region}}'",  # no ARN needs it
    f"COPY sales FROM 's3://acme/sales/2024/' {R} CSV {{% if q %}}QUOTE '\"'{{% endif %}}",
    f"COPY sales FROM 's3://acme/sales/2024/' {R} {{% if gz %}}GZIP{{% else %}}BZIP2"
    "{% endif %}",
]


@pytest.mark.parametrize("sql", NO_EFFECT)
def test_placeholders_elsewhere_change_nothing(sql: str) -> None:
    analysis = read(sql)
    assert grants(analysis) == GET_LIST
    assert analysis.diagnostics == ()


def test_unload_query_placeholder_changes_nothing() -> None:
    analysis = read("UNLOAD ('select * from {{ t }} where d = ''{{ ds }}''') TO 's3://acme/u/' "
                    f"{R}")
    assert grants(analysis) == {
        ("s3:GetObject", "arn:aws:s3:::acme/u/*", ""),
        ("s3:PutObject", "arn:aws:s3:::acme/u/*", ""),
        ("s3:ListBucket", "arn:aws:s3:::acme", "u/*")}


def test_a_block_whose_branches_differ_in_grants_is_unresolved_and_equal_ones_are_not() -> None:
    differ = read(f"COPY t FROM 's3://acme/m' {R} {{% if m %}}MANIFEST{{% endif %}}")
    assert [d.code for d in differ.diagnostics] == ["RI148"]
    same = read(f"COPY t FROM 's3://acme/m' {R} {{% if m %}}ACCEPTINVCHARS{{% endif %}}")
    assert same.diagnostics == ()
    assert grants(same) == {("s3:GetObject", "arn:aws:s3:::acme/m*", ""),
                            ("s3:ListBucket", "arn:aws:s3:::acme", "m*")}


# --- the wildcard judged by the IAM evaluator -------------------------------------------------

def documents(analysis: Analysis) -> list[dict]:
    from redshift_iam.output.text import document

    return [json.loads(document(doc)) for report in analysis.reports for doc in report.policies]


def test_a_key_placeholder_allows_every_rendering_and_nothing_else() -> None:
    docs = documents(read(f"COPY t FROM 's3://acme/sales/{{{{ ds }}}}/' {R}"))
    for ds in ("2024-01-01", "x", "a/b"):
        assert allowed(docs, "s3:GetObject", f"arn:aws:s3:::acme/sales/{ds}/part-0.gz")
        assert allowed(docs, "s3:ListBucket", "arn:aws:s3:::acme", {"s3:prefix": f"sales/{ds}/"})
    for resource in ("arn:aws:s3:::other/sales/2024-01-01/x", "arn:aws:s3:::acme/sales",
                     "arn:aws:s3:::acme/salesx/2024/x", "arn:aws:s3:::acme/other/2024/x"):
        assert not allowed(docs, "s3:GetObject", resource)
    assert not allowed(docs, "s3:ListBucket", "arn:aws:s3:::acme", {"s3:prefix": "other/"})
    assert not allowed(docs, "s3:PutObject", "arn:aws:s3:::acme/sales/2024-01-01/x")
    assert not allowed(docs, "s3:DeleteObject", "arn:aws:s3:::acme/sales/2024-01-01/x")


def test_a_key_that_is_all_placeholder_is_the_whole_bucket() -> None:
    analysis = read(f"UNLOAD ('x') TO 's3://acme/{{prefix}}' {R}")
    assert grants(analysis) == {
        ("s3:GetObject", "arn:aws:s3:::acme/*", ""), ("s3:PutObject", "arn:aws:s3:::acme/*", ""),
        ("s3:ListBucket", "arn:aws:s3:::acme", "")}
    docs = documents(analysis)
    assert allowed(docs, "s3:PutObject", "arn:aws:s3:::acme/any/key")
    assert not allowed(docs, "s3:PutObject", "arn:aws:s3:::other/any/key")


def test_an_exact_key_placeholder_in_a_jsonpaths_file() -> None:
    analysis = read(f"COPY t FROM 's3://acme/d/' {R} JSON 's3://acme/paths/{{name}}.json'")
    assert ("s3:GetObject", "arn:aws:s3:::acme/paths/*.json", "") in grants(analysis)
    assert [d.code for d in analysis.diagnostics] == ["RW221"]


# --- values: option lists, own quotes, sources, errors that show where the value came from ---

def test_a_value_that_is_an_option_list_changes_the_grants() -> None:
    sql = f"UNLOAD ('x') TO 's3://acme/u/' {R} {{opts}}"
    assert ("s3:DeleteObject", "arn:aws:s3:::acme/u/*", "") in grants(
        read(sql, values(opts="CLEANPATH PARALLEL OFF")))
    parallel = grants(read(sql, values(opts="PARALLEL OFF")))
    assert "s3:DeleteObject" not in {action for action, _, _ in parallel}
    manifest = read(f"COPY t FROM 's3://acme/m.json' {R} {{copy_options}}",
                    values(copy_options="MANIFEST"))
    assert [d.code for d in manifest.diagnostics] == ["RI142"]
    assert {g.resource for g in manifest.derivation.grants} == {
        "arn:aws:s3:::acme/m.json", "arn:aws:s3:::acme"}


def test_psql_literal_quotes_its_value() -> None:
    analysis = read("\\set key 'it''s'\nCOPY t FROM 's3://acme/' " + R + " DELIMITER :'key'")
    assert analysis.diagnostics == ()
    assert analysis.script.statements[0].placeholders[0].value == "'it''s'"


def test_values_from_files_name_their_line(tmp_path) -> None:
    (tmp_path / "v.yaml").write_text("cfg:\n  role: x\n  bucket: My_Bucket\n")
    (tmp_path / "v.env").write_text("# c\nexport BUCKET=Bad_Bucket\n")
    (tmp_path / "v.json").write_text('{\n "b": "ok-bucket",\n "k": 7\n}\n')
    yaml_values = load_vars(str(tmp_path / "v.yaml"), yaml_tree)
    bad = read(f"COPY t FROM 's3://{{{{ cfg.bucket }}}}/d/' {R}", yaml_values)
    assert found(bad) == [(
        "RI120", "t.sql:1:19", "'My_Bucket' is not a valid S3 bucket name (the text comes from "
        f"placeholder {{{{ cfg.bucket }}}} at t.sql:1:19, value from {tmp_path}/v.yaml:3)",
        "write the location as s3://bucket/key with a valid bucket name")]
    env = read(f"COPY t FROM 's3://${{BUCKET}}/d/' {R}", load_vars(str(tmp_path / "v.env")))
    assert found(env)[0][2].endswith(f"value from {tmp_path}/v.env:2)")
    good = read(f"COPY t FROM 's3://{{b}}/{{k}}/' {R}", load_vars(str(tmp_path / "v.json")))
    assert grants(good) == {("s3:GetObject", "arn:aws:s3:::ok-bucket/7/*", ""),
                            ("s3:ListBucket", "arn:aws:s3:::ok-bucket", "7/*")}


def test_a_bad_role_value_names_the_var() -> None:
    analysis = read("COPY t FROM 's3://acme/d/' IAM_ROLE '{role}'", values(role="Etl"))
    assert found(analysis) == [(
        "RI123", "t.sql:1:38", "'Etl' is not an IAM role ARN (the text comes from placeholder "
        "{role} at t.sql:1:38, value from --var role)",
        "write the role as arn:aws:iam::123456789012:role/NAME")]


def test_open_values_keep_the_placeholder_where_it_stands() -> None:
    """What a Terraform renderer needs: the slot, its rendered text with the sentinel in
    place, and the placeholder behind each sentinel."""
    analysis = read("COPY t FROM 's3://{b}/k/' IAM_ROLE 'arn:aws:iam::{acct}:role/Etl'")
    statement = analysis.script.statements[0]
    assert statement.source == Open("location", "s3://\ue0000\ue001/k/",
                                    statement.source.loc)
    assert statement.auth.kind is AuthKind.OPEN
    assert statement.auth.open.what == "role"
    assert statement.auth.open.text == "arn:aws:iam::\ue0001\ue001:role/Etl"
    assert [p.name for p in statement.placeholders] == ["b", "acct"]


# --- --template-style none: every character literal -------------------------------------------

def test_style_none_reads_braces_as_key_characters() -> None:
    analysis = read(f"COPY t FROM 's3://acme/{{x}}/${{y}}/' {R}", style="none")
    assert grants(analysis) == {("s3:GetObject", "arn:aws:s3:::acme/{x}/${y}/*", ""),
                                ("s3:ListBucket", "arn:aws:s3:::acme", "{x}/${y}/*")}


def test_doc_grammar_stays_an_error_in_templated_input() -> None:
    analysis = read(f"COPY t FROM 's3://acme/{{x}}/[, ...]' {R}")
    assert [d.code for d in analysis.diagnostics] == ["RI121"]


def test_plain_sql_is_passed_through_untouched() -> None:
    plain = Source("t.sql", PLAIN)
    assert render_source(plain, {}, "auto")[0] is plain
    assert render_source(plain, {}, "none")[0] is plain


# --- Jinja blocks read per branch; positions and secrets through values ---------------------

@pytest.mark.parametrize(("options", "codes"), [
    ("{% if j %}JSON 's3://acme/p.json'{% endif %}", ["RI148"]),  # the branches differ
    ("{% if j %}BOGUS{% endif %}", ["RI148"]),  # a branch that does not read: unknown
    ("{% if a %}GZIP{% endif %} {% if b %}CSV{% endif %}", []),  # 4 readings, equal grants
    ("{% for o in opts %}{{ o }} {% endfor %}", ["RI148"]),  # a loop on an unknown list
])
def test_blocks_are_read_once_per_branch(options: str, codes: list[str]) -> None:
    analysis = read(f"COPY t FROM 's3://acme/d/' {R} {options}")
    assert [d.code for d in analysis.diagnostics] == codes
    assert {(g.action, g.resource) for g in analysis.derivation.grants} == {
        ("s3:GetObject", "arn:aws:s3:::acme/d/*"), ("s3:ListBucket", "arn:aws:s3:::acme")}


def test_a_loop_over_a_given_list_is_rendered() -> None:
    given = {"opts": Value(["GZIP", "MANIFEST"], "", "vars.yaml:2")}
    analysis = read(f"COPY t FROM 's3://acme/m' {R} {{% for o in opts %}}{{{{ o }}}} "
                    "{% endfor %}", given)
    assert [d.code for d in analysis.diagnostics] == ["RI142"]  # MANIFEST came from the loop


def test_positions_after_a_multi_line_value_are_the_templates() -> None:
    analysis = read(f"COPY t FROM 's3://acme/d/' {R} {{{{ opts }}}}\n  BOGUS 'x'",
                    values(opts="GZIP\nCSV\nDELIMITER '|'"))
    assert [(d.code, str(d.location), d.message) for d in analysis.diagnostics] == [
        ("RI111", "t.sql:2:3", "unknown COPY option 'BOGUS'")]


def test_a_secret_from_a_value_is_never_shown() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    creds = ("CREDENTIALS 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;"
             f"aws_secret_access_key={secret}' BOGUS")
    analysis = read("COPY t FROM 's3://acme/d/' {{ creds }}", values(creds=creds))
    [diagnostic] = analysis.diagnostics
    assert (diagnostic.code, str(diagnostic.location)) == ("RI111", "t.sql:1:28")
    assert secret not in diagnostic.render()
    # the template's line shows: the placeholder, never the value it was given
    assert diagnostic.snippet == ("    1 | COPY t FROM 's3://acme/d/' {{ creds }}\n      |"
                                  + " " * 28 + "^")


def test_a_missing_include_where_options_stand_is_unresolved() -> None:
    analysis = read(f"COPY t FROM 's3://acme/d/' {R} {{% include 'opts.sql' %}}")
    assert found(analysis) == [(
        "RI148", "t.sql:1:74", "{% include 'opts.sql' %} (a file that is not there) is "
        "unresolved in the options of this COPY: the option set is unknown: it may add "
        "MANIFEST, SSH, SHAPEFILE, a JSON/AVRO JSONPaths file, REGION or the authorization",
        "pass --template-path DIR, the folder that holds opts.sql")]


def test_a_wildcard_key_gets_the_kms_grant_of_the_targets_it_covers() -> None:
    from redshift_iam.core.settings import KmsTarget

    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    settings = Settings(kms_targets=(KmsTarget("acme", "sales/2024/", key),))
    covered = read(f"COPY t FROM 's3://acme/sales/{{ds}}/' {R}", settings=settings)
    assert ("kms:Decrypt", key) in {(g.action, g.resource) for g in covered.derivation.grants}
    other = read(f"COPY t FROM 's3://acme/other/{{ds}}/' {R}", settings=settings)
    assert "kms:Decrypt" not in {g.action for g in other.derivation.grants}

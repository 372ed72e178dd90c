"""Placeholders in the grammar's other slots (RULES "Templated SQL"), through the command line:
the column list (`COPY {t} {cols} FROM`), a name glued to placeholders (`stage_{{ batch }}`,
`<params.T>_STAGING`), `WITH %s`, the JSON/AVRO argument (`JSON {path}`), ENCRYPTED beside an
unresolved authorization, and a Jinja block in a column list or PARTITION BY. Each with its
exact exit code and stderr; the policies judged with the IAM evaluator."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from tests.iam_eval import allowed

A = "IAM_ROLE 'arn:aws:iam::123456789012:role/R'"
FROM = f"FROM 's3://bkt1/k' {A}"
PLAIN_COPY = f"COPY t {FROM} CSV;"
PLAIN_UNLOAD = f"UNLOAD ('select 1') TO 's3://bkt1/k' {A} PARTITION BY (a, b);"
FAILED = "redshift-iam: 1 problem(s); no document written\n"
OPTIONS_OPEN = ("is unresolved in the options of this COPY: the option set is unknown: it may "
                "add MANIFEST, SSH, SHAPEFILE, a JSON/AVRO JSONPaths file, REGION or the "
                "authorization")


def invoke(sql: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["policy", *args], input=sql)


def policy(sql: str) -> dict:
    result = invoke(sql)
    assert (result.exit_code, result.stderr) == (0, "")
    return json.loads(result.stdout)


def snippet(line: str, col: int, code: str, message: str, hint: str,
            severity: str = "unresolved") -> str:
    return (f"<stdin>:1:{col}: {severity} {code}: {message}\n    1 | {line}\n"
            f"      | {' ' * (col - 1)}^\n    hint: {hint}\n")


# --- names and column lists need no permission: the policy of the literal statement ---------

NAMES = [
    f"COPY {{t}} {{cols}} {FROM} CSV;",  # a placeholder before FROM is the column list
    f"COPY {{t}} ({{\",\".join(c)}}) {FROM} CSV;",
    f"COPY t ({{cols}}) {FROM} CSV;",
    f"COPY stage_{{{{ batch }}}} {FROM} CSV;",
    f"COPY <params.T>_STAGING {FROM} CSV;",
    f"COPY {{schema}}.{{table}} {FROM} CSV;",
    f"COPY \"{{s}}\".\"t_{{x}}\" {FROM} CSV;",
    f"COPY s.t_{{x}}_2 {{cols}} {FROM} CSV;",
    f"COPY {{t}}{{suffix}}1 {FROM} CSV;",
    f"COPY t ({{% for c in cols %}}{{{{c}}}}{{{{ \",\" if not loop.last }}}}{{% endfor %}}) "
    f"{FROM} CSV;",
    f"COPY t (a{{% if x %}}, b{{% endif %}}) {FROM} CSV;",
    f"COPY t {{% if x %}}(a, b){{% endif %}} {FROM} CSV;",
]


@pytest.mark.parametrize("sql", NAMES)
def test_a_placeholder_in_a_name_or_column_list_is_the_literal_policy(sql: str) -> None:
    docs = policy(sql)
    assert docs == policy(PLAIN_COPY)
    assert allowed([docs], "s3:GetObject", "arn:aws:s3:::bkt1/k/part-0")
    assert not allowed([docs], "s3:GetObject", "arn:aws:s3:::bkt1/other")
    assert not allowed([docs], "s3:PutObject", "arn:aws:s3:::bkt1/k/part-0")


def test_a_library_name_glued_to_a_placeholder_is_one_name() -> None:
    lib = "LANGUAGE plpythonu FROM 's3://bkt1/lib.zip' " + A + ";"
    docs = policy(f"CREATE LIBRARY lib_{{{{ v }}}} {lib}")
    assert docs == policy(f"CREATE LIBRARY lib {lib}")
    assert allowed([docs], "s3:GetObject", "arn:aws:s3:::bkt1/lib.zip")
    assert not allowed([docs], "s3:GetObject", "arn:aws:s3:::bkt1/other.zip")


PARTITIONS = [
    "({% for c in cols %}{{c}}{% if not loop.last %},{% endif %}{% endfor %})",
    "({p})",
    "(a, {p})",
    "(p_{{ n }}, b)",
    "(a{% if x %}, b{% endif %})",
]


@pytest.mark.parametrize("columns", PARTITIONS)
def test_a_placeholder_in_partition_by_is_the_literal_policy(columns: str) -> None:
    docs = policy(f"UNLOAD ('select 1') TO 's3://bkt1/k' {A} PARTITION BY {columns};")
    assert docs == policy(PLAIN_UNLOAD)
    assert allowed([docs], "s3:PutObject", "arn:aws:s3:::bkt1/k/a=1/b=2/0000_part_00")
    assert not allowed([docs], "s3:PutObject", "arn:aws:s3:::bkt1/other")
    assert not allowed([docs], "s3:DeleteObject", "arn:aws:s3:::bkt1/k/a=1/0000_part_00")


def test_a_placeholder_before_from_never_swallows_an_option() -> None:
    """`{cols}` is read before FROM only: MANIFEST after it still counts (RI142)."""
    sql = f"COPY {{t}} {{cols}} FROM 's3://bkt1/m.json' {A} MANIFEST;"
    result = invoke(sql)
    assert (result.exit_code, result.stderr) == (1, snippet(
        sql, 22, "RI142", "the data files of manifest s3://bkt1/m.json are unknown",
        "pass --manifest s3://bkt1/m.json=FILE (a local copy of the manifest)") + FAILED)


def test_two_placeholders_before_from_stay_an_error() -> None:
    sql = f"COPY {{t}} {{cols}} {{more}} {FROM};"
    assert invoke(sql).stderr.splitlines()[0] == (
        "<stdin>:1:10: error RI110: expected FROM, found placeholder '{cols}'")


def test_a_block_whose_branch_closes_the_column_list_leaves_the_options_open() -> None:
    """A branch with an unbalanced parenthesis could put options after the list: RI148."""
    sql = f"COPY t (a{{% if x %}}) MANIFEST --{{% endif %}}) {FROM} CSV;"
    result = invoke(sql)
    assert (result.exit_code, result.stderr) == (1, snippet(
        sql, 10, "RI148", "variable x ({% if x %}) is unresolved in the options of this COPY: "
        "the option set is unknown: it may add MANIFEST, SSH, SHAPEFILE, a JSON/AVRO JSONPaths "
        "file, REGION or the authorization", "pass --var x=VALUE (the values the block tests)")
        + FAILED)


def test_a_block_before_from_whose_branch_is_not_a_column_list_leaves_the_options_open(
        ) -> None:
    sql = f"COPY t {{% if x %}}FROM 's3://bkt2/k' {A} MANIFEST --{{% endif %}} {FROM};"
    result = invoke(sql)
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        1, "<stdin>:1:8: unresolved RI148: variable x ({% if x %}) " + OPTIONS_OPEN)


# --- WITH and the JSON/AVRO argument ----------------------------------------------------------


def test_a_placeholder_after_with_is_an_unknown_option_set() -> None:
    sql = f"COPY t {FROM} WITH %s;"
    result = invoke(sql)
    assert (result.exit_code, result.stderr) == (1, snippet(
        sql, 76, "RI148", f"%s #1 of <stdin>:1 {OPTIONS_OPEN}",
        "pass --var '%s#1@<stdin>:1=VALUE'") + FAILED)


def test_a_value_after_with_is_read() -> None:
    sql = "COPY t FROM 's3://bkt1/k' WITH {c};"
    result = invoke(sql, "--var", "c=CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/R'")
    assert (result.exit_code, json.loads(result.stdout)) == (0, policy(PLAIN_COPY))


@pytest.mark.parametrize(("argument", "col"), [
    ("FORMAT AS JSON {path}", 86), ("JSON {path}", 76), ("JSON AS {path}", 79),
    ("AVRO {path}", 76), ("FORMAT AS AVRO {path}", 86), ("JSON '{path}'", 77),
])
def test_a_placeholder_json_argument_is_the_jsonpaths_file(argument: str, col: int) -> None:
    sql = f"COPY t {FROM} {argument};"
    result = invoke(sql)
    assert (result.exit_code, result.stderr) == (1, snippet(
        sql, col, "RI145", "variable path ({path}) is unresolved in the JSONPaths file of "
        "this COPY: its grants are left out", "pass --var path=VALUE" if "'" in argument
        else "pass --var \"path='s3://BUCKET/jsonpaths.json'\"") + FAILED)


def test_a_positional_json_argument_and_the_options_after_it() -> None:
    sql = f"COPY t {FROM} FORMAT AS JSON %s MANIFEST;"
    result = invoke(sql)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if ": unresolved " in line] == [
        "<stdin>:1:13: unresolved RI142: the data files of manifest s3://bkt1/k are unknown",
        "<stdin>:1:86: unresolved RI145: %s #1 of <stdin>:1 is unresolved in the JSONPaths "
        "file of this COPY: its grants are left out"]


def test_a_json_argument_block_is_read_once_per_branch() -> None:
    """A block with plain-text branches stays an options slot, read per branch: equal grants
    settle it, different ones are RI148 (as before JSON {path} was read as the file)."""
    same = f"COPY t {FROM} JSON {{% if x %}}'auto'{{% else %}}'noshred'{{% endif %}};"
    assert policy(same) == policy(PLAIN_COPY)
    differ = f"COPY t {FROM} JSON {{% if x %}}'auto'{{% else %}}'s3://bkt1/p.json'{{% endif %}};"
    result = invoke(differ)
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        1, "<stdin>:1:76: unresolved RI148: variable x ({% if x %}) " + OPTIONS_OPEN)


@pytest.mark.parametrize(("value", "extra"), [
    ("auto", set()), ("noshred", set()),
    ("'s3://bkt1/paths.json'", {"arn:aws:s3:::bkt1/paths.json"}),
])
def test_a_json_argument_value_is_read(value: str, extra: set[str]) -> None:
    value = value if value.startswith("'") else f"'{value}'"
    result = invoke(f"COPY t {FROM} FORMAT AS JSON {{path}};", "--var", f"path={value}")
    assert result.exit_code == 0, result.stderr
    docs = json.loads(result.stdout)
    for resource in extra:
        assert allowed([docs], "s3:GetObject", resource)
    assert allowed([docs], "s3:GetObject", "arn:aws:s3:::bkt1/k0")
    assert not allowed([docs], "s3:GetObject", "arn:aws:s3:::bkt1/other.json")


# --- ENCRYPTED waits for an unresolved authorization ----------------------------------------

AUTH_OPEN = ("is unresolved in the authorization of this {kind} (the slot may hold "
             "CREDENTIALS or IAM_ROLE): who gets the permissions is never guessed")


@pytest.mark.parametrize(("sql", "col", "name", "kind"), [
    ("COPY t FROM 's3://bkt1/k' {auth} ENCRYPTED;", 27, "auth", "COPY"),
    ("UNLOAD ('select 1') TO 's3://bkt1/k' {auth} ENCRYPTED;", 38, "auth", "UNLOAD"),
])
def test_encrypted_beside_an_open_authorization_is_unresolved(sql: str, col: int, name: str,
                                                              kind: str) -> None:
    result = invoke(sql)
    assert (result.exit_code, result.stderr) == (1, snippet(
        sql, col, "RI146", f"variable {name} ({{{name}}}) " + AUTH_OPEN.format(kind=kind),
        f"pass --var {name}=VALUE") + FAILED)


def test_encrypted_beside_credentials_with_an_open_pair_is_unresolved() -> None:
    sql = ("COPY t FROM 's3://bkt1/k' CREDENTIALS "
           "'aws_iam_role=arn:aws:iam::123456789012:role/R;{extra}' ENCRYPTED;")
    result = invoke(sql)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "<stdin>:1:86: unresolved RI146: variable extra ({extra}) "
        + AUTH_OPEN.format(kind="COPY"))
    assert "RI115" not in result.stderr


def test_encrypted_beside_an_open_option_set_is_unresolved() -> None:
    sql = f"COPY t {FROM} ENCRYPTED {{opts}};"
    result = invoke(sql)
    assert (result.exit_code, result.stderr) == (1, snippet(
        sql, 81, "RI148", f"variable opts ({{opts}}) {OPTIONS_OPEN}", "pass --var opts=VALUE")
        + FAILED)


@pytest.mark.parametrize(("sql", "col"), [
    (f"COPY t {FROM} ENCRYPTED;", 71),
    ("COPY t FROM 's3://bkt1/k' IAM_ROLE '{role}' ENCRYPTED;", 45),  # a role holds no key
])
def test_encrypted_without_a_key_in_a_known_authorization_stays_ri115(sql: str, col: int
                                                                     ) -> None:
    result = invoke(sql)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"<stdin>:1:{col}: error RI115: COPY ENCRYPTED needs MASTER_SYMMETRIC_KEY (client-side "
        "encryption); SSE-KMS and SSE-S3 files load without ENCRYPTED")


def test_unload_encrypted_with_a_known_role_and_no_key_stays_ri115() -> None:
    result = invoke(f"UNLOAD ('select 1') TO 's3://bkt1/k' {A} ENCRYPTED;")
    assert result.stderr.splitlines()[0] == (
        "<stdin>:1:82: error RI115: ENCRYPTED needs KMS_KEY_ID, MASTER_SYMMETRIC_KEY or AUTO: "
        "nothing says which key encrypts")


# --- $NAME$ and a byte-order mark -------------------------------------------------------------

def test_a_dollar_name_that_never_closes_is_a_placeholder() -> None:
    assert policy(f"COPY $TABLE$ {FROM} CSV;") == policy(PLAIN_COPY)
    sql = f"COPY $TABLE$ FROM 's3://bkt1/$KEY$' {A} CSV;"
    result = invoke(sql)
    assert (result.exit_code, result.stderr) == (0, snippet(
        sql, 30, "RW221", "variable KEY ($KEY$) is unresolved in the S3 key s3://bkt1/$KEY$: "
        "granted as bkt1/* (any text in its place)", "pass --var KEY=VALUE to grant one prefix",
        severity="warning"))
    docs = json.loads(result.stdout)
    assert allowed([docs], "s3:GetObject", "arn:aws:s3:::bkt1/any/key")
    assert not allowed([docs], "s3:GetObject", "arn:aws:s3:::bkt2/any/key")


def test_a_dollar_tag_that_closes_is_a_body_and_style_none_reads_no_placeholder() -> None:
    body = "CREATE FUNCTION f() RETURNS int AS $body$ select 1 $body$ LANGUAGE sql;\n"
    assert policy(body + f"COPY $T$ {FROM} CSV;") == policy(PLAIN_COPY)
    result = invoke(f"COPY $T$ {FROM} CSV;", "--template-style", "none")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        1, "<stdin>:1:6: error RI104: unterminated dollar-quoted body")


def test_the_same_dollar_name_twice_is_read_as_a_body_between_them() -> None:
    """The known limit: `$T$ ... $T$` across statements is a dollar body, loudly wrong."""
    result = invoke(f"COPY $T$ {FROM} CSV;\nCOPY $T$ {FROM} CSV;\n")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        1, "<stdin>:1:6: error RI110: expected a table name")


@pytest.mark.parametrize("sql", [PLAIN_COPY, f"COPY {{t}} {FROM} CSV;"])
def test_a_byte_order_mark_is_not_text(sql: str, tmp_path) -> None:
    path = tmp_path / "bom.sql"
    path.write_bytes(b"\xef\xbb\xbf" + sql.encode())
    result = CliRunner().invoke(main, ["policy", str(path)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == policy(PLAIN_COPY)


def test_positions_after_a_byte_order_mark_count_from_the_text() -> None:
    sql = f"COPY t FROM 's3://bkt1/{{k}}' {A} CSV;"
    result = invoke("\ufeff" + sql)
    assert (result.exit_code, result.stderr) == (0, snippet(
        sql, 24, "RW221", "variable k ({k}) is unresolved in the S3 key s3://bkt1/{k}: granted "
        "as bkt1/* (any text in its place)", "pass --var k=VALUE to grant one prefix",
        severity="warning"))


# --- spec: a name holding a Jinja block cannot be written -----------------------------------

@pytest.mark.parametrize(("sql", "block"), [
    (f"UNLOAD ('select 1') TO 's3://bkt1/k' {A} PARTITION BY ({PARTITIONS[0][1:-1]});",
     "{% for c in cols %}"),
    (f"COPY {{% if x %}}a{{% else %}}b{{% endif %}} {FROM};", "{% if x %}"),
])
def test_spec_refuses_a_jinja_block_in_a_name(sql: str, block: str) -> None:
    result = CliRunner().invoke(main, ["spec"], input=sql)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"redshift-iam: <stdin>:1: the Jinja block {block} stands in a table or column "
        "name, which a spec value cannot hold; give its values with --var\n")


def test_spec_writes_a_glued_name_and_a_column_placeholder_as_written() -> None:
    sql = f"UNLOAD ('select 1') TO 's3://bkt1/k' {A} PARTITION BY (p_{{{{ n }}}}, {{{{ q }}}});"
    result = CliRunner().invoke(main, ["spec"], input=sql)
    assert (result.exit_code, result.stdout) == (0, (
        "role: arn:aws:iam::123456789012:role/R\noperations:\n  - unload:\n"
        "      to: s3://bkt1/k\n      partition_by:\n        - \"p_{{ n }}\"\n"
        "        - \"{{ q }}\"\n"))


def test_an_open_jsonpaths_file_is_named_beside_an_open_role() -> None:
    """Every open slot is named at once, the JSONPaths file too (found in the udacity ETL)."""
    sql = "copy t from {a}\ncredentials 'aws_iam_role={b}'\nformat as json {c};"
    result = invoke(sql)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if ": unresolved " in line] == [
        "<stdin>:1:13: unresolved RI145: variable a ({a}) is unresolved in the S3 location of "
        "this COPY: its grants are left out",
        "<stdin>:2:27: unresolved RI146: variable b ({b}) is unresolved in the role (IAM_ROLE "
        "or aws_iam_role=) of this COPY: who gets the permissions is never guessed",
        "<stdin>:3:16: unresolved RI145: variable c ({c}) is unresolved in the JSONPaths file "
        "of this COPY: its grants are left out"]

"""Template placeholders in spec values read with the meaning of the equivalent templated SQL
(docs/rules.md, "Operation specs" and "Templated SQL"): for each case the spec and the SQL
give byte-identical documents with values and the same diagnostics (codes and messages,
located in the spec at the placeholder) without; exact exit codes; the wildcard judged by the
IAM evaluator."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main
from redshift_iam.core.source import Source
from redshift_iam.spec.operations import read_spec
from tests.iam_eval import allowed

ROLE = "arn:aws:iam::123456789012:role/Etl"
R = f"IAM_ROLE '{ROLE}'"
TOP = f"role: {ROLE}\noperations:\n"
_LINE = re.compile(r"^(?P<loc>\S+:\d+:\d+): (?P<severity>\w+) (?P<code>R[IW]\d+): (?P<msg>.*)$")


def invoke(tmp_path: Path, name: str, text: str, *args: str) -> Result:
    (tmp_path / name).write_text(text)
    return CliRunner().invoke(main, [*args, str(tmp_path / name)])


def diagnostics(result: Result) -> list[tuple[str, str, str]]:
    """(severity, code, message) of each diagnostic on stderr; spec paths
    (``operations[0].copy.from: ``) stripped, as SQL messages carry none."""
    found = []
    for line in result.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            message = re.sub(r"^operations\[\d+\]\.\w+\.\w+: ", "", match["msg"])
            found.append((match["severity"], match["code"], message))
    return found


def locations(result: Result) -> list[str]:
    return [_LINE.match(line)["loc"].rsplit("/", 1)[-1] for line in result.stderr.splitlines()
            if _LINE.match(line)]


def col(line: str, text: str) -> str:
    """``s.yaml:3:C``: where ``text`` starts in the operation line (line 3 of the spec)."""
    return f"s.yaml:3:{line.index(text) + 1}"


class Case(NamedTuple):
    spec: str  # the operations, under TOP
    sql: str  # the equivalent templated SQL
    code: int  # exit code of `policy` without values
    diagnostics: list[tuple[str, str]]  # (code, the placeholder it points at) without values
    values: tuple[str, ...] = ()  # --var arguments that fill every placeholder
    sql_with_values: str = ""  # the SQL that is equivalent once values are given, if other


CASES = {
    "key": Case(
        '  - copy: {table: t, from: "s3://acme/sales/{{ ds }}/"}\n',
        f"COPY t FROM 's3://acme/sales/{{{{ ds }}}}/' {R};", 0, [("RW221", "{{ ds }}")],
        ("ds=2024-06-01",)),
    "bucket": Case(
        '  - unload: {to: "s3://{{ bucket }}/out/"}\n',
        f"UNLOAD ('select 1') TO 's3://{{{{ bucket }}}}/out/' {R};", 1,
        [("RI145", "{{ bucket }}")], ("bucket=acme-out",)),
    "shell location": Case(
        '  - unload: {to: "${OUT}"}\n', f"UNLOAD ('select 1') TO '${{OUT}}' {R};", 1,
        [("RI145", "${OUT}")], ("OUT=s3://acme-out/x_",)),
    "role": Case(
        "  - copy: {table: t, from: \"s3://acme/in/\", role: \"{{ var('etl_role') }}\"}\n",
        "COPY t FROM 's3://acme/in/' IAM_ROLE '{{ var('etl_role') }}';", 1,
        [("RI146", "{{ var('etl_role') }}")], (f"etl_role={ROLE}",)),
    "access key id": Case(
        '  - copy: {table: t, from: "s3://acme/in/", access_key_id: "{{ key }}"}\n',
        "COPY t FROM 's3://acme/in/' ACCESS_KEY_ID '{{ key }}' SECRET_ACCESS_KEY 'x';", 1,
        [("RI146", "{{ key }}")], ("key=AKIAIOSFODNN7EXAMPLE",)),
    "dynamodb table": Case(
        '  - copy: {table: t, from: "dynamodb://{{ t }}", region: us-east-1}\n',
        f"COPY t FROM 'dynamodb://{{{{ t }}}}' {R} REGION 'us-east-1';", 1,
        [("RI147", "{{ t }}")], ("t=Movies",)),
    "emr cluster": Case(
        '  - copy: {table: t, from: "emr://{{ cl }}/out/part-*"}\n',
        f"COPY t FROM 'emr://{{{{ cl }}}}/out/part-*' {R};", 1,
        [("RI147", "{{ cl }}")], ("cl=j-ABC123",)),
    "kms key": Case(
        '  - unload: {to: "s3://acme-out/k_", encrypted: true, kms_key_id: "{{ k }}"}\n',
        f"UNLOAD ('select 1') TO 's3://acme-out/k_' {R} ENCRYPTED KMS_KEY_ID '{{{{ k }}}}';",
        1, [("RI147", "{{ k }}")],
        ("k=arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",)),
    "region": Case(
        '  - copy: {table: t, from: "dynamodb://Movies", region: "{{ r }}"}\n',
        f"COPY t FROM 'dynamodb://Movies' {R} REGION '{{{{ r }}}}';", 1,
        [("RI147", "{{ r }}")], ("r=eu-west-1",)),
    "option slot": Case(
        '  - unload: {to: "s3://acme-out/c_", cleanpath: "{{ clean }}"}\n',
        f"UNLOAD ('select 1') TO 's3://acme-out/c_' {R} {{{{ clean }}}};", 1,
        [("RI148", "{{ clean }}")], ("clean=true",),
        f"UNLOAD ('select 1') TO 's3://acme-out/c_' {R} {{% if clean %}}CLEANPATH{{% endif %}};"),
    "option that changes nothing": Case(
        '  - unload: {to: "s3://acme-out/o_", allowoverwrite: "{{ ow }}"}\n',
        f"UNLOAD ('select 1') TO 's3://acme-out/o_' {R} "
        "{% if ow %}ALLOWOVERWRITE{% endif %};", 0, [], ("ow=false",)),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES)
def test_without_values_spec_and_sql_say_the_same(case: Case, tmp_path: Path) -> None:
    spec = invoke(tmp_path, "s.yaml", TOP + case.spec, "policy")
    sql = invoke(tmp_path, "s.sql", case.sql, "policy")
    assert (spec.exit_code, sql.exit_code) == (case.code, case.code)
    assert diagnostics(spec) == diagnostics(sql)
    assert [(code, loc) for (_, code, _), loc in zip(diagnostics(spec), locations(spec),
                                                     strict=True)] == [
        (code, col(case.spec, text)) for code, text in case.diagnostics]
    assert spec.stdout == sql.stdout


@pytest.mark.parametrize("case", CASES.values(), ids=CASES)
def test_allow_unresolved_gives_the_same_documents(case: Case, tmp_path: Path) -> None:
    spec = invoke(tmp_path, "s.yaml", TOP + case.spec, "generate", "--allow-unresolved")
    sql = invoke(tmp_path, "s.sql", case.sql, "generate", "--allow-unresolved")
    assert (spec.exit_code, sql.exit_code) == (0, 0)
    assert _bundle(spec.stdout) == _bundle(sql.stdout)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES)
def test_with_values_the_documents_are_byte_identical(case: Case, tmp_path: Path) -> None:
    args = ["--region", "us-east-1", *(a for value in case.values for a in ("--var", value))]
    for command in (["policy"], ["generate"], ["generate", "--format", "terraform"]):
        spec = invoke(tmp_path, "s.yaml", TOP + case.spec, *command, *args)
        sql = invoke(tmp_path, "s.sql", case.sql_with_values or case.sql, *command, *args)
        assert (spec.exit_code, sql.exit_code) == (0, 0)
        assert diagnostics(spec) == diagnostics(sql)  # RW203 for the access key, else none
        assert [d[1] for d in diagnostics(spec)] == (
            ["RW203"] if case is CASES["access key id"] else [])
        if command == ["policy"]:
            assert spec.stdout == sql.stdout
        else:  # provenance names the input file and line
            assert _bundle(spec.stdout) == _bundle(sql.stdout)


def _bundle(text: str) -> object:
    """A generate bundle (or Terraform) without what names the input files."""
    if not text.startswith("{"):
        return [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    data = json.loads(text)
    for principal in data["principals"]:
        principal.pop("statements")
    data.pop("skipped")
    for warning in data["warnings"]:
        warning.pop("location")
    return data


def test_a_key_placeholder_is_a_wildcard_exactly(tmp_path: Path) -> None:
    result = invoke(tmp_path, "s.yaml", TOP + CASES["key"].spec, "policy")
    assert result.stderr == (
        f"{tmp_path}/s.yaml:3:45: warning RW221: variable ds ({{{{ ds }}}}) is unresolved in "
        "the S3 key s3://acme/sales/{{ ds }}/: granted as acme/sales/*/ (any text in its "
        "place)\n"
        '    3 |   - copy: {table: t, from: "s3://acme/sales/{{ ds }}/"}\n'
        "      |                                             ^\n"
        "    hint: pass --var ds=VALUE to grant one prefix\n")
    docs = [json.loads(result.stdout)]
    day = "arn:aws:s3:::acme/sales/2024-06-01/part-0000.gz"
    assert allowed(docs, "s3:GetObject", day)
    assert allowed(docs, "s3:ListBucket", "arn:aws:s3:::acme", {"s3:prefix": "sales/x/"})
    assert not allowed(docs, "s3:GetObject", "arn:aws:s3:::acme/sales")
    assert not allowed(docs, "s3:GetObject", "arn:aws:s3:::acme/other/2024/part")
    assert not allowed(docs, "s3:GetObject", "arn:aws:s3:::acme-other/sales/x/part")
    assert not allowed(docs, "s3:PutObject", day)
    assert not allowed(docs, "s3:ListBucket", "arn:aws:s3:::acme", {"s3:prefix": "other/"})
    narrowed = invoke(tmp_path, "s.yaml", TOP + CASES["key"].spec, "policy", "--var",
                      "ds=2024-06-01")
    docs = [json.loads(narrowed.stdout)]
    assert allowed(docs, "s3:GetObject", day)
    assert not allowed(docs, "s3:GetObject", "arn:aws:s3:::acme/sales/2024-06-02/part")


def test_an_unresolved_bucket_fails_exactly(tmp_path: Path) -> None:
    result = invoke(tmp_path, "s.yaml", TOP + CASES["bucket"].spec, "policy")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", (
        f"{tmp_path}/s.yaml:3:24: unresolved RI145: variable bucket ({{{{ bucket }}}}) is "
        "unresolved in the S3 location of this UNLOAD (s3://{{ bucket }}/out/): its grants "
        "are left out\n"
        '    3 |   - unload: {to: "s3://{{ bucket }}/out/"}\n'
        "      |                        ^\n"
        "    hint: pass --var bucket=VALUE\n"
        "redshift-iam: 1 problem(s); no document written\n"))


def test_the_top_level_role_placeholder_leaves_every_operation_open(tmp_path: Path) -> None:
    spec = ('role: "{{ role }}"\noperations:\n'
            '  - copy: {table: t, from: "s3://acme/in/"}\n'
            '  - unload: {to: "s3://acme-out/u_"}\n')
    result = invoke(tmp_path, "s.yaml", spec, "policy")
    assert result.exit_code == 1
    assert [(code, loc) for (_, code, _), loc in zip(diagnostics(result), locations(result),
                                                     strict=True)] == [
        ("RI146", "s.yaml:1:8"), ("RI146", "s.yaml:1:8")]
    filled = invoke(tmp_path, "s.yaml", spec, "policy", "--var", f"role={ROLE}")
    plain = invoke(tmp_path, "p.yaml", spec.replace('"{{ role }}"', ROLE), "policy")
    assert (filled.exit_code, filled.stdout) == (0, plain.stdout)


def test_a_bad_value_names_the_placeholder_and_where_the_value_came_from(tmp_path: Path
                                                                         ) -> None:
    result = invoke(tmp_path, "s.yaml", TOP + CASES["bucket"].spec, "policy", "--var",
                    "bucket=Bad_Bucket")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", (
        f"{tmp_path}/s.yaml:3:24: error RI120: operations[0].unload.to: 'Bad_Bucket' is not a "
        "valid S3 bucket name (the text comes from placeholder {{ bucket }} at "
        f"{tmp_path}/s.yaml:3:24, value from --var bucket)\n"
        '    3 |   - unload: {to: "s3://{{ bucket }}/out/"}\n'
        "      |                        ^\n"
        "    hint: write the location as s3://bucket/key with a valid bucket name\n"
        "redshift-iam: 1 problem(s); no document written\n"))


def test_a_value_cannot_change_the_structure_of_the_spec(tmp_path: Path) -> None:
    """A --var holding YAML syntax stays one value, as it stays inside the SQL literal."""
    value = "ds=a: b\n  - unload: {to: s3://evil/}"
    spec = invoke(tmp_path, "s.yaml", TOP + CASES["key"].spec, "policy", "--var", value)
    sql = invoke(tmp_path, "s.sql", CASES["key"].sql, "policy", "--var", value)
    assert (spec.exit_code, spec.stderr) == (sql.exit_code, sql.stderr) == (0, "")
    assert spec.stdout == sql.stdout
    assert json.loads(spec.stdout)["Statement"][0]["Resource"] == (
        "arn:aws:s3:::acme/sales/a: b\n  - unload: {to: s3://evil/}/*")


def test_a_resolved_option_value_is_read_as_a_yaml_scalar_and_checked(tmp_path: Path) -> None:
    spec = TOP + CASES["option slot"].spec
    on = invoke(tmp_path, "s.yaml", spec, "policy", "--var", "clean=true")
    assert '"s3:DeleteObject"' in on.stdout
    off = invoke(tmp_path, "s.yaml", spec, "policy", "--var", "clean=false")
    assert (off.exit_code, "DeleteObject" in off.stdout) == (0, False)
    bad = invoke(tmp_path, "s.yaml", spec, "policy", "--var", "clean=maybe")
    assert (bad.exit_code, bad.stdout, bad.stderr) == (1, "", (
        f"{tmp_path}/s.yaml:3:49: error RI181: operations[0].unload.cleanpath: expected true "
        "or false, found a string\n"
        '    3 |   - unload: {to: "s3://acme-out/c_", cleanpath: "{{ clean }}"}\n'
        "      |                                                 ^\n"
        '    hint: see the spec format in docs/specs.md (the schema ships in the package: '
        "redshift_iam/spec/schema.json)\n"
        "redshift-iam: 1 problem(s); no document written\n"))


def test_an_option_slot_whose_every_value_grants_alike_changes_nothing(tmp_path: Path
                                                                       ) -> None:
    """COPY format: every choice reads a prefix alike (unlike SQL's FORMAT AS {fmt}, which
    cannot know the option is a format and stays RI148)."""
    spec = TOP + '  - copy: {table: t, from: "s3://acme/in/", format: "{{ fmt }}"}\n'
    templated = invoke(tmp_path, "s.yaml", spec, "policy")
    plain = invoke(tmp_path, "p.yaml", spec.replace(', format: "{{ fmt }}"', ""), "policy")
    assert (templated.exit_code, templated.stderr) == (0, "")
    assert templated.stdout == plain.stdout
    manifest = TOP + ('  - copy: {table: t, from: "s3://acme/in.manifest", '
                      'manifest: "{{ m }}"}\n')
    result = invoke(tmp_path, "m.yaml", manifest, "policy")
    assert (result.exit_code, [d[1] for d in diagnostics(result)]) == (1, ["RI148"])


def test_a_jinja_spec_reads_other_forms_literally_as_a_jinja_script_does(tmp_path: Path
                                                                         ) -> None:
    ops = ('  - copy: {table: t, from: "s3://acme/in/{{ ds }}/"}\n'
           '  - unload: {to: "s3://acme-out/{x}/"}\n')
    sql = (f"COPY t FROM 's3://acme/in/{{{{ ds }}}}/' {R};\n"
           f"UNLOAD ('select 1') TO 's3://acme-out/{{x}}/' {R};\n")
    spec_result = invoke(tmp_path, "s.yaml", TOP + ops, "policy", "--var", "ds=d")
    sql_result = invoke(tmp_path, "s.sql", sql, "policy", "--var", "ds=d")
    assert spec_result.exit_code == sql_result.exit_code == 0
    assert spec_result.stdout == sql_result.stdout
    assert "arn:aws:s3:::acme-out/{x}/*" in spec_result.stdout


def test_template_style_none_reads_every_character_literally(tmp_path: Path) -> None:
    spec = TOP + '  - copy: {table: t, from: "s3://acme/{x}/"}\n'
    result = invoke(tmp_path, "s.yaml", spec, "policy", "--template-style", "none")
    sql = invoke(tmp_path, "s.sql", f"COPY t FROM 's3://acme/{{x}}/' {R};", "policy",
                 "--template-style", "none")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == sql.stdout
    assert "arn:aws:s3:::acme/{x}/*" in result.stdout


def test_a_json_spec_points_at_its_placeholder(tmp_path: Path) -> None:
    spec = json.dumps({"role": ROLE, "operations": [
        {"unload": {"to": "s3://acme-out/${DAY}/x_"}}]})
    result = invoke(tmp_path, "s.json", spec, "policy")
    assert result.exit_code == 0
    assert locations(result) == [f"s.json:1:{spec.index('${DAY}') + 1}"]
    assert [d[1] for d in diagnostics(result)] == ["RW221"]
    assert "arn:aws:s3:::acme-out/*/x_*" in result.stdout


@pytest.mark.parametrize(("line", "col", "message"), [
    ('role: {{ r }}\n', 8, 'a template placeholder outside quotes (YAML reads {{ x }} as a '
                           'mapping): write the value in quotes (role: "{{ x }}")'),
    ('{% if full %}\nrole: r\n{% endif %}\n', 2,
     'a Jinja block outside a value: a spec is templated per value, so a block cannot '
     'choose keys; give the key a placeholder value instead (cleanpath: "{{ clean }}")'),
])
def test_a_template_tag_outside_a_quoted_value_says_how_to_write_it(
        line: str, col: int, message: str, tmp_path: Path) -> None:
    result = invoke(tmp_path, "s.yaml", line + "operations: []\n", "policy")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{tmp_path}/s.yaml:1:{col}: error RI180: {message}"


def test_without_a_renderer_a_placeholder_is_ri121_as_before() -> None:
    script = read_spec(Source("s.yaml", TOP + CASES["key"].spec))
    assert [(d.code, d.message) for d in script.diagnostics] == [
        ("RI121", "operations[0].copy.from: placeholder '{{ ds }}' instead of a real value")]


TEMPLATED_SQL = (f"COPY sales FROM 's3://acme/sales/{{{{ ds }}}}/' {R};\n"
                 f"UNLOAD ('select 1') TO 's3://{{{{ bucket }}}}/out/' {R};\n"
                 "COPY t FROM 'dynamodb://Movies' IAM_ROLE '{{ var('etl_role') }}' "
                 "REGION '{{ r }}';\n")


def test_spec_of_templated_sql_writes_the_placeholders_as_written(tmp_path: Path) -> None:
    result = invoke(tmp_path, "t.sql", TEMPLATED_SQL, "spec")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "operations:\n"
        "  - copy:\n"
        "      table: sales\n"
        '      from: "s3://acme/sales/{{ ds }}/"\n'
        f"      role: {ROLE}\n"
        "  - unload:\n"
        '      to: "s3://{{ bucket }}/out/"\n'
        f"      role: {ROLE}\n"
        "  - copy:\n"
        "      table: t\n"
        "      from: dynamodb://Movies\n"
        '      region: "{{ r }}"\n'
        "      role: \"{{ var('etl_role') }}\"\n")
    (tmp_path / "t.yaml").write_text(result.stdout)
    again = CliRunner().invoke(main, ["spec", str(tmp_path / "t.yaml")])
    assert (again.exit_code, again.stdout) == (0, result.stdout)
    for args in ([], ["--var", "ds=d", "--var", "bucket=acme-out", "--var", f"etl_role={ROLE}",
                      "--var", "r=eu-west-1"]):
        spec = CliRunner().invoke(main, ["policy", str(tmp_path / "t.yaml"), *args])
        sql = CliRunner().invoke(main, ["policy", str(tmp_path / "t.sql"), *args])
        assert (spec.exit_code, spec.stdout) == (sql.exit_code, sql.stdout)
        assert diagnostics(spec) == diagnostics(sql)


def test_spec_writes_var_values_in(tmp_path: Path) -> None:
    result = invoke(tmp_path, "t.sql", CASES["key"].sql, "spec", "--var", "ds=2024-06-01")
    assert (result.exit_code, result.stdout) == (0, (
        f"role: {ROLE}\noperations:\n  - copy:\n      table: t\n"
        "      from: s3://acme/sales/2024-06-01/\n"))


@pytest.mark.parametrize(("sql", "message"), [
    (f"UNLOAD ('select 1') TO 's3://acme-out/c_' {R} {{% if clean %}}CLEANPATH{{% endif %}};",
     "t.sql:1: the placeholder {% if clean %} stands where options may stand, which a spec "
     "cannot say; give its value with --var"),
    ("COPY t FROM 's3://acme/in/' CREDENTIALS %s;",
     "t.sql:1: the placeholder %s stands where options may stand, which a spec cannot say; "
     "give its value with --var"),
    (f"COPY t FROM :'src' {R};",
     "t.sql:1: psql variable :'src' has no spec form (psql does not expand it inside a "
     "value); give its value with --var"),
])
def test_spec_refuses_what_a_spec_value_cannot_hold(sql: str, message: str, tmp_path: Path
                                                    ) -> None:
    result = invoke(tmp_path, "t.sql", sql, "spec")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(f"redshift-iam: {tmp_path}/{message}\n")


def test_a_psql_variable_is_not_a_placeholder_in_a_value_as_inside_sql_quotes(tmp_path: Path
                                                                             ) -> None:
    spec = invoke(tmp_path, "s.yaml", TOP + '  - copy: {table: t, from: "s3://acme/:x/"}\n',
                  "policy")
    sql = invoke(tmp_path, "s.sql", f"COPY t FROM 's3://acme/:x/' {R};", "policy")
    assert (spec.exit_code, spec.stderr) == (sql.exit_code, sql.stderr) == (0, "")
    assert spec.stdout == sql.stdout
    assert "arn:aws:s3:::acme/:x/*" in spec.stdout


def test_a_value_written_with_escapes_points_at_its_first_character(tmp_path: Path) -> None:
    line = '  - copy: {table: t, from: "s3://acme/\\u0073ales/{{ ds }}/"}\n'
    result = invoke(tmp_path, "s.yaml", TOP + line, "policy")
    assert result.exit_code == 0
    assert locations(result) == [f"s.yaml:3:{line.index('s3://') + 1}"]
    assert "arn:aws:s3:::acme/sales/*/*" in result.stdout


@pytest.mark.parametrize("lines", [
    ['  - copy: {table: t, from: "s3://acme/\\ue0000\\ue001/{{ ds }}/"}\n'],
    ['  - copy: {table: t, from: "s3://acme/\\ue0000\\ue001/"}\n',  # a plain value, but
     '  - copy: {table: u, from: "s3://acme/{{ ds }}/"}\n'],  # the spec is templated
])
def test_a_reserved_character_in_a_templated_spec_is_refused(lines: list[str], tmp_path: Path
                                                             ) -> None:
    result = invoke(tmp_path, "s.yaml", TOP + "".join(lines), "policy")
    assert (result.exit_code, result.stdout) == (1, "")
    assert [d[1:] for d in diagnostics(result)] == [
        ("RI176", "the template holds the reserved character U+E000")]
    assert locations(result) == [f"s.yaml:3:{lines[0].index('s3://') + 1}"]


def test_a_quoted_option_value_without_a_placeholder_stays_a_string(tmp_path: Path) -> None:
    """Only what a template rendered is read as a YAML scalar: "true" in quotes stays the
    string it is, whatever the template style."""
    spec = TOP + '  - unload: {to: "s3://acme-out/{x}/", cleanpath: "true"}\n'
    for style in ("auto", "none"):
        result = invoke(tmp_path, "s.yaml", spec, "policy", "--template-style", style)
        assert result.exit_code == 1
        assert [d[1:] for d in diagnostics(result)] == [
            ("RI181", "expected true or false, found a string")]

"""Terraform and CloudFormation from templated SQL without values: which unresolved
placeholders become a variable (a Terraform ``variable``, a CloudFormation ``Parameter``) and
exactly where it is interpolated, which stay errors (exit 1, the same code as the JSON
formats), names, and what the variables' descriptions say."""

from __future__ import annotations

import json
import re

import hcl2
import pytest
import yaml
from click.testing import CliRunner, Result

from redshift_iam.cli.main import main

R = "IAM_ROLE 'arn:aws:iam::123456789012:role/Etl'"
P = "arn:${data.aws_partition.current.partition}"
A = "${data.aws_caller_identity.current.account_id}"


def generate(sql: str, fmt: str = "terraform", *flags: str) -> Result:
    return CliRunner().invoke(main, ["generate", "--format", fmt, *flags], input=sql)


def policy_values(text: str) -> list[str]:
    """Each Resource and s3:prefix value of the Terraform text, in order (the file parses)."""
    hcl2.loads(text)
    found, in_list = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if in_list:
            in_list = stripped != "]"
            found += [stripped.rstrip(",")] if in_list else []
            continue
        match = re.match(r'(?:Resource|"s3:prefix")\s*=\s*(.*)$', stripped)
        if match:
            in_list = match.group(1) == "["
            found += [] if in_list else [match.group(1)]
    return found


def variables(text: str) -> dict[str, str]:
    """Terraform variable -> description, template variables only (no default)."""
    return {name.strip('"'): body["description"].strip('"')
            for block in hcl2.loads(text).get("variable", []) for name, body in block.items()
            if "default" not in body}


@pytest.mark.parametrize(("location", "resources"), [
    ("s3://{bucket}/in/", [f'"{P}:s3:::${{var.bucket}}/in/*"', f'"{P}:s3:::${{var.bucket}}"',
                           '"in/*"']),
    ("s3://acme-{env}/in/", [f'"{P}:s3:::acme-${{var.env}}/in/*"',
                             f'"{P}:s3:::acme-${{var.env}}"', '"in/*"']),
    ("s3://{bucket}/in/{ds}/", [f'"{P}:s3:::${{var.bucket}}/in/*/*"',
                                f'"{P}:s3:::${{var.bucket}}"', '"in/*/*"']),
    ("{s3_path}", [f'"{P}:s3:::${{trimprefix(var.s3_path, "s3://")}}*"',
                   f'"{P}:s3:::${{split("/", trimprefix(var.s3_path, "s3://"))[0]}}"',
                   '"${replace(var.s3_path, "/^s3://[^/]*/?/", "")}*"']),
    ("s3://{a}{b}/in/", [
        f'"{P}:s3:::${{trimprefix("s3://${{var.a}}${{var.b}}/in/", "s3://")}}*"',
        f'"{P}:s3:::${{split("/", trimprefix("s3://${{var.a}}${{var.b}}/in/", "s3://"))[0]}}"',
        '"${replace("s3://${var.a}${var.b}/in/", "/^s3://[^/]*/?/", "")}*"']),
])
def test_an_unresolved_bucket_or_location_is_a_variable_at_its_place(location, resources):
    result = generate(f"COPY t FROM '{location}' {R};")
    assert result.exit_code == 0, result.stderr
    assert policy_values(result.stdout) == resources


def test_a_whole_location_takes_the_bucket_and_key_apart_as_terraform_evaluates_it() -> None:
    """trimprefix / split / replace on a value, checked against Terraform's semantics by
    hand: s3://acme/sales/2024/ -> object acme/sales/2024/*, bucket acme, prefix sales/2024/*."""
    text = generate("UNLOAD ('select 1') TO '{out}' " + R + ";").stdout
    assert f'"{P}:s3:::${{trimprefix(var.out, "s3://")}}*"' in text
    value = "s3://acme/sales/2024/"
    assert value.removeprefix("s3://") + "*" == "acme/sales/2024/*"
    assert value.removeprefix("s3://").split("/")[0] == "acme"
    assert re.sub("^s3://[^/]*/?", "", value) + "*" == "sales/2024/*"


def test_table_cluster_region_and_key_are_variables() -> None:
    sql = (f"COPY t FROM 'dynamodb://{{table}}' {R} REGION '{{region}}' READRATIO 50;\n"
           f"COPY t FROM 'emr://{{cluster}}/out/part-*' {R};\n"
           f"UNLOAD ('x') TO 's3://acme/u/' {R} KMS_KEY_ID '{{key_arn}}' ENCRYPTED;\n"
           f"UNLOAD ('x') TO 's3://acme/v/' {R} KMS_KEY_ID "
           f"'arn:aws:kms:us-east-1:123456789012:key/{{key_id}}' ENCRYPTED;\n")
    result = generate(sql, "terraform", "--region", "us-east-1")
    assert result.exit_code == 0, result.stderr
    assert set(variables(result.stdout)) == {"table", "region", "cluster", "key_arn", "key_id"}
    values = policy_values(result.stdout)
    assert f'"{P}:dynamodb:${{var.region}}:{A}:table/${{var.table}}"' in values
    assert f'"{P}:elasticmapreduce:us-east-1:{A}:cluster/${{var.cluster}}"' in values
    assert "var.key_arn" in result.stdout
    assert f'"{P}:kms:us-east-1:{A}:key/${{var.key_id}}",' in result.stdout


def test_a_region_no_grant_needs_is_no_variable() -> None:
    result = generate(f"COPY t FROM 's3://{{bucket}}/k/' {R} REGION '{{region}}';")
    assert result.exit_code == 0
    assert set(variables(result.stdout)) == {"bucket"}
    assert "RW222" in result.stderr and "variable region" not in result.stderr


@pytest.mark.parametrize(("sql", "code"), [
    ("COPY t FROM 's3://acme/k/' IAM_ROLE '{a},{b}';", "RI146"),
    ("COPY t FROM 's3://acme/k/' IAM_ROLE 'arn:aws:iam::123456789012:role/R,"
     "arn:aws:iam::{acct}:role/C';", "RI146"),
    ("COPY t FROM 's3://acme/k/' IAM_ROLE 'arn:aws:iam::{acct}:role/{r},"
     "arn:aws:iam::123456789012:role/C';", "RI146"),
    ("COPY t FROM 's3://acme/k/' IAM_ROLE %s;", "RI146"),
    ("COPY t FROM 's3://acme/k/' ACCESS_KEY_ID '{key_id}' SECRET_ACCESS_KEY 'x';", "RI146"),
    (f"COPY t FROM %s {R};", "RI145"),
    (f"COPY t FROM 's3://${{B%%-*}}/k/' {R};", "RI145"),
    (f"COPY t FROM 's3://acme/k' {R} {{copy_options}};", "RI148"),
    (f"COPY t FROM 's3://{{b}}/m.manifest' {R} MANIFEST;", "RI145"),
    (f"UNLOAD ('x') TO 's3://acme/k/' {R} KMS_KEY_ID 'alias/{{name}}' ENCRYPTED;", "RI147"),
    (f"COPY t FROM 's3://{{% if x %}}a{{% else %}}b{{% endif %}}/k/' {R};", "RI145"),
])
def test_what_no_variable_can_stand_for_stays_an_error(sql: str, code: str) -> None:
    for fmt in ("terraform", "cloudformation", "json"):
        result = generate(sql, fmt)
        assert (result.exit_code, result.stdout) == (1, ""), fmt
        assert set(re.findall(r": unresolved (RI14\d):", result.stderr)) == {code}


def test_the_json_formats_still_refuse_what_terraform_takes_as_a_variable() -> None:
    sql = f"COPY t FROM 's3://{{bucket}}/k/' {R};"
    assert generate(sql, "terraform").exit_code == 0
    refused = generate(sql, "json")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert ": unresolved RI145: variable bucket ({bucket})" in refused.stderr


def test_the_warning_names_the_variable_and_how_to_fill_it() -> None:
    result = generate(f"COPY t FROM 's3://{{bucket}}/k/' {R};")
    assert result.stderr == (
        "<stdin>:1:19: warning RW222: variable bucket ({bucket}) is unresolved in the S3 "
        "location of this COPY (s3://{bucket}/k/): the file takes it as var.bucket (Terraform) "
        "/ Parameter Bucket (CloudFormation)\n"
        f"    1 | COPY t FROM 's3://{{bucket}}/k/' {R};\n"
        "      |                   ^\n"
        "    hint: give it when the file is applied, or pass --var bucket=VALUE now\n")


def test_the_warning_names_the_variable_as_each_file_declares_it() -> None:
    result = generate(f"COPY t FROM 's3://{{{{ params.bucket }}}}/k/' {R};")
    assert ("the file takes it as var.params_bucket (Terraform) / Parameter ParamsBucket "
            "(CloudFormation)\n") in result.stderr


def test_one_name_is_one_variable_described_by_every_place(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.sql").write_text(f"COPY t FROM 's3://{{{{ bucket }}}}/a/' {R};\n")
    (tmp_path / "b.sql").write_text(f"\n\nUNLOAD ('x') TO 's3://{{{{ bucket }}}}/b/' {R};\n")
    result = CliRunner().invoke(main, ["generate", "--format", "terraform", "a.sql", "b.sql"])
    assert result.exit_code == 0, result.stderr
    assert variables(result.stdout) == {
        "bucket": "Value of {{ bucket }} in the SQL at a.sql:1, b.sql:3"}


@pytest.mark.parametrize(("name", "tf", "cfn"), [
    ("params.bucket", "params_bucket", "ParamsBucket"),
    ("version", "version_value", "Version"),
    ("count", "count_value", "Count"),
])
def test_variable_names(name: str, tf: str, cfn: str) -> None:
    sql = f"COPY t FROM 's3://{{{{ {name} }}}}/k/' {R};"
    assert set(variables(generate(sql).stdout)) == {tf}
    template = yaml.safe_load(generate(sql, "cloudformation").stdout)
    assert template["Parameters"][cfn] == {
        "Type": "String", "Description": f"Value of {{{{ {name} }}}} in the SQL at <stdin>:1"}


def test_names_that_would_clash_are_an_error() -> None:
    result = generate(f"COPY t FROM 's3://{{{{ a.b }}}}-{{{{ a_b }}}}/k/' {R};")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "redshift-iam: template variable a_b and template variable a.b would both be named "
        "a_b in the file; pass --var a_b=VALUE\n")
    result = generate(f"COPY t FROM 's3://{{{{ Etl_role_name }}}}/k/' {R};")
    assert result.stderr.endswith(
        "redshift-iam: template variable Etl_role_name and another name would both be named "
        "Etl_role_name in the file; pass --var Etl_role_name=VALUE\n")


def test_cloudformation_substitutes_the_parameter_where_the_placeholder_stands() -> None:
    result = generate(f"COPY t FROM 's3://acme-{{env}}/k/' {R};", "cloudformation-json")
    assert result.exit_code == 0, result.stderr
    template = json.loads(result.stdout)
    assert template["Parameters"]["Env"] == {
        "Type": "String", "Description": "Value of {env} in the SQL at <stdin>:1"}
    statements = template["Resources"]["EtlPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Resource"] for s in statements] == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::acme-${Env}/k/*"},
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::acme-${Env}"}]
    assert [s["Sid"] for s in statements] == ["S3GetObject", "S3ListBucketAcmeEnv"]


def test_a_lone_variable_is_a_ref_in_cloudformation() -> None:
    result = generate(f"UNLOAD ('x') TO 's3://acme/u/' {R} KMS_KEY_ID '{{key}}' ENCRYPTED;",
                      "cloudformation-json")
    statements = json.loads(result.stdout)["Resources"]["EtlPolicy"]["Properties"][
        "PolicyDocument"]["Statement"]
    assert statements[0]["Resource"] == {"Ref": "Key"}


def _cfn_lint(text: str) -> list[str]:
    from cfnlint.api import ManualArgs, lint
    return [str(m) for m in lint(text, config=ManualArgs(regions=["us-east-1"]))]


def _evaluate(node: object, parameters: dict[str, str]) -> object:
    """A template value as CloudFormation evaluates it with ``parameters``: Ref, Fn::Sub
    (with or without a map), Fn::Split, Fn::Select; ``${AWS::Partition}`` is aws."""
    if isinstance(node, list):
        return [_evaluate(item, parameters) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return parameters[node["Ref"]]
    if set(node) == {"Fn::Split"}:
        delimiter, source = node["Fn::Split"]
        return _evaluate(source, parameters).split(delimiter)
    if set(node) == {"Fn::Select"}:
        index, items = node["Fn::Select"]
        return _evaluate(items, parameters)[int(index)]
    if set(node) == {"Fn::Sub"}:
        text, names = (node["Fn::Sub"], {}) if isinstance(node["Fn::Sub"], str) \
            else node["Fn::Sub"]
        known = {**parameters, "AWS::Partition": "aws",
                 **{k: _evaluate(v, parameters) for k, v in names.items()}}
        return re.sub(r"\$\{([^}!]+)\}", lambda m: known[m.group(1)], text)
    return {key: _evaluate(value, parameters) for key, value in node.items()}


WHOLE = "COPY t FROM '{src}' IAM_ROLE '{role}' CSV;"


def test_cloudformation_takes_a_whole_location_and_a_role_as_parameters() -> None:
    result = generate(WHOLE, "cloudformation")
    assert result.exit_code == 0, result.stderr
    assert _cfn_lint(result.stdout) == []
    template = yaml.safe_load(result.stdout)
    assert template["Parameters"] == {
        "Role": {"Type": "String", "Description": "Value of {role} in the SQL at <stdin>:1",
                 "AllowedPattern": r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@-]{1,64}$",
                 "ConstraintDescription": "the ARN of an IAM role without a path "
                                          "(arn:aws:iam::ACCOUNT:role/NAME)"},
        "SrcBucket": {"Type": "String", "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                      "ConstraintDescription": "an S3 bucket name",
                      "Description": "Bucket of the S3 location {src} in the SQL at <stdin>:1 "
                                     "(the SQL's value is s3://BUCKET/KEY)"},
        "SrcKey": {"Type": "String",
                   "Description": "Key (after the bucket and its /; empty for the whole "
                                  "bucket) of the S3 location {src} in the SQL at <stdin>:1 "
                                  "(the SQL's value is s3://BUCKET/KEY)"}}
    assert list(template["Resources"]) == ["RolePolicy"] and "Outputs" not in template
    name = {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": "Role"}]}]}
    properties = template["Resources"]["RolePolicy"]["Properties"]
    assert properties["Roles"] == [name]
    assert properties["ManagedPolicyName"] == {
        "Fn::Sub": ["redshift-iam-${RoleNameInArn}", {"RoleNameInArn": name}]}
    assert [(s["Resource"], s.get("Condition")) for s in properties["PolicyDocument"][
        "Statement"]] == [
        ({"Fn::Sub": "arn:${AWS::Partition}:s3:::${SrcBucket}/${SrcKey}*"}, None),
        ({"Fn::Sub": "arn:${AWS::Partition}:s3:::${SrcBucket}"},
         {"StringLike": {"s3:prefix": {"Fn::Sub": "${SrcKey}*"}}})]
    assert result.stderr.count("/ Parameters SrcBucket and SrcKey (CloudFormation)\n") == 1


def test_the_parameters_give_the_documents_the_json_bundle_gives_for_those_values() -> None:
    role, src = "arn:aws:iam::123456789012:role/Loader", "s3://acme-raw/in/2024/"
    template = yaml.safe_load(generate(WHOLE, "cloudformation").stdout)
    applied = _evaluate(template["Resources"]["RolePolicy"]["Properties"], {
        "Role": role, "SrcBucket": "acme-raw", "SrcKey": "in/2024/"})
    assert (applied["Roles"], applied["ManagedPolicyName"]) == (["Loader"],
                                                                 "redshift-iam-Loader")
    bundle = generate(WHOLE, "json", "--var", f"role={role}", "--var", f"src={src}",
                      "--region", "us-east-1", "--account-id", "123456789012")
    expected = json.loads(bundle.stdout)["principals"][0]["policies"][0]["Statement"]
    assert [(s["Action"], s["Resource"], s.get("Condition"))
            for s in applied["PolicyDocument"]["Statement"]] == [
        (s["Action"], s["Resource"], s.get("Condition")) for s in expected] == [
        ("s3:GetObject", "arn:aws:s3:::acme-raw/in/2024/*", None),
        ("s3:ListBucket", "arn:aws:s3:::acme-raw",
         {"StringLike": {"s3:prefix": "in/2024/*"}})]


@pytest.mark.parametrize(("arn", "accepted"), [
    ("arn:aws:iam::123456789012:role/Loader", True),
    ("arn:aws-us-gov:iam::123456789012:role/etl_loader+x=y,z.w@q-1", True),
    ("arn:aws:iam::123456789012:role/service/Loader", False),  # a path: Select 1 is "service"
    ("arn:aws:iam::123456789012:user/Loader", False),
    ("Loader", False),
])
def test_the_role_parameter_refuses_an_arn_whose_name_select_would_miss(arn, accepted) -> None:
    template = yaml.safe_load(generate(WHOLE, "cloudformation").stdout)
    pattern = template["Parameters"]["Role"]["AllowedPattern"]
    assert (re.fullmatch(pattern, arn) is not None) is accepted
    if accepted:
        assert arn.split("/")[1] == arn.rsplit("/", 1)[-1]


def test_a_location_after_a_literal_scheme_is_bucket_slash_key() -> None:
    result = generate(f"UNLOAD ('x') TO 's3://{{dest}}' {R};", "cloudformation-json")
    assert result.exit_code == 0, result.stderr
    template = json.loads(result.stdout)
    assert _cfn_lint(result.stdout) == []
    assert template["Parameters"]["DestKey"]["Description"] == (
        "Key (after the bucket and its /; empty for the whole bucket) of the S3 location "
        "{dest} in the SQL at <stdin>:1 (the SQL's value is BUCKET/KEY, after s3://)")
    statements = template["Resources"]["EtlPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Resource"] for s in statements] == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${DestBucket}/${DestKey}*"},
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${DestBucket}"}]


@pytest.mark.parametrize(("location", "written", "held", "fills"), [
    ("{base}/k/", "{base}/k/", "template variable base", "--var base=VALUE"),
    ("{src}manifest", "{src}manifest", "template variable src", "--var src=VALUE"),
    ("s3://{a}{b}/in/", "s3://{a}{b}/in/", "template variables a, b",
     "--var a=VALUE --var b=VALUE"),
])
def test_a_location_whose_bucket_end_only_the_values_show_stays_refused(
        location, written, held, fills) -> None:
    result = generate(f"COPY t FROM '{location}' {R};", "cloudformation")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(
        f"redshift-iam: the S3 location {written} holds {held} where only the values show "
        "where the bucket ends, and CloudFormation has no function to take a bucket and key "
        "apart (the ListBucket s3:prefix condition needs the key); a whole location ('{src}' "
        f"or 's3://{{src}}') is two Parameters, but this one is not: pass {fills}, or use "
        "--format terraform\n")


def test_one_variable_with_and_without_the_scheme_is_refused() -> None:
    sql = f"COPY t FROM '{{src}}' {R};\nCOPY u FROM 's3://{{src}}' {R};"
    result = generate(sql, "cloudformation")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "redshift-iam: template variable src is a whole S3 location in one place and follows "
        "s3:// in another: pass --var src=VALUE, or use --format terraform\n")


def test_values_given_leave_no_variable() -> None:
    sql = f"COPY t FROM 's3://{{bucket}}/k/' {R};"
    result = generate(sql, "terraform", "--var", "bucket=acme")
    assert result.exit_code == 0 and result.stderr == ""
    assert variables(result.stdout) == {}
    assert f'"{P}:s3:::acme/k/*"' in result.stdout


ROLE_SQL = (f"COPY t FROM 's3://{{{{ bucket }}}}/k/' IAM_ROLE '{{{{ params.role_arn }}}}';\n"
            "UNLOAD ('x') TO 's3://acme/u/' CREDENTIALS 'aws_iam_role={{ params.role_arn }}';\n"
            f"UNLOAD ('x') TO 's3://acme/v/' {R};\n")


def test_a_role_given_by_its_whole_arn_gets_the_policy_attached_by_name() -> None:
    """The role exists (its ARN is the variable): no aws_iam_role, no trust; the policies
    are attached to the role whose name is the ARN's last part."""
    result = generate(ROLE_SQL)
    assert result.exit_code == 0, result.stderr
    parsed = hcl2.loads(result.stdout)
    resources = {(kind, label.strip('"')) for block in parsed["resource"]
                 for kind, labels in block.items() for label in labels}
    assert {(k.strip('"'), label) for k, label in resources} == {
        ("aws_iam_role", "Etl"), ("aws_iam_policy", "Etl"),
        ("aws_iam_role_policy_attachment", "Etl"), ("aws_iam_policy", "params_role_arn"),
        ("aws_iam_role_policy_attachment", "params_role_arn")}
    assert variables(result.stdout) == {
        "bucket": "Value of {{ bucket }} in the SQL at <stdin>:1",
        "params_role_arn": "Value of {{ params.role_arn }} in the SQL at <stdin>:1, <stdin>:2"}
    assert ('resource "aws_iam_role_policy_attachment" "params_role_arn" {\n'
            '  role       = regex("[^/]+$", var.params_role_arn)\n'
            '  policy_arn = aws_iam_policy.params_role_arn.arn\n}\n') in result.stdout
    assert ('  name        = "redshift-iam-${regex("[^/]+$", var.params_role_arn)}"\n'
            ) in result.stdout
    assert re.findall(r"RW222: (variable \S+ \(\S+ \S+ \S+\)|variable \S+ \(\S+\)) is "
                      r"unresolved in the (\w+)", result.stderr) == [
        ("variable bucket ({{ bucket }})", "S3"),
        ("variable params.role_arn ({{ params.role_arn }})", "role"),
        ("variable params.role_arn ({{ params.role_arn }})", "role")]


def test_terraform_regex_takes_the_role_name_out_of_its_arn() -> None:
    """regex("[^/]+$", ARN) returns the match: the name after the path."""
    for arn, name in (("arn:aws:iam::123456789012:role/Etl", "Etl"),
                      ("arn:aws:iam::123456789012:role/service/team/Etl", "Etl")):
        assert re.search("[^/]+$", arn).group() == name


def test_a_role_variable_is_attached_by_cloudformation_and_refused_by_the_json_formats(
        ) -> None:
    result = generate(ROLE_SQL, "cloudformation")
    assert result.exit_code == 0, result.stderr
    assert _cfn_lint(result.stdout) == []
    template = yaml.safe_load(result.stdout)
    assert sorted(template["Resources"]) == ["EtlPolicy", "EtlRole", "ParamsRoleArnPolicy"]
    assert template["Resources"]["ParamsRoleArnPolicy"]["Properties"]["Roles"] == [
        {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": "ParamsRoleArn"}]}]}]
    refused = generate(ROLE_SQL, "json")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert re.findall(r": unresolved (RI14\d):", refused.stderr) == ["RI145", "RI146", "RI146"]


PART_SQL = "COPY t FROM 's3://acme/k/' IAM_ROLE 'arn:aws:iam::{acct}:role/{name}';"
PART_ARN = '"arn:aws:iam::${var.acct}:role/${var.name}"'


def test_a_role_given_as_part_of_an_arn_is_attached_by_the_interpolated_name() -> None:
    result = generate(PART_SQL)
    assert result.exit_code == 0, result.stderr
    parsed = hcl2.loads(result.stdout)
    assert {(k.strip('"'), label.strip('"')) for block in parsed["resource"]
            for k, labels in block.items() for label in labels} == {
        ("aws_iam_policy", "name"), ("aws_iam_role_policy_attachment", "name")}
    assert variables(result.stdout) == {"acct": "Value of {acct} in the SQL at <stdin>:1",
                                        "name": "Value of {name} in the SQL at <stdin>:1"}
    assert ('resource "aws_iam_role_policy_attachment" "name" {\n'
            f'  role       = regex("[^/]+$", {PART_ARN})\n'
            '  policy_arn = aws_iam_policy.name.arn\n}\n') in result.stdout
    assert f'  name        = "redshift-iam-${{regex("[^/]+$", {PART_ARN})}}"\n' in result.stdout
    assert re.findall(r"RW222: variable (\w+) \(\{\w+\}\) is unresolved in the role "
                      r"\(IAM_ROLE or aws_iam_role=\) of this COPY \((\S+)\)",
                      result.stderr) == [("acct", "arn:aws:iam::{acct}:role/{name}"),
                                         ("name", "arn:aws:iam::{acct}:role/{name}")]


@pytest.mark.parametrize(("written", "values", "name"), [
    ("arn:aws:iam::{acct}:role/{name}", {"acct": "123456789012", "name": "Etl"}, "Etl"),
    ("arn:aws:iam::123456789012:role/etl-{env}", {"env": "prod"}, "etl-prod"),
    ("arn:aws:iam::123456789012:role/{team}/Loader", {"team": "data"}, "Loader"),
    ("arn:aws:iam::123456789012:role/{p}", {"p": "service/team/Etl"}, "Etl"),
])
def test_terraform_takes_the_name_out_of_the_interpolated_arn(written, values, name) -> None:
    result = generate(f"COPY t FROM 's3://acme/k/' IAM_ROLE '{written}';")
    assert result.exit_code == 0, result.stderr
    role = next(block['"aws_iam_role_policy_attachment"'] for block in
                hcl2.loads(result.stdout)["resource"]
                if '"aws_iam_role_policy_attachment"' in block)
    expression = next(iter(role.values()))["role"]
    arn = re.fullmatch(r'\$\{regex\("\[\^/\]\+\$", "(.*)"\)\}', expression).group(1)
    filled = re.sub(r"\$\{var\.(\w+)\}", lambda m: values[m.group(1)], arn)
    assert re.search("[^/]+$", filled).group() == name  # Terraform's regex() returns the match


def test_cloudformation_refuses_a_role_given_as_part_of_an_arn() -> None:
    result = generate(PART_SQL, "cloudformation")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "redshift-iam: the role arn:aws:iam::{acct}:role/{name} holds template variables in "
        "its ARN, and CloudFormation has no function to take the role's name out of it "
        "(ManagedPolicy Roles takes names): pass --var acct=VALUE --var name=VALUE, or use "
        "--format terraform\n")


def test_a_chain_holding_a_placeholder_stays_ri146_at_the_placeholder() -> None:
    sql = ("COPY t FROM 's3://acme/k/' IAM_ROLE "
           "'arn:aws:iam::123456789012:role/R,arn:aws:iam::{acct}:role/C';")
    result = generate(sql)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "<stdin>:1:84: unresolved RI146: variable acct ({acct}) is unresolved in the role "
        "(IAM_ROLE or aws_iam_role=) of this COPY (arn:aws:iam::123456789012:role/R,"
        "arn:aws:iam::{acct}:role/C): who gets the permissions is never guessed\n"
        f"    1 | {sql}\n"
        "      |" + " " * 84 + "^\n"
        "    hint: pass --var acct=VALUE\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_inline_needs_a_role_in_the_file() -> None:
    result = generate("COPY t FROM 's3://acme/k/' IAM_ROLE '{role}';", "terraform",
                      "--inline")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "redshift-iam: --inline: the role given by template variable role has no role in the "
        "file to hold an inline policy; drop --inline to get a managed policy to attach\n")

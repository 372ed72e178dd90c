"""The audit stage's IAM evaluator, table-driven. Rows marked AWS follow the examples of the
IAM User Guide (policy evaluation logic, NotAction, NotResource, condition operators,
multivalued context keys, policy variables); each row names what it shows."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from redshift_iam.audit.decisions import PolicyDoc
from redshift_iam.audit.evaluator import Evaluator, evaluate
from redshift_iam.core.diagnostics import InputError, Location


def doc(*statements: dict, version: str | None = "2012-10-17") -> dict:
    body: dict = {"Statement": list(statements)}
    if version:
        body["Version"] = version
    return body


def allow(action: object = "*", resource: object = "*", condition: dict | None = None,
          **more: object) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **more}
    statement = {key: value for key, value in statement.items() if value is not None}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(action: object = "*", resource: object = "*", condition: dict | None = None) -> dict:
    return {**allow(action, resource, condition), "Effect": "Deny"}


def cond(operator: str, key: str, values: object) -> dict:
    return {operator: {key: values}}


B = "arn:aws:s3:::amzn-s3-demo-bucket"


class Case(NamedTuple):
    id: str
    statements: tuple[dict, ...]
    action: str
    resource: str
    context: dict | None
    effect: str  # allow | deny | implicit-deny
    deciders: tuple[int, ...] = ()  # indices of the deciding statements (allow or deny)


def case(id: str, statements: list[dict] | dict, action: str, resource: str, effect: str,
         context: dict | None = None, deciders: tuple[int, ...] = ()) -> Case:
    listed = statements if isinstance(statements, list) else [statements]
    return Case(id, tuple(listed), action, resource, context, effect, deciders)


CASES = [
    # evaluation logic
    case("default-deny", [allow("s3:GetObject", f"{B}/*")], "s3:PutObject", f"{B}/x",
         "implicit-deny"),
    case("allow", [allow("s3:GetObject", f"{B}/*")], "s3:GetObject", f"{B}/x", "allow",
         deciders=(0,)),
    case("explicit-deny-wins (AWS)", [allow("s3:*"), deny("s3:DeleteObject", f"{B}/*")],
         "s3:DeleteObject", f"{B}/x", "deny", deciders=(1,)),
    case("deny-elsewhere", [allow("s3:*"), deny("s3:DeleteObject", f"{B}/*")],
         "s3:GetObject", f"{B}/x", "allow", deciders=(0,)),
    case("every-allow-named", [allow("s3:Get*"), allow("s3:GetObject", f"{B}/*")],
         "s3:GetObject", f"{B}/x", "allow", deciders=(0, 1)),
    # actions
    case("action-case-insensitive", [allow("S3:GETOBJECT")], "s3:GetObject", f"{B}/x",
         "allow", deciders=(0,)),
    case("action-star", [allow("s3:*Object")], "s3:PutObject", f"{B}/x", "allow",
         deciders=(0,)),
    case("action-question", [allow("s3:Get?bject")], "s3:GetObject", "x", "allow",
         deciders=(0,)),
    case("action-question-one-char", [allow("s3:Get?bject")], "s3:GetObjekt", "x",
         "implicit-deny"),
    case("action-list-is-whole-matches", [allow(["s3:Get", "s3:Put"])], "s3:GetObject", "x",
         "implicit-deny"),
    case("action-other-service", [allow("s3:*")], "s3x:GetObject", "x", "implicit-deny"),
    case("notaction-allow (AWS: all but IAM)", [allow(None, "*", NotAction="iam:*")],
         "s3:GetObject", f"{B}/x", "allow", deciders=(0,)),
    case("notaction-allow-excludes", [allow(None, "*", NotAction="iam:*")], "iam:CreateUser",
         "arn:aws:iam::111122223333:user/x", "implicit-deny"),
    case("notaction-deny (AWS: MFA)",
         [allow("*"), {"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*",
                       "Condition": cond("BoolIfExists", "aws:MultiFactorAuthPresent",
                                         "false")}],
         "s3:GetObject", f"{B}/x", "deny", deciders=(1,)),
    case("notaction-deny-mfa-present",
         [allow("*"), {"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*",
                       "Condition": cond("BoolIfExists", "aws:MultiFactorAuthPresent",
                                         "false")}],
         "s3:GetObject", f"{B}/x", "allow", {"aws:MultiFactorAuthPresent": "true"}, (0,)),
    # resources
    case("arn-case-sensitive", [allow("s3:GetObject", f"{B}/*")], "s3:GetObject",
         "arn:aws:s3:::AMZN-S3-DEMO-BUCKET/x", "implicit-deny"),
    case("arn-star-crosses-slash", [allow("s3:GetObject", f"{B}/*")], "s3:GetObject",
         f"{B}/a/b/c", "allow", deciders=(0,)),
    case("arn-question", [allow("s3:GetObject", f"{B}/k?")], "s3:GetObject", f"{B}/k1",
         "allow", deciders=(0,)),
    case("arn-question-one-char", [allow("s3:GetObject", f"{B}/k?")], "s3:GetObject",
         f"{B}/k12", "implicit-deny"),
    case("resource-list", [allow("s3:GetObject", [f"{B}/a*", f"{B}/b*"])], "s3:GetObject",
         f"{B}/b1", "allow", deciders=(0,)),
    case("resource-list-is-whole-matches", [allow("s3:GetObject", [f"{B}/a", f"{B}/b"])],
         "s3:GetObject", f"{B}/ab", "implicit-deny"),
    case("notresource-deny (AWS: all but the HR payroll folder)",
         [allow("s3:*"), {"Effect": "Deny", "Action": "s3:*",
                          "NotResource": [f"{B}/Payroll", f"{B}/Payroll/*"]}],
         "s3:GetObject", f"{B}/Other/x", "deny", deciders=(1,)),
    case("notresource-deny-spares",
         [allow("s3:*"), {"Effect": "Deny", "Action": "s3:*",
                          "NotResource": [f"{B}/Payroll", f"{B}/Payroll/*"]}],
         "s3:GetObject", f"{B}/Payroll/x", "allow", deciders=(0,)),
    case("notresource-allow", [{"Effect": "Allow", "Action": "s3:*", "NotResource": f"{B}/*"}],
         "s3:GetObject", f"{B}/x", "implicit-deny"),
    # policy variables
    case("variable (AWS: home folder)", [allow("s3:*", f"{B}/home/${{aws:username}}/*")],
         "s3:PutObject", f"{B}/home/alice/x", "allow", {"aws:username": "alice"}, (0,)),
    case("variable-other-user", [allow("s3:*", f"{B}/home/${{aws:username}}/*")],
         "s3:PutObject", f"{B}/home/bob/x", "implicit-deny", {"aws:username": "alice"}),
    case("variable-key-case", [allow("s3:*", f"{B}/home/${{AWS:UserName}}/*")],
         "s3:PutObject", f"{B}/home/alice/x", "allow", {"aws:username": "alice"}, (0,)),
    case("variable-missing-key", [allow("s3:*", f"{B}/home/${{aws:username}}/*")],
         "s3:PutObject", f"{B}/home//x", "implicit-deny"),
    case("variable-default (AWS)",
         [allow("s3:*", f"{B}/${{aws:PrincipalTag/team, 'company-wide'}}/*")],
         "s3:GetObject", f"{B}/company-wide/x", "allow", deciders=(0,)),
    case("variable-default-unused",
         [allow("s3:*", f"{B}/${{aws:PrincipalTag/team, 'company-wide'}}/*")],
         "s3:GetObject", f"{B}/company-wide/x", "implicit-deny",
         {"aws:PrincipalTag/team": "red"}),
    case("variable-multivalued-key-takes-no-value", [allow("s3:*", f"{B}/${{aws:TagKeys}}")],
         "s3:GetObject", f"{B}/a", "implicit-deny", {"aws:TagKeys": ["a", "b"]}),
    case("escape-star", [allow("s3:GetObject", f"{B}/${{*}}")], "s3:GetObject", f"{B}/*",
         "allow", deciders=(0,)),
    case("escape-star-is-literal", [allow("s3:GetObject", f"{B}/${{*}}")], "s3:GetObject",
         f"{B}/x", "implicit-deny"),
    case("escape-question-dollar", [allow("s3:GetObject", f"{B}/${{?}}${{$}}")],
         "s3:GetObject", f"{B}/?$", "allow", deciders=(0,)),
    case("variable-in-condition",
         [allow("s3:ListBucket", B, cond("StringLike", "s3:prefix", "home/${aws:username}/*"))],
         "s3:ListBucket", B, "allow", {"s3:prefix": "home/alice/", "aws:username": "alice"},
         (0,)),
]

CONDITION_CASES = [
    # (id, condition block, context, holds)
    ("StringEquals", cond("StringEquals", "s3:x-amz-acl", "private"),
     {"s3:x-amz-acl": "private"}, True),
    ("StringEquals-case", cond("StringEquals", "s3:x-amz-acl", "private"),
     {"s3:x-amz-acl": "PRIVATE"}, False),
    ("StringEquals-star-literal", cond("StringEquals", "k", "a*"), {"k": "abc"}, False),
    ("StringEquals-missing", cond("StringEquals", "k", "a"), {}, False),
    ("StringEquals-values-or", cond("StringEquals", "k", ["a", "b"]), {"k": "b"}, True),
    ("StringEquals-keys-and", {"StringEquals": {"k": "a", "j": "b"}}, {"k": "a", "j": "c"},
     False),
    ("operators-and", {"StringEquals": {"k": "a"}, "StringLike": {"j": "b*"}},
     {"k": "a", "j": "bc"}, True),
    ("key-name-case", cond("StringEquals", "AWS:PrincipalTag/Team", "red"),
     {"aws:principaltag/team": "red"}, True),
    ("StringNotEquals", cond("StringNotEquals", "k", ["a", "b"]), {"k": "c"}, True),
    ("StringNotEquals-hit", cond("StringNotEquals", "k", ["a", "b"]), {"k": "a"}, False),
    ("StringNotEquals-missing (AWS: true)", cond("StringNotEquals", "k", "a"), {}, True),
    ("StringEqualsIgnoreCase", cond("StringEqualsIgnoreCase", "k", "Red"), {"k": "rED"}, True),
    ("StringNotEqualsIgnoreCase", cond("StringNotEqualsIgnoreCase", "k", "Red"),
     {"k": "rED"}, False),
    ("StringLike", cond("StringLike", "s3:prefix", "home/*"), {"s3:prefix": "home/a/b"}, True),
    ("StringLike-question", cond("StringLike", "k", "a?c"), {"k": "abbc"}, False),
    ("StringLike-case", cond("StringLike", "k", "a*"), {"k": "Ab"}, False),
    ("StringNotLike", cond("StringNotLike", "k", "a*"), {"k": "ba"}, True),
    ("StringNotLike-missing (AWS: true)", cond("StringNotLike", "k", "a*"), {}, True),
    ("NumericLessThanEquals (AWS: max-keys)", cond("NumericLessThanEquals", "s3:max-keys", "10"),
     {"s3:max-keys": "10"}, True),
    ("NumericLessThan", cond("NumericLessThan", "n", "10"), {"n": "10"}, False),
    ("NumericGreaterThan", cond("NumericGreaterThan", "n", 1.5), {"n": "2"}, True),
    ("NumericGreaterThanEquals", cond("NumericGreaterThanEquals", "n", "2"), {"n": "1"}, False),
    ("NumericEquals", cond("NumericEquals", "n", "10"), {"n": "10.0"}, True),
    ("NumericNotEquals", cond("NumericNotEquals", "n", "10"), {"n": "11"}, True),
    ("Numeric-not-a-number", cond("NumericEquals", "n", "10"), {"n": "ten"}, False),
    ("DateGreaterThan (AWS)", cond("DateGreaterThan", "aws:CurrentTime", "2020-04-01T00:00:00Z"),
     {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, True),
    ("DateLessThan", cond("DateLessThan", "aws:CurrentTime", "2020-06-30T23:59:59Z"),
     {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, False),
    ("DateLessThanEquals-epoch", cond("DateLessThanEquals", "aws:EpochTime", "1717243200"),
     {"aws:EpochTime": "2024-06-01T12:00:00Z"}, True),
    ("DateEquals-day", cond("DateEquals", "d", "2024-06-01"), {"d": "2024-06-01T00:00:00Z"},
     True),
    ("DateNotEquals", cond("DateNotEquals", "d", "2024-06-01"), {"d": "2024-06-02"}, True),
    ("DateGreaterThanEquals-bad", cond("DateGreaterThanEquals", "d", "2024-06-01"),
     {"d": "yesterday"}, False),
    ("Bool (AWS: SecureTransport)", cond("Bool", "aws:SecureTransport", "false"),
     {"aws:SecureTransport": "false"}, True),
    ("Bool-json-boolean", cond("Bool", "aws:SecureTransport", False),
     {"aws:SecureTransport": "FALSE"}, True),
    ("Bool-other", cond("Bool", "aws:SecureTransport", "false"),
     {"aws:SecureTransport": "true"}, False),
    ("Null-true (AWS: key absent)", cond("Null", "aws:TokenIssueTime", "true"), {}, True),
    ("Null-true-present", cond("Null", "aws:TokenIssueTime", "true"),
     {"aws:TokenIssueTime": "2024-06-01T00:00:00Z"}, False),
    ("Null-false-present", cond("Null", "aws:TokenIssueTime", "false"),
     {"aws:TokenIssueTime": "x"}, True),
    ("Null-false-absent", cond("Null", "aws:TokenIssueTime", "false"), {}, False),
    ("IpAddress (AWS)", cond("IpAddress", "aws:SourceIp", ["192.0.2.0/24", "203.0.113.0/24"]),
     {"aws:SourceIp": "203.0.113.7"}, True),
    ("IpAddress-outside", cond("IpAddress", "aws:SourceIp", "192.0.2.0/24"),
     {"aws:SourceIp": "198.51.100.1"}, False),
    ("IpAddress-v6", cond("IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64"),
     {"aws:SourceIp": "2001:db8:1234:5678::1"}, True),
    ("IpAddress-single", cond("IpAddress", "aws:SourceIp", "192.0.2.1"),
     {"aws:SourceIp": "192.0.2.1"}, True),
    ("NotIpAddress (AWS)", cond("NotIpAddress", "aws:SourceIp", "192.0.2.0/24"),
     {"aws:SourceIp": "198.51.100.1"}, True),
    ("NotIpAddress-inside", cond("NotIpAddress", "aws:SourceIp", "192.0.2.0/24"),
     {"aws:SourceIp": "192.0.2.9"}, False),
    ("IpAddress-garbage", cond("IpAddress", "aws:SourceIp", "192.0.2.0/24"),
     {"aws:SourceIp": "not-an-ip"}, False),
    ("ArnLike (AWS: SNS source)", cond("ArnLike", "aws:SourceArn",
                                       "arn:aws:sns:*:123456789012:*"),
     {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"}, True),
    ("ArnLike-star-stays-in-field", cond("ArnLike", "aws:SourceArn",
                                         "arn:aws:sns:*:123456789012"),
     {"aws:SourceArn": "arn:aws:sns:us-east-1:x:123456789012:topic"}, False),
    ("ArnLike-last-field-holds-colons", cond("ArnLike", "a", "arn:aws:logs:*:*:log-group:*"),
     {"a": "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s"}, True),
    ("ArnEquals-wildcards-too", cond("ArnEquals", "a", "arn:aws:iam::*:role/r"),
     {"a": "arn:aws:iam::111122223333:role/r"}, True),
    ("ArnEquals-not-an-arn", cond("ArnEquals", "a", "arn:aws:iam::*:role/r"),
     {"a": "role/r"}, False),
    ("ArnNotLike", cond("ArnNotLike", "a", "arn:aws:iam::*:role/r"),
     {"a": "arn:aws:iam::111122223333:role/other"}, True),
    ("ArnNotEquals-missing", cond("ArnNotEquals", "a", "arn:aws:iam::*:role/r"), {}, True),
    ("BinaryEquals", cond("BinaryEquals", "k", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="),
     {"k": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, True),
    ("BinaryEquals-other", cond("BinaryEquals", "k", "QmluYXJ5"), {"k": "QmluYXJY"}, False),
    ("IfExists-missing", cond("StringEqualsIfExists", "ec2:InstanceType", "t3.micro"), {}, True),
    ("IfExists-present", cond("StringEqualsIfExists", "ec2:InstanceType", "t3.micro"),
     {"ec2:InstanceType": "m5.large"}, False),
    ("NumericIfExists", cond("NumericLessThanIfExists", "n", "5"), {"n": "3"}, True),
    ("ForAnyValue (AWS)", cond("ForAnyValue:StringEquals", "aws:TagKeys", ["a", "b"]),
     {"aws:TagKeys": ["b", "c"]}, True),
    ("ForAnyValue-none", cond("ForAnyValue:StringEquals", "aws:TagKeys", ["a", "b"]),
     {"aws:TagKeys": ["c"]}, False),
    ("ForAnyValue-missing", cond("ForAnyValue:StringEquals", "aws:TagKeys", "a"), {}, False),
    ("ForAnyValue-empty", cond("ForAnyValue:StringEquals", "aws:TagKeys", "a"),
     {"aws:TagKeys": []}, False),
    ("ForAllValues (AWS)", cond("ForAllValues:StringLike", "aws:TagKeys", "env*"),
     {"aws:TagKeys": ["envA", "envB"]}, True),
    ("ForAllValues-one-off", cond("ForAllValues:StringLike", "aws:TagKeys", "env*"),
     {"aws:TagKeys": ["envA", "x"]}, False),
    ("ForAllValues-missing (AWS: true)", cond("ForAllValues:StringLike", "aws:TagKeys", "env*"),
     {}, True),
    ("ForAnyValue-negated", cond("ForAnyValue:StringNotEquals", "aws:TagKeys", "a"),
     {"aws:TagKeys": ["a", "b"]}, True),
    ("ForAllValues-negated", cond("ForAllValues:StringNotEquals", "aws:TagKeys", "a"),
     {"aws:TagKeys": ["a", "b"]}, False),
    ("unqualified-multivalued-positive", cond("StringEquals", "aws:TagKeys", "a"),
     {"aws:TagKeys": ["a", "b"]}, True),
    ("unqualified-multivalued-negated", cond("StringNotEquals", "aws:TagKeys", "a"),
     {"aws:TagKeys": ["a", "b"]}, False),
    ("ForAllValues-IfExists", cond("ForAllValues:StringEqualsIfExists", "aws:TagKeys", "a"),
     {}, True),
]


@pytest.mark.parametrize("row", CASES, ids=[c.id for c in CASES])
def test_decisions(row: Case) -> None:
    decision = evaluate([doc(*row.statements)], row.action, row.resource, row.context)
    assert decision.effect == row.effect
    assert tuple(ref.position for ref in decision.statements) == row.deciders
    assert decision.certain


@pytest.mark.parametrize("row", CONDITION_CASES, ids=[c[0] for c in CONDITION_CASES])
def test_condition_operators(row: tuple) -> None:
    _, block, context, holds = row
    decision = evaluate([doc(allow("s3:GetObject", "*", block))], "s3:GetObject", f"{B}/x",
                        context)
    assert decision.allowed is holds


def test_version_2008_reads_variables_as_literal_text() -> None:
    old = doc(allow("s3:*", f"{B}/${{aws:username}}"), version="2008-10-17")
    assert not evaluate([old], "s3:GetObject", f"{B}/alice", {"aws:username": "alice"}).allowed
    assert evaluate([old], "s3:GetObject", f"{B}/${{aws:username}}").allowed
    assert evaluate([doc(allow("s3:*", f"{B}/${{x}}"), version=None)], "s3:GetObject",
                    f"{B}/${{x}}").allowed


def test_documents_are_evaluated_together() -> None:
    documents = [doc(allow("s3:GetObject", f"{B}/*")), doc(deny("s3:GetObject", f"{B}/s*"))]
    assert evaluate(documents, "s3:GetObject", f"{B}/x").allowed
    decision = evaluate(documents, "s3:GetObject", f"{B}/secret")
    assert (decision.effect, decision.statements[0].document) == ("deny", "policy 2")


def test_a_permissions_boundary_must_allow_too() -> None:
    documents = [PolicyDoc("identity", doc(allow("s3:*"))),
                 PolicyDoc("boundary", doc(allow("s3:GetObject")), boundary=True)]
    evaluator = Evaluator(documents)
    assert evaluator.evaluate("s3:GetObject", f"{B}/x").allowed
    decision = evaluator.evaluate("s3:PutObject", f"{B}/x")
    assert (decision.effect, decision.boundary) == ("implicit-deny", True)
    assert decision.closest.statement.document == "boundary"


# closest: which Allow statement came nearest to a denied request ----------------------------

CLOSEST = [
    # (id, statements, action, resource, context, (index, rank, reason) or None)
    ("condition-fails", [allow("s3:ListBucket", B, cond("StringLike", "s3:prefix", "k/*"))],
     "s3:ListBucket", B, {"s3:prefix": "j/"},
     (0, 4, "its condition StringLike s3:prefix k/* does not hold")),
    ("resource-longest-prefix", [allow("s3:GetObject", f"{B}/a/*"),
                                 allow("s3:GetObject", f"{B}/k/data*")],
     "s3:GetObject", f"{B}/k/other", None,
     (1, 2, f"its resource {B}/k/data* does not match {B}/k/other")),
    ("action-beats-service", [allow("s3:PutObject", f"{B}/*"), allow("s3:GetObject", "x")],
     "s3:GetObject", f"{B}/k", None, (1, 2, f"its resource x does not match {B}/k")),
    ("same-service", [allow("s3:PutObject", f"{B}/*")], "s3:GetObject", f"{B}/k", None,
     (0, 1, "it allows s3:PutObject, not s3:GetObject")),
    ("other-service-is-not-close", [allow("kms:Decrypt", "*")], "s3:GetObject", f"{B}/k", None,
     None),
    ("deny-is-never-close", [deny("s3:GetObject", "*")], "s3:PutObject", f"{B}/k", None, None),
    ("first-on-a-tie", [allow("s3:GetObject", f"{B}/a"), allow("s3:GetObject", f"{B}/b")],
     "s3:GetObject", f"{B}/c", None, (0, 2, f"its resource {B}/a does not match {B}/c")),
]


@pytest.mark.parametrize("row", CLOSEST, ids=[c[0] for c in CLOSEST])
def test_closest_statement(row: tuple) -> None:
    _, statements, action, resource, context, expected = row
    decision = evaluate([doc(*statements)], action, resource, context)
    assert decision.effect == "implicit-deny"
    found = decision.closest
    assert (None if found is None else (found.statement.position, found.rank, found.reason)
            ) == expected


# malformed documents: a clean RC404 at the statement -----------------------------------------

MALFORMED = [
    ([], "policy 1: a policy document is a JSON object"),
    ({"Statement": []}, "policy 1: Statement must be a statement or a non-empty list of them"),
    ({"Version": "2012-10-18", "Statement": [allow()]},
     "policy 1: Version must be 2012-10-17 (or 2008-10-17)"),
    (doc({"Effect": "allow", "Action": "*", "Resource": "*"}),
     'policy 1 statement 1: Effect must be "Allow" or "Deny"'),
    (doc({"Effect": "Allow", "Resource": "*"}),
     "policy 1 statement 1: give exactly one of Action and NotAction"),
    (doc({"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}),
     "policy 1 statement 1: give exactly one of Action and NotAction"),
    (doc({"Effect": "Allow", "Action": "*"}),
     "policy 1 statement 1: give exactly one of Resource and NotResource"),
    (doc({"Sid": "X", "Effect": "Allow", "Action": "s3 GetObject", "Resource": "*"}),
     "policy 1 Sid X: 's3 GetObject' is not an action (service:Name, wildcards allowed)"),
    (doc({"Effect": "Allow", "Action": [], "Resource": "*"}),
     "policy 1 statement 1: Action must be a string or a non-empty list of strings"),
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}),
     "policy 1 statement 1: has a Principal: this is a resource-based or trust policy, not a "
     "permissions policy of the role"),
    (doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Conditions": {}}),
     "policy 1 statement 1: unknown statement element 'Conditions'"),
    (doc(allow("*", "*", cond("StringEqualz", "k", "v"))),
     "policy 1 statement 1: unknown condition operator 'StringEqualz'"),
    (doc(allow("*", "*", cond("NullIfExists", "k", "true"))),
     "policy 1 statement 1: unknown condition operator 'NullIfExists'"),
    (doc(allow("*", "*", cond("ForSomeValues:StringEquals", "k", "v"))),
     "policy 1 statement 1: unknown condition operator 'ForSomeValues:StringEquals'"),
    (doc(allow("*", "*", cond("StringEquals", "k", {"a": 1}))),
     "policy 1 statement 1: the values of 'StringEquals' must be strings, numbers or booleans"),
    (doc(allow("*", "*", {"StringEquals": "k"})),
     "policy 1 statement 1: Condition 'StringEquals' must map keys to values"),
]


@pytest.mark.parametrize("body, message", MALFORMED, ids=[m for _, m in MALFORMED])
def test_malformed_documents_are_rc404(body: object, message: str) -> None:
    with pytest.raises(InputError) as raised:
        Evaluator([body])
    assert (raised.value.diagnostic.code, raised.value.diagnostic.message) == ("RC404", message)


def test_an_error_points_at_the_statement() -> None:
    from redshift_iam.audit.locate import load_json
    from redshift_iam.core.source import Source
    text = '{"Version": "2012-10-17",\n "Statement": [\n   {"Effect": "Permit"}]}'
    body = load_json(Source("p.json", text))
    with pytest.raises(InputError) as raised:
        Evaluator([PolicyDoc("p.json", body, Location("p.json", 1, 1))])
    assert raised.value.diagnostic.location == Location("p.json", 3, 4)

"""Literal text that no value can make valid is an error while placeholders are still open
(docs/templates.md): the user learns it before giving values, and no value is asked for a
statement that cannot run."""

from __future__ import annotations

import re

import pytest

from tests.rendering import policy as policy_cli

ROLE = "arn:aws:iam::123456789012:role/R"
FROM = "COPY t FROM 's3://bkt1/{p}' "
CASES = {
    "a space in a CREDENTIALS string": (
        FROM + f"CREDENTIALS 'aws_iam_role={ROLE}; token={{x}}';",
        "t.sql:1:41: error RI110: the CREDENTIALS string must not contain spaces"),
    "a chain element that is no ARN": (
        FROM + f"IAM_ROLE '{ROLE[:-1]}{{r}},notarn';",
        "t.sql:1:74: error RI123: 'notarn' is not an IAM role ARN"),
    "a bracket in a role name": (
        FROM + f"IAM_ROLE '{ROLE}[{{x}}';",
        "t.sql:1:71: error RI123: '[' is in no IAM role ARN, whatever the placeholders hold"),
    "a space in a role chain": (
        FROM + f"IAM_ROLE '{{r}}, {ROLE}';",
        "t.sql:1:43: error RI123: a role chain must not contain spaces"),
    "doc grammar [,...] after a role": (
        "COPY t FROM '{src}' IAM_ROLE '" + ROLE + "[,...]';",
        f"t.sql:1:31: error RI123: '{ROLE}[' is not an IAM role ARN"),
}


@pytest.mark.parametrize(("sql", "first"), CASES.values(), ids=CASES.keys())
def test_an_error_before_any_value(tmp_path, sql, first):
    run = policy_cli(tmp_path, "t.sql", sql)
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr.splitlines()[0] == first


OPEN = {
    "a whole chain": FROM + "IAM_ROLE '{roles}';",
    "an account and a name": FROM + f"IAM_ROLE 'arn:aws:iam::{{a}}:role/{{n}},{ROLE}';",
    "a name with a path": FROM + "IAM_ROLE 'arn:aws:iam::123456789012:role/etl/{env}-loader';",
}


@pytest.mark.parametrize("sql", OPEN.values(), ids=OPEN.keys())
def test_a_chain_some_value_makes_valid_stays_unresolved(tmp_path, sql):
    run = policy_cli(tmp_path, "t.sql", sql)
    codes = re.findall(r": (?:unresolved|error) (R[IW]\d+):", run.stderr)
    assert (run.code, set(codes)) == (1, {"RI146"}), run.stderr

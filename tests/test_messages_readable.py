"""No internal character reaches a message: the sentinels and markers the templating stage
writes into rendered text read as words in every message, hint, JSON and skip reason."""

from __future__ import annotations

import pytest

from redshift_iam.core.diagnostics import Diagnostic, readable_text


@pytest.mark.parametrize(("text", "shown"), [
    ("unknown COPY option \ue0003\ue001", "unknown COPY option a placeholder"),
    ("'\ue0000\ue001\ue0001\ue001' is not a bucket",
     "'a placeholdera placeholder' is not a bucket"),
    ("in \ue004cfg.bucket\ue005/k", "in cfg.bucket/k"),
    ("\ue002key\ue006" + "sales/\ue004ds\ue005/".encode().hex() + "\ue003", "sales/ds/"),
    ("stray \ue00f mark", "stray  mark"),
    ("plain text", "plain text"),
])
def test_internal_characters_read_as_words(text, shown):
    assert readable_text(text) == shown


def test_every_form_of_a_diagnostic_is_readable():
    found = Diagnostic("RI111", "unknown COPY option \ue0003\ue001", fix="drop \ue0003\ue001")
    assert found.render() == ("error RI111: unknown COPY option a placeholder\n"
                              "    hint: drop a placeholder")
    assert found.as_json()["message"] == "unknown COPY option a placeholder"
    assert not any("\ue000" <= char <= "\ue00f" for char in str(found.as_json()))


@pytest.mark.parametrize(("sql", "first"), [
    # one placeholder before FROM is the column list; two are not
    ("COPY {t} {cols} {more} FROM 's3://bkt/k' IAM_ROLE 'arn:aws:iam::123456789012:role/R';",
     "<stdin>:1:10: error RI110: expected FROM, found placeholder '{cols}'"),
    ("UNLOAD {{ query }} TO 's3://bkt/k' IAM_ROLE 'arn:aws:iam::123456789012:role/R';",
     "<stdin>:1:8: error RI110: expected '(', found placeholder '{{ query }}'"),
])
def test_a_token_that_is_a_placeholder_is_named_as_written(sql, first):
    from click.testing import CliRunner

    from redshift_iam.cli.main import main

    result = CliRunner().invoke(main, ["policy"], input=sql)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == first
    assert "\\ue0" not in result.stderr and "\ue000" not in result.stderr

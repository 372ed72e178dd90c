"""Lexer and splitter: opaque strings, identifiers, comments and bodies; positions; errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.source import Source
from redshift_iam.sql.lexer import Segment, _split_reference, split
from redshift_iam.sql.tokens import tokens
from tests.helpers import examples


def statements(text: str) -> list[str]:
    source = Source("t.sql", text)
    return [text[s.start:s.end].strip() for s in split(source)]


def toks(text: str) -> list[tuple[str, str, int, int]]:
    source = Source("t.sql", text)
    return [(t.kind, t.value, t.line, t.col) for t in tokens(source, Segment(0, len(text)))]


@pytest.mark.parametrize("text, expected", [
    ("select 1; select 2;", ["select 1", "select 2"]),
    ("select ';'; x", ["select ';'", "x"]),
    ("copy t from 's3://a/b' delimiter ';'; y", ["copy t from 's3://a/b' delimiter ';'", "y"]),
    ("select 'it''s; fine'; z", ["select 'it''s; fine'", "z"]),
    ("select 'it\\'s; fine'; z", ["select 'it\\'s; fine'", "z"]),
    ('select "a;b" from t; z', ['select "a;b" from t', "z"]),
    ("select 1 -- a; comment\n; z", ["select 1 -- a; comment", "z"]),
    ("select /* a; b */ 1; z", ["select /* a; b */ 1", "z"]),
    ("create function f() as $$ a; b $$ language sql; z",
     ["create function f() as $$ a; b $$ language sql", "z"]),
    ("create function f() as $body$ a; $$ b; $body$ language sql; z",
     ["create function f() as $body$ a; $$ b; $body$ language sql", "z"]),
    (";;  ;\n;", []),
    # a psql meta-command line ends a statement and is not one itself
    ("select 1\n\\set ON_ERROR_STOP on\ncopy t from 's3://a/b'",
     ["select 1", "copy t from 's3://a/b'"]),
])
def test_split(text: str, expected: list[str]) -> None:
    assert statements(text) == expected


def test_tokens_keep_positions_and_unescape() -> None:
    text = "copy t\n  from 'it''s' -- c\n IAM_ROLE \"Q\"\"x\" e'\\'' $t$ a $t$ 12.5 ::"
    assert toks(text) == [
        ("word", "copy", 1, 1), ("word", "t", 1, 6), ("word", "from", 2, 3),
        ("string", "it's", 2, 8), ("word", "IAM_ROLE", 3, 2), ("qident", 'Q"x', 3, 11),
        ("string", "'", 3, 18), ("dollar", " a ", 3, 24), ("number", "12.5", 3, 34),
        ("op", "::", 3, 39),
    ]


@pytest.mark.parametrize("text, kind", [
    ("{{ bucket }}", "placeholder"), ("{% if x %}", "placeholder"), ("${BUCKET}", "placeholder"),
    ("{}", "placeholder"), ("{name}", "placeholder"), ("%s", "placeholder"),
    ("%(name)s", "placeholder"), (":var", "placeholder"), (":'var'", "placeholder"),
])
def test_placeholders_are_typed_tokens(text: str, kind: str) -> None:
    assert toks(f"copy {text} x") == [("word", "copy", 1, 1), (kind, text, 1, 6),
                                      ("word", "x", 1, 7 + len(text))]


@pytest.mark.parametrize("text, code, message, col", [
    ("select 'abc", "RI101", "unterminated string", 8),
    ("select 'abc''", "RI101", "unterminated string", 8),
    ('select "abc', "RI102", "unterminated quoted identifier", 8),
    ("select /* abc", "RI103", "unterminated block comment", 8),
    ("select $$ abc", "RI104", "unterminated dollar-quoted body", 8),
    ("select $q$ abc $$", "RI104", "unterminated dollar-quoted body", 8),
])
def test_unterminated(text: str, code: str, message: str, col: int) -> None:
    with pytest.raises(InputError) as err:
        list(split(Source("t.sql", "select 1;\n" + text)))
    diagnostic = err.value.diagnostic
    assert (diagnostic.code, diagnostic.message, str(diagnostic.location)) == (
        code, message, f"t.sql:2:{col}")


def test_unterminated_string_is_redacted_in_snippet() -> None:
    with pytest.raises(InputError) as err:
        list(split(Source("t.sql", "copy t from 's3://a/b' secret_access_key 'wJalr")))
    assert "wJalr" not in err.value.diagnostic.render()
    assert err.value.diagnostic.snippet.splitlines()[0] == "    1 | copy t from 's3://a/b' ****"
    with pytest.raises(InputError) as err:
        list(split(Source("t.sql", "copy t from 's3://a/b' master_symmetric_key 'k3y' x '|;")))
    assert "k3y" not in err.value.diagnostic.render()
    with pytest.raises(InputError) as err:
        list(split(Source("t.sql", "select 1; copy t from 's3://a/b;")))
    assert err.value.diagnostic.snippet.splitlines()[0] == "    1 | select 1; copy t from '****"


def test_location_of_offsets() -> None:
    source = Source("f.sql", "ab\ncd\n\nef")
    assert [str(source.location(i)) for i in (0, 1, 3, 6, 7, 8)] == [
        "f.sql:1:1", "f.sql:1:2", "f.sql:2:1", "f.sql:3:1", "f.sql:4:1", "f.sql:4:2"]


FRAGMENTS = [";", "'", "''", "\\", "\\'", '"', '""', "--", "\n", "/*", "*/", "$$", "$a$", "$",
             "-", "/", "x", " ", "E'", "\n\\set v 1\n", "\t", "é"]


def _outcome(splitter, source: Source):
    try:
        return [(s.start, s.end) for s in splitter(source)]
    except InputError as exc:
        return exc.diagnostic.render()


@settings(max_examples=examples(15), deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_fast_split_equals_the_reference_scanner(parts: list[str]) -> None:
    source = Source("t.sql", "".join(parts))
    assert _outcome(split, source) == _outcome(_reference_statements, source)


def _reference_statements(source: Source) -> list[Segment]:
    """The reference scanner's segments less the comment-only ones, which split() skips."""
    return [s for s in _split_reference(source, 0) if next(tokens(source, s), None)]

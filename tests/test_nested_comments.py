"""Block comments nest, as in PostgreSQL and psql: `/* a /* b */ c */` is one comment.

https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-COMMENTS
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.source import Source
from redshift_iam.sql.lexer import Segment, block_end, split
from redshift_iam.sql.reader import read_script
from redshift_iam.sql.tokens import tokens
from tests.helpers import ROLE, examples, run
from tests.iam_eval import allowed

UNLOAD = f"UNLOAD ('select 1') TO 's3://out-bkt/x/' IAM_ROLE '{ROLE}' CLEANPATH;"
COPY = f"COPY t FROM 's3://in-bkt/d/' IAM_ROLE '{ROLE}';"


def statements(text: str) -> list[str]:
    return [text[s.start:s.end].strip() for s in split(Source("t.sql", text))]


def documents(sql: str) -> list[dict]:
    analysis = run(sql)
    assert [d.render() for d in analysis.diagnostics] == []
    return [doc.as_json() for report in analysis.reports for doc in report.policies]


@pytest.mark.parametrize("text, expected", [
    ("/* a /* b */ c", None),
    ("/* a /* b */ c */ x", 17),
    ("/**/", 4),
    ("/*/ x */", 8),  # the opener's star does not start a closer
    ("/* a **/", 8),
    ("/* /* /* */ */ */", 17),
    ("/*/*/", None),  # two openers, one closer
    ("/* a */ */", 7),
])
def test_block_end_counts_openers_and_closers(text: str, expected: int | None) -> None:
    assert block_end(text, 0) == expected


@pytest.mark.parametrize("text, expected", [
    # the example: the UNLOAD and its semicolon are inside the outer comment
    (f"/* old /* note */ {UNLOAD} */ select 1;", ["/* old /* note */ " + UNLOAD + " */ select 1"]),
    ("select /* a /* b; */ c; */ 1; select 2", ["select /* a /* b; */ c; */ 1", "select 2"]),
    ("/* a /* b */ */; select 1", ["select 1"]),  # a comment-only statement is skipped
    ("select 1 /* x /* y */ z */\n\\set a b\nselect 2", ["select 1 /* x /* y */ z */",
                                                         "select 2"]),
    ("/* \\i x.sql /* */ */ select 3", ["/* \\i x.sql /* */ */ select 3"]),
    ("select '/*'; select 4 /* a */; /* */ select 5",
     ["select '/*'", "select 4 /* a */", "/* */ select 5"]),
    ("select 1 -- /* not a comment opener\n; select 2", ["select 1 -- /* not a comment opener",
                                                         "select 2"]),
])
def test_split_steps_over_nested_comments(text: str, expected: list[str]) -> None:
    assert statements(text) == expected


def test_tokens_skip_a_nested_comment_and_keep_positions() -> None:
    text = "copy /* a\n /* b */\n c */ t -- x\n from 's'"
    source = Source("t.sql", text)
    assert [(t.text, t.line, t.col) for t in tokens(source, Segment(0, len(text)))] == [
        ("copy", 1, 1), ("t", 3, 7), ("from", 4, 2), ("'s'", 4, 7)]


def test_the_commented_unload_grants_nothing_and_its_neighbour_is_read() -> None:
    docs = documents(f"/* old /* note */ {UNLOAD} */\n{COPY}")
    assert allowed(docs, "s3:GetObject", "arn:aws:s3:::in-bkt/d/part-0")
    assert allowed(docs, "s3:ListBucket", "arn:aws:s3:::in-bkt", {"s3:prefix": "d/"})
    for action in ("s3:PutObject", "s3:DeleteObject", "s3:GetObject"):
        assert not allowed(docs, action, "arn:aws:s3:::out-bkt/x/000")
    assert not allowed(docs, "s3:ListBucket", "arn:aws:s3:::out-bkt", {"s3:prefix": "x/"})


@pytest.mark.parametrize("sql", [
    f"/* a /* b */ {COPY} */ select 1;",  # the COPY is inside the outer comment
    f"/* /* /* */ */ {COPY} */ select 1;",  # three deep
    f"/*/* x */ {COPY} */ select 1;",  # an opener right after the opener
    f"select 1 /* a /* b */ {COPY} */;",  # after a statement's first word
])
def test_statements_inside_a_nested_comment_are_not_read(sql: str) -> None:
    analysis = run(sql)
    assert (analysis.script.statements, analysis.script.skipped) == ((), 1)
    assert analysis.diagnostics == ()


@pytest.mark.parametrize("sql, line, col", [
    (f"/* a /* b */ c */ {COPY}", 1, 19),  # the first word after the comment
    (f"COPY /* a /* b */ c */ t FROM 's3://in-bkt/d/' IAM_ROLE '{ROLE}';", 1, 1),
    (f"/* a\n/* b */ c */\n{COPY}", 3, 1),
])
def test_a_statement_after_or_around_a_nested_comment_is_read(sql: str, line: int,
                                                              col: int) -> None:
    (statement,) = run(sql).script.statements
    assert (statement.loc.line, statement.loc.col, statement.table) == (line, col, "t")


def test_create_library_head_with_nested_comments_is_read() -> None:
    sql = (f"CREATE /* a /* b */ c */ OR /**/ REPLACE /* /* */ */ LIBRARY f LANGUAGE plpythonu "
           f"FROM 's3://lib-bkt/f.zip' IAM_ROLE '{ROLE}';")
    docs = documents(sql)
    assert allowed(docs, "s3:GetObject", "arn:aws:s3:::lib-bkt/f.zip")
    assert not allowed(docs, "s3:GetObject", "arn:aws:s3:::lib-bkt/g.zip")


@pytest.mark.parametrize("text, col", [
    ("select 1; /* a /* b */ c", 11),  # the outermost opener, not the inner one
    ("select 1 /* a /* b */ c", 10),
    ("/* x */ /* a /* b /* c */ */", 9),
])
def test_an_unterminated_nested_comment_is_ri103_at_the_outermost_opener(text: str,
                                                                         col: int) -> None:
    with pytest.raises(InputError) as caught:
        list(split(Source("t.sql", text)))
    assert caught.value.diagnostic.code == "RI103"
    assert caught.value.diagnostic.location.col == col
    script = read_script([Source("t.sql", text)])
    assert [(d.code, d.location.col) for d in script.diagnostics] == [("RI103", col)]


def test_an_unterminated_nested_comment_hides_a_secret_in_its_snippet() -> None:
    text = "copy t from 's3://b/k' secret_access_key 'wJalr' /* a /* b */"
    with pytest.raises(InputError) as caught:
        list(split(Source("t.sql", text)))
    assert caught.value.diagnostic.snippet == (
        "    1 | copy t from 's3://b/k' secret_access_key '****' /* a /* b */\n"
        "      |                                                 ^")


def test_a_string_left_open_after_a_nested_comment_is_ri101() -> None:
    script = read_script([Source("t.sql", "select /* a /* b */ */ 'x")])
    assert [(d.code, str(d.location)) for d in script.diagnostics] == [("RI101", "t.sql:1:24")]


_CHUNKS = st.sampled_from([COPY, UNLOAD, "select 1;", "/* c */", "/*", "*/", "'", "$$", "\n",
                           "-- x\n", " ", "\\set a 1\n"])


@settings(max_examples=examples(2), deadline=None)
@given(st.lists(_CHUNKS, max_size=12), st.integers(min_value=1, max_value=3))
def test_any_script_wrapped_in_a_nested_comment_yields_no_statement(chunks, depth) -> None:
    body = "".join(chunks)
    if block_end("/*" + body + "*/", 0) != len(body) + 4:
        return  # the body closes the wrapper itself, or leaves it open
    text = "/* " * depth + "/* */ " + body + " */" * depth
    if block_end(text, 0) != len(text):
        return
    assert statements(text) == []
    script = read_script([Source("t.sql", text)])
    assert (script.statements, script.skipped, script.diagnostics) == ((), 0, ())

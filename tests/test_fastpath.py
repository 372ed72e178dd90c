"""The COPY/UNLOAD shortcut (redshift_iam/sql/fastpath.py) against the full parser.

The one property that matters: whenever the shortcut accepts a statement, the parser reads
it to exactly the same value (locations included) with no warning and no error. Declining is
always allowed; the tests below also pin what it must decline, and show on the benchmark's
own workload that it accepts what it is for.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.core.diagnostics import InputError, Location
from redshift_iam.core.source import Source
from redshift_iam.core.statements import AuthKind, Authorization, Copy, CopyMode, S3Path, Text
from redshift_iam.sql.fastpath import read_fast
from redshift_iam.sql.lexer import scan, segment_of
from redshift_iam.sql.reader import read_statement
from tests.test_fuzz import (
    BUCKET,
    GRAMMAR,
    REGIONS,
    Statement,
    cased,
    copy_format,
    copy_options,
    copy_statement,
    join_options,
    kw,
    lit,
    maybe_as,
    punct,
    rendered,
    string_tok,
    unload_statement,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import workload  # noqa: E402

from tests.helpers import examples

ROLE = "arn:aws:iam::123456789012:role/Loader"


def both(text: str):
    """(shortcut's value or None, parser's value or its error code, parser's warnings) of the
    one statement in ``text``."""
    source = Source("t.sql", text)
    match = next(scan(source))
    segment = segment_of(match)
    fast = read_fast(source, match.start(2), segment.end) if match.start(2) >= 0 else None
    try:
        slow, warnings = read_statement(source, segment)  # no word offset: the parser reads it
    except InputError as exc:
        return fast, exc.diagnostic.code, []
    return fast, slow, [w.code for w in warnings]


def assert_agrees(text: str) -> bool:
    """The property; True when the shortcut accepted."""
    fast, slow, warnings = both(text)
    if fast is not None:
        assert (slow, warnings) == (fast, []), text
    return fast is not None


@st.composite
def plain(draw, statement: Statement) -> str:
    """The statement as scripts usually write it: one space or newline between tokens (none
    around punctuation, sometimes), keywords in any case."""
    out, previous = [], None
    for token in statement:
        if previous is not None:
            loose = "punct" in (previous.kind, token.kind)
            out.append(draw(st.sampled_from(["", " "] if loose else [" ", "\n", "  "])))
        out.append(draw(cased(token.text)) if token.kind == "kw" else token.text)
        previous = token
    return "".join(out) + draw(st.sampled_from([";", " ;", "\n;", ""]))


SAFE_KEY = st.text(alphabet="abcxyz019/=_-.", max_size=30)
PLAIN_ROLE = st.sampled_from([ROLE, "arn:aws-cn:iam::210987654321:role/etl/Nightly"])
QUERY = "'select * from t where d = ''x'''"


@st.composite
def plain_copy(draw) -> Statement:
    """A COPY from S3 with the options scripts use most, valid by construction."""
    groups = [kw("IAM_ROLE", "DEFAULT") if draw(st.integers(0, 4)) == 0
              else kw("IAM_ROLE") + lit(f"'{draw(PLAIN_ROLE)}'")]
    format_groups, fmt = draw(copy_format("s3"))
    groups += format_groups + draw(copy_options("s3", fmt))
    if draw(st.booleans()):
        groups.append(kw("MANIFEST"))
    head = kw("COPY") + lit(draw(st.sampled_from(["t", "sales.orders", "db.s.t"])))
    head += kw("FROM") + lit(f"'s3://{draw(BUCKET)}/{draw(SAFE_KEY)}'")
    return tuple(head + join_options(draw, draw(st.permutations(groups))))


@st.composite
def plain_unload(draw) -> Statement:
    """An UNLOAD to S3 with every option the shortcut reads, valid by construction."""
    groups = [kw("IAM_ROLE") + lit(f"'{draw(PLAIN_ROLE)}'")]
    makers = {
        "format": lambda: (kw("FORMAT") + maybe_as(draw) if draw(st.booleans()) else [])
        + kw(draw(st.sampled_from(["CSV", "PARQUET", "JSON"]))),
        "flags": lambda: kw(*draw(st.lists(st.sampled_from(
            ["HEADER", "ADDQUOTES", "ESCAPE", "GZIP", "CLEANPATH"]), unique=True, min_size=1))),
        "partition": lambda: kw("PARTITION", "BY") + punct("(") + lit("dt") + punct(",")
        + lit("region") + punct(")") + (kw("INCLUDE") if draw(st.booleans()) else []),
        "manifest": lambda: kw("MANIFEST") + (kw("VERBOSE") if draw(st.booleans()) else []),
        "size": lambda: kw(draw(st.sampled_from(["MAXFILESIZE", "ROWGROUPSIZE"])))
        + maybe_as(draw) + lit("64") + kw(*draw(st.sampled_from([[], ["MB"], ["GB"]]))),
        "region": lambda: kw("REGION") + maybe_as(draw) + draw(string_tok(draw(REGIONS))),
        "null": lambda: kw("NULL") + maybe_as(draw) + draw(string_tok("\\N")),
        "parallel": lambda: kw("PARALLEL", *draw(st.sampled_from([[], ["OFF"], ["TRUE"]]))),
        "extension": lambda: kw("EXTENSION") + maybe_as(draw) + lit("'csv.gz'"),
    }
    for name in draw(st.lists(st.sampled_from(sorted(makers)), unique=True, max_size=6)):
        groups.append(makers[name]())
    head = kw("UNLOAD") + punct("(") + lit(QUERY) + punct(")")
    head += kw("TO") + lit(f"'s3://{draw(BUCKET)}/{draw(SAFE_KEY)}'")
    return tuple(head + join_options(draw, draw(st.permutations(groups))))


STATEMENTS = st.one_of(copy_statement(), unload_statement(), plain_copy(), plain_unload())


@GRAMMAR
@given(statement=STATEMENTS, data=st.data())
def test_accepted_statements_read_exactly_as_the_parser_reads_them(statement, data) -> None:
    assert_agrees(data.draw(plain(statement)))


@settings(GRAMMAR, max_examples=examples(1.5))
@given(statement=STATEMENTS, data=st.data())
def test_comments_and_odd_white_space_are_declined_or_read_alike(statement, data) -> None:
    assert_agrees(data.draw(rendered([statement])))


def test_the_benchmark_workload_is_read_by_the_shortcut_alike() -> None:
    """Every COPY and UNLOAD of a 300 kB slice of the benchmark's workload is accepted, so the
    property tests above are not vacuous for the statements the shortcut is for."""
    source = Source("w.sql", workload.script(300_000))
    checked = 0
    for match in scan(source):
        if match.group("word").lower() in ("copy", "unload"):
            checked += 1
            segment = segment_of(match)
            fast = read_fast(source, match.start(2), segment.end)
            assert fast is not None and read_statement(source, segment) == (fast, []), (
                source.text[segment.start:segment.end])
    assert checked > 400


def test_an_accepted_copy_has_every_location() -> None:
    text = ("\n  COPY sales.orders\nFROM 's3://acme-data/orders/2024/'\n"
            f"iam_role '{ROLE}' FORMAT AS CSV REGION 'us-west-2' GZIP;")
    fast, slow, warnings = both(text)
    assert fast == slow and warnings == []
    assert fast == Copy(
        Location("t.sql", 2, 3), "sales.orders",
        S3Path("acme-data", "orders/2024/", Location("t.sql", 3, 6)), CopyMode.PREFIX,
        Authorization(AuthKind.ROLE, Location("t.sql", 4, 1),
                      roles=(Text(ROLE, Location("t.sql", 4, 11)),)),
        "CSV", None, Text("us-west-2", Location("t.sql", 4, 71)), False,
        ("IAM_ROLE", "FORMAT", "CSV", "REGION", "GZIP"), "")


@pytest.mark.parametrize("text", [
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' /* a comment */",
    f"copy t (a, b) from 's3://b-1/k/' iam_role '{ROLE}'",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE},{ROLE}'",  # a chain
    f"copy t from 's3://b-1/k/' credentials 'aws_iam_role={ROLE}'",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' encrypted master_symmetric_key 'x'",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' json 's3://b-1/paths.json'",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' ssh",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' gzip gzip",  # twice: RI112
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' csv json",  # two formats: RI113
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' csv quote '%'",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' manifest verbose",  # RI111
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' null '\\N'",  # COPY needs NULL AS
    f"copy t from 's3://b-1/k*' iam_role '{ROLE}'",  # RW206
    f"copy t from 's3://B_1/k/' iam_role '{ROLE}'",  # RI120
    f"copy t from 'dynamodb://tbl' iam_role '{ROLE}'",
    "copy t from 's3://b-1/k/' iam_role 'arn:aws:iam::0123456789012:role/R'",  # RW201
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' region 'moon-1'",  # RI122
    f"copy t from 's3://b-1/{{{{ k }}}}/' iam_role '{ROLE}'",  # RI121
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' format as",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' maxerror 1.5",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}', gzip",
    "copy t from 's3://b-1/k/' gzip",  # no authorization: RI115
    f"unload ('select 1') to 's3://b-1/u/' iam_role '{ROLE}' cleanpath allowoverwrite",
    f"unload ('select 1') to 's3://b-1/u/' iam_role '{ROLE}' encrypted auto",
    f"unload ('select 1') to 's3://b-1/u/' iam_role '{ROLE}' kms_key_id 'k' encrypted",
    f"unload ($$select 1$$) to 's3://b-1/u/' iam_role '{ROLE}'",
    f"unload ('select 1') to 's3://b-1/u/' iam_role '{ROLE}' partition by (\"dt\")",
])
def test_declined(text: str) -> None:
    fast, _, _ = both(text)
    assert fast is None


@pytest.mark.parametrize("text", [
    "COPY t FROM 's3://b-1/k/' IAM_ROLE default DELIMITER '\\t' NULL AS '\\\\N' ESCAPE",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' manifest json 'auto ignorecase' maxerror as 5",
    f"copy t from 's3://b-1/k/' iam_role '{ROLE}' encoding as utf8 compupdate off statupdate",
    f"unload ('select ''a''') to 's3://b-1/u/' iam_role '{ROLE}' partition by (a, b) include "
    "manifest verbose maxfilesize 5 gb cleanpath parallel off extension 'csv.gz' null 'x'",
])
def test_accepted(text: str) -> None:
    assert assert_agrees(text)


HEAD_WORDS = st.sampled_from(["create", "CREATE", "or", "Or", "replace", "library", "LIBRARY",
                              "external", "model", "table", "function", "_x", "1", "orx"])
HEAD_GAPS = st.sampled_from([" ", "\n", "  ", "\t", " /* c */ ", "--c\n", ""])


@settings(max_examples=examples(5), deadline=None)
@given(st.lists(st.tuples(HEAD_GAPS, HEAD_WORDS), min_size=1, max_size=6))
def test_the_plain_create_shortcut_only_skips_what_the_classifier_skips(parts) -> None:
    """The reader counts a CREATE statement without reading it when _PLAIN_CREATE matches;
    the full classifier must then agree that it touches nothing."""
    from redshift_iam.sql.classify import statement_kind
    from redshift_iam.sql.lexer import Segment
    from redshift_iam.sql.reader import _PLAIN_CREATE
    text = "create " + "".join(gap + word for gap, word in parts)
    if _PLAIN_CREATE.match(text):
        assert statement_kind(Source("t.sql", text), Segment(0, len(text))) is None, text

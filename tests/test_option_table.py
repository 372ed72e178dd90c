"""The option table as the one source of option knowledge for the parser and the shortcut.

Every row is either read by the shortcut, with a pattern derived from its shape alone, or
marked parser-only with a reason; every shape is one the parser reads. The shortcut's value
equals the parser's for each fast-readable option of each command, in every argument form
the shape allows, and the shortcut declines every parser-only option, the conflicts of
``CONFLICTS`` and the keys ``key_warnings`` warns about.
"""

from __future__ import annotations

import pytest

from redshift_iam.core.diagnostics import Location
from redshift_iam.core.statements import Unload
from redshift_iam.sql.fastpath import FAST_ARGS, _conflicts, _scanner, _unsupported, fast_options
from redshift_iam.sql.grammar.option_list import _SPECIAL, PLAIN_SHAPES
from redshift_iam.sql.grammar.option_table import (
    ACCESS,
    CONFLICTS,
    COPY,
    NESTED,
    OPTIONS,
    SECRET,
    UNLOAD,
    UNSUPPORTED_BY_SOURCE,
)
from tests.test_fastpath import ROLE, both

HEADS = {COPY: "copy t from 's3://b-1/k/'", UNLOAD: "unload ('select 1') to 's3://b-1/u/'"}
# Every argument form of each shape the shortcut reads (what follows the keyword).
FORMS = {
    "flag": [""], "csv": [""], "number": [" 5", " as 5"],
    "size": [" 64", " as 64 mb", " 1 GB"], "switch": ["", " off", " ON", " true", " preset"],
    "word": [" utf8", " as 'csv.gz'"], "string": [" 'x'", " as 'a:1'"],
    "string?": ["", " '|'", " as '\\t'"], "region": [" 'us-west-2'", " as 'eu-central-1'"],
    "jsonpaths": ["", " 'auto'", " as 'AUTO IGNORECASE'", " 'noshred'"],
    "verbose": ["", " verbose"], "null_as": [" as '\\\\N'"], "null": [" 'x'", " as ''"],
    "partition": [" by (a)", " by (a, b) include"], "format": [],
}
PARSER_ONLY = {
    "CREDENTIALS": SECRET, "WITH": SECRET, "SECRET_ACCESS_KEY": SECRET, "SESSION_TOKEN": SECRET,
    "TOKEN": SECRET, "MASTER_SYMMETRIC_KEY": SECRET, "ACCESS_KEY_ID": ACCESS, "ENCRYPTED": ACCESS,
    "KMS_KEY_ID": ACCESS, "SSH": ACCESS, "READRATIO": ACCESS, "SHAPEFILE": ACCESS, "JOB": ACCESS,
    "QUOTE": NESTED,
}


def test_every_row_is_fast_readable_by_its_shape_or_parser_only_with_a_reason() -> None:
    for name, option in OPTIONS.items():
        assert option.commands == frozenset(option.shapes), name
        assert option.parser_only in ("", SECRET, ACCESS, NESTED), name
        if not option.parser_only:
            for command in option.commands & {COPY, UNLOAD}:
                assert option.shapes[command] in FAST_ARGS or (
                    option.shapes[command] == "format"), (name, command)
    assert {n: o.parser_only for n, o in OPTIONS.items() if o.parser_only} == PARSER_ONLY


def test_every_shape_is_read_by_the_parser_and_secrets_are_parser_only() -> None:
    shapes = {shape for option in OPTIONS.values() for shape in option.shapes.values()}
    assert shapes <= PLAIN_SHAPES | set(_SPECIAL) | {"with"}  # _read_one: WITH CREDENTIALS
    assert set(FAST_ARGS) <= shapes and set(FORMS) == (set(FAST_ARGS) | {"format"}) - {"iam_role"}
    for option in OPTIONS.values():
        if {"secret", "credentials", "with"} & set(option.shapes.values()):
            assert option.parser_only == SECRET, option.name


def test_the_shapes_that_differ_by_command_are_named() -> None:
    assert dict(OPTIONS["MANIFEST"].shapes) == {COPY: "flag", UNLOAD: "verbose"}
    assert dict(OPTIONS["JSON"].shapes) == {COPY: "jsonpaths", UNLOAD: "string?"}
    assert dict(OPTIONS["AVRO"].shapes) == {COPY: "jsonpaths"}
    assert dict(OPTIONS["NULL"].shapes) == {COPY: "null_as", UNLOAD: "null"}
    assert dict(OPTIONS["ENCRYPTED"].shapes) == {COPY: "flag", UNLOAD: "auto"}


def cases(command: str) -> list[str]:
    """The option text of every form of every fast-readable option of ``command``."""
    out = []
    for name, option in fast_options(command).items():
        if name == "IAM_ROLE":
            continue
        if option.shapes[command] == "format":
            formats = sorted(f for f in ("CSV", "JSON", "PARQUET", "AVRO", "ORC", "FIXEDWIDTH")
                             if f in fast_options(command))
            out += [f"format{gap}{f.lower()}{' ' + repr('a:1') if f == 'FIXEDWIDTH' else ''}"
                    for f in formats for gap in (" ", " as ")]
        out += [name.lower() + form for form in FORMS[option.shapes[command]]]
    return out


@pytest.mark.parametrize("command", [COPY, UNLOAD])
def test_each_fast_option_in_each_form_is_read_as_the_parser_reads_it(command) -> None:
    texts = cases(command)
    assert len(texts) > {COPY: 60, UNLOAD: 25}[command]
    head = HEADS[command]
    for option in texts:
        for role in (f"iam_role '{ROLE}'", "IAM_ROLE default"):
            for text in (f"{head} {role} {option};", f"{head} {option}\n{role}"):
                fast, slow, warnings = both(text)
                assert fast is not None and (slow, warnings) == (fast, []), text


@pytest.mark.parametrize("command", [COPY, UNLOAD])
def test_every_parser_only_option_is_declined(command) -> None:
    args = {"SSH": "", "ENCRYPTED": "", "SHAPEFILE": "", "JOB": " create j", "READRATIO": " 5",
            "WITH": " credentials 'aws_iam_role=x'"}
    names = [n for n, o in OPTIONS.items() if o.parser_only and command in o.commands]
    assert len(names) == {COPY: 13, UNLOAD: 9}[command]
    for name in names:
        text = f"{HEADS[command]} iam_role '{ROLE}' {name.lower()}{args.get(name, ' ' + repr('k'))}"
        assert both(text)[0] is None, text
    assert both(f"{HEADS[COPY]} iam_role '{ROLE}' csv quote as '%'")[0] is None  # NESTED


def test_conflicts_come_from_the_table() -> None:
    assert _conflicts(UNLOAD) == (("CLEANPATH", "ALLOWOVERWRITE"),) and _conflicts(COPY) == ()
    for command in (COPY, UNLOAD):
        readable = fast_options(command)
        for first, second, message in CONFLICTS:
            if first in readable and second in readable and first != "IAM_ROLE":
                text = f"{HEADS[command]} iam_role '{ROLE}' {second.lower()} {first.lower()}"
                fast, code, _ = both(text)
                assert (fast, code) == (None, "RI113"), message
    assert _unsupported("s3") == _unsupported("manifest") == frozenset()
    assert UNSUPPORTED_BY_SOURCE["s3"].isdisjoint(fast_options(COPY))


@pytest.mark.parametrize(("key", "code"), [("k*/", "RW206"), ("k?", "RW206"), (" k/", "RW207"),
                                           ("k/ ", "RW207")])
@pytest.mark.parametrize("command", [COPY, UNLOAD])
def test_keys_the_shared_check_warns_about_are_declined(command, key, code) -> None:
    text = f"{HEADS[command].replace('/k/', '/' + key).replace('/u/', '/' + key)} iam_role default"
    fast, slow, warnings = both(text)
    assert (fast, warnings) == (None, [code])


@pytest.mark.parametrize(("text", "code"), [
    (f"copy t from 's3://b-1/k/' iam_role '{ROLE}' manifest verbose", "RI111"),
    (f"copy t from 's3://b-1/k/' iam_role '{ROLE}' null 'x'", "RI110"),
    (f"copy t from 's3://b-1/k/' iam_role '{ROLE}' json 's3://b-1/paths.json'", None),
    (f"copy t from 's3://b-1/k/' iam_role '{ROLE}' avro 'x'", "RI110"),
])
def test_copy_shapes_decline_what_only_the_unload_shape_or_the_parser_reads(text, code) -> None:
    fast, slow, _ = both(text)
    assert fast is None
    assert (slow if isinstance(slow, str) else None) == code


def test_unload_reads_manifest_verbose_null_and_json_by_its_own_shapes() -> None:
    text = (f"unload ('select 1') to 's3://b-1/u/' iam_role '{ROLE}' manifest verbose null 'x'"
            " json")
    fast, slow, warnings = both(text)
    assert (slow, warnings) == (fast, [])
    assert fast == Unload(Location("t.sql", 1, 1), fast.target, fast.auth, None, False, False,
                          None, False, False, (), ("IAM_ROLE", "MANIFEST", "NULL", "JSON"))


def test_the_scanner_is_compiled_once_per_command() -> None:
    assert _scanner(COPY) is _scanner(COPY) and _scanner(UNLOAD) is not _scanner(COPY)

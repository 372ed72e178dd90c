"""psql includes: \\i and \\include (working directory), \\ir and \\include_relative (the
including script's folder), read in place with positions in the included file.

https://www.postgresql.org/docs/current/app-psql.html (Meta-Commands: \\i, \\ir)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.cli.main import main
from redshift_iam.core.source import Source
from redshift_iam.inputs.files import IncludeLoader, read_source
from redshift_iam.sql.reader import MAX_INCLUDE_DEPTH, MAX_INCLUDES, read_script
from tests.helpers import ROLE


def copy(table: str) -> str:
    return f"copy {table} from 's3://bkt/{table}/' iam_role '{ROLE}';\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write files under a fresh working directory: tree({"a.sql": "..."})."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    def write(files: dict[str, str | bytes]) -> Path:
        for name, text in files.items():
            path = work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text)
        return work
    return write


def read(*names: str, stdin: str | None = None):
    sources = [read_source(n) for n in names] or [Source("<stdin>", stdin or "")]
    return read_script(sources, IncludeLoader(Path.cwd()))


def where(script) -> list[tuple[str, int, str]]:
    return [(s.loc.file, s.loc.line, s.table) for s in script.statements]


def found(script) -> list[tuple[str, str, str]]:
    return [(d.code, str(d.location), d.message) for d in script.diagnostics]


def test_includes_are_read_in_place_in_order(tree) -> None:
    tree({"main.sql": copy("a") + "\\i lib/one.sql\n" + copy("e"),
          "lib/one.sql": copy("b") + "\\ir two.sql\n\\include_relative 'sub dir/three.sql'\n",
          "lib/two.sql": "\\include lib/four.sql\n" + copy("c"),
          "lib/four.sql": copy("c0"),
          "lib/sub dir/three.sql": "select 1;\n" + copy("d")})
    script = read("main.sql")
    assert where(script) == [
        ("main.sql", 1, "a"), ("lib/one.sql", 1, "b"), ("lib/four.sql", 1, "c0"),
        ("lib/two.sql", 2, "c"), ("lib/sub dir/three.sql", 2, "d"), ("main.sql", 3, "e")]
    assert (script.skipped, script.diagnostics) == (1, ())


def test_i_is_relative_to_the_working_directory_and_ir_to_the_script(tree) -> None:
    tree({"sql/main.sql": "\\i a.sql\n\\ir a.sql\n", "a.sql": copy("cwd"),
          "sql/a.sql": copy("script_dir")})
    assert where(read("sql/main.sql")) == [("a.sql", 1, "cwd"), ("sql/a.sql", 1, "script_dir")]


def test_an_include_ends_the_statement_before_it(tree) -> None:
    tree({"main.sql": f"copy t from 's3://bkt/t/' iam_role '{ROLE}'\n\\i x.sql\nselect 2;",
          "x.sql": copy("x")})
    script = read("main.sql")
    assert (where(script), script.skipped) == ([("main.sql", 1, "t"), ("x.sql", 1, "x")], 1)


def test_the_same_file_twice_is_read_twice(tree) -> None:
    tree({"main.sql": "\\i x.sql\n\\i ./x.sql\n", "x.sql": copy("x")})
    assert where(read("main.sql")) == [("x.sql", 1, "x"), ("./x.sql", 1, "x")]


@pytest.mark.parametrize("line, name", [
    ("\\i 'a b.sql'", "a b.sql"),
    ("\\i 'it''s.sql'", "it's.sql"),
    ("\\i 'tab\\there.sql'", "tab\there.sql"),
    ("\\i 'x\\101.sql'", "xA.sql"),
    ("\\i 'sp'ace'd.sql'", "spaced.sql"),  # pieces side by side are one name
    ("  \\i   plain.sql   extra", "plain.sql"),  # psql ignores an extra argument
    ("\\set v 1 \\i plain.sql", "plain.sql"),  # a second command on the line
    ("\\i plain.sql\\set v 1", "plain.sql"),
    ("\\i a:1.sql", "a:1.sql"),  # a colon not before a name is text
    ("\\echo hi \\i plain.sql", "plain.sql"),  # psql runs it too
])
def test_file_names_are_read_as_psql_reads_them(tree, line: str, name: str) -> None:
    tree({"main.sql": "select 1;\n" + line + "\n", name: copy("t")})
    script = read("main.sql")
    assert (found(script), where(script)) == ([], [(name, 1, "t")])


@pytest.mark.parametrize("text", [
    "/*\n\\i x.sql\n*/ select 1;",
    "select '\n\\i x.sql\n';",
    "select $$\n\\i x.sql\n$$;",
    "-- \\i x.sql\nselect 1;",
    "\\echo '\\i x.sql' is only echoed\nselect 1;",
    "\\set x.sql 1\n\\if true\n\\endif\nselect 1;",
])
def test_text_that_is_no_include_command_reads_nothing(tree, text: str) -> None:
    tree({"main.sql": text, "x.sql": copy("x")})
    script = read("main.sql")
    assert (script.statements, script.skipped, script.diagnostics) == ((), 1, ())


def test_diagnostics_point_into_the_included_file(tree) -> None:
    tree({"main.sql": "select 1;\n\\i inc.sql\n",
          "inc.sql": "select 2;\ncopy t from 's3://bkt/k' iam_role 'arn:x' bogus;\n"})
    (diagnostic,) = read("main.sql").diagnostics
    assert (diagnostic.code, str(diagnostic.location)) == ("RI123", "inc.sql:2:36")
    assert diagnostic.snippet.startswith("    2 | copy t from")


def test_an_included_file_that_is_not_utf8_is_ri105_in_that_file(tree) -> None:
    tree({"main.sql": "\\i bad.sql\n", "bad.sql": b"select 1;\n\xff"})
    assert found(read("main.sql")) == [
        ("RI105", "bad.sql:2:1", "byte 0xff at offset 10 is not UTF-8")]


def test_an_unclosed_string_in_an_include_stops_that_file_only(tree) -> None:
    tree({"main.sql": "\\i bad.sql\n" + copy("after"), "bad.sql": copy("lost") + "select 'x"})
    script = read("main.sql")
    assert found(script) == [("RI101", "bad.sql:2:8", "unterminated string")]
    assert where(script) == [("main.sql", 2, "after")]


@pytest.mark.parametrize("files, diagnostics", [
    ({"main.sql": "select 1;\n  \\i missing.sql\n"},
     [("RI100", "main.sql:2:3", "cannot include missing.sql: no such file")]),
    ({"main.sql": "\\ir lib\n", "lib/x.sql": ""},
     [("RI100", "main.sql:1:1", "cannot include lib: a directory, not a regular file")]),
    ({"main.sql": "\\i main.sql\n"},
     [("RI106", "main.sql:1:1", "include cycle: main.sql -> main.sql")]),
    ({"main.sql": "\\i a.sql\n", "a.sql": "\\ir b/b.sql\n", "b/b.sql": "\\i a.sql\n"},
     [("RI106", "b/b.sql:1:1", "include cycle: main.sql -> a.sql -> b/b.sql -> a.sql")]),
    ({"main.sql": "\\i\n"}, [("RI108", "main.sql:1:1", "\\i needs a file name")]),
    ({"main.sql": "\\i :dir/x.sql\n"},
     [("RI108", "main.sql:1:4", "cannot follow \\i: the file name holds a psql variable "
                                "(\\set values are not expanded yet)")]),
    ({"main.sql": "\\ir `ls`\n"},
     [("RI108", "main.sql:1:5", "cannot follow \\ir: the file name holds a backquoted "
                                "command (psql would run it)")]),
    ({"main.sql": '\\i "x.sql"\n'},
     [("RI108", "main.sql:1:4", "cannot follow \\i: the file name holds double quotes "
                                "(psql keeps them as part of the name)")]),
    ({"main.sql": "\\i 'x.sql\n"},
     [("RI108", "main.sql:1:4", "cannot follow \\i: the file name holds an unterminated "
                                "quote")]),
])
def test_include_errors_are_located_at_the_include(tree, files, diagnostics) -> None:
    tree(files)
    script = read("main.sql")
    assert (found(script), script.statements) == (diagnostics, ())


def test_an_error_in_one_include_leaves_the_others_read(tree) -> None:
    tree({"main.sql": "\\i missing.sql\n\\i x.sql\n", "x.sql": copy("x")})
    script = read("main.sql")
    assert [d.code for d in script.diagnostics] == ["RI100"]
    assert where(script) == [("x.sql", 1, "x")]


def test_files_outside_both_folders_are_refused_unread(tree, tmp_path: Path) -> None:
    (tmp_path / "secret.sql").write_text(copy("outside"))
    work = tree({"main.sql": "\\i ../secret.sql\n\\i " + str(tmp_path / "secret.sql") + "\n"
                 + "\\i link.sql\n\\ir ../work/../secret.sql\n"})
    os.symlink(tmp_path / "secret.sql", work / "link.sql")
    script = read("main.sql")
    outside = f"it resolves to {tmp_path / 'secret.sql'}, outside {work}"
    assert found(script) == [
        ("RI107", "main.sql:1:1", f"cannot include ../secret.sql: {outside}"),
        ("RI107", "main.sql:2:1", f"cannot include {tmp_path / 'secret.sql'}: {outside}"),
        ("RI107", "main.sql:3:1", f"cannot include link.sql: {outside}"),
        ("RI107", "main.sql:4:1", f"cannot include ../work/../secret.sql: {outside}")]
    assert script.statements == ()


def test_the_top_scripts_folder_and_links_inside_are_allowed(tree, tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    (scripts / "lib").mkdir(parents=True)
    (scripts / "lib" / "x.sql").write_text(copy("x"))
    (scripts / "main.sql").write_text("\\ir lib/x.sql\n\\ir ../scripts/lib/y.sql\n"
                                      "\\i " + str(scripts / "lib" / "x.sql") + "\n")
    os.symlink(scripts / "lib" / "x.sql", scripts / "lib" / "y.sql")
    tree({})
    top = str(scripts / "main.sql")
    script = read_script([read_source(top)], IncludeLoader(Path.cwd()))
    assert found(script) == []
    assert where(script) == [(str(scripts / "lib/x.sql"), 1, "x"),
                             (str(scripts / "../scripts/lib/y.sql"), 1, "x"),
                             (str(scripts / "lib" / "x.sql"), 1, "x")]


def test_standard_input_resolves_ir_against_the_working_directory(tree) -> None:
    tree({"x.sql": copy("x"), "lib/y.sql": copy("y")})
    script = read(stdin="\\ir x.sql\n\\ir lib/y.sql\n")
    assert (found(script), where(script)) == ([], [("x.sql", 1, "x"), ("lib/y.sql", 1, "y")])


def test_without_a_loader_an_include_is_an_error() -> None:
    script = read_script([Source("t.sql", "\\i x.sql\n" + copy("t"))])
    assert found(script) == [
        ("RI100", "t.sql:1:1", "cannot include x.sql: this reader was given no file loader")]
    assert [s.table for s in script.statements] == ["t"]


def test_nesting_deeper_than_the_limit_is_ri106(tree) -> None:
    files = {f"f{n}.sql": f"\\i f{n + 1}.sql\n" for n in range(MAX_INCLUDE_DEPTH + 2)}
    tree(files)
    assert found(read("f0.sql")) == [
        ("RI106", f"f{MAX_INCLUDE_DEPTH}.sql:1:1",
         f"more than {MAX_INCLUDE_DEPTH} nested includes")]


def test_more_includes_than_the_limit_is_ri106(tree) -> None:
    tree({"main.sql": "\\i e.sql\n" * (MAX_INCLUDES + 2), "e.sql": "select 1;"})
    script = read("main.sql")
    assert found(script) == [
        ("RI106", f"main.sql:{line}:1", f"more than {MAX_INCLUDES} includes")
        for line in (MAX_INCLUDES + 1, MAX_INCLUDES + 2)]
    assert script.skipped == MAX_INCLUDES


# --- the command line ---------------------------------------------------------------------

def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def test_cli_policy_covers_the_included_statements(tree) -> None:
    tree({"main.sql": copy("a") + "\\ir lib/b.sql\n", "lib/b.sql": copy("b")})
    result = invoke("policy", "main.sql")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["Statement"][0]["Resource"] == [
        "arn:aws:s3:::bkt/a/*", "arn:aws:s3:::bkt/b/*"]


def test_cli_missing_include_exits_1_with_the_including_line(tree) -> None:
    tree({"main.sql": copy("a") + "\\i nope.sql\n"})
    result = invoke("policy", "main.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "main.sql:2:1: error RI100: cannot include nope.sql: no such file\n"
        "    2 | \\i nope.sql\n"
        "      | ^\n"
        "    hint: check the path and that it is a readable text file\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_cli_cycle_exits_1_naming_the_chain(tree) -> None:
    tree({"main.sql": "\\i a.sql\n", "a.sql": "select 1;\n\\i main.sql\n"})
    result = invoke("generate", "main.sql")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "a.sql:2:1: error RI106: include cycle: main.sql -> a.sql -> main.sql\n"
        "    2 | \\i main.sql\n"
        "      | ^\n"
        "    hint: remove the \\i that includes a file already being read; includes nest at "
        "most 32 deep and read at most 1000 files\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_cli_outside_include_exits_1_and_reads_nothing(tree, tmp_path: Path) -> None:
    (tmp_path / "x.sql").write_text(copy("x"))
    work = tree({})
    result = invoke("policy", stdin="\\ir ../x.sql\n")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"<stdin>:1:1: error RI107: cannot include ../x.sql: it resolves to "
        f"{tmp_path / 'x.sql'}, outside {work}\n"
        "    1 | \\ir ../x.sql\n"
        "      | ^\n"
        "    hint: keep included files inside the working directory or the top-level "
        "script's folder\n"
        "redshift-iam: 1 problem(s); no document written\n")


def test_cli_explain_names_the_included_file_and_line(tree) -> None:
    tree({"main.sql": "\\i inc.sql\n", "inc.sql": "select 1;\n" + copy("t")})
    result = invoke("explain", "main.sql")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("inc.sql:2  COPY s3  t <- s3://bkt/t/\n")


def test_an_include_after_a_nested_comment_is_read(tree) -> None:
    tree({"main.sql": "select 1 /* a /* b */ c */\n\\i x.sql\n/* \\i y.sql /* */ */",
          "x.sql": copy("x")})
    script = read("main.sql")
    assert (found(script), where(script), script.skipped) == ([], [("x.sql", 1, "x")], 1)


def test_each_include_of_a_line_fails_or_succeeds_on_its_own(tree) -> None:
    tree({"main.sql": "\\i missing.sql \\i x.sql\n", "x.sql": copy("x")})
    script = read("main.sql")
    assert found(script) == [("RI100", "main.sql:1:1", "cannot include missing.sql: no such file")]
    assert where(script) == [("x.sql", 1, "x")]


def test_a_symlink_loop_is_ri100_at_the_include(tree) -> None:
    work = tree({"main.sql": "\\i loop1\n"})
    os.symlink("loop2", work / "loop1")
    os.symlink("loop1", work / "loop2")
    ((code, location, message),) = found(read("main.sql"))
    assert (code, location) == ("RI100", "main.sql:1:1")
    assert message.startswith("cannot include loop1: ")  # the OS's words follow

"""scan() on hostile trees: each problem is a Skipped row, never an exception or a hang; and the
map of a Python literal with escapes points every character at its host character."""

from __future__ import annotations

import ast
import importlib
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from redshift_iam.core.localfiles import ReadLimits
from redshift_iam.inputs.scanning import Skipped, scan
from tests.helpers import examples

localfiles = importlib.import_module("redshift_iam.core.localfiles")
SQL = "COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::123456789012:role/r';\n"


def test_symlink_loop_binary_non_utf8_and_deep_nesting(tmp_path):
    root = tmp_path / "t"
    root.mkdir()
    (root / "loop").symlink_to(root)
    (root / "self.sql").symlink_to(root / "self.sql")
    (root / "bin.sql").write_bytes(b"COPY \0\1\2")
    (root / "latin.sql").write_bytes(b"COPY t FROM 's3://b/caf\xe9';")
    (root / "deep.py").write_text("x = " + "1+" * 200000 + "1\nq = 'COPY t'\n")
    result = scan([str(root)])
    assert result.fragments == []
    reasons = {(s.path[len(str(root)) + 1:], s.reason) for s in result.skipped}
    assert reasons == {
        ("bin.sql", "binary file (holds NUL bytes): not read"),
        ("deep.py", "too deeply nested for Python's parser: not read"),
        ("latin.sql", "not UTF-8 text (byte 23): not read; convert it (iconv -t UTF-8)"),
        ("loop", "symlink to a directory that contains it (a loop): not followed"),
        ("self.sql", "symlink cannot be followed: Too many levels of symbolic links"),
    }


def _failing(monkeypatch, name: str, error: OSError) -> None:
    """Reading a file whose name ends with ``name`` raises ``error``."""
    real_read = localfiles.read_regular

    def failing(path, *args, **kwargs):
        if str(path).endswith(name):
            raise error
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(localfiles, "read_regular", failing)


def test_large_and_vanished_files(tmp_path, monkeypatch):
    (tmp_path / "big.sql").write_text(SQL * 10)
    (tmp_path / "gone.sql").write_text(SQL)
    _failing(monkeypatch, "gone.sql", FileNotFoundError(2, "No such file or directory"))
    result = scan([str(tmp_path)], ReadLimits(per_file=100))
    assert result.skipped == [
        Skipped(f"{tmp_path}/big.sql", 0, 0, "680 bytes, over the limit of 100 bytes per file "
                                             "(--max-file-size): not read"),
        Skipped(f"{tmp_path}/gone.sql", 0, 0, "vanished during the scan: not read"),
    ]


def test_unreadable_missing_and_unsupported_paths(tmp_path, monkeypatch):
    (tmp_path / "locked.sql").write_text(SQL)
    (tmp_path / "notes.txt").write_text(SQL)
    _failing(monkeypatch, "locked.sql", PermissionError(13, "Permission denied"))
    paths = [str(tmp_path / name) for name in ("locked.sql", "missing.sql", "notes.txt")]
    assert scan(paths).skipped == [
        Skipped(paths[0], 0, 0, "unreadable: Permission denied"),
        Skipped(paths[1], 0, 0, "cannot read the path: No such file or directory"),
        Skipped(paths[2], 0, 0, "not a kind of file scan reads (SQL: .sql, .ddl, .dml, .psql, "
                ".pgsql, .sql.*; Jinja: .j2, .jinja, .jinja2; code: .bash, .go, .groovy, .hcl, "
                ".java, .js, .ksh, .kt, .kts, .py, .rb, .sc, .scala, .sh, .tf, .ts, .zsh; a spec "
                "is read by policy, generate and the other commands, not scan)"),
    ]


def test_prefilter_and_unknown_extensions_are_not_parsed(tmp_path):
    (tmp_path / "notes.md").write_text(SQL)
    (tmp_path / "a.py").write_text("x = 'nothing here'\n")
    result = scan([str(tmp_path)])
    assert (result.fragments, result.skipped, result.files_read) == ([], [], 1)


_ESCAPES = st.sampled_from(["\\n", "\\t", "\\'", '\\"', "\\\\", "\\x41", "\\u00e9", "\\101",
                            "\\N{BULLET}", "\\\n", "é", "\t", "{", "a", " "])


@settings(max_examples=examples(1.5), deadline=None)
@given(pieces=st.lists(st.lists(_ESCAPES, max_size=8), min_size=1, max_size=3),
       indent=st.integers(0, 6))
def test_every_character_maps_to_its_host_character(tmp_path_factory, pieces, indent):
    literals = ["'UNLOAD (" + "".join(pieces[0]) + "'"]
    literals += ['"' + "".join(piece) + '"' for piece in pieces[1:]]
    source = "x = (\n" + "\n".join(" " * indent + lit for lit in literals) + ")\n"
    path = tmp_path_factory.mktemp("h") / "m.py"
    path.write_text(source, encoding="utf-8")
    (fragment,) = scan([str(path)]).fragments
    assert fragment.text == ast.literal_eval(source[4:])
    lines = source.split("\n")
    for index, char in enumerate(fragment.text):
        where = fragment.location(index)
        host = lines[where.line - 1][where.col - 1:]
        if host[0] != char:
            assert host[0] == "\\"
            assert any(ast.literal_eval("'" + host[:n] + "'") == char
                       for n in range(2, min(len(host), 12) + 1)
                       if _evaluates(host[:n]))


def _evaluates(text: str) -> bool:
    try:
        ast.literal_eval("'" + text + "'")
    except (SyntaxError, ValueError):
        return False
    return True


def test_no_file_is_read_twice(tmp_path, monkeypatch):
    (tmp_path / "a.sql").write_text(SQL)
    opened: list[str] = []
    real_read = localfiles.read_regular

    def counting(path, *args, **kwargs):
        opened.append(os.path.basename(str(path)))
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(localfiles, "read_regular", counting)
    scan([str(tmp_path)])
    assert opened == ["a.sql"]

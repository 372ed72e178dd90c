"""Bombs: inputs that cost their author nothing and would cost a naive reader without end.
File system (a link to /dev/zero, a FIFO, sparse files, a crafted git index or .gitignore, a
deep tree), Jinja templates (huge filters, doubling loops, unclosed tags), values files and
specs (YAML alias bombs, deep nesting, .env expansion), manifests.

Run ``python bench/bombs.py`` (``make bench`` runs it too). Each bomb is built in a temporary
folder and the command runs in a child process; the table gives the limit that stops it, the
exit code, the wall time and the child's peak memory (max RSS), and whether it is within the
targets: under 5 s and 500 MB (``TARGET_SECONDS``, ``TARGET_MB``). It judges nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = "COPY t FROM 's3://acme-raw/k' IAM_ROLE 'arn:aws:iam::123456789012:role/etl';\n"
CHILD = """
import json, resource, sys
sys.argv = ["redshift-iam", *sys.argv[1:]]
from redshift_iam.cli.main import main
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open("{out}", "w") as out:
    out.write(json.dumps({"code": code, "peak_kib": peak}))
"""


def sparse(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        handle.truncate(size)


def git_tree(top: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(top)], check=True, capture_output=True)
    (top / "a.sql").write_text(SQL)
    return top


def index_bytes(entries: list[bytes], version: int = 2) -> bytes:
    body = b"DIRC" + struct.pack(">II", version, len(entries)) + b"".join(entries)
    return body + hashlib.sha1(body).digest()


def growing_names(top: Path) -> None:
    """A version 4 index of 400,000 entries, each keeping the last name and adding 60 bytes
    (written piece by piece: this process stays small, and its children inherit its peak)."""
    git_tree(top)
    entry = bytes(24) + struct.pack(">I", 0o100644) + bytes(34) + b"\0" + b"a" * 60 + b"\0"
    digest = hashlib.sha1()
    with open(top / ".git" / "index", "wb") as index:
        for piece in [b"DIRC" + struct.pack(">II", 4, 400_000)] + [entry * 1000] * 400:
            digest.update(piece)
            index.write(piece)
        index.write(digest.digest())


def huge_bitmap(top: Path) -> None:
    """A split index whose delete bitmap claims 2**32 - 1 words."""
    git_tree(top)
    link = b"\x01" * 20 + struct.pack(">II", 2**32 - 1, 2**32 - 1)
    (top / ".git" / ("sharedindex." + "01" * 20)).write_bytes(index_bytes([]))
    body = index_bytes([])[:-20] + b"link" + struct.pack(">I", len(link)) + link
    (top / ".git" / "index").write_bytes(body + hashlib.sha1(body).digest())


def ignore_patterns(top: Path, patterns: int, files: int) -> None:
    git_tree(top)
    lines = [("!" if n % 2 else "") + f"*z{n}[ab]?q*" for n in range(patterns)]
    (top / ".gitignore").write_text("\n".join(lines) + "\n")
    for n in range(files):
        folder = top / f"d{n % 20}"
        folder.mkdir(exist_ok=True)
        (folder / f"f{n}.py").write_text("x = 1\n")


def deep(top: Path) -> None:
    """Folders in folders until the path is as long as the system allows."""
    folder = top
    while True:
        folder = folder / "d"
        try:
            folder.mkdir()
        except OSError:
            break


def dense_python(top: Path) -> None:
    lines = [f'x{n} = foo(a, b[1], {{"k": [1, 2, 3]}}, c.d.e)' for n in range(30_000)]
    text = 'SQL = "' + SQL.strip().replace('"', "") + '"\n' + "\n".join(lines) + "\n"
    (top / "big.py").write_text(text[: 1024 * 1024 - 100].rsplit("\n", 1)[0] + "\n")


def many_sparse(top: Path, count: int, size: int, suffix: str) -> None:
    for n in range(count):
        sparse(top / f"f{n}{suffix}", size)


def device(top: Path) -> None:
    try:
        os.mknod(top / "zero.sql", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except OSError:
        (top / "zero.sql").symlink_to("/dev/zero")  # no mknod here: the link case again


def out_dir(top: Path) -> None:
    (top / "s.sql").write_text(SQL)
    (top / "iam").mkdir()
    (top / "iam" / "etl~123456789012.policy.json").symlink_to("/dev/zero")
    os.mkfifo(top / "iam" / "etl~123456789012.trust.json")
    os.mkfifo(top / "iam" / ".redshift-iam.json")


def write(name: str, text: str) -> Callable[[Path], object]:
    return lambda top: (top / name).write_text(text)


def jinja(expression: str) -> Callable[[Path], object]:
    """A COPY whose key is a Jinja expression."""
    return write("t.sql", "COPY t FROM 's3://acme/{{ " + expression + " }}/' IAM_ROLE "
                 "'arn:aws:iam::123456789012:role/etl';\n")


def billion_laughs(name: str) -> Callable[[Path], object]:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
    return write(name, "\n".join(lines) + "\n")


def env_doubling(top: Path) -> None:
    lines = ["A0=xxxxxxxxxxxxxxxx"] + [f"A{n}=${{A{n - 1}}}${{A{n - 1}}}" for n in range(1, 60)]
    (top / "v.env").write_text("\n".join(lines) + "\n")


def manifest_deep(top: Path) -> None:
    (top / "m.json").write_text('{"entries": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}")


COPY_MANIFEST = ("COPY t FROM 's3://acme/m.json' IAM_ROLE 'arn:aws:iam::123456789012:role/etl' "
                 "MANIFEST;\n")
TEMPLATE_BOMBS = [
    ("Jinja: 'x'|center(2000000000)", "filter sizes checked first (RI173)",
     jinja("'x'|center(2000000000)"), ["policy", "t.sql"]),
    ("Jinja: namespace doubling with ~ (40 rounds)", "concatenation size (RI173)",
     write("t.sql", "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
           "{% set ns.s = ns.s ~ ns.s %}{% endfor %}COPY t FROM 's3://acme/{{ ns.s }}' "
           "IAM_ROLE 'arn:aws:iam::123456789012:role/etl';\n"), ["policy", "t.sql"]),
    ("Jinja: '%2000000000s'|format(1)", "printf width (RI173)", jinja("'%2000000000s'|format(1)"),
     ["policy", "t.sql"]),
    ('Jinja: "{:>2000000000}".format(1)', "bounded str.format (RI173)",
     jinja('"{:>2000000000}".format(1)'), ["policy", "t.sql"]),
    ("Jinja: [0]*2000000000", "* size (RI173)", jinja("([0]*2000000000)|length"),
     ["policy", "t.sql"]),
    ("Jinja: 9 ** 99999999", "exponent cap (RI173)", jinja("9 ** 99999999"), ["policy", "t.sql"]),
    ("Jinja: nested range(100000) loops", "100,000 iterations (RI173)",
     write("t.sql", "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
           "{% endfor %}"), ["policy", "t.sql"]),
    ("Jinja: '{{a}}' x 40,000 (200 KB)", "10,000 tags per template, counted first (RI173)",
     write("t.sql", "{{a}}" * 40_000), ["policy", "t.sql"]),
    ("Jinja: '{{a}}' x 10,000 (the most read)", "read: ~15 KB per tag while compiling",
     write("t.sql", "{{a}}" * 10_000), ["policy", "t.sql"]),
    ("Jinja: unclosed '{{ ' x 200,000", "one linear tag scan (RI170)",
     write("t.sql", "{{ " * 200_000), ["policy", "t.sql"]),
    ("Jinja: unclosed '{%macro ' x 80,000", "one linear tag scan (RI170)",
     write("t.sql", "{%macro " * 80_000), ["policy", "t.sql"]),
    ("--vars YAML billion laughs (9x9 aliases)", "no aliases in values files (RI175)",
     lambda t: (billion_laughs("v.yaml")(t), write("t.sql", SQL)(t)),
     ["policy", "t.sql", "--vars", "v.yaml"]),
    ("spec YAML billion laughs", "no alias to a list or mapping (RI180)",
     billion_laughs("s.yaml"), ["policy", "s.yaml", "--input-format", "spec"]),
    ("--vars JSON nested 1,000,000 deep", "depth 32 (RI175)",
     lambda t: (write("v.json", "[" * 1_000_000)(t), write("t.sql", SQL)(t)),
     ["policy", "t.sql", "--vars", "v.json"]),
    (".env lines that each double the last", "1 MiB expansion budget (RI175)",
     lambda t: (env_doubling(t), write("t.sql", SQL)(t)), ["policy", "t.sql", "--vars", "v.env"]),
    ("--manifest nested 1,000,000 deep", "depth 32 (RI150)",
     lambda t: (manifest_deep(t), write("t.sql", COPY_MANIFEST)(t)),
     ["policy", "t.sql", "--manifest", "s3://acme/m.json=m.json"]),
    ("--manifest link to /dev/zero", "regular files only",
     lambda t: ((t / "m.json").symlink_to("/dev/zero"), write("t.sql", COPY_MANIFEST)(t)),
     ["policy", "t.sql", "--manifest", "s3://acme/m.json=m.json"]),
    ("a 5 MB trailing word after COPY's options", "the fast path declines at the first junk",
     write("t.sql", SQL.rstrip(";\n") + " " + "A" * 5_000_000 + ";\n"), ["policy", "t.sql"]),
]

Bomb = tuple[str, str, Callable[[Path], object], list[str]]
BOMBS: list[Bomb] = [
    ("link to /dev/zero in a tree", "no link out of the tree",
     lambda t: (t / "zero.sql").symlink_to("/dev/zero"), ["scan", "."]),
    ("FIFO in a tree", "regular files only (before and after open)",
     lambda t: os.mkfifo(t / "f.sql"), ["scan", "."]),
    ("device node in a tree", "regular files only", device, ["scan", "."]),
    ("FIFO named", "regular files only", lambda t: os.mkfifo(t / "f.sql"),
     ["policy", "f.sql"]),
    ("link to /dev/zero named", "regular files only",
     lambda t: (t / "z.sql").symlink_to("/dev/zero"), ["policy", "z.sql"]),
    ("8 GiB sparse file in a tree", "--max-file-size (size checked before reading)",
     lambda t: sparse(t / "big.sql", 8 << 30), ["scan", "."]),
    ("8 GiB sparse file named", "--max-file-size", lambda t: sparse(t / "big.sql", 8 << 30),
     ["policy", "big.sql"]),
    ("3,000 sparse 1 MiB files (3 GiB)", "--max-total-size 1 GiB (scan)",
     lambda t: many_sparse(t, 3000, (1 << 20) - 1, ".sql"), ["scan", "."]),
    ("40 sparse 32 MiB .sql files in policy DIR", "--max-total-size 256 MiB",
     lambda t: many_sparse(t, 40, 32 << 20, ".sql"), ["policy", "."]),
    ("git index: link to /dev/zero", "no link opened",
     lambda t: (git_tree(t) / ".git" / "index").symlink_to("/dev/zero"), ["scan", "."]),
    ("git index: FIFO", "regular files only",
     lambda t: os.mkfifo(git_tree(t) / ".git" / "index"), ["scan", "."]),
    ("git index: 1 GiB sparse", "index cap 128 MiB",
     lambda t: sparse(git_tree(t) / ".git" / "index", 1 << 30), ["scan", "."]),
    ("git index v4: names growing 60 bytes an entry", "names <= 4096 and <= 2x the index",
     growing_names, ["scan", "."]),
    ("split index bitmap of 2**32 words", "bounded before unpacking", huge_bitmap,
     ["scan", "."]),
    (".gitignore: 10,000 alternating patterns, 10,000 files", "chunked matching",
     lambda t: ignore_patterns(t, 10_000, 10_000), ["scan", "."]),
    (".gitignore: 100,000 patterns", "10,000 patterns per run, counted before compiling",
     lambda t: ignore_patterns(t, 100_000, 10), ["scan", "."]),
    (".gitignore: link to /dev/zero", "no link followed",
     lambda t: (git_tree(t) / ".gitignore").symlink_to("/dev/zero"), ["scan", "."]),
    (".git file: gitdir: /dev/zero", "small regular files only",
     lambda t: (t / ".git").write_text("gitdir: /dev/zero\n"), ["scan", "."]),
    ("psql \\i of a FIFO", "regular files only",
     lambda t: (os.mkfifo(t / "f.sql"), (t / "m.sql").write_text("\\i f.sql\n" + SQL)),
     ["policy", "m.sql"]),
    ("out-dir entries: link to /dev/zero, FIFOs; --check", "the folder's regular files only",
     out_dir, ["generate", "s.sql", "--out-dir", "iam", "--check"]),
    ("folders nested to the longest path", "a walk with a stack, no recursion", deep,
     ["scan", "."]),
    ("dense 1 MiB Python module (within the cap)", "reference: --max-file-size 1 MiB",
     dense_python, ["scan", "."]),
    *TEMPLATE_BOMBS,
]
TARGET_SECONDS, TARGET_MB = 5.0, 500.0


def run(top: Path, args: list[str]) -> tuple[int, float, float]:
    """(exit code, seconds, peak MB) of the command in a child process run in ``top``."""
    out = top.parent / f"{top.name}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD.replace("{out}", str(out)), *args], cwd=top,
                   env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    seconds = time.perf_counter() - start
    result = json.loads(out.read_text())
    return result["code"], seconds, result["peak_kib"] / 1024


def main() -> None:
    sys.setrecursionlimit(10_000)  # removing the nested folders (shutil.rmtree recurses)
    print(f"{'bomb':52} {'stopped by':50} exit  seconds  peak MB  within {TARGET_SECONDS:g} s "
          f"and {TARGET_MB:g} MB")
    with tempfile.TemporaryDirectory() as folder:
        for number, (name, limit, build, args) in enumerate(BOMBS):
            top = Path(folder) / f"b{number}"
            top.mkdir()
            build(top)
            code, seconds, peak = run(top, args)
            within = "yes" if seconds < TARGET_SECONDS and peak < TARGET_MB else "NO"
            print(f"{name:52} {limit:50} {code:4} {seconds:8.2f} {peak:8.0f}  {within}")


if __name__ == "__main__":
    main()

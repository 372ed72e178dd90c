"""Benchmark of ``scan()``: a synthetic tree of about 15,000 files / 300 MB (``--small``: 1/10).

Run ``python bench/scan.py [--small]``. The tree is generated deterministically into a temporary
folder (removed afterwards): mostly files that are not SQL, a few hundred Python files with
statements, some .sql. Prints the time of a floor (read every file, lower-case it, look for the
three keywords), the time of ``scan()`` and their ratio (target: within 4x), then the time of
the whole ``redshift-iam scan`` pipeline (``analysis.scan``: scan, render each fragment,
read, derive, build the documents) and its ratio to the floor.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redshift_iam.analysis import Options  # noqa: E402
from redshift_iam.analysis import scan as scan_tree  # noqa: E402
from redshift_iam.inputs.scanning import scan  # noqa: E402

PY_SQL = '''import os

BUCKET = "acme-{n}"


def load(table, path):
    sql = f"""
        COPY {{table}} FROM '{{path}}'
        IAM_ROLE 'arn:aws:iam::123456789012:role/r{n}' CSV;
    """
    return sql
'''


def _filler(rng: random.Random, size: int) -> str:
    words = ["def", "return", "value", "self", "import", "class", "for", "in", "data", "x = 1"]
    return " ".join(rng.choice(words) for _ in range(size // 5)) + "\n"


def build(root: Path, files: int, mb: int) -> None:
    """Write the tree: ``files`` files totalling about ``mb`` MB."""
    rng = random.Random(12)
    size = mb * 1024 * 1024 // files
    exts = [".py", ".js", ".md", ".txt", ".json", ".csv", ".go", ".rb"]
    for index in range(files):
        folder = root / f"d{index % 50}" / f"s{index % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        if index % 50 == 0:
            text = PY_SQL.format(n=index) + "# " + _filler(rng, size)
            (folder / f"load{index}.py").write_text(text)
        elif index % 200 == 1:
            (folder / f"q{index}.sql").write_text(
                f"COPY t{index} FROM 's3://acme-bench/k{index}' "
                "IAM_ROLE 'arn:aws:iam::123456789012:role/r' CSV;\n" + "-- x\n" * 100)
        else:
            (folder / f"f{index}{exts[index % len(exts)]}").write_text(_filler(rng, size))


def floor(root: Path) -> float:
    start = time.perf_counter()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            lowered = path.read_bytes().lower()
            _ = b"copy" in lowered or b"unload" in lowered or b"library" in lowered
    return time.perf_counter() - start


def main() -> None:
    small = "--small" in sys.argv[1:]
    files, mb = (1500, 30) if small else (15000, 300)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "tree"
        build(root, files, mb)
        base = floor(root)
        start = time.perf_counter()
        result = scan([str(root)])
        took = time.perf_counter() - start
        start = time.perf_counter()
        report = scan_tree([str(root)], Options())
        whole = time.perf_counter() - start
    print(f"files={files} size={mb}MB fragments={len(result.fragments)} "
          f"skipped={len(result.skipped)} files_read={result.files_read}")
    print(f"floor={base:.2f}s scan={took:.2f}s ratio={took / base:.2f}x (target <= 4x)")
    print(f"analysis.scan={whole:.2f}s ratio={whole / base:.2f}x: "
          f"{len(report.analysis.script.statements)} statements read, "
          f"{len(report.unresolved)} unresolved, {len(report.skipped)} skipped")


if __name__ == "__main__":
    main()

"""``generate --out-dir``: one file per document, written atomically, never clobbering a file
the tool did not write.

The tool records what it wrote, with a SHA-256 of each file, in ``.redshift-iam.json`` in the
folder. A file is the tool's own while it is listed there with an unchanged hash; anything else
is the user's and is replaced only with ``force``. Own files that a new run no longer produces
are removed, so the folder always mirrors the input.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from redshift_iam.analysis import PrincipalReport
from redshift_iam.render import document, dumps

LEDGER = ".redshift-iam.json"


class OutDirError(Exception):
    """The folder cannot be written as asked; the message says which file and why."""


def planned_files(reports: tuple[PrincipalReport, ...]) -> dict[str, str]:
    """File name -> content for every document. Names are ``<slug>.policy.json`` (or
    ``<slug>.policy-1.json``, ``-2``... when a principal needs several) and
    ``<slug>.trust.json``; colliding slugs get ``-2``, ``-3`` in principal order."""
    files, used = {}, set()
    for report in reports:
        slug, n = report.principal.slug, 2
        while slug in used:
            slug, n = f"{report.principal.slug}-{n}", n + 1
        used.add(slug)
        docs = report.policies
        for number, doc in enumerate(docs, 1):
            suffix = f"-{number}" if len(docs) > 1 else ""
            files[f"{slug}.policy{suffix}.json"] = document(doc)
        if report.trust:
            files[f"{slug}.trust.json"] = document(report.trust)
    return files


def _digest(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _owned(folder: Path) -> dict[str, str]:
    """The ledger's files. Only plain names in the folder count: a ledger edited to name
    ``../x`` or ``/x`` must never make the tool delete or replace anything outside."""
    try:
        ledger = json.loads((folder / LEDGER).read_text(encoding="utf-8"))
        files = {str(k): str(v) for k, v in ledger.get("files", {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}
    return {name: digest for name, digest in files.items()
            if name == Path(name).name and name not in ("", ".", "..", LEDGER)}


def _is_ours(folder: Path, name: str, owned: dict[str, str]) -> bool:
    path = folder / name
    return name in owned and path.is_file() and _digest(path.read_bytes()) == owned[name]


def _write_atomic(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_out_dir(folder: Path, files: dict[str, str], force: bool) -> list[str]:
    """Write ``files`` into ``folder``; return the names written. Checks every target before
    writing any, so a refusal leaves the folder untouched."""
    if folder.exists() and not folder.is_dir():
        raise OutDirError(f"{folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    owned = _owned(folder)
    blocked = [n for n in sorted(files) if (folder / n).is_dir()]
    if blocked:
        raise OutDirError(f"{folder / blocked[0]} is a folder; the tool will not replace it")
    foreign = [n for n in sorted(files) if (folder / n).exists() and not _is_ours(folder, n, owned)]
    if foreign and not force:
        raise OutDirError(f"{folder / foreign[0]} exists and was not written by redshift-iam "
                          "(or was edited since); pass --force to replace it")
    for name, content in sorted(files.items()):
        _write_atomic(folder / name, content)
    for stale in sorted(set(owned) - set(files)):
        if _is_ours(folder, stale, owned):
            (folder / stale).unlink()
    ledger = {"files": {name: _digest(content) for name, content in sorted(files.items())}}
    _write_atomic(folder / LEDGER, dumps(ledger))
    return sorted(files)

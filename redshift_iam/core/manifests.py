"""A COPY manifest's text -> its entries: the exact objects COPY reads. Shared by the local
copies ``--manifest`` names (``inputs.flags``) and the manifests ``--resolve`` reads from S3
(``derive.facts``): one parser, one set of messages."""

from __future__ import annotations

from redshift_iam.core.aws_names import check_s3, key_warnings, shown, split_s3
from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.settings import ManifestEntry
from redshift_iam.core.source import Source
from redshift_iam.core.tree import Node, TreeError, json_tree


def parse_manifest(name: str, text: str, notes: list[Diagnostic] | None = None
                   ) -> tuple[ManifestEntry, ...]:
    """The entries of a COPY manifest (``{"entries": [{"url": ...}]}``) whose text is
    ``text``, read by the core's JSON reader; ``name`` (a local path or the S3 URI) is where
    its positions point. Bad JSON, a missing ``entries`` list, a bad entry, a key given twice
    (two ``"entries"``), nesting deeper than ``core.tree.MAX_DEPTH`` and a number too long
    raise InputError (RI150 at their line; a lone surrogate RI128). The warnings about entry
    keys (RW206, RW207) are appended to ``notes``, located at the URL."""
    source = Source(name, text)
    try:
        document = json_tree(text)
    except TreeError as exc:
        message = exc.message if exc.code else (
            exc.message.replace("not valid JSON", "manifest is not JSON", 1)
            if exc.message.startswith("not valid JSON") else f"manifest: {exc.message}")
        raise InputError(Diagnostic(exc.code or "RI150", message,
                                    source.location(exc.offset))) from None
    members = document.value if isinstance(document.value, dict) else {}
    entries = members["entries"].value if "entries" in members else None
    if entries is None or not isinstance(entries.value, list):
        raise InputError(Diagnostic("RI150", "manifest has no \"entries\" list",
                                    source.location(entries.offset if entries else 0)))
    found = [_entry(source, number, entry) for number, entry in enumerate(entries.value, 1)]
    if notes is not None:
        notes.extend(note for _, entry_notes in found for note in entry_notes)
    return tuple(entry for entry, _ in found)


def _entry(source: Source, number: int, entry: Node) -> tuple[ManifestEntry, list[Diagnostic]]:
    """One entry's exact object and the warnings about its key; a bad one is reported where
    its URL (or else the entry) starts."""
    member = entry.value.get("url") if isinstance(entry.value, dict) else None
    at = member.value.text_offset if member else entry.offset
    bucket, key, problem = _object(member.value.value if member else None)
    if problem:
        raise InputError(Diagnostic("RI150", f"entry {number}: {problem}", source.location(at)))
    return ManifestEntry(bucket, key), [source.diagnostic(code, message, at)
                                        for code, message, _ in key_warnings(key)]


def _object(url: object) -> tuple[str, str, str]:
    """(bucket, key, '') for an entry's ``url`` that names an S3 object; else ('', '', why
    not)."""
    if not isinstance(url, str):
        return "", "", "no \"url\" string"
    problem = check_s3(url)
    if problem:
        return "", "", problem[1]
    parts = split_s3(url)
    assert parts is not None  # check_s3 accepted url: it is an s3:// URI
    if not parts[1]:
        return "", "", f"{shown(url)} names no object"
    return parts[0], parts[1], ""

"""A COPY manifest's text -> its entries: the exact objects COPY reads. Shared by the local
copies ``--manifest`` names (``inputs.flags``) and the manifests ``--resolve`` reads from S3
(``derive.facts``): one parser, one set of messages."""

from __future__ import annotations

import json
import re

from redshift_iam.core.aws_names import check_s3, key_warnings, shown, split_s3
from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.settings import ManifestEntry
from redshift_iam.core.source import Source


def parse_manifest(name: str, text: str, notes: list[Diagnostic] | None = None
                   ) -> tuple[ManifestEntry, ...]:
    """The entries of a COPY manifest (``{"entries": [{"url": ...}]}``) whose text is ``text``;
    ``name`` (a local path or the S3 URI) is where its positions point. Bad JSON, a missing
    ``entries`` list or a bad entry raise InputError (RI150, located in ``name``). The
    warnings about entry keys (RW206, RW207) are appended to ``notes``, located at the URL."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Diagnostic("RI150", f"manifest is not JSON: {exc.msg}",
                                    Location(name, exc.lineno, exc.colno))) from None
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise InputError(Diagnostic("RI150", "manifest has no \"entries\" list",
                                    Location(name, 1, 1)))
    source, urls = Source(name, text), _UrlOffsets(text)
    found = [_entry(source, number, entry, urls) for number, entry in enumerate(entries, 1)]
    if notes is not None:
        notes.extend(note for _, entry_notes in found for note in entry_notes)
    return tuple(entry for entry, _ in found)


class _UrlOffsets:
    """Where each ``"url": "..."`` value of a manifest's text starts, taken in document order
    so that the n-th entry's URL is found after the (n-1)-th's, even when URLs repeat."""

    _PATTERN = LazyRegex(r'"url"\s*:\s*"((?:[^"\\]|\\.)*)"', re.S)

    def __init__(self, text: str) -> None:
        self._found = [(m.start(1), m.group(1)) for m in self._PATTERN.finditer(text)]
        self._next = 0

    def offset(self, url: str) -> int:
        """The offset of the next URL equal to ``url`` (else the next one, else 0)."""
        for index in range(self._next, len(self._found)):
            start, raw = self._found[index]
            try:
                same = json.loads(f'"{raw}"') == url
            except json.JSONDecodeError:
                same = False
            if same:
                self._next = index + 1
                return start
        return self._found[self._next][0] if self._next < len(self._found) else 0


def _entry(source: Source, number: int, entry: object, urls: _UrlOffsets
           ) -> tuple[ManifestEntry, list[Diagnostic]]:
    """One entry's exact object and the warnings about its key; a bad one is reported where
    its URL (or else the file) starts."""
    url = entry.get("url") if isinstance(entry, dict) else None
    problem = check_s3(url) if isinstance(url, str) else ("RI150", "no \"url\" string", 0)
    if not problem and not split_s3(url)[1]:
        problem = ("RI150", f"{shown(url)} names no object", 0)
    at = urls.offset(url) if isinstance(url, str) else 0
    if problem:
        raise InputError(Diagnostic("RI150", f"entry {number}: {problem[1]}",
                                    source.location(at)))
    bucket, key = split_s3(url)
    return ManifestEntry(bucket, key), [source.diagnostic(code, message, at)
                                        for code, message, _ in key_warnings(key)]

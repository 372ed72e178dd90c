"""Findings -> SARIF 2.1.0 (for code-scanning upload), deterministic.

One run of the tool ``redshift-iam``; its rules are the catalogue rows of the codes found
(id, a PascalCase name from the title, the title as short description, why as full
description, the fix as help, the doc link as helpUri, and the default level); each result
names its rule, level, message and location. Levels: error and unresolved -> ``error``,
warning -> ``warning``, info -> ``note``. A relative file name stays relative (``uriBaseId``
``%SRCROOT%``, the directory the tool ran in); an absolute one under ``root`` is made relative
to it, any other becomes a ``file://`` URI; a finding in standard input or a flag has no
location. Messages carry no secret (findings never do) and no snippet.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Sequence

from redshift_iam.core.catalogue import Severity, code_order
from redshift_iam.core.diagnostics import CATALOGUE, Diagnostic, Location

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.UNRESOLVED: "error", Severity.WARNING: "warning",
          Severity.INFO: "note"}
_WORD = re.compile(r"[A-Za-z0-9]+")


def rule_name(title: str) -> str:
    """``live-looking access key id`` -> ``LiveLookingAccessKeyId``."""
    return "".join(w[:1].upper() + w[1:] for w in _WORD.findall(title)) or "Finding"


def _rule(code: str) -> dict[str, object]:
    entry = CATALOGUE[code]
    rule: dict[str, object] = {
        "id": code, "name": rule_name(entry.title),
        "shortDescription": {"text": entry.title or code},
        "fullDescription": {"text": entry.why or entry.title or code},
        "help": {"text": entry.hint},
        "defaultConfiguration": {"level": LEVELS[entry.severity]},
    }
    if entry.doc:
        rule["helpUri"] = entry.doc
    return rule


def _uri(file: str, root: str) -> tuple[str, bool] | None:
    """(URI, relative?) of a file name, None when it names no file."""
    if not file or file.startswith(("<", "-")):
        return None
    path = file
    if os.path.isabs(path):
        relative = os.path.relpath(path, root)
        if relative.startswith(".."):
            return "file://" + urllib.parse.quote(path.replace(os.sep, "/")), False
        path = relative
    return urllib.parse.quote(path.replace(os.sep, "/")), True


def _location(where: Location, root: str) -> list[dict[str, object]]:
    found = _uri(where.file, root)
    if found is None:
        return []
    uri, relative = found
    artifact: dict[str, object] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    physical: dict[str, object] = {"artifactLocation": artifact}
    if where.line >= 1:
        physical["region"] = {"startLine": where.line, "startColumn": max(where.col, 1)}
    return [{"physicalLocation": physical}]


def _result(finding: Diagnostic, index: dict[str, int], root: str) -> dict[str, object]:
    text = finding.message
    if finding.fix:  # a fix with this case's own values
        text += f" (fix: {finding.fix})"
    result: dict[str, object] = {"ruleId": finding.code, "ruleIndex": index[finding.code],
                                 "level": LEVELS[finding.severity], "message": {"text": text}}
    if finding.location is not None:
        locations = _location(finding.location, root)
        if locations:
            result["locations"] = locations
    return result


def sarif(findings: Sequence[Diagnostic], version: str, root: str | None = None) -> str:
    """The SARIF 2.1.0 log of ``findings`` (in their order), as JSON text."""
    root = root or os.getcwd()
    codes = sorted({f.code for f in findings}, key=code_order)
    index = {code: number for number, code in enumerate(codes)}
    log = {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "redshift-iam", "version": version,
                                "rules": [_rule(code) for code in codes]}},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index, root) for f in findings],
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"

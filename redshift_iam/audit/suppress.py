"""Inline suppression: ``-- redshift-iam: ignore RW203`` (several codes: ``RW203, RW230``).

Scope, exactly: a finding is suppressed when a suppression comment listing its code stands

- on the finding's own line, or on the line just above it; or
- on the first line of the statement the finding belongs to, or on the line just above that
  line (a statement holds the findings from its first line up to the line before the next
  statement of the same file).

Errors of reading (``RI`` codes) are never suppressed: the statement was not read. A comment
is found wherever ``--`` starts it (also at the end of a line of SQL); codes are matched
exactly, upper-case.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.source import Source

_COMMENT = re.compile(r"--[ \t]*redshift-iam:[ \t]*ignore[ \t]+(?P<codes>R[WC]\d{3}"
                      r"(?:[ \t]*,[ \t]*R[WC]\d{3})*)")

Ignores = dict[tuple[str, int], set[str]]  # (file, line) -> codes


def ignores(texts: Iterable[Source]) -> Ignores:
    """Every suppression comment of the texts, by the (file, line) it stands on."""
    found: Ignores = {}
    for source in texts:
        for match in _COMMENT.finditer(source.text):
            where = source.location(match.start())
            codes = {c.strip() for c in match.group("codes").split(",")}
            found.setdefault((where.file, where.line), set()).update(codes)
    return found


def statement_lines(starts: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """File -> the sorted first lines of its statements."""
    out: dict[str, list[int]] = {}
    for file, line in starts:
        out.setdefault(file, []).append(line)
    return {file: sorted(set(lines)) for file, lines in out.items()}


def suppressed(finding: Diagnostic, found: Ignores, statements: dict[str, list[int]]) -> bool:
    where = finding.location
    if where is None or finding.code.startswith("RI"):
        return False
    lines = [where.line, where.line - 1]
    starts: Sequence[int] = statements.get(where.file, [])
    index = bisect_right(starts, where.line) - 1
    if index >= 0:
        lines += [starts[index], starts[index] - 1]
    return any(finding.code in found.get((where.file, line), ()) for line in lines)

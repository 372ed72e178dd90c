"""Run the SQL examples of the Redshift Database Developer Guide through redshift-iam.

Usage: ``python tools/doc_examples.py DOCS_DIR [--verbose] [--policies] [--timeout S]``

DOCS_DIR is a folder of the guide's markdown (``doc_source`` of awsdocs/amazon-redshift-
developer-guide). Every fenced code block that starts a COPY, UNLOAD or CREATE [OR REPLACE]
LIBRARY statement is analysed on its own, with line numbers of the markdown file, and put in
one class: policy, error, unresolved, no-grant, no-statement, crash or hang. Syntax synopses
are skipped and counted. Exit 1 only when the library raised (a traceback would reach users)
or did not finish a block within --timeout seconds. The docs are read from DOCS_DIR only.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import multiprocessing
import re
import sys
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redshift_iam.analysis import analyze_sources  # noqa: E402
from redshift_iam.core.diagnostics import Severity  # noqa: E402
from redshift_iam.core.grants import Settings  # noqa: E402
from redshift_iam.core.reports import Analysis, PrincipalReport
from redshift_iam.core.source import Source  # noqa: E402
from redshift_iam.documents.grouping import PolicyDocument  # noqa: E402
from redshift_iam.documents.trust import TrustOptions  # noqa: E402

SETTINGS = Settings(region="us-east-1", account_id="123456789012")
FENCE = re.compile(r"^[ \t]*```")
# A statement start: at a line start or after a semicolon, the keyword and then a space
# (or UNLOAD's parenthesis), so "copy:" in CLI output or "unload/0000_part_00" do not count.
STATEMENT = re.compile(r"(?:^|;)[ \t]*(?:copy\s|unload\s*\(|create\s+(?:or\s+replace\s+)?"
                       r"library\s)", re.I | re.M)
# What grammar checks must not look into: strings, comments and <placeholders>.
_OPAQUE = re.compile(r"'[^'\\]*(?:(?:''|\\.)[^'\\]*)*'|--[^\n]*|<[^<>\n]*>")
SYNOPSIS = (
    ("repeat marker [ ... ]", re.compile(r"\[[^\]\n]*\.\.\.[^\]\n]*\]")),
    ("alternatives { a | b }", re.compile(r"\{[^{}]*?(?<!\|)\|(?!\|)[^{}]*\}")),
    ("optional part [word]", re.compile(r"\[\s*[a-z_][a-z_ ]*\]")),
    ("grammar word (like copy-command)", re.compile(r"\b[a-z]{2,}(?:-[a-z]{2,})+\b")),
)
CLASSES = ("policy", "error", "unresolved", "no-grant", "no-statement", "crash", "hang")


@dataclass
class Block:
    """One fenced code block: its file, the markdown line of its first SQL line, its text."""

    file: str
    line: int
    text: str
    kind: str = ""
    statements: int = 0
    codes: list[str] = field(default_factory=list)
    first: str = ""
    detail: str = ""
    policies: list[dict] = field(default_factory=list)


def fenced_blocks(path: Path) -> list[Block]:
    """Every ``` fenced block of a markdown file, with the line its content starts on."""
    blocks, lines, start = [], path.read_text(encoding="utf-8").split("\n"), None
    for number, line in enumerate(lines, 1):
        if not FENCE.match(line):
            continue
        if start is None:
            start = number + 1
        else:
            blocks.append(Block(path.name, start, "\n".join(lines[start - 1:number - 1])))
            start = None
    return blocks


def synopsis_reason(text: str) -> str:
    """Why a block looks like a syntax synopsis rather than an example, or ''."""
    bare = _OPAQUE.sub("''", text)
    for reason, pattern in SYNOPSIS:
        if pattern.search(bare):
            return reason
    return ""


def run_isolated(block: Block, timeout: float) -> Block:
    """:func:`run` in a forked child, so a hang (say, regex backtracking) becomes a "hang"
    result with the stack where it was stuck instead of stopping the whole survey."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    with tempfile.TemporaryFile("w+") as stack:
        child = context.Process(target=_child, args=(block, sender, stack, timeout), daemon=True)
        child.start()
        sender.close()
        result = _receive(receiver, timeout + 5)
        child.join(1)
        child.kill()
        if result is None:  # faulthandler ended the child, or it died
            stack.seek(0)
            block.kind, block.detail = "hang", stack.read() or "(the child died silently)"
            block.first = f"no result after {timeout:g} s"
    return result or block


def _receive(receiver: Connection, timeout: float) -> Block | None:
    try:
        result = receiver.recv() if receiver.poll(timeout) else None
    except EOFError:
        return None
    if isinstance(result, str):  # a bug in this script, not in the library
        raise RuntimeError(f"doc_examples.py failed in its child:\n{result}")
    return result


def _child(block: Block, sender: Connection, stack: IO[str], timeout: float) -> None:
    faulthandler.dump_traceback_later(timeout, exit=True, file=stack)
    try:
        run(block)
    except Exception:  # a bug of this script: the parent raises it
        sender.send(traceback.format_exc())
        return
    faulthandler.cancel_dump_traceback_later()
    sender.send(block)


def run(block: Block) -> None:
    """Analyse one block and fill in its class, statement count and diagnostics."""
    source = Source(block.file, "\n" * (block.line - 1) + block.text)
    try:
        analysis = analyze_sources([source], SETTINGS, TrustOptions())
    except Exception:  # any exception escaping analyze is the bug this survey looks for
        block.kind, block.detail = "crash", traceback.format_exc()
        block.first = block.detail.strip().splitlines()[-1]
        return
    classify(block, analysis)


def classify(block: Block, analysis: Analysis) -> None:
    """policy / error / unresolved / no-grant / no-statement, from the analysis."""
    diagnostics = analysis.diagnostics
    block.statements = len(analysis.script.statements)
    block.codes = [d.code for d in diagnostics]
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    unresolved = [d for d in diagnostics if d.severity is Severity.UNRESOLVED]
    block.policies = [{"principal": r.principal.name, "policy": doc.as_json()}
                      for r in analysis.reports for doc in _documents(r)]
    shown = errors or unresolved or list(diagnostics)
    block.first = shown[0].render().splitlines()[0] if shown else ""
    block.detail = "\n".join(d.render() for d in errors or unresolved)
    if errors:
        block.kind = "error"
    elif block.policies:
        block.kind = "policy"
    elif unresolved:
        block.kind = "unresolved"
    elif block.statements:
        block.kind = "no-grant"
    else:
        block.kind = "no-statement"


def _documents(report: PrincipalReport) -> tuple[PolicyDocument, ...]:
    """``policies`` (packed to fit IAM's quotas), or the older API's one ``policy`` or None."""
    old = getattr(report, "policy", None)
    return tuple(getattr(report, "policies", ())) or ((old,) if old else ())


def collect(folder: Path) -> tuple[list[Block], list[Block]]:
    """The example blocks of every .md file in ``folder``, and the synopses (their reason in
    ``detail``)."""
    examples, synopses = [], []
    for path in sorted(folder.glob("*.md")):
        for block in fenced_blocks(path):
            if not STATEMENT.search(block.text):
                continue
            block.detail = synopsis_reason(block.text)
            (synopses if block.detail else examples).append(block)
    return examples, synopses


def summary(examples: list[Block], synopses: list[Block], files: int) -> list[str]:
    """The numbers: blocks, statements, classes and diagnostic codes."""
    kinds = Counter(b.kind for b in examples)
    codes = Counter(code for b in examples for code in b.codes)
    out = [f"markdown files: {files}",
           f"blocks with COPY/UNLOAD/CREATE LIBRARY: {len(examples) + len(synopses)}",
           f"skipped as syntax synopses: {len(synopses)}"]
    for reason, count in Counter(b.detail for b in synopses).most_common():
        out.append(f"  {reason}: {count}")
        out += [f"    {b.file}:{b.line}" for b in synopses if b.detail == reason]
    out += [f"example blocks analysed: {len(examples)}",
            f"statements read: {sum(b.statements for b in examples)}", "blocks per class:"]
    out += [f"  {kind}: {kinds[kind]}" for kind in CLASSES]
    partial = sum(b.kind == "policy" and bool(b.detail) for b in examples)
    out.append(f"policy blocks that also have UNRESOLVED diagnostics: {partial}")
    out.append("diagnostics per code (all blocks):")
    out += [f"  {code}: {count}" for code, count in sorted(codes.items())]
    return out


def details(examples: list[Block], verbose: bool, policies: bool) -> list[str]:
    """Every non-policy block with its first diagnostic; SQL and policies on request."""
    out = []
    for kind in CLASSES[1:]:
        chosen = [b for b in examples if b.kind == kind]
        if chosen:
            out.append(f"\n== {kind} ({len(chosen)})")
        for block in chosen:
            out.append(f"{block.file}:{block.line}: {block.first}")
            if kind in ("crash", "hang") or (verbose and kind == "error"):
                out.append(_indent(block.detail))
            if verbose:
                out.append(_indent(block.text.strip("\n")))
    if policies:
        out.append("\n== policy")
        for block in (b for b in examples if b.kind == "policy"):
            out.append(f"{block.file}:{block.line}: {', '.join(sorted(set(block.codes)))}")
            out.append(_indent(json.dumps(block.policies, indent=1)))
    return out


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", type=Path, help="folder of the guide's .md files")
    parser.add_argument("--verbose", action="store_true", help="show SQL and full diagnostics")
    parser.add_argument("--policies", action="store_true", help="print the policy blocks' JSON")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per block")
    args = parser.parse_args(argv)
    if not args.docs.is_dir():
        parser.error(f"{args.docs} is not a folder")
    examples, synopses = collect(args.docs)
    examples = [run_isolated(block, args.timeout) for block in examples]
    files = len(list(args.docs.glob("*.md")))
    print("\n".join(summary(examples, synopses, files)
                    + details(examples, args.verbose, args.policies)))
    return 1 if any(b.kind in ("crash", "hang") for b in examples) else 0


if __name__ == "__main__":
    sys.exit(main())

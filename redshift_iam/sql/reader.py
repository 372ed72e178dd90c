"""The reader's entry point: scripts in, statements and diagnostics out.

:func:`read_script` splits each source, classifies every statement by its first words with one
regex (so unrelated SQL is never tokenized), reads the ones that touch AWS with
:mod:`fastpath` or else :mod:`parser`, and collects every diagnostic instead of stopping at the
first. A statement it does not map but that carries an authorization clause becomes
:class:`Unmapped` (see :mod:`unmapped`), never a silent skip. A psql include (``\\i``,
``\\ir`` ...) is read in place through the loader the caller passes (:mod:`includes` parses
the command; the reader opens no file itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.encodable import SURROGATE_CODE, first_surrogate, surrogate_message
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.secrets import secret_start
from redshift_iam.core.source import IncludeError, Loader, Source
from redshift_iam.core.statement_kinds import KINDS
from redshift_iam.core.statements import Script, Statement, Unmapped
from redshift_iam.sql.branches import Block, statement_block
from redshift_iam.sql.classify import VERBS, statement_kind
from redshift_iam.sql.fastpath import read_fast
from redshift_iam.sql.lexer import (
    BAD,
    META,
    WORD,
    Segment,
    is_empty,
    leading_meta,
    meta_line,
    raise_unclosed,
    segment_of,
    statement_matches,
)
from redshift_iam.sql.run_on import not_redshift, run_on
from redshift_iam.sql.tokens import tokens
from redshift_iam.sql.unmapped import BODY_RUNS, ROLE_TEXT, check_skipped, runs_copy

if TYPE_CHECKING:
    from redshift_iam.sql.includes import Include

# Every upper/lower-case spelling of the verbs: one set lookup per statement, no upper().
_VERB_SPELLINGS = frozenset(
    "".join(c.upper() if bit & (1 << i) else c for i, c in enumerate(verb.lower()))
    for verb in VERBS for bit in range(1 << len(verb)))
_ROLE_MENTION = LazyRegex("|".join(ROLE_TEXT), re.I)
# CREATE [OR REPLACE] and a word that starts no kind of core.statement_kinds (LIBRARY,
# EXTERNAL, MODEL), with nothing but white space between: what classify() calls None, settled
# without splitting the head.
_CREATE_WORDS = "|".join(dict.fromkeys(
    kind.words[1].lower() for kind in KINDS if kind.words[0] == "CREATE"))
_PLAIN_CREATE = LazyRegex(rf"create\s+(?:or\s+replace\s+)?+(?!(?:{_CREATE_WORDS}|or)\b)"
                           r"[^\W\d]", re.I)
# Bounds on what a hostile script can make the reader open (psql has none: it recurses).
MAX_INCLUDE_DEPTH = 32
MAX_INCLUDES = 1000


def read_script(sources: Iterable[Source], loader: Loader | None = None) -> Script:
    """Read every statement of every source, and of the files their psql includes name, in
    order; see the module docstring. ``loader`` reads an included file (see
    :class:`~redshift_iam.inputs.files.IncludeLoader`); without one, an include is an error."""
    reading = _Reading(loader or _no_includes)
    for source in sources:
        reading.source((source,))
    return Script(tuple(reading.statements), reading.skipped, tuple(reading.diagnostics),
                  tuple(reading.texts))


def _block_at(source: Source, segment: Segment) -> Block | None:
    """The Jinja block whose sentinel starts ``segment``, when its branches can be read."""
    first = next(tokens(source, segment), None)
    if first is None or first.kind != "sentinel":
        return None
    return statement_block(source, segment, int(first.text[1:-1]))


def _unique(items: list) -> list:
    """``items`` without repeats, in order (statements and diagnostics are plain values)."""
    out: list = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _no_includes(name: str, relative: bool, chain: tuple[Source, ...]) -> Source:
    raise IncludeError("RI100", f"cannot include {name}: this reader was given no file loader")


class _Reading:
    """What :func:`read_script` collects across its sources and the files they include."""

    def __init__(self, loader: Loader) -> None:
        self.loader, self.loaded = loader, 0
        self.statements: list[Statement] = []
        self.diagnostics: list[Diagnostic] = []
        self.texts: list[Source] = []  # every text read, included files too
        self.skipped = 0
        self.in_block = 0  # how deep in a block's branch readings (see block)

    def source(self, chain: tuple[Source, ...]) -> None:
        """Read ``chain[-1]``, which ``chain[-2]`` includes (and so on up to a top script),
        each include in place between the statements around it."""
        source = chain[-1]
        self.texts.append(source)
        bad = first_surrogate(source.text)
        if bad is not None:  # nothing of it is read: its keys could not even be written
            self.diagnostics.append(source.diagnostic(
                SURROGATE_CODE, surrogate_message("the text", source.text, bad), bad))
            return
        try:
            segments, others, metas = _candidates(source)
        except InputError as exc:
            self.diagnostics.append(exc.diagnostic)
            return
        self.skipped += others
        metas.reverse()  # pop() the next one
        for segment, word in segments:
            while metas and metas[-1].start < segment.start:
                self.meta(chain, metas.pop())
            self.statement(source, segment, word)
        while metas:
            self.meta(chain, metas.pop())

    def statement(self, source: Source, segment: Segment, word: int) -> None:
        """Read one statement, or the statements it runs together (a ';' missing, RW227)."""
        while (split := run_on(source, segment, word)) is not None:
            self.diagnostics.append(split.warning)
            self.one(source, split.before, word)
            segment, word = split.after, split.word
        self.one(source, segment, word)

    def one(self, source: Source, segment: Segment, word: int) -> None:
        try:
            statement, warnings = read_statement(source, segment, word)
        except InputError as exc:
            self.diagnostics.append(exc.diagnostic)
            return
        self.diagnostics.extend(warnings)
        if isinstance(statement, Unmapped) and statement.code == "RI131" and not self.in_block:
            block = _block_at(source, segment)
            if block is not None:
                self.block(source, segment, block)
                return
        at = len(self.statements)  # a body's statements come after the unmapped rest
        if isinstance(statement, Unmapped) and statement.what == BODY_RUNS and self.bodies(
                source, segment):
            statement = None
        if statement is None:
            self.skipped += 1
        else:
            self.statements.insert(at, statement)

    def bodies(self, source: Source, segment: Segment) -> bool:
        """Read the statements written out in the bodies of a CREATE FUNCTION or PROCEDURE
        (``bodies``) in place; True when no body runs anything else (dynamic SQL) with a
        role."""
        from redshift_iam.sql.bodies import body_statements

        complete = True
        for body in body_statements(source, segment):
            for inner, word in body.statements:
                self.one(source, inner, word)
            complete = complete and not runs_copy(body.rest)
        return complete

    def block(self, source: Source, segment: Segment, block: Block) -> None:
        """Read each branch of a Jinja block of whole statements in its place (RW224): the
        role gets what any branch needs. What follows the block up to the statement's end is
        read with each branch too; identical readings count once."""
        names = [name.strip() for name in block.label.split(",")]
        flags = " ".join(f"--var {name}=VALUE" for name in names)
        self.diagnostics.append(Diagnostic(
            "RW224", f"the Jinja block on {', '.join(names)} holds whole statements: each "
                     "branch is read and the role gets what any of them needs",
            source.location(block.at), fix=f"pass {flags} to read the branch that runs"))
        marks = len(self.statements), len(self.diagnostics)
        # A block inside a branch's reading stays RI131: reading it per branch again would
        # multiply the readings (n blocks in a row: 2**n).
        self.in_block += 1
        for branch in block.branches:
            reading = block.reading(source, branch)
            end = segment.end + len(branch) - block.length
            try:
                segments = _candidates(reading)[0]
            except InputError as exc:
                self.diagnostics.append(exc.diagnostic)
                continue
            for inner, word in segments:
                if segment.start <= inner.start < end:
                    self.statement(reading, inner, word)
        self.in_block -= 1
        self.statements[marks[0]:] = _unique(self.statements[marks[0]:])
        self.diagnostics[marks[1]:] = _unique(self.diagnostics[marks[1]:])

    def meta(self, chain: tuple[Source, ...], line: Segment) -> None:
        """Read the files a meta-command line includes, each error on its own; other
        meta-commands are ignored."""
        try:
            from redshift_iam.sql.includes import includes  # only scripts with a \ line

            found = includes(chain[-1], line.start, line.end)
        except InputError as exc:
            self.diagnostics.append(exc.diagnostic)
            return
        for include in found:
            try:
                self.include(chain, include)
            except InputError as exc:
                self.diagnostics.append(exc.diagnostic)

    def include(self, chain: tuple[Source, ...], include: Include) -> None:
        """Read one included file in place; RI106 past the depth or count limits."""
        source = chain[-1]
        if len(chain) > MAX_INCLUDE_DEPTH or self.loaded >= MAX_INCLUDES:
            limit = (f"more than {MAX_INCLUDE_DEPTH} nested includes"
                     if len(chain) > MAX_INCLUDE_DEPTH else f"more than {MAX_INCLUDES} includes")
            raise InputError(source.diagnostic("RI106", limit, include.offset))
        try:
            included = self.loader(include.path, include.relative, chain)
        except IncludeError as exc:
            raise InputError(source.diagnostic(exc.code, exc.message, include.offset)) from None
        self.loaded += 1
        self.source((*chain, included))


def _candidates(source: Source) -> tuple[list[tuple[Segment, int]], int, list[Segment]]:
    """The statements that may touch AWS (each with the offset of its first word, or -1),
    how many others the source holds, and its psql meta-command lines (each from its first
    backslash).

    A statement is a candidate when its first word is COPY or UNLOAD, when it is a CREATE
    that _PLAIN_CREATE cannot settle (LIBRARY, EXTERNAL, MODEL, or comments in its head), when
    it starts with something other than a word, or when its text mentions an IAM role (found
    for the whole text at once); :func:`read_statement` decides. The rest are only counted,
    so unrelated SQL costs one C-level regex match per statement.
    """
    mentions = _role_mentions(source.text)
    segments, others, index = [], 0, 0
    metas = [] if (first := leading_meta(source)) is None else [first]
    for match in statement_matches(source):  # the hot loop: as little per statement as can be
        if (match.lastindex or 0) >= META:  # ended by a meta-command line, the end, or unclosed
            if match.lastindex == BAD:
                raise_unclosed(source, match)
            if match.lastindex == META:
                metas.append(meta_line(source, match))
        word, end = match[WORD], match.end()
        if word is not None and mentions[index] >= end and (
                word not in _VERB_SPELLINGS  # CREATE TABLE/FUNCTION...: by its first words
                or word[1] in "rR" and _PLAIN_CREATE.match(source.text, match.start(WORD))):
            others += 1
            continue
        if word is None and is_empty(match):
            continue
        while mentions[index] < end:
            index += 1
        segments.append((segment_of(match), match.start(WORD)))
    return segments, others, metas


def _role_mentions(text: str) -> list[int]:
    """Sorted offsets of every case-insensitive iam_role, credentials and access_key_id, and
    a sentinel past the end. Lower-casing and ``str.find`` are fastest, but lower-casing may
    move offsets in text that is not ASCII; there a regex finds a superset (it also matches
    the Kelvin sign as k, as ``unmapped.check_skipped``'s regexes do)."""
    if not text.isascii():
        return [m.start() for m in _ROLE_MENTION.finditer(text)] + [len(text) + 1]
    lowered, found = text.lower(), []
    for word in ROLE_TEXT:
        at = lowered.find(word)
        while at >= 0:
            found.append(at)
            at = lowered.find(word, at + 1)
    found.sort()
    found.append(len(text) + 1)
    return found


def read_statement(source: Source, segment: Segment, word: int = -1
                   ) -> tuple[Statement | None, list[Diagnostic]]:
    """One statement -> (statement or None when it touches no AWS resource, warnings).
    ``word`` is the offset of its first word when the caller knows it: a plain COPY or
    UNLOAD is then read by :mod:`fastpath`, which gives the parser's value or declines. A
    rendered template (``source.origin``) is always read by the full parser, which knows
    placeholders and maps positions back to the template."""
    if word >= 0 and source.text[word] in "cCuU" and source.origin is None:
        statement = read_fast(source, word, segment.end)
        if statement is not None:
            return statement, []
    if word >= 0 and source.text[word] in "cC" and (skip := not_redshift(
            source, segment, word)) is not None:
        return None, [skip]
    kind = statement_kind(source, segment)
    if kind is None:
        return check_skipped(source, segment), []
    return _parse(source, segment, kind)


def _parse(source: Source, segment: Segment, kind: str) -> tuple[Statement, list[Diagnostic]]:
    """The full parser, imported on first use: a script of plain statements never needs it.
    A statement of a rendered template also gets its placeholders and branch readings."""
    statement, warnings = _parse_plain(source, segment, kind)
    if source.origin is None or isinstance(statement, Unmapped):
        return statement, warnings
    from redshift_iam.sql import branches

    placeholders = branches.statement_placeholders(source, segment)

    def again(reading: Source, span: Segment) -> branches.Mapped:
        read = _parse_plain(reading, span, kind)[0]
        assert not isinstance(read, Unmapped)  # ``kind`` has a parser: ``statement`` was mapped
        return read._replace(placeholders=placeholders)

    return statement._replace(
        placeholders=placeholders,
        alternatives=branches.alternatives(source, segment, statement, again)), warnings


def _parse_plain(source: Source, segment: Segment, kind: str
                 ) -> tuple[Statement, list[Diagnostic]]:
    from redshift_iam.sql.cursor import Cursor
    from redshift_iam.sql.grammar import STATEMENT_PARSERS

    redact = secret_start(source.text, segment.start, segment.end)
    cursor = Cursor(source, list(tokens(source, segment)), redact)
    parse = STATEMENT_PARSERS.get(kind)
    if parse is None:  # a role-using statement the tool does not map yet
        return Unmapped(cursor.location(cursor.tokens[0]), kind), cursor.warnings
    return parse(cursor), cursor.warnings

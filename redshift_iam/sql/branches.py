"""What the reader adds to a statement of a rendered template: its placeholders, and the
statement read once per branch combination of the Jinja blocks that stand among its options.

A ``jinja-block`` placeholder (an ``if``/``for`` on an unknown variable) whose branches are
plain text is recorded in ``origin.branches``; when every option slot a statement leaves open
is such a block, the statement is read again with each combination of branch texts spliced in
place of the sentinels (:class:`~redshift_iam.core.source.Respliced` keeps the positions the
template's). The derive stage compares their grants: equal grants mean the block does not
matter. At most :data:`MAX_COMBINATIONS` readings; more, or a branch that does not read,
leaves the options unknown.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import NamedTuple

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.placeholders import indices, sentinel
from redshift_iam.core.source import Respliced, Source
from redshift_iam.core.statements import Copy, CreateLibrary, Statement, Unload
from redshift_iam.sql.lexer import Segment

MAX_COMBINATIONS = 64
Mapped = Copy | Unload | CreateLibrary  # a statement the tool maps; it has alternatives
Parse = Callable[[Source, Segment], Mapped]


class Block(NamedTuple):
    """A Jinja block on unknown variables that starts a statement: where its sentinel stands
    (``at``, ``length``), the placeholder's label and the texts of its branches."""

    at: int
    length: int
    label: str
    branches: tuple[str, ...]

    def reading(self, source: Source, branch: str) -> Source:
        """``source`` with ``branch`` in place of the sentinel (positions map to the block)."""
        text = source.text[:self.at] + branch + source.text[self.at + self.length:]
        return Source(source.name, text, Respliced(source, self.at, self.length, len(branch)))


def statement_block(source: Source, segment: Segment, serial: int) -> Block | None:
    """The block of placeholder ``serial`` that starts ``segment`` when its branches are
    plain text (so each can be read as SQL); else None."""
    origin = source.origin
    if origin is None or serial not in origin.branches:
        return None
    branches = origin.branches
    at = source.text.find(sentinel(serial), segment.start, segment.end)
    found = [p for p in origin.placeholders if p.serial == serial]
    if at < 0 or not found:
        return None
    return Block(at, len(sentinel(serial)), found[0].label, branches[serial])


def statement_placeholders(source: Source, segment: Segment) -> tuple:
    """The template's placeholders written inside the statement (resolved or not), and the
    ones whose sentinels its rendering holds, by index."""
    origin = source.origin
    if origin is None:  # plain SQL: no template, no placeholders
        return ()
    first, last = source.location(segment.start), source.location(max(segment.end - 1, 0))
    inside = set(indices(source.text[segment.start:segment.end]))
    return tuple(p for p in origin.placeholders if p.serial in inside or (
        p.location.file == first.file
        and (first.line, first.col) <= (p.location.line, p.location.col)
        <= (last.line, last.col)))


def alternatives(source: Source, segment: Segment, statement: Statement, parse: Parse
                 ) -> tuple[Mapped, ...]:
    """The statement read once per combination of its option blocks' branches; () when an
    open slot is not a block with recorded branches, or when the readings cannot be made."""
    slots = getattr(statement, "open_options", ())
    if source.origin is None:  # plain SQL: no blocks
        return ()
    branches = source.origin.branches
    blocks = [index for slot in slots for index in indices(slot.text)]
    if not slots or not blocks or any(index not in branches for index in blocks):
        return ()
    if len(blocks) != len(slots) or _count(blocks, branches) > MAX_COMBINATIONS:
        return ()
    text = source.text
    where = {index: text.find(sentinel(index), segment.start, segment.end) for index in blocks}
    if any(at < 0 for at in where.values()):
        return ()
    readings: list[Mapped] = []
    for combination in itertools.product(*(branches[index] for index in blocks)):
        reading, end = source, segment.end
        chosen = zip(blocks, combination, strict=True)
        for index, branch in sorted(chosen, key=lambda pair: -where[pair[0]]):  # last first
            at, old = where[index], len(sentinel(index))
            reading = Source(source.name, reading.text[:at] + branch + reading.text[at + old:],
                             Respliced(reading, at, old, len(branch)))
            end += len(branch) - old
        try:
            readings.append(parse(reading, Segment(segment.start, end)))
        except InputError:
            return ()
    return tuple(readings)


def _count(blocks: list[int], branches) -> int:
    total = 1
    for index in blocks:
        total *= len(branches[index])
    return total

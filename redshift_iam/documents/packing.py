"""Fitting one principal's statements into IAM's size quotas without widening anything.

Largest statements first, each goes whole into the first document with room; one that fits
nowhere is split by its resource (or ``s3:prefix``) list to fill the roomiest document. Every
step is deterministic: the same statements give the same documents in the same order.
"""

from __future__ import annotations

from redshift_iam.core.policy import PolicyDocument, PolicyStatement, item_size

_EMPTY = PolicyDocument(()).size




class TooLarge(Exception):
    """The grants cannot fit: one resource is too large for any document, or they need more
    documents than the limits allow."""


def _cost(statement: PolicyStatement) -> int:
    """What the statement adds to a document: itself and a comma."""
    return statement.size + 1


def _items(statement: PolicyStatement) -> tuple[str, ...]:
    """What a statement can be split by: its resources, or else its condition values."""
    if len(statement.resources) > 1 or not statement.conditions:
        return statement.resources
    return statement.conditions[0][2]


def _with_items(statement: PolicyStatement, items: tuple[str, ...]) -> PolicyStatement:
    if len(statement.resources) > 1 or not statement.conditions:
        return statement._replace(resources=items)
    (operator, key, _), = statement.conditions
    return statement._replace(conditions=((operator, key, items),))


def _head(statement: PolicyStatement, room: int
          ) -> tuple[PolicyStatement, PolicyStatement] | None:
    """The longest front part of ``statement`` that costs at most ``room``, and the rest;
    None when not even one item fits.

    The cost of the first k items is exact without rendering each candidate: a list adds
    its brackets and k - 1 commas to the items' own JSON text, a single item is bare.
    """
    items = _items(statement)
    base = _cost(_with_items(statement, items[:1])) - item_size(items[0])
    total, kept = base, 0
    for index, item in enumerate(items[:-1]):
        total += item_size(item) + (1 if index else 2)  # a comma, or the two brackets
        if total > room:
            break
        kept = index + 1
    if kept == 0:
        return None
    return _with_items(statement, items[:kept]), _with_items(statement, items[kept:])


class _Bin:
    """One document being filled: the room left, and its pieces as (statement index, part,
    piece)."""

    __slots__ = ("room", "pieces")

    def __init__(self, room: int, pieces: list[tuple[int, int, PolicyStatement]]) -> None:
        self.room, self.pieces = room, pieces


def _place(bins: list[_Bin], piece: PolicyStatement, budget: int
           ) -> tuple[int, PolicyStatement, PolicyStatement | None]:
    """Where ``piece`` goes, without changing anything: (document index, the part placed,
    the rest or None). The first document with room for all of it; else its longest front
    part that fits the roomiest document; else a new document (index ``len(bins)``)."""
    cost = _cost(piece)
    for index, candidate in enumerate(bins):
        if candidate.room >= cost:
            return index, piece, None
    if bins:
        roomiest = max(range(len(bins)), key=lambda i: bins[i].room)
        split = _head(piece, bins[roomiest].room)
        if split is not None:
            return roomiest, split[0], split[1]
    if cost <= budget:
        return len(bins), piece, None
    split = _head(piece, budget)
    if split is None:
        raise TooLarge(f"statement {piece.sid} has a resource too large for any policy")
    return len(bins), split[0], split[1]


def pack(statements: tuple[PolicyStatement, ...], limit: int) -> list[PolicyDocument]:
    """Documents of at most ``limit`` characters each holding all of ``statements``.

    Largest statements first; each goes whole into the first document with room. One that
    fits nowhere is split: the longest front part that fills the roomiest document goes
    there, and the rest goes back in line. Parts of a split statement get Sid suffixes
    ``Part1``, ``Part2``... (counted in their size). Raises TooLarge if one resource alone
    cannot fit any document.
    """
    budget = limit - _EMPTY
    queue = sorted(enumerate(statements), key=lambda item: (-_cost(item[1]), item[1].sid))
    queue.reverse()  # the next statement is the last one: taking it is cheap
    bins: list[_Bin] = []
    parts: dict[int, int] = {}
    while queue:
        index, statement = queue.pop()
        part = parts.get(index, 0) + 1
        named = statement._replace(sid=f"{statements[index].sid}Part{part}")
        slot, piece, rest = _place(bins, named if index in parts else statement, budget)
        if rest is not None and index not in parts:  # its first split: this piece is Part1
            slot, piece, rest = _place(bins, named, budget)
        if rest is not None:
            queue.append((index, rest._replace(sid=statements[index].sid)))
        if slot == len(bins):
            bins.append(_Bin(budget, []))
        parts[index] = part
        bins[slot].pieces.append((index, part, piece))
        bins[slot].room -= _cost(piece)
    return [PolicyDocument(tuple(p for _, _, p in sorted(b.pieces, key=lambda x: x[:2])))
            for b in bins]

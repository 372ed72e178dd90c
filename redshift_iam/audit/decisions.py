"""The audit stage's values: requests (concrete or a set of them), statement references and
decisions.

A :class:`Need` is a set of requests: one action, every resource a pattern matches, and a
context whose keys hold either concrete values or a pattern (``s3:prefix`` of a listing under
a prefix). With ``complete`` the context lists every key the requests carry (a key not listed
is absent, as in a concrete request); without it a key not listed is unknown, and every answer
that depends on it is :data:`Tri.MAYBE`: ``check`` then calls a need covered only when it is
allowed whatever those keys hold, and denied when a Deny might apply.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import Enum
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.audit.globs import Glob, literal
from redshift_iam.core.diagnostics import Location

ContextValue = tuple[str, ...] | Glob  # concrete values (multivalued keys), or a pattern


class Tri(Enum):
    """Whether something holds for every request of a need, for none, or for some."""

    NEVER = 0
    MAYBE = 1
    ALWAYS = 2


def tri_and(values: list[Tri]) -> Tri:
    """Every part must hold: NEVER if one never does, ALWAYS if all always do."""
    if Tri.NEVER in values:
        return Tri.NEVER
    return Tri.MAYBE if Tri.MAYBE in values else Tri.ALWAYS


def tri_of(value: bool) -> Tri:
    return Tri.ALWAYS if value else Tri.NEVER


class Need(NamedTuple):
    """The requests of one action on every resource ``resource`` matches, with ``context``
    (keys lower-case)."""

    action: str
    resource: Glob
    context: Mapping[str, ContextValue] = MappingProxyType({})
    complete: bool = False

    @property
    def key(self) -> tuple:
        """A hashable identity (the context is a mapping)."""
        return (self.action, self.resource, tuple(sorted(self.context.items())), self.complete)

    def describe(self, keys: Collection[str] | None = None) -> str:
        """``action on resource with key value, ...`` for messages (``keys``: only those)."""
        shown = ", ".join(f"{key} {_shown(value)}" for key, value in sorted(self.context.items())
                          if keys is None or key in keys)
        return f"{self.action} on {self.resource}" + (f" with {shown}" if shown else "")


def _shown(value: ContextValue) -> str:
    if isinstance(value, Glob):
        return f"like {str(value)!r}"
    return repr(value[0]) if len(value) == 1 else repr(list(value))


def request(action: str, resource: str, context: Mapping[str, object] | None = None) -> Need:
    """One concrete request: ``context`` maps keys (any case) to a string or a list of
    strings (a multivalued key); keys not given are absent."""
    values: dict[str, ContextValue] = {}
    for key, value in (context or {}).items():
        items = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        values[key.lower()] = tuple(str(v) for v in items)
    return Need(action, literal(resource), MappingProxyType(values), complete=True)


class StatementRef(NamedTuple):
    """Where a policy statement is: its document's name, its index there, its Sid and its
    position in the file (the document's when the statement's own is not known)."""

    document: str
    position: int
    sid: str
    location: Location | None

    @property
    def label(self) -> str:
        """``DOCUMENT Sid X`` (or ``statement N``), without the position."""
        which = f"Sid {self.sid}" if self.sid else f"statement {self.position + 1}"
        return f"{self.document} {which}"

    def __str__(self) -> str:
        return f"{self.location}: {self.label}" if self.location else self.label


class Closest(NamedTuple):
    """The Allow statement that came closest to allowing a denied need, and how close
    (:data:`RANKS`)."""

    statement: StatementRef
    rank: int
    reason: str


# How close an Allow statement came, best first (the evaluator's ``closest``): ties go to the
# longer common prefix of the resources, then to the earlier statement.
RANKS = {
    4: "action and resource match; a condition does not hold (or is not known to)",
    3: "action matches; the resource covers only part of what is needed",
    2: "action matches; the resource does not",
    1: "same service and resource; another action",
}


class Decision(NamedTuple):
    """``effect`` is ``allow``, ``deny`` (an explicit Deny applies) or ``implicit-deny``.
    ``statements`` decided it (the Allow statements that cover the need, or the Deny
    statements that apply); ``closest`` is set for an implicit deny when an Allow statement
    came close. ``certain`` is False when a Deny applies to only part of the need or only
    for some values of a key not known (the need is then not covered either)."""

    effect: str
    statements: tuple[StatementRef, ...] = ()
    closest: Closest | None = None
    certain: bool = True
    boundary: bool = False  # decided by the permissions boundary

    @property
    def allowed(self) -> bool:
        return self.effect == "allow"


class PolicyDoc(NamedTuple):
    """One policy document as read from a file: ``name`` says which (``EtlRole inline
    S3Read``, a policy ARN and version, the file name for a plain document); ``document`` is
    the parsed JSON/YAML (its objects carry their positions when read from the file itself,
    see :mod:`redshift_iam.audit.locate`); ``location`` where it starts; ``boundary`` marks a
    permissions boundary (it limits what the others allow)."""

    name: str
    document: object
    location: Location | None = None
    boundary: bool = False

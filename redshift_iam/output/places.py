"""explain's placeholder listing: each template placeholder of a statement, where it is
written, and its value and where the value came from, or how it stands unresolved.

A value is not shown (``hidden``) when the statement carries a secret (access keys, a
session token or a master symmetric key) or the value holds a secret's keyword: a
placeholder there may hold the secret itself.
"""

from __future__ import annotations

import json

from redshift_iam.core.placeholders import Placeholder, indices
from redshift_iam.core.secrets import SECRET_WORDS
from redshift_iam.core.statements import LOCATION_FIELDS, AuthKind, S3Path, Statement

# status -> how the text shows it (value and origin are added for "resolved")
STATUS_TEXT = {"resolved": "=", "hidden": "= (value hidden: the statement carries a secret)",
               "wildcard": "unresolved -> *", "unresolved": "unresolved"}


def has_placeholders(statements: tuple[Statement, ...]) -> bool:
    """Whether any statement was read from a template (explain then lists placeholders)."""
    return any(getattr(s, "placeholders", ()) for s in statements)


def rows(statement: Statement) -> list[dict[str, object]]:
    """One entry per placeholder of the statement, in the order written: ``name`` (the
    label), ``text``, ``form``, ``location``, ``status`` (``resolved``, ``hidden``,
    ``wildcard``: unresolved in an S3 key, granted as ``*``; ``unresolved``), ``value`` and
    ``origin`` (``null`` unless ``resolved``)."""
    places = getattr(statement, "placeholders", ())
    in_keys = _key_indices(statement)
    secret = _carries_secret(statement)
    out = []
    for place in sorted(places, key=lambda p: (p.location.file, p.location.line,
                                                 p.location.col, p.serial)):
        status = _status(place, in_keys, secret)
        shown = status == "resolved"
        out.append({"name": place.label, "text": place.text, "form": place.form,
                    "location": str(place.location), "status": status,
                    "value": place.value if shown else None,
                    "origin": place.origin if shown else None})
    return out


def _status(place: Placeholder, in_keys: set[int], secret: bool) -> str:
    if place.resolved:
        hidden = secret or SECRET_WORDS.search(place.value or "") is not None
        return "hidden" if hidden else "resolved"
    return "wildcard" if place.serial in in_keys else "unresolved"


def _key_indices(statement: Statement) -> set[int]:
    """The placeholders that stand in the key of one of the statement's S3 locations."""
    found: set[int] = set()
    for field in LOCATION_FIELDS:
        value = getattr(statement, field, None)
        if isinstance(value, S3Path):
            found.update(indices(value.key))
    return found


def _carries_secret(statement: Statement) -> bool:
    auth = getattr(statement, "auth", None)
    return (auth is not None and (auth.kind is AuthKind.KEYS or auth.client_key)) or bool(
        getattr(statement, "client_key", False))


_SHOWN = 60  # characters of a long value the text shows (json shows it whole)


def text_cells(entry: dict[str, object]) -> tuple[str, str, str]:
    """(name, location, state) of an entry for the text table; the value as a JSON string,
    a long one cut after :data:`_SHOWN` characters with its length."""
    state = STATUS_TEXT[str(entry["status"])]
    if entry["status"] == "resolved":
        value = str(entry["value"])
        quoted = json.dumps(value[:_SHOWN], ensure_ascii=False)
        if len(value) > _SHOWN:
            quoted = f"{quoted[:-1]}...\" ({len(value)} characters)"
        state = f"= {quoted}  ({entry['origin']})"
    return str(entry["name"]), str(entry["location"]), state

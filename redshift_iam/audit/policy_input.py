"""What a policy file reader returns (:class:`PolicyInput`), and what the readers of every
form share: a document given as JSON text (URL-encoded as the IAM API returns it), and the
choice of one role among those a file holds (RC406)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any, NamedTuple

from redshift_iam.audit.decisions import PolicyDoc
from redshift_iam.audit.locate import error
from redshift_iam.core.diagnostics import Diagnostic, Location


class PolicyInput(NamedTuple):
    """What one file holds for the chosen role: its documents, the form read, every role
    the file names (to choose from), and the RC405 notes about what it left out."""

    form: str
    documents: tuple[PolicyDoc, ...]
    roles: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


def decode_document(value: object, at: Location | None, what: str) -> object:
    """A document that is an object already, or JSON text (URL-encoded, as the IAM API
    returns it)."""
    if not isinstance(value, str):
        return value
    text = urllib.parse.unquote(value) if value.lstrip()[:1] == "%" or "%7B" in value else value
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise error(f"{what} is text but not a JSON policy document ({str(exc)[:80]})",
                    at) from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key[:60]!r} given twice")
        out[key] = value
    return out


def choose(names: list[str], role: str | None, file: str, at: Location | None,
           aliases: Mapping[str, str] | None = None) -> str:
    """The one role of ``names`` that ``role`` names (a name, or an alias such as an ARN or
    a logical id); the only one when ``role`` is None. RC406 otherwise, listing them."""
    aliases = aliases or {}
    listed = ", ".join(sorted(names)[:20]) + (", ..." if len(names) > 20 else "")
    if role is None:
        if len(names) == 1:
            return names[0]
        raise error(f"{file} holds {len(names)} roles; choose one: {listed or 'none'}", at,
                    "RC406")
    found = aliases.get(role, role)
    if found in names:
        return found
    raise error(f"{file} holds no role {role[:100]!r}; it holds: {listed or 'none'}", at,
                "RC406")



"""Credentials in the raw text of the inputs: what looks live, and CREDENTIALS strings
Redshift would refuse.

These findings read the text itself (comments and statements the reader could not read
included), never print a value, and carry no snippet (the line holds the credential):

- RW230: an access key id of the real shape, ``AKIA`` or ``ASIA`` and 16 base32 characters
  (``A-Z``, ``2-7``), not the AWS documentation's (they hold ``EXAMPLE``);
- RW231: a secret access key (40 characters of ``A-Za-z0-9/+``), a session token (100 or
  more base64 characters) or a master symmetric key (40 or more) after its keyword, that is
  not the documentation's (``EXAMPLE``);
- RW232: a ``CREDENTIALS '...'`` string with white space or a pair that is not one of the
  documented keys (the message names the key it most likely means).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from redshift_iam.core.aws_names import CREDENTIAL_KEYS
from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.source import Source

_KEY_ID = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9])")
# (what, pattern): the value is group "v"; a keyword, then = or : or white space and a quote
_SECRETS = (
    ("secret access key", re.compile(
        r"secret_access_key[\"']?\s*(?:[=:]|\s(?:\s*as\s)?)\s*[\"']?(?P<v>[A-Za-z0-9/+]{40})"
        r"(?![A-Za-z0-9/+=])", re.I)),
    ("session token", re.compile(
        r"(?<![a-z_])(?:session_)?token[\"']?\s*(?:[=:]|\s(?:\s*as\s)?)\s*[\"']?"
        r"(?P<v>[A-Za-z0-9/+=]{100,})", re.I)),
    ("master symmetric key", re.compile(
        r"master_symmetric_key[\"']?\s*(?:[=:]|\s(?:\s*as\s)?)\s*[\"']?"
        r"(?P<v>[A-Za-z0-9/+=]{40,})", re.I)),
)
_CREDENTIALS = re.compile(r"\bcredentials\s+(?:as\s+)?'(?P<v>[^']*)'", re.I)
KNOWN_KEYS = CREDENTIAL_KEYS
_ONE_WORD = re.compile(r"[A-Za-z_]{1,40}\Z")
_COMMA_JOINED = re.compile(r",\s*(?:" + "|".join(KNOWN_KEYS) + r")\s*=", re.I)


def _mask(key_id: str) -> str:
    return f"{key_id[:4]}...{key_id[-4:]}"


def live_keys(source: Source) -> Iterator[Diagnostic]:
    """RW230 and RW231 in one text."""
    text = source.text
    for match in _KEY_ID.finditer(text):
        if "EXAMPLE" not in match.group():
            yield Diagnostic("RW230", f"access key id {_mask(match.group())} looks live (not an "
                                      "AWS documentation example key)",
                             source.location(match.start()))
    for what, pattern in _SECRETS:
        for match in pattern.finditer(text):
            if "EXAMPLE" not in match.group("v").upper():
                yield Diagnostic("RW231", f"a {what} that looks live is written here (the "
                                          "value is not shown)",
                                 source.location(match.start("v")))


def credentials_strings(source: Source) -> Iterator[tuple[int, int, Diagnostic]]:
    """(start, end, RW232) for each CREDENTIALS string with white space or an unknown key;
    ``start``/``end`` are its offsets in the text (quotes included)."""
    text = source.text
    for match in _CREDENTIALS.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if "--" in text[line_start:match.start()]:
            continue  # in a comment
        problem = _problem(match.group("v"))
        if problem is not None:
            offset, message = problem
            yield (match.start("v") - 1, match.end("v") + 1,
                   Diagnostic("RW232", message, source.location(match.start("v") + offset)))


def _problem(value: str) -> tuple[int, str] | None:
    """(offset in ``value``, message) of the first thing Redshift would refuse."""
    offset = 0
    for number, part in enumerate(value.split(";"), 1):
        joined = _COMMA_JOINED.search(part)
        if joined:
            return offset + joined.start(), "CREDENTIALS pairs are joined by ';', not ','"
        key, eq, _ = part.partition("=")
        name = key.strip()
        shown = repr(name) if _ONE_WORD.match(name) else f"entry {number}"
        if part and not eq:
            hint = " (':' written for '=')" if ":" in part else ""
            return offset, f"CREDENTIALS {shown} is not key=value{hint}"
        if part and name not in KNOWN_KEYS:
            guess = difflib.get_close_matches(name.lower(), KNOWN_KEYS, n=1, cutoff=0.6)
            mean = f" (did you mean {guess[0]}?)" if guess else ""
            return offset, f"unknown CREDENTIALS key {shown}{mean}; the keys are " + (
                ", ".join(KNOWN_KEYS))
        space = re.search(r"\s", part)
        if space:
            return offset + space.start(), (f"the CREDENTIALS string holds white space in the "
                                            f"{name[:40] if _ONE_WORD.match(name) else shown} "
                                            "pair; Redshift refuses it")
        offset += len(part) + 1
    return None

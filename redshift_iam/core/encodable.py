"""Text that cannot be written: lone surrogates, and how output writes what it cannot encode.

Python text may hold a *lone surrogate* (U+D800-U+DFFF): a JSON or YAML escape (``"\\ud800"``),
a string literal of scanned source code, a command-line argument or file name that is not valid
UTF-8 (Python keeps its bytes as U+DC80-U+DCFF). It is not a character: no UTF-8 writer accepts
it, so every input path refuses it (RI128, naming the place and the code point as ``U+D800``,
never the raw character), and every output stream escapes what it cannot encode instead of
failing (:func:`escape_unencodable`, installed on stdout and stderr by the CLI).
"""

from __future__ import annotations

import codecs
import re

SURROGATE_CODE = "RI128"
_SURROGATE = re.compile("[\ud800-\udfff]")
ERRORS = "redshift-iam-escape"  # the codec error handler's name (see escape_unencodable)


def first_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in ``text``, or None (one C-level search)."""
    found = _SURROGATE.search(text)
    return found.start() if found else None


def code_point(char: str) -> str:
    """``U+D800``: how a message names a character it must not print."""
    return f"U+{ord(char):04X}"


def surrogate_message(what: str, text: str, at: int) -> str:
    """The RI128 message for the surrogate at index ``at`` of ``text`` (``what`` names the
    place: "the --var value", "the string")."""
    return f"{what} holds {code_point(text[at])} (character {at + 1}), a lone surrogate"


def escape_unencodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each character the stream's encoding cannot write becomes a
    ``\\uXXXX`` escape (a pair of them above U+FFFF), which is also a valid escape inside JSON
    and HCL strings, so a document stays parseable and nothing is lost."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start:error.end]
    return "".join(_escape(char) for char in chunk), error.end


def _escape(char: str) -> str:
    point = ord(char)
    if point <= 0xFFFF:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"


def register() -> str:
    """Register :func:`escape_unencodable` under :data:`ERRORS` (idempotent); returns the name."""
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, escape_unencodable)
    return ERRORS


def encode(text: str) -> bytes:
    """``text`` as UTF-8 bytes for a file the tool writes, lone surrogates escaped."""
    return text.encode("utf-8", register())

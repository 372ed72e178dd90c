"""Where a statement may start carrying a secret (snippets hide the rest)."""

from __future__ import annotations

import re

from redshift_iam.core.lazyre import LazyRegex

# From the first of these words on, a statement may carry a secret: snippets hide the rest.
SECRET_WORDS = LazyRegex(
    r"\b(?:secret_access_key|session_token|token|master_symmetric_key|credentials)\b", re.I
)


# ...except CREDENTIALS followed by a well-formed role-only string, which holds no secret.
_ROLE_ONLY = LazyRegex(r"\s*(?:as\s+)?'aws_iam_role=arn:[A-Za-z0-9:/+=,.@_-]*'", re.I)


def secret_start(text: str, start: int, end: int) -> int | None:
    """The offset in ``text[start:end]`` (one statement) from which it may carry a secret."""
    for match in SECRET_WORDS.finditer(text, start, end):
        if match.group().lower() != "credentials" or not _ROLE_ONLY.match(text, match.end(), end):
            return match.start()
    return None

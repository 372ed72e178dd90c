"""The private-use characters the tool reserves (U+E000-U+E00F: sentinels and trace markers)
must not come from a template: RI176, checked before a template is rendered (the main one and
each file it includes)."""

from __future__ import annotations

import re

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.placeholders import RESERVED
from redshift_iam.core.source import Source


def refuse_reserved(source: Source) -> None:
    """RI176 at the first reserved character of ``source``."""
    match = re.search(f"[{RESERVED}]", source.text)
    if match:
        raise InputError(source.diagnostic(
            "RI176", f"the template holds the reserved character U+{ord(match.group()):04X}",
            match.start()))

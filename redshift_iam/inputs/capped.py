"""Reading a file a flag names (a values file, a manifest) within a size limit.

Only a regular file is read (a FIFO would block, ``/dev/zero`` never ends), and never more
than ``limit`` bytes of it: what it holds beyond that is refused before it is read.
"""

from __future__ import annotations

import os
import stat


class TooLarge(OSError):
    """The file holds more than the limit, or is not a regular file (``strerror`` says)."""


def read_utf8(path: str, limit: int) -> str:
    """The UTF-8 text of the regular file ``path`` of at most ``limit`` bytes. Raises
    OSError (TooLarge among them) or UnicodeDecodeError."""
    # O_NONBLOCK: opening a FIFO does not wait for a writer; fstat the opened file itself
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb", buffering=0) as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TooLarge(0, "not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(0, f"larger than {shown_size(limit)}")
    return data.decode("utf-8")


def shown_size(limit: int) -> str:
    """``1 MiB`` for 1048576, ``256 KiB`` for 262144."""
    for shift, unit in ((20, "MiB"), (10, "KiB")):
        if limit >= 1 << shift and not limit % (1 << shift):
            return f"{limit >> shift} {unit}"
    return f"{limit} bytes"

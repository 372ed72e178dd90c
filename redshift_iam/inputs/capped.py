"""Reading a file a flag names (a values file, a manifest) within a size limit, through the
one safe reader (``core.localfiles.read_regular``): only a regular file (a FIFO would block,
``/dev/zero`` never ends), never more than ``limit`` bytes of it."""

from __future__ import annotations

from redshift_iam.core.localfiles import NotRead, TooLarge, read_regular, size_text


class Refused(OSError):
    """The file is not a regular file, or holds more than the limit (``strerror`` says)."""


def read_utf8(path: str, limit: int) -> str:
    """The UTF-8 text of the regular file ``path`` of at most ``limit`` bytes. Raises
    OSError (Refused among them) or UnicodeDecodeError."""
    try:
        data = read_regular(path, limit)
    except TooLarge:
        raise Refused(0, f"larger than {size_text(limit)}") from None
    except NotRead as exc:
        raise Refused(0, "not a regular file" if "not a regular file" in exc.reason
                      else exc.reason) from None
    return data.decode("utf-8")

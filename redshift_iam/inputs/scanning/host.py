"""A host file's text with its line starts: character offsets to 1-based line and column."""

from __future__ import annotations

from bisect import bisect_right

from redshift_iam.inputs.scanning.fragments import TextBuilder


class HostText:
    """The decoded text of one host file and the offsets where its lines start."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        index = find("\n")
        while index >= 0:
            starts.append(index + 1)
            index = find("\n", index + 1)
        self.starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column in characters) of the character at ``offset``."""
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def offset(self, lineno: int, col_bytes: int) -> int:
        """The character offset of an ``ast`` position (1-based line, UTF-8 byte column)."""
        start = self.starts[lineno - 1]
        end = self.starts[lineno] if lineno < len(self.starts) else len(self.text)
        line = self.text[start:end]
        if line.isascii():
            return start + col_bytes
        return start + len(line.encode("utf-8")[:col_bytes].decode("utf-8", "replace"))

    def copy(self, builder: TextBuilder, start: int, end: int) -> None:
        """Append host characters ``start:end`` to ``builder``, one run per host line."""
        while start < end:
            stop = self.text.find("\n", start, end)
            stop = end if stop < 0 else stop + 1
            line, col = self.position(start)
            builder.add(self.text[start:stop], line, col)
            start = stop

    def put(self, builder: TextBuilder, text: str, offset: int) -> None:
        """Append ``text`` that stands, as a whole, at the host character ``offset``."""
        line, col = self.position(offset)
        builder.add(text, line, col, step=0)

"""A cursor over one statement's tokens, with errors that point at a token and redact secrets."""

from __future__ import annotations

from dataclasses import dataclass, field

from redshift_iam.core.aws_names import Problem
from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.placeholders import has_sentinel, provenance
from redshift_iam.core.placeholders import shown as template_text
from redshift_iam.core.secrets import hide_secret_shapes
from redshift_iam.core.source import Source
from redshift_iam.sql.tokens import Token


@dataclass
class Cursor:
    """Reads a statement's token list front to back. ``redact_from`` is the offset from which
    snippets of this statement are hidden (the first secret-bearing option)."""

    source: Source
    tokens: list[Token]
    redact_from: int | None
    pos: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self, what: str) -> Token:
        token = self.peek()
        if token is None:
            end = self.tokens[-1].end if self.tokens else 0
            raise InputError(self.source.diagnostic(
                "RI110", f"statement ends where {what} was expected", end, self.redact_from))
        self.pos += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.upper in words

    def accept_word(self, *words: str) -> Token | None:
        if self.at_word(*words):
            return self.next("")
        return None

    def expect_word(self, *words: str) -> Token:
        token = self.next(" or ".join(words))
        if token.kind != "word" or token.upper not in words:
            raise self.error("RI110", f"expected {' or '.join(words)}, found {self.shown(token)}",
                             token)
        return token

    @property
    def templated(self) -> bool:
        """A rendered template (or ``--template-style none``): text that looks like a
        template placeholder is literal, and sentinels stand for unresolved ones."""
        return self.source.origin is not None

    def expect_string(self, what: str, secret: bool = False) -> Token:
        """The next token, which must be a quoted string, or a bare sentinel in a template
        (a placeholder whose value would bring the quotes). For a ``secret`` value nothing
        of what was found is echoed, and the snippet hides it."""
        token = self.next(what)
        if token.kind == "sentinel":
            return token
        if token.kind == "placeholder" and not secret and not self.templated:
            raise self.error("RI121", f"placeholder {self.shown(token)} where {what} was "
                                      "expected", token)
        if token.kind not in ("string", "dollar"):
            found = "something else" if secret else self.shown(token)
            raise self.error("RI110", f"expected {what} (a quoted string), found {found}",
                             token, redact_from=token.start if secret else None)
        return token

    def expect_punct(self, char: str) -> Token:
        token = self.next(repr(char))
        if token.text != char:
            raise self.error("RI110", f"expected {char!r}, found {self.shown(token)}", token)
        return token

    def skip_parens(self) -> list[Token]:
        """Consume a balanced ``( ... )`` group and return the tokens inside it."""
        self.expect_punct("(")
        depth, inside = 1, list[Token]()
        while True:
            token = self.next("')'")
            depth += (token.text == "(") - (token.text == ")")
            if depth == 0:
                return inside
            inside.append(token)

    def error(self, code: str, message: str, token: Token, offset: int = 0,
              redact_from: int | None = None) -> InputError:
        """An InputError pointing ``offset`` characters into ``token``; the snippet is hidden
        from the statement's first secret, or from ``redact_from`` if that comes first."""
        redact = min((r for r in (self.redact_from, redact_from) if r is not None), default=None)
        at = token.start + offset
        return InputError(self.source.diagnostic(code, message + self.provenance(at), at,
                                                 redact))

    def provenance(self, offset: int) -> str:
        """For text that came from a template value: where the placeholder stands and
        where its value came from (never the value: it may be a secret)."""
        origin = self.source.origin
        value_at = getattr(origin, "value_at", None)  # a template's origin; not in Origin
        return provenance(value_at(offset) if value_at is not None else None)

    def shown(self, token: Token) -> str:
        """How a token is named in a message. String contents are never echoed (they may be
        secrets or megabytes long), nor is anything past the statement's first secret."""
        if token.kind in ("string", "dollar", "qident"):
            return "a quoted string"
        if self.redact_from is not None and token.start >= self.redact_from:
            return "a word"
        text = token.text[:240]
        if has_sentinel(text):  # a placeholder is named as the template writes it
            placeholders = getattr(self.source.origin, "placeholders", ())
            text = template_text(text, placeholders) if placeholders else text
            return "placeholder " + repr(hide_secret_shapes(text)[:60])
        return repr(hide_secret_shapes(text)[:40])

    def problem(self, problem: Problem, token: Token) -> InputError:
        """Turn a core.aws_names problem about a string token's value into an InputError."""
        code, message, offset = problem
        return self.error(code, message, token, offset + (1 if token.kind == "string" else 0))

    def warn(self, code: str, message: str, token: Token) -> None:
        self.warnings.append(self.source.diagnostic(code, message, token.start, self.redact_from))

    def location(self, token: Token) -> Location:
        if self.source.origin is not None:
            return self.source.location(token.start)
        return Location(self.source.name, token.line, token.col)

    def location_at(self, offset: int) -> Location:
        """The location of a source offset (inside a token)."""
        return self.source.location(offset)

"""What the CLI writes on stderr, as text for people or JSON lines for machines
(``--error-format json``).

In JSON form every stderr line is one object with the keys of a diagnostic: ``code``,
``severity``, ``message``, ``location``, ``hint``. Lines that are not about the input have
``code`` null: the closing summary of a failed run (severity ``error``), a usage error
(severity ``usage``, exit 2) and a file written by ``--out-dir`` (severity ``info``).
The format is taken from the command line before click parses it, so that a usage error
of the same command line is JSON too.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import sys
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import click

from redshift_iam.core import encodable
from redshift_iam.core.diagnostics import Diagnostic, source_order

_JSON = contextvars.ContextVar("redshift_iam_error_json", default=False)


def wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for ``--error-format json`` (the last one given wins,
    as click reads it)."""
    found = False
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.startswith("--error-format="):
            found = arg.partition("=")[2] == "json"
        elif arg == "--error-format" and index + 1 < len(argv):
            found = argv[index + 1] == "json"
    return found


def _line(code: str | None, severity: str, message: str, location: str | None = None,
          hint: str | None = None) -> str:
    return json.dumps({"code": code, "severity": severity, "message": message,
                       "location": location, "hint": hint}, ensure_ascii=False)


class Place(NamedTuple):
    """A place ``scan`` did not read (``path``, 1-based ``line``/``col``, 0/0 for a whole
    file), printed among the diagnostics as a ``skipped:`` warning line."""

    path: str
    line: int
    col: int
    reason: str


def _order(item: Diagnostic | Place) -> tuple[int, str, int, int, str]:
    """Source order (``core.diagnostics.source_order``), a place skipped at its place."""
    if isinstance(item, Place):
        return (1, item.path, item.line, item.col, "")
    return source_order(item)


def diagnostics(found: Iterable[Diagnostic], skipped: Iterable[Place] = ()) -> None:
    """Print a run's diagnostics and places skipped on stderr in one write (a big script can
    have thousands), in source order (:func:`_order`, a stable sort: the same run prints
    the same bytes). This is the one place diagnostics are printed."""
    items: list[Diagnostic | Place] = [*found, *skipped]
    items.sort(key=_order)
    as_json = _JSON.get()
    text = "\n".join(_skipped(item, as_json) if isinstance(item, Place)
                     else json.dumps(item.as_json(), ensure_ascii=False) if as_json
                     else item.render() for item in items)
    if text:
        click.echo(text, err=True)


def _skipped(place: Place, as_json: bool) -> str:
    where = f"{place.path}:{place.line}:{place.col}" if place.line else place.path
    if as_json:
        return _line(None, "warning", f"skipped: {place.reason}", where)
    return f"redshift-iam: {where}: skipped: {place.reason}"


def summary(message: str, severity: str = "error", location: str | None = None) -> None:
    """A line about the run rather than the input (``redshift-iam: ...`` in text); a
    ``location`` is its own key in JSON and leads the message in text."""
    if _JSON.get():
        click.echo(_line(None, severity, message, location), err=True)
    elif location:
        click.echo(f"redshift-iam: {location}: {message}", err=True)
    else:
        click.echo(f"redshift-iam: {message}", err=True)


def info(message: str) -> None:
    """A note about what the run did (``wrote DIR/NAME``), unprefixed in text."""
    if _JSON.get():
        click.echo(_line(None, "info", message), err=True)
    else:
        click.echo(message, err=True)


def usage(exc: click.ClickException) -> None:
    """A usage error (exit 2) as click shows it, or as one JSON line."""
    if not _JSON.get():
        exc.show()
        return
    ctx = getattr(exc, "ctx", None)
    hint = (f"'{ctx.command_path} --help' shows the usage" if ctx is not None else None)
    click.echo(_line(None, "usage", exc.format_message(), hint=hint), err=True)


def _is_help(exc: click.ClickException) -> bool:
    return type(exc).__name__ == "NoArgsIsHelpError"


def safe_streams() -> None:
    """Make stdout and stderr escape what their encoding cannot write (``\\uXXXX``, see
    ``core.encodable``) instead of raising UnicodeEncodeError: a file name that is not UTF-8,
    or a non-ASCII key under ``LC_ALL=C`` / ``PYTHONIOENCODING=ascii``, never ends a run
    with a traceback. (click itself writes an ASCII-configured stream as UTF-8.)"""
    handler = encodable.register()
    for stream in (sys.stdout, sys.stderr):
        # a stream that is not a reconfigurable text stream keeps its own handling
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors=handler)  # type: ignore[union-attr]


class Group(click.Group):
    """The command group, which first notes the error format the command line asks for,
    makes the output streams safe for any text (:func:`safe_streams`), and loads each
    command (``lazy_commands``: name -> ``module:attribute``) on first use."""

    def __init__(self, *args, lazy_commands=None, **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy_commands:
            import importlib

            module, _, attribute = self.lazy_commands[name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def main(self, args=None, prog_name=None, complete_var=None,  # noqa: ANN001 - click's
             standalone_mode=True, **extra):  # noqa: ANN001, ANN003
        safe_streams()
        argv = list(sys.argv[1:] if args is None else args)
        token = _JSON.set(wants_json(argv))
        try:
            try:
                code = super().main(argv, prog_name, complete_var, False, **extra)
            except click.ClickException as exc:
                if not standalone_mode:
                    raise
                # NoArgsIsHelpError is a UsageError whose "message" is the help text
                if isinstance(exc, click.UsageError) and not _is_help(exc):
                    usage(exc)
                else:
                    exc.show()
                sys.exit(exc.exit_code)
            except click.Abort:
                if not standalone_mode:
                    raise
                summary("aborted")
                sys.exit(1)
            if standalone_mode:
                sys.exit(code if isinstance(code, int) else 0)
            return code
        finally:
            _JSON.reset(token)

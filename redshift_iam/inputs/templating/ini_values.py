"""INI values files (``.ini``, ``.cfg``), read as Python's configparser reads them.

``[S3]`` then ``LOG_DATA = s3://udacity-dend/log_data`` gives the name ``S3.LOG_DATA`` (and
``S3`` the section as a mapping, for Jinja), so ``config['S3']['LOG_DATA']`` in code, which
normalises to ``config.S3.LOG_DATA``, is filled by ``--var`` or by a values file with that
key. Keys keep their case (configparser's lookups ignore it; a name is shown as written).
Each section also holds the ``[DEFAULT]`` keys, as configparser's sections do, and the
default keys are ``DEFAULT.KEY`` too.

Values are expanded as configparser's default ``BasicInterpolation`` expands them (``%%`` ->
``%``, ``%(key)s`` from the same section or ``[DEFAULT]``, at most 10 levels deep), but by
this module under a budget: a file whose references multiply (each line using the one above
ten times) is refused (RI175) instead of growing without bound. Errors say where, never what:
a line may hold a secret.
"""

from __future__ import annotations

import configparser
import re
from typing import Any

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location

MAX_EXPANSION = 1 << 20  # what %(key)s expansion may add across all values
MAX_DEPTH = configparser.MAX_INTERPOLATION_DEPTH
_REFERENCE = re.compile(r"%(?:%|\((?P<name>[^)]*)\)s)")


def load_ini(path: str, text: str) -> dict[str, tuple[Any, str]]:
    """Each ``SECTION.KEY`` (and ``SECTION``, a mapping) of the INI text -> (its value,
    ``FILE:LINE`` of its key or section header). Raises InputError RI175 for text configparser
    cannot read (a key before any section, a section or key given twice, a line that is
    neither) or a ``%`` reference it could not expand."""
    # read as a program reads it (keys ignore case: x and X are one key given twice), then
    # again keeping each key's case for its name
    parser = _read(path, text, configparser.ConfigParser(interpolation=None, strict=True))
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser = _read(path, text, parser)
    lines = _key_lines(text)
    budget = [len(text) + MAX_EXPANSION]
    found: dict[str, tuple[Any, str]] = {}
    for section in [parser.default_section, *parser.sections()]:
        items = _section_items(parser, section)
        values = {key: _expand(path, lines, section, key, items, budget) for key in items}
        found[section] = (values, f"{path}:{lines.get((section, ''), 1)}")
        for key, value in values.items():
            where = lines.get((section, key.lower())) or lines.get(("DEFAULT", key.lower()), 1)
            found[f"{section}.{key}"] = (value, f"{path}:{where}")
    if not parser.defaults():
        del found[parser.default_section]
    return found


def _read(path: str, text: str, parser: configparser.ConfigParser
          ) -> configparser.ConfigParser:
    try:
        parser.read_string(text, path)
    except configparser.Error as exc:
        raise _error(path, _error_line(exc), _error_message(exc)) from None
    return parser


def _section_items(parser: configparser.ConfigParser, section: str) -> dict[str, str]:
    """The raw values a section holds, the defaults included (None, a bare key, is '')."""
    if section == parser.default_section:
        raw = dict(parser.defaults())
    else:
        raw = {key: parser.get(section, key, raw=True) for key in parser.options(section)}
    return {key: "" if value is None else value for key, value in raw.items()}


def _expand(path: str, lines: dict[tuple[str, str], int], section: str, key: str,
            items: dict[str, str], budget: list[int]) -> str:
    """``items[key]`` with BasicInterpolation's ``%%`` and ``%(name)s`` expanded."""
    lowered = {name.lower(): value for name, value in items.items()}
    where = lines.get((section, key.lower())) or lines.get(("DEFAULT", key.lower()), 1)

    def expand(value: str, depth: int) -> str:
        if depth > MAX_DEPTH:
            raise _error(path, where, f"the value of {section}.{key} nests %(...)s references "
                                      f"more than {MAX_DEPTH} deep (a loop?)")
        if "%" in _REFERENCE.sub("", value):
            raise _error(path, where, f"the value of {section}.{key} holds a '%' that is "
                                      "neither '%%' nor '%(name)s'")

        def one(match: re.Match[str]) -> str:
            name = match.group("name")
            if name is None:
                return "%"
            if name.lower() not in lowered:
                raise _error(path, where, f"the value of {section}.{key} uses %({name})s, "
                                          f"which [{section}] and [DEFAULT] do not set")
            text = expand(lowered[name.lower()], depth + 1)
            budget[0] -= len(text)
            if budget[0] < 0:
                raise _error(path, where, f"the value of {section}.{key} makes the file's "
                             f"values longer than its text and {MAX_EXPANSION >> 20} MiB more")
            return text

        return _REFERENCE.sub(one, value)

    return expand(items[key], 1)


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """(section, lowercased key) -> the line of its first binding; (section, '') -> the line
    of the section's header."""
    lines: dict[tuple[str, str], int] = {}
    section = configparser.DEFAULTSECT
    for number, line in enumerate(text.splitlines(), 1):
        header = configparser.ConfigParser.SECTCRE.match(line)
        if header:
            section = header.group("header")
            lines.setdefault((section, ""), number)
            continue
        option = configparser.ConfigParser.OPTCRE.match(line)
        if option and not line[:1].isspace() and not line.lstrip().startswith(("#", ";")):
            lines.setdefault((section, option.group("option").strip().lower()), number)
    return lines


def _error_line(exc: configparser.Error) -> int:
    if lineno := getattr(exc, "lineno", None):
        return int(lineno)
    errors = getattr(exc, "errors", None)
    return int(errors[0][0]) if errors else 1


def _error_message(exc: configparser.Error) -> str:
    """What configparser found, without the line's text (it may hold a secret)."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return "a key before any [SECTION] header"
    if isinstance(exc, configparser.DuplicateSectionError):
        return f"section [{exc.section}] given twice"
    if isinstance(exc, configparser.DuplicateOptionError):
        return f"key {exc.option} given twice in section [{exc.section}]"
    return "not a [SECTION] header or KEY = VALUE line configparser can read"


def _error(path: str, line: int, message: str) -> InputError:
    return InputError(Diagnostic("RI175", message, Location(path, line, 1), fix=(
        "write [SECTION] headers and KEY = VALUE lines, each key once per section; write a "
        "literal % as %%")))

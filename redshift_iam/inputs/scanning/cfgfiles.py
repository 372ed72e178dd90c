"""Files whose values the scanned code reads: configparser files a module reads by a literal
path, and dbt's ``vars:`` in ``dbt_project.yml``. Never run; read as the code would read them.

Where a literal path is looked for (:meth:`Tree.find`): first under the root of the scanned
tree (the PATH given to ``scan``: the folder Python is run from in a repository, as
``python dags/load.py`` from the root resolves ``config.read('dwh.cfg')``), then beside the
module. A path that leaves the scanned tree (``..``, an absolute path, a link out of it), or
names no regular file, is not read: its values stay unresolved. Values are kept as
configparser returns them: ``LOG_DATA='s3://acme/log'`` is the text ``'s3://acme/log'`` with
its quotes, as the user's code sees it (a template ``FROM {}`` then reads a quoted literal).
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

from redshift_iam.inputs.scanning.fragments import Binding

_MAX_FILE = 1 << 20  # a values file larger than 1 MiB is not read
_SECTION = re.compile(r"\s*\[([^\]]+)\]")
_OPTION = re.compile(r"\s*([^=:\s][^=:]*?)\s*[=:]")


class Tree(NamedTuple):
    """The scanned tree a file belongs to: its display prefix and real path."""

    display: str
    real: str

    def find(self, module_display: str, literal: str) -> tuple[str, str] | None:
        """(display, real path) of the file ``literal`` names for the module, or None."""
        if os.path.isabs(literal) or not literal:
            return None
        for base in ("", os.path.dirname(self.relative(module_display))):
            found = self.file(os.path.join(base, literal))
            if found:
                return found
        return None

    def relative(self, display: str) -> str:
        """A display path below the tree, relative to its root."""
        display = os.path.normpath(display).replace(os.sep, "/")
        return display[len(self.display):].lstrip("/") if self.display else display

    def file(self, relative: str) -> tuple[str, str] | None:
        """(display, real path) of a regular file at ``relative`` inside the tree, or None."""
        relative = os.path.normpath(relative)
        real = os.path.realpath(os.path.join(self.real, relative))
        if relative.startswith("..") or not real.startswith(self.real.rstrip(os.sep) + os.sep) \
                or not os.path.isfile(real):
            return None
        shown = relative.replace(os.sep, "/")
        return (f"{self.display.rstrip('/')}/{shown}" if self.display else shown), real


def tree_of(given: str) -> Tree:
    """The tree of a PATH given to scan (a file's tree is its folder); its display is the
    walk's (``.`` and ``./x`` are shown as the paths below them)."""
    folder = given if os.path.isdir(given) else os.path.dirname(given) or "."
    display = os.path.normpath(folder).replace(os.sep, "/")
    return Tree("" if display == "." else display, os.path.realpath(folder))


class ConfigFile(NamedTuple):
    """Options of configparser files read in order: (section, option) -> Binding."""

    options: dict[tuple[str, str], Binding]

    def get(self, section: str, option: str) -> Binding | None:
        return self.options.get((section, option.lower()))


def read_config(files: list[tuple[str, str]], raw: bool) -> ConfigFile | None:
    """The options of the files (display, real), a later file winning, as configparser
    gives them (``raw``: no interpolation, else ``%%`` is ``%``); an option that refers to
    another (``%(x)s``) is left out (unknown). None when a file cannot be read."""
    import configparser

    parser = configparser.RawConfigParser() if raw else configparser.ConfigParser()
    lines: dict[tuple[str, str], str] = {}
    for display, real in files:
        text = _text(real)
        if text is None:
            return None
        try:
            parser.read_string(text, display)
        except configparser.Error:
            return None
        lines.update(_lines(display, text))
    found = {}
    for section in parser.sections():
        for option in parser.options(section):
            try:
                value = parser.get(section, option, raw=True)
                if not raw and "%(" in value:
                    continue  # interpolation can grow a value exponentially: not followed
                value = value if raw else parser.get(section, option)
            except configparser.Error:
                continue
            where = lines.get((section, option)) or lines.get(("DEFAULT", option), "")
            found[(section, option)] = Binding(value, where)
    return ConfigFile(found)


def _text(real: str) -> str | None:
    try:
        with open(real, "rb") as handle:
            data = handle.read(_MAX_FILE + 1)
        return None if len(data) > _MAX_FILE else data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _lines(display: str, text: str) -> dict[tuple[str, str], str]:
    """``display:line`` of each option's key (the last one written wins, as configparser)."""
    found: dict[tuple[str, str], str] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), 1):
        if line[:1].isspace() or line.lstrip().startswith(("#", ";")):
            continue
        header = _SECTION.match(line)
        if header:
            section = header.group(1)
            continue
        option = _OPTION.match(line)
        if option and section:
            found[(section, option.group(1).lower())] = f"{display}:{number}"
    return found


def dbt_vars(tree: Tree, display: str) -> dict[str, Binding]:
    """The scalar ``vars:`` of the nearest ``dbt_project.yml`` above a file, within the
    tree, each marked a default (``dbt run --vars`` may override it)."""
    folder = os.path.dirname(tree.relative(display))
    while True:
        found = tree.file(os.path.join(folder, "dbt_project.yml"))
        if found:
            return _vars_of(*found)
        if not folder:
            return {}
        folder = os.path.dirname(folder)


def script_vars(script: str, text: str) -> dict[str, Binding]:
    """dbt ``vars:`` for a SQL script named on the command line (``policy``, ``explain``,
    ``generate``) that calls ``var(``: its tree is the working directory when the script is
    under it, else the script's folder."""
    if "var(" not in text or not os.path.isfile(script):
        return {}
    real, cwd = os.path.realpath(script), os.path.realpath(os.getcwd())
    inside = real.startswith(cwd.rstrip(os.sep) + os.sep)
    base = cwd if inside else os.path.dirname(real)
    tree = Tree(os.path.relpath(base).replace(os.sep, "/") if not inside else "", base)
    return dbt_vars(tree, os.path.relpath(real, cwd).replace(os.sep, "/") if inside
                    else f"{tree.display}/{os.path.basename(real)}")


def _vars_of(display: str, real: str) -> dict[str, Binding]:
    import yaml  # lazily: only a dbt project needs it

    text = _text(real)
    try:
        root = yaml.compose(text or "", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    found: dict[str, Binding] = {}
    for key, value in _pairs(root):
        if key.value != "vars":
            continue
        for name, scalar in _pairs(value):
            if isinstance(scalar, yaml.ScalarNode) and scalar.tag.endswith((":str", ":int")):
                found[name.value] = Binding(scalar.value, f"{display}:{name.start_mark.line + 1}"
                                            f" default of vars.{name.value}", True)
    return found


def _pairs(node: object) -> list:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    return [(key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]

"""The project config applied to a run (docs/config.md): which config applies (``--config``,
``--no-config``, else the one found upward from the first input), the Options it completes
and the template values each file gets.

Precedence, highest first: a flag given on the command line (``Options.given``), the
config's per-path values, its global values and options, the defaults. Template values from
the command line (``--vars`` files, ``--var``) win over both config levels.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from redshift_iam.analysis.configure import Configured, configure
from redshift_iam.core.options import DEFAULTS, Options, OptionsError, Setting

if TYPE_CHECKING:
    from redshift_iam.inputs import ProjectConfig


class Project(NamedTuple):
    """A run's options with the config applied, the config (None when none applies) and
    where each option came from (empty without a config)."""

    options: Options
    config: ProjectConfig | None = None
    settings: tuple[Setting, ...] = ()

    def configure(self) -> Configured:
        """The stages' settings of the options (``analysis.configure``); an OptionsError
        about an option the config set names the config's line."""
        try:
            return configure(self.options)
        except OptionsError as exc:
            raise OptionsError(self._blame(str(exc))) from None

    def _blame(self, message: str) -> str:
        for setting in self.settings:
            flag = "--" + setting.name.rstrip("s") if setting.name.endswith(
                ("keys", "manifests")) else "--" + setting.name
            if setting.origin not in ("flag", "default") and message.startswith(flag):
                return f"{message} (set at {setting.origin})"
        return message

    def values_for(self, file: str | None) -> Mapping[str, Any]:
        """The config's template values for ``file`` (``inputs.Value``s by dotted name)."""
        return {} if self.config is None else self.config.values_for(file)


def first_input(inputs: Sequence[Any]) -> str:
    """Where the config search starts: the first input that is a path, else the working
    directory (standard input, Source texts)."""
    for item in inputs:
        if isinstance(item, (str, os.PathLike)) and os.fspath(item) != "-":
            return os.fspath(item)
    return "."


def load_project(options: Options, start: str) -> Project:
    """``options`` completed by the config that applies to the input ``start``. Raises
    OptionsError for a config that cannot be used (``FILE:LINE: ...``)."""
    if options.no_config:
        return Project(options)
    from redshift_iam.inputs import find_config  # light: the reader loads only for a config

    path = options.config
    if path is not None and not os.path.isfile(path):
        raise OptionsError(f"--config {path}: no such file")
    path = path or find_config(start)
    if path is None:
        return Project(options)
    from redshift_iam.inputs import read_config

    config = read_config(path)
    taken = {field: value for field, (value, _) in config.options.items()
             if not given(options, field)}
    completed = options._replace(**taken)
    return Project(completed, config, _origins(completed, config, taken))


def given(options: Options, field: str) -> bool:
    """Whether the command line (or a library caller) set ``field``."""
    if options.given is not None:
        return field in options.given
    return bool(getattr(options, field) != getattr(DEFAULTS, field))


def _origins(options: Options, config: ProjectConfig, taken: Mapping[str, Any]
             ) -> tuple[Setting, ...]:
    """Each configurable option's value and origin: flag, FILE:LINE or default."""
    from redshift_iam.inputs import configurable

    found = []
    for key in configurable():
        field = key.replace("-", "_")
        if field in taken:
            origin = f"{config.path}:{config.options[field][1]}"
        else:
            origin = "flag" if given(options, field) else "default"
        found.append(Setting(key, getattr(options, field), origin))
    return tuple(found)

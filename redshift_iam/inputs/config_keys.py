"""Which options a project config may set, and how each key's value is checked.

The keys are the fields of :class:`~redshift_iam.core.options.Options` spelled with ``-``
(``account-id``, ``kms-keys``, ``template-style``): a new option is configurable as soon as
it is a field, with the type its annotation states, unless :data:`NOT_CONFIGURABLE` names it
with the reason. :data:`CHECKS` adds the checks the flags make (one row per option that has
one); a path (``template-path``, ``vars-files``, the FILE of ``manifests``) is relative to the
config's folder and never leaves the repository (:func:`confine`).
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable
from typing import Any

from redshift_iam.core.options import (
    INPUT_FORMATS,
    PARTITIONS,
    TEMPLATE_STYLES,
    Options,
    OptionsError,
)

# The options a config may not set, and why (docs/config.md lists them).
NOT_CONFIGURABLE = {
    "template_vars": "template values go in the [values] and per-path tables",
    "iac": "the command's --format sets it",
    "resolve": "it calls AWS with the user's credentials: only the command line asks for it",
    "config": "the config names no other config",
    "no_config": "the config names no other config",
    "given": "the command line sets it",
    "from_role": "it calls AWS with the user's credentials: only the command line asks for it",
    "policies": "check reads the policy files the command line names (a repository's config "
                "must not pick what a check is judged against)",
    "policy_role": "it goes with the policy files the command line names",
    "context": "it goes with the policy files the command line names",
}


class Problem(ValueError):
    """A value a key cannot take; the message says what it should be."""


def _choice(words: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in words:
            raise Problem(f"{value!r}: expected one of {', '.join(words)}")
        return value
    return check


def _flag(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        from redshift_iam.inputs import flags

        try:
            return getattr(flags, name)(value)
        except flags.FlagError as exc:
            raise Problem(str(exc)) from None
    return check


def _policies(value: int) -> int:
    if not 1 <= value <= 20:
        raise Problem(f"{value}: IAM allows 1 to 20 managed policies per role")
    return value


def _size(value: int | str) -> int:
    from redshift_iam.core.localfiles import parse_size

    if isinstance(value, int):
        if value <= 0:
            raise Problem(f"{value}: a size is a positive number of bytes")
        return value
    try:
        return parse_size(value)
    except ValueError as exc:
        raise Problem(str(exc)) from None


def _each(check: Callable[[str], Any]) -> Callable[[tuple[str, ...]], tuple[str, ...]]:
    return lambda values: tuple(check(value) for value in values)


def _region(value: str) -> str:
    from redshift_iam.core.aws_names import check_region

    if check_region(value):
        raise Problem(f"{value!r} is not an AWS Region code (like us-east-1)")
    return value


def _db_user(value: str) -> str:
    from redshift_iam.core.aws_names import _DB_USER

    if not _DB_USER.match(value):
        raise Problem(f"{value!r} is not arn:PARTITION:redshift:REGION:ACCOUNT:dbuser:"
                      "CLUSTER/USER")
    return value


def _pair(value: str) -> str:
    if "=" not in value:
        raise Problem(f"{value!r}: expected TARGET=VALUE, as the flag takes it")
    return value


# The checks the flags make, one row per option that has one (the type check comes first).
CHECKS: dict[str, Callable[[Any], Any]] = {
    "partition": _choice(PARTITIONS),
    "account_id": _flag("check_account"),
    "region": _flag("check_region_code"),
    "kms_keys": _each(_pair),
    "manifests": _each(_pair),
    "trust_regions": _each(_region),
    "db_users": _each(_db_user),
    "max_policies": _policies,
    "template_style": _choice(TEMPLATE_STYLES),
    "input_format": _choice(INPUT_FORMATS),
    "max_file_size": _size,
    "max_total_size": _size,
}
# The options whose values are paths (relative to the config's folder); for manifests, the
# FILE after the last '='.
PATHS = ("template_path", "vars_files", "manifests")


def key_name(field: str) -> str:
    return field.replace("_", "-")


def configurable() -> dict[str, type | Any]:
    """Each configurable option's key -> the field's type (from its annotation)."""
    hints = typing.get_type_hints(Options)
    return {key_name(field): hints[field] for field in Options._fields
            if field not in NOT_CONFIGURABLE}


def convert(field: str, value: Any, folder: str, repository: str) -> Any:
    """``value`` of the config's key for ``field``: type-checked, checked as the flag is,
    paths made absolute (and confined). Raises Problem."""
    kind = typing.get_type_hints(Options)[field]
    value = _typed(kind, value, field in ("max_file_size", "max_total_size"))
    if field in CHECKS:
        value = CHECKS[field](value)
    if field == "manifests":
        return tuple(_manifest(item, folder, repository) for item in value)
    if field in PATHS:
        return _each(lambda path: confine(path, folder, repository))(value) if isinstance(
            value, tuple) else confine(value, folder, repository)
    return value


_WANTED = {str: "a string", bool: "true or false", int: "an integer"}


def _typed(kind: Any, value: Any, size: bool) -> Any:
    """``value`` if it has the TOML type ``kind`` wants (a list for a tuple)."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) is tuple:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise Problem(f"expected a list of strings, not {_shown(value)}")
    wanted = tuple(arg for arg in args if arg is not type(None)) or (kind,)
    if size and isinstance(value, str):
        return value
    if any(_is(value, want) for want in wanted):
        return value
    names = " or ".join(_WANTED[want] for want in wanted) + (" (or a size such as '4MiB')"
                                                               if size else "")
    raise Problem(f"expected {names}, not {_shown(value)}")


def _is(value: Any, want: type) -> bool:
    return isinstance(value, want) and (want is bool or not isinstance(value, bool))


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "a list holding " + ", ".join(sorted({_shown(item) for item in value}))
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            dict: "a table"}.get(type(value), "a date or time")


def _manifest(item: str, folder: str, repository: str) -> str:
    uri, _, path = item.rpartition("=")
    return f"{uri}={confine(path, folder, repository)}"


def confine(path: str, folder: str, repository: str) -> str:
    """``path`` (relative to the config's ``folder``) as an absolute path; Problem when it is
    absolute or leads out of ``repository`` (following links)."""
    if os.path.isabs(path) or path.startswith("~"):
        raise Problem(f"{path!r}: a path in the project config is relative to its folder")
    full = os.path.realpath(os.path.join(folder, path))
    root = os.path.realpath(repository)
    if full != root and not full.startswith(root.rstrip(os.sep) + os.sep):
        raise Problem(f"{path!r} leads out of the repository ({repository}): a project config "
                      "names only files inside it")
    return full


def unknown_key(key: str, known: list[str]) -> str:
    """The message for a key no option has: with the nearest known key, if any."""
    import difflib

    near = difflib.get_close_matches(key.replace("_", "-"), known, n=1, cutoff=0.6)
    return f"unknown key {key!r}" + (f" (did you mean {near[0]!r}?)" if near else
                                     f"; the keys are {', '.join(sorted(known))}")


def fail(path: str, line: int, where: str, message: str) -> OptionsError:
    """The error for a key: ``FILE:LINE: [table] message``."""
    return OptionsError(f"{path}:{line}: {where}{message}")

"""``scan --values-template``: the open variables of a scan as a project config to fill in.

One ``[per-path."FILE".values]`` table per file that holds an open variable (FILE relative
to the config's folder), one ``NAME = ""`` entry per variable whose missing value leaves a
need unresolved (RI145-RI149), above it a comment per place it stands: ``file:line:col``,
the slot and the kind of value it needs (:data:`KINDS`). A variable that only widens an S3
key (RW221) is a commented-out entry: leaving it out grants any key there. A placeholder no
name can fill (positional, an expression) is listed in a comment at the top. TOML strings
are written with ``json.dumps`` (a TOML basic string is a JSON string for these texts).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.placeholders import VARIABLE_NAME, Placeholder
from redshift_iam.core.statements import Statement

# The slot a message names (derive/unresolved.py SLOTS) -> the kind of value it needs; the
# first row whose words the message holds applies (tests/test_project_config.py holds every
# slot to a row).
KINDS: tuple[tuple[str, str], ...] = (
    ("the JSONPaths file of", "the JSONPaths file's whole S3 location (s3://bucket/key)"),
    ("the S3 location of", "a whole S3 location (s3://bucket/prefix)"),
    ("the role (IAM_ROLE", "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
    ("the access key id of", "an access key id (the principal is then that IAM user)"),
    ("the authorization of", "the authorization: IAM_ROLE 'arn:aws:iam::ACCOUNT:role/NAME' "
                             "where it stands bare, aws_iam_role=arn:aws:iam::ACCOUNT:role/"
                             "NAME inside a quoted CREDENTIALS string"),
    ("the DynamoDB table of", "a DynamoDB table name"),
    ("the EMR cluster of", "an EMR cluster id (j-...)"),
    ("the KMS key of", "a KMS key ARN or key id"),
    ("the REGION of", "an AWS Region code (us-east-1)"),
    ("the options of", "the options as SQL text (e.g. FORMAT AS CSV; \"\" for none)"),
    ("the S3 key", "a part of the S3 key (optional: without it any key there is granted)"),
)
BUCKET = "an S3 bucket name"
BLOCKING = ("RI145", "RI146", "RI147", "RI148", "RI149")
WIDENING = "RW221"


class Use(NamedTuple):
    """One place an open variable stands, and what it needs there."""

    location: Location
    kind: str
    blocking: bool


def kind_of(diagnostic: Diagnostic, placeholder: Placeholder) -> str:
    """The kind of value ``placeholder`` needs where ``diagnostic`` says it stands."""
    if f"(s3://{placeholder.text}/" in diagnostic.message:
        return BUCKET
    for words, kind in KINDS:
        if words in diagnostic.message:
            return kind
    return "a value"


def values_template(diagnostics: Iterable[Diagnostic], statements: Iterable[Statement],
                    glob_of: Callable[[str], str], header: str, table: str) -> str:
    """The template's text: ``header`` (comment lines), then the tables (``table`` is the
    prefix of their names: ``per-path`` or ``tool.redshift-iam.per-path``); ``glob_of``
    turns a diagnostic's file into its path below the config's folder."""
    places = {p.location: p for s in statements for p in getattr(s, "placeholders", ())}
    files: dict[str, dict[str, list[Use]]] = {}
    unnamed: list[str] = []
    for diagnostic in diagnostics:
        if diagnostic.code not in (*BLOCKING, WIDENING) or diagnostic.location is None:
            continue
        placeholder = places.get(diagnostic.location)
        if placeholder is None or not VARIABLE_NAME.match(placeholder.name or "_"):
            unnamed.append(f"#   {diagnostic.location}: {placeholder.text if placeholder else ''}"
                           f" ({diagnostic.hint})")
            continue
        uses = files.setdefault(glob_of(diagnostic.location.file), {})
        uses.setdefault(placeholder.name, []).append(Use(
            diagnostic.location, kind_of(diagnostic, placeholder), diagnostic.code in BLOCKING))
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    if unnamed:
        lines += ["#", "# Open places no name can fill (write the value into the code):",
                  *sorted(set(unnamed))]
    for glob in sorted(files):
        lines += ["", f"[{table}.{json.dumps(glob)}.values]"]
        for name in sorted(files[glob]):
            lines += _entry(name, files[glob][name])
    return "\n".join(lines) + "\n"


def _entry(name: str, uses: list[Use]) -> list[str]:
    """The comments and the entry of one variable of one file."""
    lines = [f"# {use.location}: {use.kind}" for use in dict.fromkeys(uses)]
    key = name if "." not in name else json.dumps(name)
    entry = f'{key} = ""'
    return lines + [entry if any(use.blocking for use in uses) else f"# {entry}"]


def below(file: str, folder: str) -> str:
    """``file``'s path below ``folder``, '/'-separated (as the config's globs are)."""
    relative = os.path.relpath(os.path.realpath(file), os.path.realpath(folder))
    return relative.replace(os.sep, "/")

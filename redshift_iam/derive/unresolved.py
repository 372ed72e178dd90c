"""Unresolved template placeholders, by where they stand (RULES "Templated SQL").

The reader leaves a sentinel (``core.placeholders``) where a placeholder without a value
stands, and records open slots on the statement (:class:`~redshift_iam.core.statements.Open`).
Here they become grants or diagnostics, one row of :data:`SLOTS` each:

- inside an S3 key: ``*`` at its place in the resource and the ``s3:prefix`` condition, and a
  warning (RW221) naming the variable and the pattern;
- in the location, bucket or scheme (RI145), in who gets the permissions (RI146), in a
  DynamoDB table, EMR cluster, KMS key or a REGION a grant needs (RI147), where options may
  stand (RI148, naming the permissions the options could change): unresolved, naming the
  placeholder's file:line:col, the variable and the ``--var`` that fills it. A doc-style
  ``<name>`` placeholder is RI149 wherever it is unresolved.
"""

from __future__ import annotations

from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.placeholders import (
    Placeholder,
    fill_command,
    from_default,
    indices,
    shown,
    var_name,
    wildcard,
)
from redshift_iam.core.statements import (
    BARE_JSONPATHS,
    Copy,
    CreateLibrary,
    Open,
    Unload,
    jsonpaths_slot,
)


class Slot(NamedTuple):
    """Where a placeholder can stand and what its being unresolved means."""

    code: str
    what: str  # how the message names the slot: "{}" is the statement kind
    effect: str  # what is left out


SLOTS: dict[str, Slot] = {
    "location": Slot("RI145", "the S3 location of this {}", "its grants are left out"),
    "jsonpaths": Slot("RI145", "the JSONPaths file of this {}", "its grants are left out"),
    BARE_JSONPATHS: Slot("RI145", "the JSONPaths file of this {}", "its grants are left out"),
    "role": Slot("RI146", "the role (IAM_ROLE or aws_iam_role=) of this {}",
                 "who gets the permissions is never guessed"),
    "access key id": Slot("RI146", "the access key id of this {}",
                          "who gets the permissions is never guessed"),
    "authorization": Slot("RI146", "the authorization of this {} (the slot may hold "
                                   "CREDENTIALS or IAM_ROLE)",
                          "who gets the permissions is never guessed"),
    "table": Slot("RI147", "the DynamoDB table of this {}", "its grants are left out"),
    "cluster": Slot("RI147", "the EMR cluster of this {}", "its grants are left out"),
    "key": Slot("RI147", "the KMS key of this {}", "its grants are left out"),
    "region": Slot("RI147", "the REGION of this {}", "the grants that need it are left out"),
    "options": Slot("RI148", "the options of this {}", "the option set is unknown"),
}
# What options hidden in a slot could change, per statement kind (RULES "Reads and writes").
OPTION_EFFECTS = {
    "COPY": "MANIFEST, SSH, SHAPEFILE, a JSON/AVRO JSONPaths file, REGION or the "
            "authorization",
    "UNLOAD": "CLEANPATH, ENCRYPTED, KMS_KEY_ID, ENCRYPTED AUTO, REGION or the authorization",
    "CREATE LIBRARY": "REGION or the authorization",
}
DOC_STYLE = "RI149"
_LOCATION_HEAD = LazyRegex(r"[^/]*//[^/]*|[^/]*")


def table(statement: Copy | Unload | CreateLibrary) -> dict[int, Placeholder]:
    """The statement's placeholders by index."""
    return {p.serial: p for p in statement.placeholders}


def unresolved(slot: str, text: str, places: dict[int, Placeholder], kind: str,
               loc: Location) -> list[Diagnostic]:
    """One diagnostic per unresolved placeholder in ``text`` (the slot's rendered text)."""
    row = SLOTS[slot]
    found = []
    for index in dict.fromkeys(_blocking(slot, text)):
        placeholder = places.get(index)
        if placeholder is None:
            continue
        found.append(_diagnostic(row, slot, text, placeholder, places, kind))
    return found or [Diagnostic(row.code, f"{row.what.format(kind)} is a placeholder without "
                                          f"a value: {row.effect}", loc)]


def open_slots(statement: Copy | Unload | CreateLibrary, places: dict, kind: str
                ) -> list[Diagnostic]:
    """A statement whose principal is a placeholder: that, and its other open slots."""
    auth = statement.auth
    assert auth is not None and auth.open is not None  # an IAM_ROLE placeholder: OPEN
    slots = [auth.open]
    where = statement.target if isinstance(statement, Unload) else statement.source
    if isinstance(where, Open):
        slots.append(where)
    if isinstance(statement, Copy) and isinstance(statement.jsonpaths, Open):
        slots.append(statement.jsonpaths._replace(what=jsonpaths_slot(statement.jsonpaths)))
    slots += [slot for slot in statement.open_options if slot.text != slots[0].text]
    found = []
    for slot in slots:
        found += unresolved(slot.what, slot.text, places, kind, slot.loc)
    return found


def _blocking(slot: str, text: str) -> tuple[int, ...]:
    """The placeholders that leave the slot open: for a location, those in its scheme and
    bucket (one in the key would only be a wildcard once the bucket is known)."""
    if slot in ("location", "jsonpaths", BARE_JSONPATHS):
        head = _LOCATION_HEAD.match(text)
        found = indices(head.group()) if head else ()
        if found:
            return found
    return indices(text)


def _diagnostic(row: Slot, slot: str, text: str, placeholder: Placeholder,
                places: dict[int, Placeholder], kind: str) -> Diagnostic:
    written = shown(text, places)
    where = row.what.format(kind)
    if slot not in ("options", "authorization") and written != placeholder.text:
        where += f" ({written})"
    effect = row.effect
    if slot == "options":
        effect += f": it may add {OPTION_EFFECTS.get(kind, 'options')}"
    code = DOC_STYLE if placeholder.form == "angle" else row.code
    return Diagnostic(code, f"{_named(placeholder)} is unresolved in {where}: {effect}",
                      placeholder.location, fix=fill(placeholder, VALUE_FORM_OF_SLOT.get(slot)))


# a name that reads as a variable's (dotted keys, hyphens allowed: s3-internal, aws-account-1)
_KEY_NAME = LazyRegex(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*\Z")


def _named(placeholder: Placeholder) -> str:
    """``variable ds ({{ ds }})``, or the label of a positional slot or shell expression."""
    if placeholder.form == "jinja-block" and placeholder.name.startswith("include "):
        return f"{placeholder.text} (a file that is not there)"
    if placeholder.name and placeholder.name != placeholder.text and (
            placeholder.form == "jinja-block" or _KEY_NAME.match(placeholder.name)):
        return f"variable {placeholder.name} ({placeholder.text})"
    return placeholder.label if _KEY_NAME.match(placeholder.name or "_") else placeholder.text


# The form a value takes in a slot, shown in the hint instead of VALUE: a bare JSON argument is
# SQL text, so a file is written with its quotes.
VALUE_FORM_OF_SLOT = {BARE_JSONPATHS: "'s3://BUCKET/jsonpaths.json'"}


def fill(placeholder: Placeholder, form: str | None = None) -> str:
    """The hint: the ``--var`` that fills the placeholder, quoted for a POSIX shell. Every
    placeholder has a name ``--var`` takes verbatim: its name (a path, an expression's text,
    a shell expression), or the address of a positional slot (``%s#2@etl.py:14``)."""
    if placeholder.form == "jinja-block" and placeholder.name.startswith("include "):
        return (f"pass --template-path DIR, the folder that holds "
                f"{placeholder.name[len('include '):]}")
    if placeholder.form == "jinja-block":
        names = [name.strip() for name in placeholder.name.split(",") if name.strip()]
        return "pass " + " ".join(fill_command(name) for name in names) + \
            " (the values the block tests)" if names else "give the block's values with --var"
    if placeholder.form == "directive":
        return (f"write the text it stands for into the SQL: {placeholder.text} is a "
                "directive, which no --var can fill")
    name = var_name(placeholder)
    form = form or next((form for prefix, form in VALUE_FORMS if name.startswith(prefix)),
                        "VALUE")
    return "pass " + fill_command(name, form)


# Placeholders whose value has a known form, shown in the hint instead of VALUE: scan names an
# Airflow connection's credentials aws_conn.ID, and its value is a CREDENTIALS string.
VALUE_FORMS = (("aws_conn.", "aws_iam_role=arn:aws:iam::ACCOUNT:role/NAME"),)


def key_warnings(bucket: str, key: str, places: dict[int, Placeholder]) -> list[Diagnostic]:
    """RW221 for each unresolved placeholder in an S3 key: any text in its place."""
    bucket = shown(bucket, places)  # a variable of the IaC file as the template writes it
    pattern = f"{bucket}/{wildcard(key)}"
    found = []
    for index in dict.fromkeys(indices(key)):
        placeholder = places.get(index)
        if placeholder is None:
            continue
        found.append(Diagnostic(
            "RW221", f"{_named(placeholder)} is unresolved in the S3 key "
                     f"s3://{bucket}/{shown(key, places)}: granted as {pattern} (any text in "
                     "its place)", placeholder.location,
            fix=_narrow(fill(placeholder))))
    return found


def default_warnings(placeholders: tuple[Placeholder, ...]) -> list[Diagnostic]:
    """RW228 for each placeholder filled by a default the template or code states: granted
    for that default (RULES), said aloud since the value set where the script runs wins. The
    value is not printed (it may be a secret); its origin is. One per name: the first
    place it stands."""
    first = {placeholder.name or placeholder.text: placeholder
             for placeholder in reversed(placeholders) if from_default(placeholder)}
    return [Diagnostic(
        "RW228", f"{_named(placeholder)} takes its default ({placeholder.origin}): the "
                 "grants are for that default, not for a value set where the script runs",
        placeholder.location,
        fix="pass " + fill_command(var_name(placeholder)) + " to grant the value it runs with")
        for placeholder in placeholders if first.get(placeholder.name or placeholder.text)
        is placeholder]


def _narrow(hint: str) -> str:
    return hint + " to grant one prefix" if hint.startswith("pass --var") else hint

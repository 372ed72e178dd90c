"""Open slots as Terraform/CloudFormation variables (``Settings.variables``, set by
``generate --format terraform|cloudformation|cloudformation-json``).

A named placeholder left without a value in the S3 location (bucket, scheme or the whole
location), in a DynamoDB table, an EMR cluster id, a KMS_KEY_ID, a REGION, or in the ARN of
the one role (``IAM_ROLE '{role}'``, ``'arn:aws:iam::{acct}:role/{name}'``) does not leave
its grants out here:
:func:`substitute` writes a variable marker (``core.placeholders``) where it stands, the
grants are derived as usual, and the renderers declare the variable and interpolate it at
that place. What stays unresolved (RI14x) as before: a positional slot, a shell expression
or a Jinja block (no name to give a value for); a role chain holding one, an access key id or
a whole authorization (who gets the permissions is never guessed); option slots
(the option set is unknown); a KMS_KEY_ID that is neither one placeholder nor an ARN; the
location of a COPY ... MANIFEST (its entries come from ``--manifest URI=FILE``, which needs
the URI).
"""

from __future__ import annotations

from typing import Any

from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.grants import Grant
from redshift_iam.core.iac_names import cfn_logical, tf_variable
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.placeholders import (
    SENTINEL,
    SENTINEL_CLOSE,
    SENTINEL_OPEN,
    Placeholder,
    can_be_variable,
    has_sentinel,
    indices,
    marker_names,
    part,
    shown,
    variable,
)
from redshift_iam.core.statements import (
    BARE_JSONPATHS,
    LOCATION_FIELDS,
    AuthKind,
    Authorization,
    Copy,
    CopyMode,
    CreateLibrary,
    DynamoTable,
    EmrCluster,
    Open,
    S3Path,
    Text,
    Unload,
)
from redshift_iam.derive.unresolved import SLOTS, _named

Statement = Copy | Unload | CreateLibrary
# one role ARN (no chain: no comma) with placeholders in its account or name
_ROLE_ARN = LazyRegex(r"arn:[^:,\s]*:iam::[^:,\s]*:role/[^,\s]+\Z")
_FIELDS = LOCATION_FIELDS


def substitute(statement: Statement, places: dict[int, Placeholder], kind: str
               ) -> tuple[Statement, list[Diagnostic]]:
    """The statement with every open value a variable can stand for written with variable
    markers, and an RW222 warning per placeholder made a variable (keep those :func:`used`
    by a grant: a REGION no grant needs is no variable of the file)."""
    changes: dict[str, Any] = {}  # new values of the statement's fields, by name
    notes: list[Diagnostic] = []
    for field in _FIELDS:
        value = getattr(statement, field, None)
        if field == "source" and getattr(statement, "mode", None) is CopyMode.MANIFEST:
            continue  # its entries come from --manifest URI=FILE, which needs the URI
        new, slot, text = _value(value, places)
        if new is not None:
            changes[field] = new
            notes += _notes("jsonpaths" if field == "jsonpaths" else slot, text, places, kind,
                            getattr(value, "text", text), whole_location(value))
    role = _role(statement.auth, places)
    if role is not None:
        changes["auth"], text = role
        notes += _notes("role", text, places, kind)
    for field, slot in (("region", "region"), ("kms_key", "key")):
        value = getattr(statement, field, None)
        if isinstance(value, Text) and has_sentinel(value.value) and _fits(slot, value.value):
            marked = _marked(value.value, places)
            if marked is not None:
                changes[field] = value._replace(value=marked)
                notes += _notes(slot, value.value, places, kind)
    return (statement._replace(**changes) if changes else statement), notes


def used(notes: list[Diagnostic], grants: list[Grant]) -> list[Diagnostic]:
    """The RW222 notes whose variable a grant uses."""
    names: set[str] = set()
    for grant in grants:
        names |= marker_names(grant.resource) | marker_names(grant.principal.name)
        names |= marker_names(grant.condition.value) if grant.condition else set()
    said = tuple(f"takes it as {_file_names(name, whole)}" for name in names
                 for whole in (False, True))
    return [note for note in notes if note.message.endswith(said)]


def _role(auth: Authorization | None, places: dict[int, Placeholder]
          ) -> tuple[Authorization, str] | None:
    """IAM_ROLE '{role}' (or aws_iam_role={role}): one role whose whole ARN is one named
    placeholder, or one role ARN holding named placeholders
    (``arn:aws:iam::{acct}:role/{name}``), as a role named by its variables, and the text it
    was written as; None for anything else (a chain, keys, a whole authorization)."""
    if auth is None or auth.open is None or auth.kind is not AuthKind.OPEN \
            or auth.open.what != "role":
        return None
    if SENTINEL.fullmatch(auth.open.text) is None and _ROLE_ARN.match(auth.open.text) is None:
        return None
    marked = _marked(auth.open.text, places)
    if marked is None:
        return None
    return Authorization(AuthKind.ROLE, auth.loc, (Text(marked, auth.open.loc),)), auth.open.text


def _value(value: object, places: dict[int, Placeholder]) -> tuple[object, str, str]:
    """(the value with markers or None, its slot name, its rendered text)."""
    if isinstance(value, Open) and value.what in ("location", "jsonpaths", BARE_JSONPATHS):
        return location(value, places), "location", _blocking_text(value.text)
    if isinstance(value, DynamoTable) and has_sentinel(value.name):
        marked = _marked(value.name, places)
        return (value._replace(name=marked) if marked else None), "table", value.name
    if isinstance(value, EmrCluster) and has_sentinel(value.cluster_id):
        marked = _marked(value.cluster_id, places)
        return (value._replace(cluster_id=marked) if marked else None), "cluster", \
            value.cluster_id
    return None, "", ""


def _fits(slot: str, text: str) -> bool:
    """A KMS_KEY_ID is a variable when it is one placeholder (the variable holds the key ARN)
    or an ARN with placeholders in it; a Region always."""
    return slot != "key" or SENTINEL.fullmatch(text) is not None or text.startswith("arn:")


def location(slot: Open, places: dict[int, Placeholder]) -> S3Path | None:
    """``s3://{bucket}/k``: the bucket with variables, the key as written (a placeholder in
    it is ``*``, as without variables). Anything else (``'{s3_path}'``, ``s3://{a}{b}/k``,
    ``s3://{bucket}``, a placeholder in the scheme): a whole location, whose bucket and key
    the file computes from its text. None when a placeholder cannot be a variable."""
    bucket, key = _split(slot.text)
    if bucket is not None:
        marked = _marked(bucket, places)
        return S3Path(marked, key, slot.loc) if marked is not None else None
    whole = _marked(slot.text, places)
    if whole is None:
        return None
    return S3Path(part("bucket", whole), part("key", whole), slot.loc)


def _split(text: str) -> tuple[str | None, str]:
    """(bucket, key) when the text is ``s3://BUCKET/KEY`` with a literal ``/`` ending the
    bucket and no two placeholders glued in the bucket; (None, '') otherwise."""
    if not text.startswith("s3://"):
        return None, ""
    bucket, slash, key = text[5:].partition("/")
    if not slash or not bucket or SENTINEL_CLOSE + SENTINEL_OPEN in bucket:
        return None, ""
    return bucket, key


def _blocking_text(text: str) -> str:
    """The part of a location whose placeholders become variables (the bucket, or all)."""
    bucket, _ = _split(text)
    return text if bucket is None else "s3://" + bucket


def _marked(text: str, places: dict[int, Placeholder]) -> str | None:
    """``text`` with each sentinel as its variable's marker; None when one cannot be."""
    found = [places.get(index) for index in indices(text)]
    if not found or any(p is None or not can_be_variable(p) for p in found):
        return None
    return SENTINEL.sub(lambda match: variable(places[int(match.group("index"))].name), text)


def whole_location(value: object) -> bool:
    """Whether ``value`` is a location that is one placeholder (``'{src}'``, ``'s3://{src}'``):
    two Parameters in CloudFormation."""
    if not isinstance(value, Open) or value.what != "location":
        return False
    text = value.text.removeprefix("s3://")
    return SENTINEL.fullmatch(text) is not None


def _file_names(name: str, whole: bool = False) -> str:
    """How the Terraform and CloudFormation files name template variable ``name`` (``whole``:
    a whole S3 location, two CloudFormation Parameters, see ``output.cfn_vars``)."""
    logical = cfn_logical(name)
    cfn = (f"Parameters {logical}Bucket and {logical}Key" if whole
           else f"Parameter {logical}")
    return f"var.{tf_variable(name)} (Terraform) / {cfn} (CloudFormation)"


def _notes(slot: str, text: str, places: dict[int, Placeholder], kind: str,
           whole: str = "", parts: bool = False) -> list[Diagnostic]:
    """RW222 per placeholder of ``text``: it is a variable of the file (``whole``: the value
    to show, when ``text`` is a part of it; ``parts``: a whole location's, two Parameters in
    CloudFormation)."""
    where = SLOTS[slot].what.format(kind)
    written = shown(whole or text, places)
    found = []
    for index in dict.fromkeys(indices(text)):
        placeholder = places[index]
        place = where + (f" ({written})" if written != placeholder.text else "")
        found.append(Diagnostic(
            "RW222", f"{_named(placeholder)} is unresolved in {place}: the file takes it as "
                     f"{_file_names(placeholder.name, parts)}", placeholder.location,
            fix=f"give it when the file is applied, or pass --var {placeholder.name}=VALUE "
                "now"))
    return found

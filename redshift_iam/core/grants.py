"""The derivation stage's values: principals, grants, trust links, and the settings that
supply what the SQL cannot (account, Region, partition, manifests, keys)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, Location
from redshift_iam.core.lazyre import LazyRegex
from redshift_iam.core.statements import AuthKind


class Principal(NamedTuple):
    """Who needs the permissions: a role ARN, the cluster's ``default`` role, or the IAM user
    behind an access key (``user:<access key id>``)."""

    kind: AuthKind
    name: str

    @property
    def slug(self) -> str:
        """A short display name: the role name, ``default-role`` or ``user-KEYID``. Not unique
        (the same role name exists in many accounts): never use it as a key; see
        :attr:`file_stem`."""
        if self.kind is AuthKind.ROLE:
            return self.name.rsplit("/", 1)[-1]
        if self.kind is AuthKind.DEFAULT_ROLE:
            return "default-role"
        return self.name.replace(":", "-")

    @property
    def file_stem(self) -> str:
        """The principal's file name without suffix; a function of this principal alone, and
        injective (two principals never share one). ``NAME~ACCOUNT`` for a role in partition
        ``aws`` (``NAME`` is the role's path and name), ``NAME~ACCOUNT~PARTITION`` in another,
        ``default-role``, ``user-KEYID``. Each field is escaped (:func:`escape_field`), so it
        never holds ``~`` or ``/``; role stems have a ``~``, the others none."""
        if self.kind is AuthKind.ROLE:
            match = _ROLE_ARN.match(self.name)
            if match is None:
                raise ValueError("a role principal is named by a role ARN")
            fields = [escape_field(match.group("name"), lead=True),
                      escape_field(match.group("account"))]
            if match.group("partition") != "aws":
                fields.append(escape_field(match.group("partition")))
            return "~".join(fields)
        if self.kind is AuthKind.DEFAULT_ROLE and self.name == "default":
            return "default-role"
        if self.kind is AuthKind.KEYS and self.name.startswith("user:"):
            return "user-" + escape_field(self.name[len("user:"):])
        raise ValueError(f"no file name for a {self.kind.value} principal of this name")


# IAM's role-name characters stay as written; anything else, and % itself, becomes %XX per
# UTF-8 byte. A leading "." or "-" is escaped too: no hidden files, nothing like an option.
_FIELD_ESCAPE = LazyRegex(r"[^A-Za-z0-9_+=,.@-]", re.A)
_ROLE_ARN = LazyRegex(
    r"arn:(?P<partition>[^:]*):iam::(?P<account>[^:]*):role/(?P<name>.+)\Z", re.S)


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def escape_field(text: str, lead: bool = False) -> str:
    """``text`` as a file-name field: reversible, and made only of IAM role-name characters
    and ``%``-escapes (never ``~``, ``/``, white space or non-ASCII)."""
    out = _FIELD_ESCAPE.sub(lambda match: _percent(match.group()), text)
    if lead and out[:1] in (".", "-"):
        out = _percent(out[0]) + out[1:]
    return out


class Condition(NamedTuple):
    """One condition value; the policy builder merges values that share operator and key."""

    operator: str
    key: str
    value: str


class Grant(NamedTuple):
    """One allowed action on one resource, and why: the rule and the statement that need it."""

    principal: Principal
    action: str
    resource: str
    condition: Condition | None
    rule: str
    location: Location
    scope: str = ""  # what a fold may group it with: "copy:<table>" for COPY grants


class TrustLink(NamedTuple):
    """``principal`` must trust ``trusted``: ``"service"`` (Redshift) or the ARN of the role
    before it in a chain."""

    principal: Principal
    trusted: str
    location: Location




class KeyMatch(str, Enum):
    """How an S3 access names its objects, which decides the --kms-key targets it is under."""

    EXACT = "exact"  # one object (a manifest, JSONPaths file, entry, library): under a target
    # when the key starts with the target's prefix
    PREFIX = "prefix"  # every object whose key starts with it (COPY's prefix, UNLOAD's target):
    # it overlaps a target when either of the two is a prefix of the other


class S3Access(NamedTuple):
    """An object read or write a statement makes; the KMS grants are decided from these."""

    bucket: str
    key: str
    match: KeyMatch
    write: bool






class Derivation(NamedTuple):
    """Every grant and trust link the script needs, plus the diagnostics of deriving them.
    ``docs`` maps each rule id a grant may name to the AWS documentation behind it."""

    grants: tuple[Grant, ...]
    trust_links: tuple[TrustLink, ...]
    diagnostics: tuple[Diagnostic, ...]
    skipped: int
    docs: Mapping[str, str] = MappingProxyType({})

    def principals(self) -> tuple[Principal, ...]:
        found = {g.principal for g in self.grants} | {t.principal for t in self.trust_links}
        return tuple(sorted(found))

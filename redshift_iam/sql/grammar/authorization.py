"""Authorization clauses -> :class:`Authorization` (who Redshift acts as).

Secret values (secret keys, session tokens, master symmetric keys) are read past and dropped
here; only their presence survives.
"""

from __future__ import annotations

import re

from redshift_iam.core.aws_names import (
    CREDENTIAL_KEYS,
    MAX_ROLE_CHAIN,
    access_key_warnings,
    check_key_id,
    check_role_arn,
    placeholder,
    role_account_warning,
)
from redshift_iam.core.diagnostics import Location
from redshift_iam.core.placeholders import SENTINEL_CLOSE, SENTINEL_OPEN, has_sentinel
from redshift_iam.core.statements import AuthKind, Authorization, Text
from redshift_iam.sql.cursor import Cursor
from redshift_iam.sql.grammar import open_slots
from redshift_iam.sql.tokens import Token

MAX_CHAIN = MAX_ROLE_CHAIN
_SPACE = re.compile(r"\s")
_KEY_NAME = re.compile(r"^[a-z_]{1,40}\Z")


def role_chain(cursor: Cursor, token: Token, text: str, start: int) -> tuple[Text, ...]:
    """Validate ``'arn[,arn...]'`` (``start`` is the offset of ``text`` inside the token)."""
    space = _SPACE.search(text)
    if space:
        raise cursor.error("RI123", "a role chain must not contain spaces", token,
                           start + space.start())
    arns, offset = text.split(","), start
    if len(arns) > MAX_CHAIN:
        raise cursor.error("RI113", f"a role chain has at most {MAX_CHAIN} roles, "
                                    f"found {len(arns)}", token)
    chain = []
    for arn in arns:
        problem = check_role_arn(arn, not cursor.templated)
        if problem:
            raise cursor.error(problem[0], problem[1], token, offset + problem[2])
        warning = role_account_warning(arn)
        if warning:
            cursor.warn(*warning, token)
        loc = (cursor.location_at(token.start + offset) if cursor.templated
               else Location(cursor.source.name, token.line, token.col + offset))
        chain.append(Text(arn, loc))
        offset += len(arn) + 1
    return tuple(chain)


def from_iam_role(cursor: Cursor, keyword: Token) -> Authorization:
    """``IAM_ROLE default`` or ``IAM_ROLE 'arn[,arn...]'`` (the keyword is consumed)."""
    loc = cursor.location(keyword)
    if cursor.accept_word("DEFAULT"):
        return Authorization(AuthKind.DEFAULT_ROLE, loc)
    token = cursor.expect_string("a role ARN or DEFAULT")
    if open_slots.is_open(cursor, token):
        open_chain(cursor, token, token.value, 1)
        return open_slots.open_auth(cursor, keyword, token, "role")
    return Authorization(AuthKind.ROLE, loc, roles=role_chain(cursor, token, token.value, 1))


# What a role ARN may hold outside its placeholders (no space, comma inside an element, `[`...)
_ARN_CHARACTER = re.compile(r"[\w:/+=.@-]")
_PIECES = re.compile(f"{SENTINEL_OPEN}[0-9]+{SENTINEL_CLOSE}|.", re.S)


def open_chain(cursor: Cursor, token: Token, text: str, start: int) -> None:
    """A role chain holding placeholders, wrong under every rendering, is an error now (RULES:
    what no value can make valid is reported before any value): a space, an element with no
    placeholder that is not a role ARN, a character no role ARN holds."""
    space = _SPACE.search(text)
    if space:
        raise cursor.error("RI123", "a role chain must not contain spaces", token,
                           start + space.start())
    offset = start
    for arn in text.split(","):
        if not has_sentinel(arn):
            problem = check_role_arn(arn, not cursor.templated)
            if problem:
                raise cursor.error(problem[0], problem[1], token, offset + problem[2])
        else:
            for piece in _PIECES.finditer(arn):
                if not piece.group().startswith(SENTINEL_OPEN) \
                        and not _ARN_CHARACTER.match(piece.group()):
                    raise cursor.error("RI123", f"{piece.group()!r} is in no IAM role ARN, "
                                                "whatever the placeholders hold", token,
                                       offset + piece.start())
        offset += len(arn) + 1



def _credential_pairs(cursor: Cursor, token: Token) -> dict[str, tuple[str, int]]:
    """``k=v;k=v`` -> {k: (v, offset of v in the token)}. Messages name keys, never values."""
    text, pairs, offset = token.value, {}, 1
    if _SPACE.search(text):
        raise cursor.error("RI110", "the CREDENTIALS string must not contain spaces", token)
    for number, part in enumerate(text.split(";"), 1):
        key, eq, value = part.partition("=")
        if part and (not eq or key not in CREDENTIAL_KEYS):
            # Name the key only when it is one word: a malformed pair may hold a secret.
            what = repr(key) if eq and _KEY_NAME.match(key) else f"entry {number} (key=value)"
            raise cursor.error("RI110", f"unknown CREDENTIALS {what}; expected "
                               f"{', '.join(CREDENTIAL_KEYS)}", token, offset)
        if key in pairs:
            raise cursor.error("RI112", f"CREDENTIALS gives {key} twice", token, offset)
        if part:
            pairs[key] = (value, offset + len(key) + 1)
        offset += len(part) + 1
    return pairs


def from_credentials(cursor: Cursor, keyword: Token, token: Token) -> Authorization:
    """``[WITH] CREDENTIALS [AS] 'aws_iam_role=...'`` or ``'aws_access_key_id=...;...'``."""
    if open_slots.is_open(cursor, token):
        what, text = open_slots.credentials_slot(token.value)
        if what:
            return open_slots.open_auth(cursor, keyword, token, what, text)
    pairs, loc = _credential_pairs(cursor, token), cursor.location(keyword)
    client_key = "master_symmetric_key" in pairs
    if "aws_iam_role" in pairs:
        if {"aws_access_key_id", "aws_secret_access_key", "token"} & pairs.keys():
            raise cursor.error("RI113", "CREDENTIALS can't give both aws_iam_role and access "
                                        "keys", token)
        value, offset = pairs["aws_iam_role"]
        return Authorization(AuthKind.ROLE, loc, roles=role_chain(cursor, token, value, offset),
                             client_key=client_key)
    if "aws_access_key_id" not in pairs or "aws_secret_access_key" not in pairs:
        raise cursor.error("RI115", "CREDENTIALS needs aws_iam_role, or aws_access_key_id and "
                                    "aws_secret_access_key", token)
    key_id, offset = pairs["aws_access_key_id"]
    return keys(cursor, keyword, key_id, token, offset, "token" in pairs, client_key)


def keys(cursor: Cursor, keyword: Token, key_id: str, token: Token, offset: int,
         temporary: bool, client_key: bool = False) -> Authorization:
    """Key-based authorization; the owner of ``key_id`` is the principal. A key id that is
    not shaped like one is RI127, pointing at the bad character, with the value hidden."""
    if cursor.templated and open_slots.has_sentinel(key_id):
        return open_slots.open_auth(cursor, keyword, token, "access key id", key_id)
    problem = placeholder(key_id, not cursor.templated)
    if problem:
        raise cursor.error(problem[0], problem[1], token, offset + problem[2])
    if not key_id:
        raise cursor.error("RI115", "the access key id is empty", token, offset)
    bad_shape = check_key_id(key_id)
    if bad_shape:
        raise cursor.error("RI127", bad_shape[0], token, offset + bad_shape[1],
                           redact_from=token.start + offset)
    for code, message in access_key_warnings(key_id, temporary):
        cursor.warn(code, message, keyword)
    return Authorization(AuthKind.KEYS, cursor.location(keyword), access_key_id=key_id,
                         temporary=temporary, client_key=client_key)

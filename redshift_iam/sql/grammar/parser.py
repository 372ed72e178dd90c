"""Statements from tokens: the grammars of COPY, UNLOAD and CREATE [OR REPLACE] LIBRARY.

Each ``parse_*`` function reads one statement's tokens (through a :class:`Cursor`) into a
frozen statement value, checking the exclusions the Redshift reference states. Errors point
at the offending token; snippets are redacted from the statement's first secret.
"""

from __future__ import annotations

from redshift_iam.core.aws_names import (
    CLIENT_SIDE_WARNING,
    DYNAMO_SOURCE,
    EMR_SOURCE,
    JSONPATHS_WORDS,
    check_jsonpaths,
    check_region,
    check_s3,
    copy_source_scheme,
    key_warnings,
    placeholder,
    split_s3,
)
from redshift_iam.core.statements import (
    BARE_JSONPATHS,
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
from redshift_iam.sql.cursor import Cursor
from redshift_iam.sql.grammar import authorization as auth
from redshift_iam.sql.grammar import open_slots
from redshift_iam.sql.grammar.idents import column_list, name_text, next_name, table_name
from redshift_iam.sql.grammar.option_list import ReadOptions, read_options
from redshift_iam.sql.grammar.option_table import CONFLICTS, UNSUPPORTED_BY_SOURCE
from redshift_iam.sql.tokens import Token


def _located_string(cursor: Cursor, token: Token) -> Text:
    return Text(token.value, cursor.location(token))


def _s3(cursor: Cursor, token: Token) -> S3Path | Open:
    if open_slots.is_open(cursor, token):
        found = open_slots.location(cursor, token)
        if isinstance(found, Open):
            return found
        problem = placeholder(token.value, False) or check_s3(f"s3://{found.bucket}/", False)
        if problem:
            raise cursor.problem(problem, token)
        return found
    problem = check_s3(token.value, not cursor.templated)
    if problem:
        raise cursor.problem(problem, token)
    parts = split_s3(token.value)
    assert parts is not None  # check_s3 passed: an s3:// URI
    bucket, key = parts
    for code, message, _ in key_warnings(key):
        cursor.warn(code, message, token)
    return S3Path(bucket, key, cursor.location(token))


def parse_copy(cursor: Cursor) -> Copy:
    keyword = cursor.expect_word("COPY")
    table = table_name(cursor)
    columns = column_list(cursor)
    cursor.expect_word("FROM")
    source_token = cursor.expect_string("the data source")
    source, mode = _copy_source(cursor, source_token)
    read = read_options(cursor, "COPY")
    if columns is not None:
        read.open_options.append(columns)
    if "SSH" in read.seen and mode is CopyMode.PREFIX:  # else RI114 below
        mode = CopyMode.SSH
    elif "MANIFEST" in read.seen and mode is CopyMode.PREFIX:
        mode = CopyMode.MANIFEST
    kind = mode.value if mode is not CopyMode.PREFIX else "s3"
    _check_options(cursor, read, None if isinstance(source, Open) else kind)
    jsonpaths = read.strings.get("JSON") or read.strings.get("AVRO")
    authz = _authorization(cursor, read, keyword)
    _check_copy_encryption(cursor, read, authz)
    return Copy(
        loc=cursor.location(keyword), table=table, source=source, mode=mode,
        auth=authz, data_format=read.data_format,
        jsonpaths=_jsonpaths(cursor, jsonpaths) if jsonpaths else None,
        region=_region(cursor, read), encrypted="ENCRYPTED" in read.seen,
        options=tuple(read.seen), job=read.job, open_options=tuple(read.open_options),
    )


def _check_copy_encryption(cursor: Cursor, read: ReadOptions, authz: Authorization) -> None:
    """COPY's ENCRYPTED means client-side encryption and needs the master symmetric key."""
    client = _client_key(cursor, read, authz)
    if "ENCRYPTED" in read.seen and not client and not _key_may_be_open(read, authz):
        raise cursor.error("RI115", "COPY ENCRYPTED needs MASTER_SYMMETRIC_KEY (client-side "
                                    "encryption); SSE-KMS and SSE-S3 files load without "
                                    "ENCRYPTED", read.seen["ENCRYPTED"])
    if "MASTER_SYMMETRIC_KEY" in read.seen and "ENCRYPTED" not in read.seen \
            and not read.open_options:
        raise cursor.error("RI115", "MASTER_SYMMETRIC_KEY needs ENCRYPTED",
                           read.seen["MASTER_SYMMETRIC_KEY"])


def _key_may_be_open(read: ReadOptions, authz: Authorization) -> bool:
    """Whether an unresolved slot may hold the key ENCRYPTED needs: a slot for the whole
    authorization (``CREDENTIALS '...;master_symmetric_key=...'``) or for options. That
    slot is reported unresolved; the check waits for its value."""
    whole = authz.kind is AuthKind.OPEN and authz.open is not None \
        and authz.open.what == "authorization"
    return whole or bool(read.open_options)


def _copy_source(cursor: Cursor, token: Token
                 ) -> tuple[S3Path | DynamoTable | EmrCluster | Open, CopyMode]:
    if open_slots.is_open(cursor, token):
        found = open_slots.copy_source(cursor, token)
        if isinstance(found, DynamoTable):
            return found, CopyMode.DYNAMODB
        if isinstance(found, EmrCluster):
            return found, CopyMode.EMR
        if isinstance(found, S3Path):
            return _s3(cursor, token), CopyMode.PREFIX
        return found, CopyMode.PREFIX
    scheme, problem = copy_source_scheme(token.value, not cursor.templated)
    if problem:
        raise cursor.problem(problem, token)
    if scheme == "s3":
        return _s3(cursor, token), CopyMode.PREFIX
    if scheme == "dynamodb":
        dynamo = DYNAMO_SOURCE.match(token.value)
        assert dynamo is not None  # copy_source_scheme accepted it as dynamodb://
        return DynamoTable(dynamo.group("name"), cursor.location(token)), CopyMode.DYNAMODB
    match = EMR_SOURCE.match(token.value)
    assert match is not None  # copy_source_scheme accepts no other scheme
    return (EmrCluster(match.group("id"), match.group("path") or "", cursor.location(token)),
            CopyMode.EMR)


def _jsonpaths(cursor: Cursor, token: Token) -> S3Path | Open | None:
    """JSON/AVRO 'auto', 'auto ignorecase', 'noshred' need nothing; an s3:// value is a file
    (a placeholder in its key stands for any text; elsewhere the file is unknown)."""
    if token.value.lower() in JSONPATHS_WORDS:
        return None
    if open_slots.is_open(cursor, token):
        found = _s3(cursor, token)
        # JSON {path}: the value is SQL text, so a file must come with its quotes
        return found._replace(what=BARE_JSONPATHS) if isinstance(found, Open) and \
            token.kind == "sentinel" else found
    problem = check_jsonpaths(token.value)
    if problem:
        raise cursor.problem(problem, token)
    return _s3(cursor, token)


def _region(cursor: Cursor, read: ReadOptions) -> Text | None:
    token = read.strings.get("REGION")
    if token is None:
        return None
    if open_slots.is_open(cursor, token):
        return _located_string(cursor, token)  # derive decides whether a grant needs it
    problem = placeholder(token.value, not cursor.templated) or check_region(token.value)
    if problem:
        raise cursor.problem(problem, token)
    return _located_string(cursor, token)


def _check_options(cursor: Cursor, read: ReadOptions, source_kind: str | None) -> None:
    """The reference's exclusions: conflicting pairs and options a source rejects."""
    seen = read.seen
    for first, second, message in CONFLICTS:
        if first in seen and second in seen:
            raise cursor.error("RI113", message, max(seen[first], seen[second],
                                                     key=lambda t: t.start))
    if "TOKEN" in seen and "SESSION_TOKEN" in seen:
        raise cursor.error("RI112", "TOKEN and SESSION_TOKEN both given", seen["TOKEN"])
    if "IAM_ROLE" in seen and "TOKEN" in seen:
        raise cursor.error("RI113", "IAM_ROLE can't be used with TOKEN", seen["TOKEN"])
    for name in sorted(UNSUPPORTED_BY_SOURCE.get(source_kind or "", ()), key=str):
        if name in seen:
            raise cursor.error("RI114", f"{name} can't be used with COPY from {source_kind}",
                               seen[name])


def _authorization(cursor: Cursor, read: ReadOptions, keyword: Token) -> Authorization:
    seen = read.seen
    if "TOKEN" in seen:
        cursor.warn("RW202", "TOKEN is not a documented option; it is read as SESSION_TOKEN",
                    seen["TOKEN"])
    if "ACCESS_KEY_ID" in seen or "SECRET_ACCESS_KEY" in seen:
        if "ACCESS_KEY_ID" not in seen or "SECRET_ACCESS_KEY" not in seen:
            raise cursor.error("RI115", "ACCESS_KEY_ID and SECRET_ACCESS_KEY go together",
                               seen.get("ACCESS_KEY_ID") or seen["SECRET_ACCESS_KEY"])
        key = read.strings["ACCESS_KEY_ID"]
        return auth.keys(cursor, seen["ACCESS_KEY_ID"], key.value, key, 1,
                         "SESSION_TOKEN" in seen or "TOKEN" in seen)
    for name in ("SESSION_TOKEN", "TOKEN"):
        if name in seen:
            raise cursor.error("RI115", f"{name} needs ACCESS_KEY_ID and SECRET_ACCESS_KEY",
                               seen[name])
    if read.auth is None and read.open_options:  # the slot may hold the authorization
        slot = read.open_options[0]
        return Authorization(AuthKind.OPEN, cursor.location(keyword),
                             open=slot._replace(what="authorization"))
    if read.auth is None:
        raise cursor.error("RI115", f"{keyword.upper} needs authorization (IAM_ROLE, "
                                    "CREDENTIALS or ACCESS_KEY_ID/SECRET_ACCESS_KEY)", keyword)
    return read.auth


def _client_key(cursor: Cursor, read: ReadOptions, authz: Authorization) -> bool:
    """ENCRYPTED with a master symmetric key: client-side encryption, retired by AWS."""
    client = "MASTER_SYMMETRIC_KEY" in read.seen or authz.client_key
    if client:
        cursor.warn("RW205", CLIENT_SIDE_WARNING,
                    read.seen.get("MASTER_SYMMETRIC_KEY") or cursor.tokens[0])
    return client


def parse_unload(cursor: Cursor) -> Unload:
    keyword = cursor.expect_word("UNLOAD")
    cursor.expect_punct("(")
    cursor.expect_string("the SELECT query")
    cursor.expect_punct(")")
    cursor.expect_word("TO")
    target = _s3(cursor, cursor.expect_string("the S3 target"))
    read = read_options(cursor, "UNLOAD")
    _check_options(cursor, read, None)
    authz = _authorization(cursor, read, keyword)
    encrypted, auto = "ENCRYPTED" in read.seen, "AUTO" in read.flags
    client = _client_key(cursor, read, authz)
    kms = read.strings.get("KMS_KEY_ID")
    if auto and (kms or client):
        raise cursor.error("RI113", "ENCRYPTED AUTO can't be used with KMS_KEY_ID or "
                                    "MASTER_SYMMETRIC_KEY", read.seen["ENCRYPTED"])
    if kms and not encrypted and not read.open_options:
        raise cursor.error("RI115", "KMS_KEY_ID needs ENCRYPTED", read.seen["KMS_KEY_ID"])
    if encrypted and not (auto or kms or client or _key_may_be_open(read, authz)):
        raise cursor.error("RI115", "ENCRYPTED needs KMS_KEY_ID, MASTER_SYMMETRIC_KEY or AUTO: "
                                    "nothing says which key encrypts", read.seen["ENCRYPTED"])
    return Unload(
        loc=cursor.location(keyword), target=target, auth=authz, region=_region(cursor, read),
        encrypted=encrypted, encrypted_auto=auto,
        kms_key=_located_string(cursor, kms) if kms else None, client_key=client,
        cleanpath="CLEANPATH" in read.seen, partition_by=read.partition_by,
        options=tuple(read.seen), open_options=tuple(read.open_options),
    )


def parse_library(cursor: Cursor) -> CreateLibrary:
    keyword = cursor.expect_word("CREATE")
    if cursor.accept_word("OR"):
        cursor.expect_word("REPLACE")
    cursor.expect_word("LIBRARY")
    name = name_text(next_name(cursor, "the library name"))
    cursor.expect_word("LANGUAGE")
    cursor.next("the language")
    cursor.expect_word("FROM")
    token = cursor.expect_string("'s3://...' or 'https://...'")
    read = read_options(cursor, "CREATE LIBRARY")
    _check_options(cursor, read, None)
    loc = cursor.location(keyword)
    if token.value[:8].lower() == "https://":
        return CreateLibrary(loc, name, None, token.value, read.auth, _region(cursor, read),
                             open_options=tuple(read.open_options))
    return CreateLibrary(loc, name, _s3(cursor, token), token.value,
                         _authorization(cursor, read, keyword), _region(cursor, read),
                         open_options=tuple(read.open_options))

"""Flag values -> :class:`Settings`. Malformed flags raise :class:`FlagError` (a usage error,
exit 2); a manifest file with bad content raises InputError (exit 1, with file:line:col)."""

from __future__ import annotations

import re
from pathlib import Path

from redshift_iam.core.aws_names import (
    ACCOUNT,
    PARTITIONS,
    arn_partition,
    check_bucket,
    check_region,
    check_s3,
    key_warnings,
    kms_arn_parts,
    kms_kind,
    partition_of_region,
    split_s3,
)
from redshift_iam.core.diagnostics import Diagnostic
from redshift_iam.core.settings import KmsTarget, ManifestEntry, Settings, TrustOptions
from redshift_iam.core.source import Source

# A manifest lists files: 64 MiB is about a million entries, far beyond what one policy can
# name; the cap keeps a link to /dev/zero or a huge file from being read at all.
MAX_MANIFEST_FILE = 64 << 20
_CONSOLE_ACCOUNT = re.compile(r"\d{4}-\d{4}-\d{4}\Z", re.ASCII)


class FlagError(Exception):
    """A flag value that cannot be used; the message names the flag."""


def check_account(value: str) -> str:
    """A 12-digit account id; the console's ``1111-2222-3333`` is normalised to digits."""
    digits = value.replace("-", "") if _CONSOLE_ACCOUNT.match(value) else value
    if not ACCOUNT.match(digits):
        raise FlagError(f"{value!r}: an AWS account id is 12 digits")
    return digits


def check_region_code(value: str) -> str:
    if check_region(value):
        raise FlagError(f"{value!r} is not an AWS Region code (like us-east-1)")
    return value


def check_partition(partition: str, region: str) -> None:
    if partition not in PARTITIONS:
        raise FlagError(f"--partition {partition!r}: expected one of {', '.join(PARTITIONS)}")
    if region and partition_of_region(region) != partition:
        raise FlagError(f"--region {region} is in partition {partition_of_region(region)}, "
                        f"not {partition}; pass --partition {partition_of_region(region)}")


NO_KEY = ""  # --kms-key s3://bucket=none: the objects use no customer key (see KmsTarget)
_PAIR_FORMS = {"--manifest": "S3URI=LOCALFILE", "--kms-key": "TARGET=KEY"}  # as --help says


def _split_pair(flag: str, value: str) -> tuple[str, str]:
    """``TARGET=VALUE`` split where the target ends. An S3 URI may hold ``=`` itself (Hive
    partitions, ``s3://b/dt=2024-01-01/m``), so an ``s3://`` value splits at its last ``=``
    (KMS keys hold none); for ``--manifest``, at the last ``=`` whose right side is an
    existing file, so a local mirror (``./dt=2024-01-01/m``) works too. Other targets
    (``alias/NAME``) split at the first ``=``."""
    cut = value.find("=")
    if value.startswith("s3://"):
        cut = value.rfind("=")
        if flag == "--manifest":
            cut = next((i for i in range(cut, -1, -1)
                        if value[i] == "=" and Path(value[i + 1:]).is_file()), cut)
    left, right = (value[:cut], value[cut + 1:]) if cut >= 0 else (value, "")
    if not left or not right:
        raise FlagError(f"{flag} {value!r}: expected {_PAIR_FORMS.get(flag, 'TARGET=VALUE')}")
    return left, right


def load_manifest(uri: str, path: str, notes: list[Diagnostic] | None = None
                  ) -> tuple[ManifestEntry, ...]:
    """The entries of a local copy of a COPY manifest (``core.manifests.parse_manifest``:
    bad content raises InputError located in ``path``); the warnings about entry keys
    (RW206, RW207) are appended to ``notes``. Only a regular file of at most
    ``MAX_MANIFEST_FILE`` bytes is read."""
    from redshift_iam.core.manifests import parse_manifest  # only when a manifest is named
    from redshift_iam.inputs.capped import read_utf8

    try:
        text = read_utf8(path, MAX_MANIFEST_FILE)
    except (OSError, UnicodeDecodeError) as exc:
        raise FlagError(f"--manifest {uri}={path}: cannot read {path}: "
                        f"{getattr(exc, 'strerror', None) or exc}") from None
    return parse_manifest(path, text, notes)


def _flag_notes(flag: str, uri: str) -> list[Diagnostic]:
    """RW206/RW207 for the key of an S3 URI given in a flag, located in the flag's value."""
    key = (split_s3(uri) or ("", ""))[1]
    return [Source(flag, uri).diagnostic(code, message, 0)
            for code, message, _ in key_warnings(key)]


def _kms_key(value: str, settings: Settings) -> str:
    """KEY of --kms-key as given: a key ARN (in --partition) or a key id, which each statement
    makes an ARN in its own Region and account. Anything else is malformed."""
    kind = kms_kind(value)
    if kind == "arn" and arn_partition(value) != settings.partition:
        raise FlagError(f"--kms-key ...={value}: the key is not in partition "
                        f"{settings.partition} (--partition)")
    if kind in ("arn", "id"):
        return value
    raise FlagError(f"--kms-key ...={value}: expected a key ARN or key id")


def _kms_alias(target: str, key: str, settings: Settings) -> str:
    """An alias target: ``alias/NAME``, or an alias ARN (in --partition) whose key, when given
    as an ARN, must be in the alias's account and Region."""
    if kms_kind(target) == "alias":
        return target
    alias = kms_arn_parts(target)
    assert alias is not None  # the caller passes an "alias" or "alias-arn" (kms_kind)
    if alias["partition"] != settings.partition:
        raise FlagError(f"--kms-key {target}: the alias is not in partition "
                        f"{settings.partition} (--partition)")
    mapped = kms_arn_parts(key)
    if mapped and (mapped["region"], mapped["account"]) != (alias["region"], alias["account"]):
        raise FlagError(f"--kms-key {target}={key}: the alias is in account {alias['account']} "
                        f"and {alias['region']}, so its key must be too")
    return target


def build_settings(partition: str, account_id: str, region: str, manifests: tuple[str, ...],
                   kms_keys: tuple[str, ...]) -> Settings:
    """Validate the flags and load the manifests they name; their warnings become notes."""
    check_partition(partition, region)
    base = Settings(partition=partition, account_id=account_id, region=region)
    loaded, notes = {}, []
    for value in manifests:
        uri, path = _split_pair("--manifest", value)
        if check_s3(uri):
            raise FlagError(f"--manifest {uri!r}: expected s3://bucket/key")
        notes += _flag_notes("--manifest", uri)
        loaded[uri] = load_manifest(uri, path, notes)
    targets: list[KmsTarget] = []
    aliases: dict[str, str] = {}
    for value in kms_keys:
        target, key = _split_pair("--kms-key", value)
        if key.lower() == "none" and target.startswith("s3://"):
            key = NO_KEY
        else:
            key = _kms_key(key, base)
        if kms_kind(target) in ("alias", "alias-arn"):
            if aliases.get(target, key) != key:
                raise FlagError(f"--kms-key {target}: given twice, with {aliases[target]} and "
                                f"{key}; an alias points to one key")
            aliases[_kms_alias(target, key, base)] = key
            continue
        parts = split_s3(target)
        if parts is None or check_bucket(parts[0]):
            raise FlagError(f"--kms-key {target!r}: expected s3://bucket[/prefix], alias/NAME "
                            "or an alias ARN")
        notes += _flag_notes("--kms-key", target)
        targets.append(KmsTarget(parts[0], parts[1], key))
    return Settings(partition, account_id, region, loaded, tuple(sorted(targets, key=str)),
                    aliases, tuple(notes))


def build_trust_options(partition: str, serverless: bool, regions: tuple[str, ...],
                        db_users: tuple[str, ...]) -> TrustOptions:
    """The trust flags as TrustOptions: ``--trust-region`` is for provisioned clusters only,
    and every Region and dbuser ARN must be in ``partition``."""
    if regions and serverless:
        raise FlagError("--trust-region is documented for provisioned clusters only; it can't "
                        "be combined with --serverless")
    for region in regions:
        if partition_of_region(region) != partition:
            raise FlagError(f"--trust-region {region} is not in partition {partition} "
                            "(--partition)")
    for user in db_users:
        if arn_partition(user) != partition:
            raise FlagError(f"--db-user {user} is not in partition {partition} (--partition)")
    return TrustOptions(serverless, regions, db_users)

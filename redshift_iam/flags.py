"""Flag values -> :class:`Settings`. Malformed flags raise :class:`FlagError` (a usage error,
exit 2); a manifest file with bad content raises InputError (exit 1, with file:line:col)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from redshift_iam.diagnostics import Diagnostic, InputError, Location
from redshift_iam.model import KmsTarget, ManifestEntry, Settings
from redshift_iam.source import Source
from redshift_iam.values import (
    ACCOUNT,
    PARTITIONS,
    arn_partition,
    check_bucket,
    check_region,
    check_s3,
    kms_kind,
    partition_of_region,
    shown,
    split_s3,
)

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
        raise FlagError(f"{flag} {value!r}: expected TARGET=VALUE")
    return left, right


def load_manifest(uri: str, path: str) -> tuple[ManifestEntry, ...]:
    """The entries of a local copy of a COPY manifest (``{"entries": [{"url": ...}]}``)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlagError(f"--manifest {uri}={path}: cannot read {path}: "
                        f"{getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Diagnostic("RI150", f"manifest is not JSON: {exc.msg}",
                                    Location(path, exc.lineno, exc.colno))) from None
    entries = document.get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise InputError(Diagnostic("RI150", "manifest has no \"entries\" list",
                                    Location(path, 1, 1)))
    source = Source(path, text)
    return tuple(_entry(source, number, entry) for number, entry in enumerate(entries, 1))


def _entry(source: Source, number: int, entry: object) -> ManifestEntry:
    """One entry's exact object; a bad one is reported where its URL (or else the file)
    starts."""
    url = entry.get("url") if isinstance(entry, dict) else None
    problem = check_s3(url) if isinstance(url, str) else ("RI150", "no \"url\" string", 0)
    if not problem and not split_s3(url)[1]:
        problem = ("RI150", f"{shown(url)} names no object", 0)
    if problem:
        found = source.text.find(json.dumps(url)[1:-1]) if isinstance(url, str) else -1
        raise InputError(Diagnostic("RI150", f"entry {number}: {problem[1]}",
                                    source.location(max(found, 0))))
    bucket, key = split_s3(url)
    return ManifestEntry(bucket, key)


def _kms_key(value: str, settings: Settings) -> str:
    kind = kms_kind(value)
    if kind == "arn" and arn_partition(value) != settings.partition:
        raise FlagError(f"--kms-key ...={value}: the key is not in partition "
                        f"{settings.partition} (--partition)")
    if kind == "arn":
        return value
    if kind == "id" and settings.account_id and settings.region:
        return f"arn:{settings.partition}:kms:{settings.region}:{settings.account_id}:key/{value}"
    if kind == "id":
        raise FlagError(f"--kms-key ...={value}: a key id needs --account-id and --region "
                        "(or give the key ARN)")
    raise FlagError(f"--kms-key ...={value}: expected a key ARN or key id")


def build_settings(partition: str, account_id: str, region: str, manifests: tuple[str, ...],
                   kms_keys: tuple[str, ...]) -> Settings:
    """Validate the flags and load the manifests they name."""
    check_partition(partition, region)
    base = Settings(partition=partition, account_id=account_id, region=region)
    loaded = {}
    for value in manifests:
        uri, path = _split_pair("--manifest", value)
        if check_s3(uri):
            raise FlagError(f"--manifest {uri!r}: expected s3://bucket/key")
        loaded[uri] = load_manifest(uri, path)
    targets, aliases = [], {}
    for value in kms_keys:
        target, key = _split_pair("--kms-key", value)
        arn = _kms_key(key, base)
        if target.startswith("alias/"):
            aliases[target] = arn
            continue
        parts = split_s3(target)
        if parts is None or check_bucket(parts[0]):
            raise FlagError(f"--kms-key {target!r}: expected s3://bucket[/prefix] or alias/NAME")
        targets.append(KmsTarget(parts[0], parts[1], arn))
    return Settings(partition, account_id, region, loaded, tuple(sorted(targets, key=str)),
                    aliases)

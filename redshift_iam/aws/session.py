"""The boto3 session both halves of this stage use, and what its errors mean to a user.

boto3 is imported here, inside the functions, never at import time. The session follows the
default credential chain (environment, AWS_PROFILE, SSO, instance roles ...); the Region is
AWS_REGION, else the session's (AWS_DEFAULT_REGION, the profile); AWS_ENDPOINT_URL (and the
per-service AWS_ENDPOINT_URL_<SERVICE>) is honoured by botocore itself. Calls retry in
botocore's standard mode (throttling and transient errors, with backoff; AWS_MAX_ATTEMPTS
sets how many attempts).
"""

from __future__ import annotations

import os
import re
from typing import Any

from redshift_iam.core.lookups import Failure

CONNECT_TIMEOUT = 5  # seconds
READ_TIMEOUT = 30

# Error codes AWS uses for throttling (as botocore's standard retry mode knows them).
THROTTLED = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestThrottled", "SlowDown",
    "PriorRequestNotComplete"})
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                    "Forbidden", "403", "AuthorizationError"})
REFUSED = frozenset({"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
                     "ExpiredTokenException", "InvalidClientTokenId",
                     "UnrecognizedClientException", "InvalidToken", "TokenRefreshRequired"})


def make_session(profile: str | None = None) -> Any:
    """A boto3 Session on the default credential chain (``profile`` overrides AWS_PROFILE).
    Raises botocore's ProfileNotFound for an unknown profile (see :func:`failure_of`)."""
    import boto3

    return boto3.Session(profile_name=profile) if profile else boto3.Session()


def session_region(session: Any, region: str | None = None) -> str:
    """``region``, else AWS_REGION, else the session's Region ('' when none is set)."""
    return region or os.environ.get("AWS_REGION") or session.region_name or ""


def client_config() -> Any:
    """Retries in botocore's standard mode (3 attempts, or AWS_MAX_ATTEMPTS / the profile's
    max_attempts), short connection timeouts, the tool in the user agent."""
    from botocore.config import Config

    return Config(retries={"mode": "standard"},
                  connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                  user_agent_extra="redshift-iam")


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ('' for any other exception)."""
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def failure_of(exc: BaseException) -> Failure:
    """A botocore or boto3 exception as a :class:`Failure`: its reason and a short message
    without secrets. Anything else is a bug and is raised again."""
    if isinstance(exc, ImportError) and exc.name in ("boto3", "botocore"):
        return Failure("no-boto3", f"No module named {exc.name!r}")
    from botocore import exceptions as bx

    code = error_code(exc)
    if isinstance(exc, bx.ClientError):
        reason = ("denied" if code in DENIED else "bad-credentials" if code in REFUSED
                  else "throttled" if code in THROTTLED else "aws")
        message = (exc.response.get("Error", {}).get("Message") or "").strip()
        return Failure(reason, clean(f"{code}: {message}" if message else code))
    kinds = ((bx.NoCredentialsError, "no-credentials"), (bx.PartialCredentialsError,
             "no-credentials"), (bx.ProfileNotFound, "no-credentials"),
             (bx.CredentialRetrievalError, "bad-credentials"), (bx.SSOError, "bad-credentials"),
             (bx.TokenRetrievalError, "bad-credentials"), (bx.NoRegionError, "no-region"),
             (bx.ConnectionError, "network"), (bx.HTTPClientError, "network"))
    for kind, reason in kinds:
        if isinstance(exc, kind):
            return Failure(reason, clean(str(exc)))
    if isinstance(exc, bx.BotoCoreError):
        return Failure("aws", clean(str(exc)))
    raise exc


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]*@")
_MAX_MESSAGE = 300


def clean(text: str) -> str:
    """A message fit to print: one line, no user:password in URLs, at most 300 characters."""
    text = _USERINFO.sub(r"\1", " ".join(text.split()))
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "..."


class Clients:
    """Clients of one session (any object with boto3's ``client``), one per service, made on
    first use in the session's Region."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._clients: dict[str, Any] = {}

    def __getitem__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, config=client_config())
        return self._clients[service]


def stopped(what: str, failure: Failure, done: tuple[Any, ...] = ()) -> Any:
    """The ApplyError (RI198) for an AWS failure during apply, with the changes made."""
    from redshift_iam.aws.plan import ApplyError
    from redshift_iam.core.diagnostics import Diagnostic
    from redshift_iam.core.lookups import REASONS

    reason = REASONS[failure.reason]
    return ApplyError(Diagnostic("RI198", f"{what}: {reason.says}: {failure.message}"), done)


def apply_session(session: Any = None) -> Any:
    """``session``, else one on the default credential chain; for apply, a session that
    cannot be made is an ApplyError (RI198)."""
    if session is not None:
        return session
    try:
        return make_session()
    except Exception as exc:  # noqa: BLE001 - failure_of raises again what is not AWS's
        raise stopped("apply could not start", failure_of(exc)) from None

"""How Cloud Storage's errors become infrar errors, for the storage domain's gcp adapters.

Shared by ``storage.py`` and ``storage_features.py``: both work on buckets and objects and
translate the same SDK errors the same way. Erase copies what an adapter body reaches.
"""

from __future__ import annotations

import requests
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions
from google.cloud.storage.exceptions import InvalidResponse

from infrar.errors import (
    AlreadyExists,
    ConfigurationError,
    InfrarError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Timeout,
    Unavailable,
)
from infrar.providers.gcp._clients import gcs
from infrar.storage import timeouts

# Every exception a Cloud Storage call can raise that is not the caller's own (a local
# file error, say): adapters catch exactly this tuple and hand it to translate_error.
SDK_ERRORS: tuple[type[Exception], ...] = (
    api_exceptions.GoogleAPIError,  # GoogleAPICallError (HTTP status) and RetryError
    auth_exceptions.GoogleAuthError,
    requests.RequestException,
    InvalidResponse,
)


def bucket_exists(bucket: str) -> bool | None:
    """Whether ``bucket`` exists; None when Cloud Storage will not say (no permission, say)."""
    try:
        found: bool = gcs.client().bucket(bucket).exists(retry=gcs.retry(), timeout=gcs.timeout())
    except SDK_ERRORS:
        return None
    return found


def not_found(bucket: str, key: str) -> NotFound:
    """The NotFound for a missing ``key``: Cloud Storage answers 404 for a missing bucket
    too (the emulator with no body at all), so ask which of the two is missing."""
    exists = bucket_exists(bucket)
    if exists is False:
        return _missing_bucket(bucket)
    if exists is None:
        return NotFound(
            f"object {key!r} does not exist in bucket {bucket!r}, or the bucket itself does not; "
            "check both names (keys are case-sensitive)"
        )
    return NotFound(f"object {key!r} does not exist in bucket {bucket!r}; check the key (keys are case-sensitive)")


def _missing_bucket(bucket: str) -> NotFound:
    return NotFound(
        f"bucket {bucket!r} does not exist; create it or check "
        "its name and GOOGLE_CLOUD_PROJECT"
    )


def translate_error(exc: BaseException, bucket: str, key: str | None = None) -> InfrarError:
    """The infrar error for an SDK error raised while working on ``bucket`` (and ``key``).

    A 404 means the bucket when ``key`` is None; with a key, ``not_found`` asks which one
    is missing. Messages carry Cloud Storage's own words, never a credential.
    """
    target = f"object {key!r} in bucket {bucket!r}" if key is not None else f"bucket {bucket!r}"
    if isinstance(exc, api_exceptions.RetryError):
        # The retry window closed; what matters is the last failure it saw.
        if isinstance(exc.cause, BaseException):
            return translate_error(exc.cause, bucket, key)
        return Unavailable(f"Cloud Storage did not answer for {target} after bounded retries: {exc}")
    if isinstance(exc, InvalidResponse):
        status = exc.response.status_code
        message = f"{exc} (HTTP {status})"
        native = api_exceptions.from_http_status(status, message)  # type: ignore[no-untyped-call]
        return translate_error(native, bucket, key)
    if isinstance(exc, api_exceptions.GoogleAPICallError):
        return _from_status(exc, bucket, key, target)
    if isinstance(exc, auth_exceptions.DefaultCredentialsError):
        return ConfigurationError(f"no Google credentials for {target} ({exc}); {gcs.FIX_CREDENTIALS}")
    if isinstance(exc, auth_exceptions.RefreshError):
        return PermissionDenied(
            f"Google refused the credentials in use for {target} ({exc}); check the key named by "
            "GOOGLE_APPLICATION_CREDENTIALS (it may be revoked or expired) or log in again"
        )
    if isinstance(exc, requests.ConnectionError) and timeouts.timed_out(exc):
        # A body that could not be sent in time is the same fault as an answer that never came.
        return Timeout(f"Cloud Storage did not answer in time for {target}: {exc}; retry later")
    # Before Timeout: requests' ConnectTimeout is both, and an endpoint that cannot be
    # connected to is unreachable, not slow.
    if isinstance(exc, (requests.ConnectionError, auth_exceptions.TransportError)):
        return Unavailable(
            f"cannot reach Cloud Storage for {target} after bounded retries: {exc}; check the "
            "network, and STORAGE_EMULATOR_HOST if you use an emulator"
        )
    if isinstance(exc, (requests.Timeout, auth_exceptions.TimeoutError)):
        return Timeout(f"Cloud Storage did not answer in time for {target}: {exc}; retry later")
    return InfrarError(f"Cloud Storage failed on {target}: {type(exc).__name__}: {exc}")


def _from_status(exc: api_exceptions.GoogleAPICallError, bucket: str, key: str | None,
                 target: str) -> InfrarError:
    said = f"HTTP {exc.code}: {exc.message}"
    if isinstance(exc, api_exceptions.NotFound):
        return _missing_bucket(bucket) if key is None else not_found(bucket, key)
    if isinstance(exc, (api_exceptions.Forbidden, api_exceptions.Unauthorized)):
        return PermissionDenied(
            f"access denied to {target} ({said}); grant the identity in use (GOOGLE_APPLICATION_CREDENTIALS "
            "or the attached service account) a role with the permission named, e.g. "
            "roles/storage.objectAdmin on the bucket"
        )
    if isinstance(exc, api_exceptions.Conflict):
        return AlreadyExists(f"{target} conflicts with an existing resource ({said})")
    if isinstance(exc, (api_exceptions.BadRequest, api_exceptions.PreconditionFailed)):
        return InvalidArgument(f"Cloud Storage rejected the request for {target} ({said}); fix what it names")
    if isinstance(exc, api_exceptions.GatewayTimeout) or exc.code == 408:
        return Timeout(f"Cloud Storage timed out on {target} ({said}); retry later")
    if isinstance(exc, (api_exceptions.TooManyRequests, api_exceptions.ServerError)):
        return Unavailable(f"Cloud Storage could not serve {target} after bounded retries ({said}); retry later")
    return InfrarError(f"Cloud Storage failed on {target} ({said})")

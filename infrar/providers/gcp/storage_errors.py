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


# What each HTTP status of Cloud Storage means (any other 5xx as 500); {target} is the bucket
# or object, {said} Google's own words.
_BY_STATUS: dict[int, tuple[type[InfrarError], str]] = {
    status: (kind, text) for kind, text, statuses in (
        (PermissionDenied, "access denied to {target} ({said}); grant the identity in use "
         "(GOOGLE_APPLICATION_CREDENTIALS or the attached service account) a role with the permission "
         "named, e.g. roles/storage.objectAdmin on the bucket", (401, 403)),
        (AlreadyExists, "{target} conflicts with an existing resource ({said})", (409,)),
        (InvalidArgument, "Cloud Storage rejected the request for {target} ({said}); fix what it names", (400, 412)),
        (Timeout, "Cloud Storage timed out on {target} ({said}); retry later", (408, 504)),
        (Unavailable, "Cloud Storage could not serve {target} after bounded retries ({said}); retry later",
         (429, 500)),
    ) for status in statuses
}
# The errors raised without an answer from Cloud Storage, by class, first match wins: requests'
# ConnectTimeout is a ConnectionError and a Timeout, and an endpoint that cannot be connected to
# is unreachable, not slow.
_NATIVE: tuple[tuple[tuple[type[Exception], ...], type[InfrarError], str], ...] = (
    ((auth_exceptions.DefaultCredentialsError,), ConfigurationError,
     "no Google credentials for {target} ({said}); " + gcs.FIX_CREDENTIALS),
    ((auth_exceptions.RefreshError,), PermissionDenied, "Google refused the credentials in use for {target} "
     "({said}); check the key named by GOOGLE_APPLICATION_CREDENTIALS (it may be revoked or expired) or log in again"),
    ((api_exceptions.RetryError, requests.ConnectionError, auth_exceptions.TransportError), Unavailable,
     "cannot reach Cloud Storage for {target} after bounded retries: {said}; check the network, and "
     "STORAGE_EMULATOR_HOST if you use an emulator"),
    ((requests.Timeout, auth_exceptions.TimeoutError), Timeout,
     "Cloud Storage did not answer in time for {target}: {said}; retry later"),
)
_UNKNOWN: tuple[type[InfrarError], str] = (InfrarError, "Cloud Storage failed on {target}: {said}")


def bucket_exists(bucket: str) -> bool | None:
    """Whether ``bucket`` exists; None when Cloud Storage will not say (no permission, say)."""
    try:
        found: bool = gcs.client().bucket(bucket).exists(retry=gcs.retry(), timeout=gcs.timeout())
    except SDK_ERRORS:
        return None
    return found


def not_found(bucket: str, key: str | None = None) -> NotFound:
    """The NotFound for a missing bucket, or a missing ``key``: Cloud Storage answers 404 for a
    missing bucket too (the emulator with no body at all), so ask which of the two is missing."""
    exists = False if key is None else bucket_exists(bucket)
    if exists is False:
        return NotFound(f"bucket {bucket!r} does not exist; create it or check its name and GOOGLE_CLOUD_PROJECT")
    unsure = ", or the bucket itself does not; check both names" if exists is None else "; check the key"
    return NotFound(f"object {key!r} does not exist in bucket {bucket!r}{unsure} (keys are case-sensitive)")


def translate_error(exc: BaseException, bucket: str, key: str | None = None) -> InfrarError:
    """The infrar error for an SDK error raised while working on ``bucket`` (and ``key``).

    A 404 means the bucket when ``key`` is None; with a key, ``not_found`` asks which one
    is missing. Messages carry Cloud Storage's own words, never a credential.
    """
    if isinstance(exc, api_exceptions.RetryError) and isinstance(exc.cause, BaseException):
        # The retry window closed; what matters is the last failure it saw.
        return translate_error(exc.cause, bucket, key)
    target = f"object {key!r} in bucket {bucket!r}" if key is not None else f"bucket {bucket!r}"
    said, status = f"{type(exc).__name__}: {exc}", 0
    if isinstance(exc, (api_exceptions.GoogleAPICallError, InvalidResponse)):
        status = int(exc.response.status_code if isinstance(exc, InvalidResponse) else exc.code or 0)
        said = f"HTTP {status}: {exc.message if isinstance(exc, api_exceptions.GoogleAPICallError) else exc}"
    if status == 404:
        return not_found(bucket, key)
    if status:
        kind, text = _BY_STATUS.get(status) or (_BY_STATUS[500] if status >= 500 else _UNKNOWN)
    else:
        kind, text = next(((k, t) for types, k, t in _NATIVE if isinstance(exc, types)), _UNKNOWN)
        if kind is Unavailable and isinstance(exc, requests.ConnectionError) and timeouts.timed_out(exc):
            # A body that could not be sent in time is the same fault as an answer that never came.
            kind, text = _NATIVE[-1][1:]
    return kind(text.format(target=target, said=said))

"""How the gcp provider builds its Cloud Storage client, and how its errors become infrar errors.

The one place the gcp adapters get a client from. Configuration is google-cloud-storage's
own, read from the environment exactly as a hand-written program would read it:

- GOOGLE_APPLICATION_CREDENTIALS (a key file) or the other Application Default
  Credentials (gcloud's, or the metadata server on Google Cloud);
- GOOGLE_CLOUD_PROJECT, the project (needed only where a call names none);
- STORAGE_EMULATOR_HOST, which the library honours itself: the client then talks to that
  endpoint with AnonymousCredentials, as it does for any emulator.

Signed URLs need a signer the client may not have (the emulator's client is anonymous, a
Compute Engine identity holds no private key): ``signing_arguments`` finds one.

The shared error translation lives here too: it is the provider's one shared module, and
every gcp adapter (storage, storage_features) translates the same SDK errors the same way.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import requests
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials, Signing
from google.auth.transport.requests import Request
from google.cloud.storage import Client  # by path: if absent, ModuleNotFoundError names it
from google.cloud.storage.exceptions import InvalidResponse
from google.cloud.storage.retry import DEFAULT_RETRY
from google.oauth2 import service_account

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

# google-cloud-storage retries transient errors for 120 s by default: an unreachable
# endpoint would hang a program for two minutes. Five seconds of jittered backoff rides
# out a blip and still fails fast. Passed as ``retry=`` to every call.
RETRY = DEFAULT_RETRY.with_timeout(5.0).with_delay(initial=0.25, maximum=2.0)
# (connect, read) seconds for each HTTP request; read covers one upload chunk or one response.
TIMEOUT = (5.0, 60.0)

# Every exception a Cloud Storage call can raise that is not the caller's own (a local
# file error, say): adapters catch exactly this tuple and hand it to translate_error.
SDK_ERRORS: tuple[type[Exception], ...] = (
    api_exceptions.GoogleAPIError,  # GoogleAPICallError (HTTP status) and RetryError
    auth_exceptions.GoogleAuthError,
    requests.RequestException,
    InvalidResponse,
)

_FIX_CREDENTIALS = (
    "set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, run "
    "`gcloud auth application-default login`, or run on Google Cloud with a service account"
)

# google.cloud.storage is imported by its full path above: when the package is missing,
# "from google.cloud import storage" would raise a bare ImportError naming no module, which
# dispatch cannot turn into MissingDependency ("pip install 'infrar[gcp]'").

_lock = threading.Lock()
_storage: Any = None
_signer: Any = None


def storage_client() -> Any:
    """The process's Cloud Storage client, built on first use (it is thread-safe)."""
    client = _storage
    if client is None:
        client = _build_storage()
    return client


def _build_storage() -> Any:
    global _storage
    with _lock:
        if _storage is None:
            try:
                _storage = Client()
            except auth_exceptions.DefaultCredentialsError as exc:
                raise ConfigurationError(f"no Google credentials found ({exc}); {_FIX_CREDENTIALS}") from exc
            except OSError as exc:  # google-cloud-core: "Project was not passed and could not be determined"
                raise ConfigurationError(
                    f"no Google Cloud project configured ({exc}); set GOOGLE_CLOUD_PROJECT to the "
                    "project id, or use a credentials file that names one"
                ) from exc
        return _storage


def reset() -> None:
    """Drop the cached client and signer and make a fresh lock (after fork, or for a new endpoint)."""
    global _storage, _signer, _lock
    _storage = None
    _signer = None
    _lock = threading.Lock()


def signing_arguments() -> dict[str, Any]:
    """Keyword arguments that let ``Blob.generate_signed_url`` sign a V4 URL.

    A private key (a service account key file) signs locally: ``{"credentials": ...}``.
    An identity without one but with a service account (Compute Engine, Cloud Run) signs
    through IAM signBlob: ``{"service_account_email": ..., "access_token": ...}``; the
    service account then needs iam.serviceAccounts.signBlob on itself.
    """
    credentials = _signing_credentials()
    if isinstance(credentials, Signing):
        return {"credentials": credentials}
    if getattr(credentials, "service_account_email", None):
        if not credentials.valid:
            # The email is "default" until the metadata server has been asked, and the
            # token is what authorises the signBlob call.
            credentials.refresh(Request())
        return {"service_account_email": credentials.service_account_email, "access_token": credentials.token}
    raise ConfigurationError(
        f"cannot sign a URL with the Google credentials in use ({type(credentials).__name__}): "
        "signing needs a service account key (set GOOGLE_APPLICATION_CREDENTIALS to its JSON "
        "key file) or a service account identity allowed iam.serviceAccounts.signBlob "
        "(roles/iam.serviceAccountTokenCreator) on itself"
    )


def _signing_credentials() -> Any:
    global _signer
    signer = _signer
    if signer is not None:
        return signer
    client = storage_client()
    with _lock:
        if _signer is None:
            # The client's own credentials (a private attribute, but the very object
            # generate_signed_url falls back to). Against STORAGE_EMULATOR_HOST the client
            # is anonymous, so the key file a user names is loaded for signing alone.
            credentials = client._credentials
            path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
            if isinstance(credentials, AnonymousCredentials) and path:
                # Only a service account key can sign locally, so only that type is loaded.
                try:
                    credentials = service_account.Credentials.from_service_account_file(path)  # type: ignore[no-untyped-call]
                except (OSError, ValueError) as exc:
                    raise ConfigurationError(
                        f"GOOGLE_APPLICATION_CREDENTIALS={path!r} is not a usable service account key "
                        f"file ({type(exc).__name__}: {exc}); point it at a service account JSON key file"
                    ) from exc
            _signer = credentials
        return _signer


def bucket_exists(bucket: str) -> bool | None:
    """Whether ``bucket`` exists; None when Cloud Storage will not say (no permission, say)."""
    try:
        found: bool = storage_client().bucket(bucket).exists(retry=RETRY, timeout=TIMEOUT)
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
        f"bucket {bucket!r} does not exist; create it (infrar infra writes it for you) or check "
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
        return ConfigurationError(f"no Google credentials for {target} ({exc}); {_FIX_CREDENTIALS}")
    if isinstance(exc, auth_exceptions.RefreshError):
        return PermissionDenied(
            f"Google refused the credentials in use for {target} ({exc}); check the key named by "
            "GOOGLE_APPLICATION_CREDENTIALS (it may be revoked or expired) or log in again"
        )
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

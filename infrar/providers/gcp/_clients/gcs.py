"""The gcp provider's Cloud Storage client: one per process, built on first use.

Configuration is google-cloud-storage's own, read from the environment exactly as a
hand-written program would read it:

- GOOGLE_APPLICATION_CREDENTIALS (a key file) or the other Application Default
  Credentials (gcloud's, or the metadata server on Google Cloud);
- GOOGLE_CLOUD_PROJECT, the project (needed only where a call names none);
- STORAGE_EMULATOR_HOST, which the library honours itself: the client then talks to that
  endpoint with AnonymousCredentials, as it does for any emulator.

Signed URLs need a signer the client may not have (the emulator's client is anonymous, a
Compute Engine identity holds no private key): ``signing_arguments`` finds one.

google.cloud.storage is imported by its full path: when the package is missing, "from
google.cloud import storage" would raise a bare ImportError naming no module, which
dispatch cannot turn into MissingDependency ("pip install 'infrar[gcp]'").
"""

from __future__ import annotations

import os
import threading
from typing import Any

from google.api_core.retry import Retry
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials, Signing
from google.auth.transport.requests import Request
from google.cloud.storage import Client  # by path: if absent, ModuleNotFoundError names it
from google.cloud.storage.retry import DEFAULT_RETRY
from google.oauth2 import service_account

from infrar.errors import ConfigurationError
from infrar.storage import timeouts

# google-cloud-storage retries transient errors for 120 s by default, each attempt with a
# 60 s read timeout: an unreachable or silent endpoint would hang a program for minutes.
# Retries (jittered backoff from 0.25 s up to 2 s) stop at a 5 s deadline, and an attempt
# started before it may take connect + read timeout more: 5 + 3 + 22 = 30 s at most,
# scaled to INFRAR_STORAGE_TIMEOUT by ``infrar.storage.timeouts.plan``.
RETRY_DEADLINE_SECONDS = 5.0


def retry() -> Retry:
    """The ``retry=`` every call passes: DEFAULT_RETRY's predicate, bounded by a deadline."""
    deadline = min(RETRY_DEADLINE_SECONDS, timeouts.time_to_fail() / 6)
    policy: Retry = DEFAULT_RETRY.with_timeout(deadline).with_delay(initial=0.25, maximum=2.0)
    return policy


def timeout() -> tuple[float, float]:
    """The ``timeout=`` every call passes: (connect, read) seconds for each HTTP request.

    Read covers one upload chunk or one response; what is left of the bound after the
    retry deadline.
    """
    bound = timeouts.time_to_fail()
    _, connect, read = timeouts.plan(1, min(RETRY_DEADLINE_SECONDS, bound / 6), bound)
    return (connect, read)


# The fix every message about missing or refused Google credentials names.
FIX_CREDENTIALS = (
    "set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, run "
    "`gcloud auth application-default login`, or run on Google Cloud with a service account"
)

_lock = threading.Lock()
_client: Any = None
_signer: Any = None


def client() -> Any:
    """The process's Cloud Storage client, built on first use (it is thread-safe)."""
    found = _client
    if found is None:
        found = _build_gcs()
    return found


def _build_gcs() -> Any:
    global _client
    with _lock:
        if _client is None:
            try:
                _client = Client()
            except auth_exceptions.DefaultCredentialsError as exc:
                raise ConfigurationError(f"no Google credentials found ({exc}); {FIX_CREDENTIALS}") from exc
            except OSError as exc:  # google-cloud-core: "Project was not passed and could not be determined"
                raise ConfigurationError(
                    f"no Google Cloud project configured ({exc}); set GOOGLE_CLOUD_PROJECT to the "
                    "project id, or use a credentials file that names one"
                ) from exc
        return _client


def reset() -> None:
    """Drop the cached client and signer and make a fresh lock (after fork, or for a new endpoint)."""
    global _client, _signer, _lock
    _client = None
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
    built = client()
    with _lock:
        if _signer is None:
            # The client's own credentials (a private attribute, but the very object
            # generate_signed_url falls back to). Against STORAGE_EMULATOR_HOST the client
            # is anonymous, so the key file a user names is loaded for signing alone.
            credentials = built._credentials
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

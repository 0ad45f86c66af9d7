"""How the azure provider builds its clients, and how their errors become infrar errors.

The one place that reads Azure's native configuration:

- ``AZURE_STORAGE_CONNECTION_STRING`` (account key, SAS or Azurite), else
- ``AZURE_STORAGE_ACCOUNT_URL`` with ``azure.identity.DefaultAzureCredential`` (Entra ID).

Erased code reads the same variables, so both paths are configured alike.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)
from azure.storage.blob import BlobServiceClient

from infrar.errors import (
    AlreadyExists,
    ConfigurationError,
    InfrarError,
    InvalidArgument,
    MissingDependency,
    NotFound,
    PermissionDenied,
    Timeout,
    Unavailable,
)

CONNECTION_STRING_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING"
ACCOUNT_URL_VARIABLE = "AZURE_STORAGE_ACCOUNT_URL"

_MIB = 1024 * 1024

# Client options. The SDK's default back-off starts at 15 s and its connect timeout is 20 s,
# which turns "endpoint down" into a minute or more; these give three attempts with about
# 3 s and 5 s between them (under ten seconds when the port is closed). Transfer sizes keep
# memory near max_concurrency * 8 MiB: anything over 8 MiB goes as staged blocks, read
# from the source one block at a time, never whole.
_CLIENT_OPTIONS: dict[str, Any] = {
    "retry_total": 3,
    "retry_connect": 2,
    "retry_read": 2,
    "retry_status": 2,
    "initial_backoff": 1,
    "increment_base": 2,
    "random_jitter_range": 1,
    "connection_timeout": 5,
    "read_timeout": 60,
    "max_single_put_size": 8 * _MIB,
    "max_block_size": 8 * _MIB,
    "max_single_get_size": 4 * _MIB,
    "max_chunk_get_size": 4 * _MIB,
}

_lock = threading.Lock()
_service: BlobServiceClient | None = None


def blob_service() -> BlobServiceClient:
    """The process's BlobServiceClient, built on first use from the native variables."""
    global _service
    service = _service
    if service is None:
        with _lock:
            if _service is None:
                _service = _build_blob_service()
            service = _service
    return service


def _build_blob_service() -> BlobServiceClient:
    connection_string = os.environ.get(CONNECTION_STRING_VARIABLE, "").strip()
    if connection_string:
        try:
            return BlobServiceClient.from_connection_string(connection_string, **_CLIENT_OPTIONS)
        except ValueError as exc:
            # The SDK's message may quote the string; ours must not (it holds the key).
            raise ConfigurationError(
                f"{CONNECTION_STRING_VARIABLE} is not a valid Azure Storage connection string; "
                "copy it from the portal (Access keys) or set "
                f"{ACCOUNT_URL_VARIABLE} to use Entra ID instead"
            ) from exc
    account_url = os.environ.get(ACCOUNT_URL_VARIABLE, "").strip()
    if account_url:
        return BlobServiceClient(account_url, credential=_default_credential(), **_CLIENT_OPTIONS)
    raise ConfigurationError(
        f"no Azure Storage account configured: set {CONNECTION_STRING_VARIABLE} "
        f"(an account key connection string, or Azurite's) or {ACCOUNT_URL_VARIABLE} "
        "(e.g. https://<account>.blob.core.windows.net, signed in through DefaultAzureCredential)"
    )


def _default_credential() -> Any:
    # Imported here: connection-string users need not install or pay for azure-identity.
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:
        raise MissingDependency(
            f"{ACCOUNT_URL_VARIABLE} is set, which signs in with azure-identity, and it is not "
            "installed: pip install 'infrar[azure]'"
        ) from exc
    return DefaultAzureCredential()


def sas_account_key() -> str | None:
    """The AccountKey of the connection string, to sign SAS URLs with.

    None when the account is reached through Entra ID (then a user delegation key signs).
    """
    connection_string = os.environ.get(CONNECTION_STRING_VARIABLE, "").strip()
    if not connection_string:
        return None
    for part in connection_string.split(";"):
        name, _, value = part.partition("=")  # the key itself may end in '='
        if name.strip().lower() == "accountkey" and value.strip():
            return value.strip()
    raise ConfigurationError(
        f"{CONNECTION_STRING_VARIABLE} has no AccountKey, so signed URLs cannot be signed; "
        f"use an account key connection string, or {ACCOUNT_URL_VARIABLE} with Entra ID "
        "(user delegation SAS)"
    )


def reset() -> None:
    """Drop the cached client and make a new lock (after fork, or when tests repoint Azure)."""
    global _service, _lock
    _service = None
    _lock = threading.Lock()


def _endpoint() -> str:
    # scheme://host only: a URL path or query could carry a SAS token.
    service = _service
    if service is None:
        return "Azure Blob Storage"
    parts = urlsplit(service.url)
    return f"{parts.scheme}://{parts.netloc}"


def _error_code(exc: HttpResponseError) -> str:
    code = getattr(exc, "error_code", None) or ""
    return str(getattr(code, "value", code))


def translate(exc: AzureError, bucket: str, key: str | None = None) -> InfrarError:
    """The infrar error for ``exc`` raised by an operation on container ``bucket`` (blob ``key``).

    Callers raise it ``from exc``. Messages name the container and blob, never a credential.
    """
    what = f"container {bucket!r}" if key is None else f"blob {key!r} in container {bucket!r}"
    if isinstance(exc, (ServiceRequestTimeoutError, ServiceResponseTimeoutError)):
        return Timeout(f"{_endpoint()} did not answer in time for {what}; retry later")
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return Unavailable(
            f"cannot reach {_endpoint()} for {what} after bounded retries; check that the "
            f"account in {CONNECTION_STRING_VARIABLE} or {ACCOUNT_URL_VARIABLE} is reachable"
        )
    if not isinstance(exc, HttpResponseError):
        return InfrarError(f"Azure Blob Storage failed on {what}: {type(exc).__name__}")
    code = _error_code(exc)
    status = exc.status_code
    if isinstance(exc, ClientAuthenticationError) and exc.response is None:
        # Raised before sending: no credential could be obtained, or the key cannot sign.
        return ConfigurationError(
            f"could not authenticate to Azure Storage for {what}: the AccountKey in "
            f"{CONNECTION_STRING_VARIABLE} is malformed or DefaultAzureCredential found no "
            "identity (sign in with `az login` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET)"
        )
    if isinstance(exc, ResourceNotFoundError) or status == 404:
        if key is None or code == "ContainerNotFound":
            return NotFound(f"container {bucket!r} does not exist; create it first")
        return NotFound(f"blob {key!r} does not exist in container {bucket!r}")
    if isinstance(exc, ClientAuthenticationError) or status in (401, 403):
        return PermissionDenied(
            f"access denied to {what} ({code or status}); check the account key in "
            f"{CONNECTION_STRING_VARIABLE}, or grant the signed-in identity a role such as "
            "Storage Blob Data Contributor"
        )
    if code == "BlobArchived":
        return PermissionDenied(
            f"{what} is in the Archive tier and cannot be read; rehydrate it first with "
            "infrar.azure.blob.set_access_tier(..., 'Hot') (Azure takes up to hours)"
        )
    if isinstance(exc, ResourceExistsError) or status == 409:
        return AlreadyExists(f"{what} conflicts with an existing resource ({code or status})")
    if status == 400:
        return InvalidArgument(f"Azure Blob Storage rejected the request for {what} ({code or status})")
    if status is not None and (status >= 500 or status == 429):
        return Unavailable(
            f"{_endpoint()} is busy or failing for {what} ({code or status}) after bounded retries; "
            "retry later"
        )
    return InfrarError(f"Azure Blob Storage refused {what} ({code or status})")

"""The azure provider's Blob Storage client (a BlobServiceClient): one per process, built on first use.

The one place that reads Azure Storage's native configuration:

- ``AZURE_STORAGE_CONNECTION_STRING`` (account key, SAS or Azurite), else
- ``AZURE_STORAGE_ACCOUNT_URL`` with ``azure.identity.DefaultAzureCredential`` (Entra ID).

Erased code reads the same variables, so both paths are configured alike.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

from azure.storage.blob import BlobServiceClient

from infrar.errors import ConfigurationError, MissingDependency
from infrar.providers.azure._clients import _entra
from infrar.storage import timeouts

CONNECTION_STRING_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING"
ACCOUNT_URL_VARIABLE = "AZURE_STORAGE_ACCOUNT_URL"

_MIB = 1024 * 1024

ATTEMPTS = 3
# ExponentialRetry pauses initial_backoff + increment_base**n seconds (+-jitter) before retry n.
_BACKOFF = {"initial_backoff": 1, "increment_base": 2, "random_jitter_range": 0.5}
PAUSES_SECONDS = (1 + 2**1 + 0.5) + (1 + 2**2 + 0.5)  # 3 s then 5 s, 9 s at most


def client_options() -> dict[str, Any]:
    """The BlobServiceClient's retry, timeout and transfer-size options.

    The SDK's defaults (15 s back-off, four attempts of a 60 s read timeout) turn "no answer"
    into minutes. These give three attempts in all, whatever fails (the per-kind retry
    counts equal the total, so a mix of connect and read errors cannot add a fourth), 3 s
    then 5 s apart, each with a 3 s connect and a 4 s read timeout: 3 x 7 + 9 = 30 s at
    most, scaled to INFRAR_STORAGE_TIMEOUT by ``infrar.storage.timeouts.plan``. Transfer
    sizes keep memory near max_concurrency x 8 MiB: anything over 8 MiB goes as staged
    blocks, read from the source one block at a time, never whole.
    """
    attempts, connect, read = timeouts.plan(ATTEMPTS, PAUSES_SECONDS)
    retries = dict.fromkeys(("retry_total", "retry_connect", "retry_read", "retry_status"), attempts - 1)
    return {**retries, **_BACKOFF, "connection_timeout": connect, "read_timeout": read,
            "max_single_put_size": 8 * _MIB, "max_block_size": 8 * _MIB,
            "max_single_get_size": 4 * _MIB, "max_chunk_get_size": 4 * _MIB}


_lock = threading.Lock()
_client: BlobServiceClient | None = None


def client() -> BlobServiceClient:
    """The process's BlobServiceClient, built on first use from the native variables."""
    global _client
    found = _client
    if found is None:
        with _lock:
            if _client is None:
                _client = _build_blob_service()
            found = _client
    return found


def _build_blob_service() -> BlobServiceClient:
    connection_string = os.environ.get(CONNECTION_STRING_VARIABLE, "").strip()
    account_url = os.environ.get(ACCOUNT_URL_VARIABLE, "").strip()
    parts = urlsplit(account_url)
    if not connection_string and not account_url:
        raise ConfigurationError(
            f"no Azure Storage account configured: set {CONNECTION_STRING_VARIABLE} (an account key connection "
            f"string, or Azurite's) or {ACCOUNT_URL_VARIABLE} (e.g. https://<account>.blob.core.windows.net, "
            "signed in through DefaultAzureCredential)"
        )
    if not connection_string and (parts.scheme.lower() != "https" or not parts.netloc):
        # Entra ID tokens go over HTTPS only (the SDK's raw ValueError would say so later).
        raise ConfigurationError(
            f"{ACCOUNT_URL_VARIABLE} must be an https:// account URL such as https://<account>.blob.core.windows.net, "
            f"got {parts.scheme or 'no scheme'}://{parts.netloc}; for Azurite or another http endpoint set "
            f"{CONNECTION_STRING_VARIABLE} instead"
        )
    try:
        if connection_string:
            return BlobServiceClient.from_connection_string(connection_string, **client_options())
        return BlobServiceClient(account_url, credential=_default_credential(), **client_options())
    except ValueError as exc:
        # The SDK's message may quote the string (it holds the key) or a URL's query (a SAS
        # token): ours names the variable, and of a URL its scheme and host only.
        raise ConfigurationError(
            f"{CONNECTION_STRING_VARIABLE} is not a valid Azure Storage connection string; copy it from the portal "
            f"(Access keys) or set {ACCOUNT_URL_VARIABLE} to use Entra ID instead" if connection_string else
            f"{ACCOUNT_URL_VARIABLE} is not a usable account URL ({parts.scheme}://{parts.netloc}): {exc}"
        ) from exc


def _default_credential() -> Any:
    # Imported here: connection-string users need not install or pay for azure-identity.
    try:
        return _entra.credential()
    except ImportError as exc:
        raise MissingDependency(
            f"{ACCOUNT_URL_VARIABLE} is set, which signs in with azure-identity, and it is not "
            "installed: pip install azure-identity"
        ) from exc


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
    global _client, _lock
    _client = None
    _lock = threading.Lock()


def endpoint() -> str:
    """The client's ``scheme://host`` for messages: never its path or query (a SAS token)."""
    built = _client
    if built is None:
        return "Azure Blob Storage"
    parts = urlsplit(built.url)
    return f"{parts.scheme}://{parts.netloc}"

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

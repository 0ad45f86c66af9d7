"""The gcp provider's BigQuery client: one per process, built on first use.

Configuration is google-cloud-bigquery's own, as a hand-written program reads it:
GOOGLE_APPLICATION_CREDENTIALS or the other Application Default Credentials, and
GOOGLE_CLOUD_PROJECT (the project whose datasets are the warehouses). BIGQUERY_EMULATOR_HOST,
which the library honours itself, points it at an emulator; the client then uses
AnonymousCredentials, as google-cloud-storage does for STORAGE_EMULATOR_HOST.

google.cloud.bigquery is imported by its full path so a missing package names itself.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud.bigquery import Client

from infrar.errors import ConfigurationError

_lock = threading.Lock()
_client: Any = None


def client() -> Any:
    """The process's BigQuery client (it is thread-safe)."""
    found = _client
    if found is None:
        found = _build()
    return found


def _build() -> Any:
    global _client
    with _lock:
        if _client is None:
            project = os.environ.get("GOOGLE_CLOUD_PROJECT") or None
            try:
                if os.environ.get("BIGQUERY_EMULATOR_HOST"):
                    _client = Client(project=project, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
                else:
                    _client = Client(project=project)
            except auth_exceptions.DefaultCredentialsError as exc:
                raise ConfigurationError(
                    f"no Google credentials found ({exc}); set GOOGLE_APPLICATION_CREDENTIALS to a service "
                    "account key file, or run `gcloud auth application-default login`"
                ) from exc
            except OSError as exc:  # "Project was not passed and could not be determined"
                raise ConfigurationError(
                    f"no Google Cloud project configured ({exc}); set GOOGLE_CLOUD_PROJECT"
                ) from exc
        return _client


def reset() -> None:
    global _client, _lock
    _client = None
    _lock = threading.Lock()

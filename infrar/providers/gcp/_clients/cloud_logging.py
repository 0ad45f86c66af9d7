"""The gcp provider's Cloud Logging writer (REST ``entries:write``) and the Google session every exporter shares.

Configuration is Google's own: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
gcloud's, or the metadata server) and GOOGLE_CLOUD_PROJECT (else the credentials' project).
INFRAR_CLOUD_LOGGING_ENDPOINT replaces ``https://logging.googleapis.com`` (a test server, a
proxy). Google credentials are sent only to ``*.googleapis.com``: any other endpoint gets
unauthenticated requests, as Google's clients do for an emulator.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlparse

import google.auth
import requests
from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import AuthorizedSession

from infrar.errors import ConfigurationError

LOGGING_ENDPOINT = "https://logging.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
FIX_PROJECT = "set GOOGLE_CLOUD_PROJECT to the project id"
TIMEOUT = (3.0, 10.0)  # (connect, read) seconds: exporting runs in the background and must give up soon

_lock = threading.Lock()
_sessions: dict[bool, requests.Session] = {}


def google_host(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return host == "googleapis.com" or host.endswith(".googleapis.com")


def project() -> str:
    found = os.environ.get("GOOGLE_CLOUD_PROJECT")
    if found:
        return found
    try:
        _, found = google.auth.default(scopes=SCOPES)
    except auth_exceptions.DefaultCredentialsError as exc:
        raise ConfigurationError(f"no Google Cloud project for observability ({exc}); {FIX_PROJECT}") from exc
    if not found:
        raise ConfigurationError(f"no Google Cloud project for observability; {FIX_PROJECT}")
    return str(found)


def session(url: str) -> requests.Session:
    """An authorized session for a Google endpoint, a plain one for anything else (one of each per process)."""
    authorized = google_host(url)
    found = _sessions.get(authorized)
    if found is None:
        with _lock:
            found = _sessions.get(authorized)
            if found is None:
                found = _sessions[authorized] = _authorized() if authorized else requests.Session()
    return found


def _authorized() -> requests.Session:
    try:
        credentials, _ = google.auth.default(scopes=SCOPES)
    except auth_exceptions.DefaultCredentialsError as exc:
        raise ConfigurationError(
            f"no Google credentials for observability ({exc}); set GOOGLE_APPLICATION_CREDENTIALS or run "
            "`gcloud auth application-default login`"
        ) from exc
    return AuthorizedSession(credentials)  # type: ignore[no-untyped-call]


def endpoint() -> str:
    return (os.environ.get("INFRAR_CLOUD_LOGGING_ENDPOINT") or LOGGING_ENDPOINT).rstrip("/")


def write_entries(body: dict[str, Any]) -> None:
    """POST one ``entries:write`` request; an HTTP error raises (the caller warns once and drops the batch)."""
    url = endpoint() + "/v2/entries:write"
    session(url).post(url, json=body, timeout=TIMEOUT).raise_for_status()


def reset() -> None:
    """Drop the cached sessions and make a fresh lock (after fork, or for a new endpoint)."""
    global _lock
    _sessions.clear()
    _lock = threading.Lock()

"""Backup with retries: copy a directory of settings files into the bucket, retrying on
transient errors, skipping files whose names are not valid keys, and checking each copy.

Covers: `import infrar.storage` (used fully qualified), `from infrar import errors`,
`except errors.Unavailable` / `except errors.InvalidArgument` / `except errors.InfrarError`,
write_bytes, read_bytes, exists, and an invalid bucket name.
"""

import os
import tempfile
import time
from pathlib import Path
import re
import threading
from typing import Any

import requests
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions
from google.cloud.storage import Blob, Client
from google.cloud.storage.exceptions import InvalidResponse
from google.cloud.storage.retry import DEFAULT_RETRY


def _check_bucket(bucket: object, rule: tuple[re.Pattern[str], str]) -> str:
    """Return ``bucket`` if it obeys ``rule``, else raise InvalidArgument stating the rule."""
    if not isinstance(bucket, str):
        raise ValueError(
            f"bucket must be a str, got {type(bucket).__name__} {bucket!r}; pass the bucket name"
        )
    pattern, words = rule
    if not pattern.match(bucket):
        raise ValueError(f"invalid bucket name {bucket!r}: a bucket name is {words}")
    return bucket


_GCS_BUCKET = (
    re.compile(r"^(?!goog)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits, dots, hyphens and underscores, starting "
    "and ending with a letter or digit, not starting with 'goog' (GCS bucket naming rules)",
)
_MAX_KEY_BYTES = 1024


def _check_key(key: object, bucket: str, what: str = "key") -> str:
    """Return ``key`` if every provider can store it, else raise InvalidArgument."""
    if not isinstance(key, str):
        raise ValueError(
            f"{what} in bucket {bucket!r} must be a str, got {type(key).__name__} {key!r}"
        )
    if not key:
        raise ValueError(f"{what} in bucket {bucket!r} is empty; name the object, e.g. 'data/file.txt'")
    if len(key.encode("utf-8")) > _MAX_KEY_BYTES:
        raise ValueError(
            f"{what} in bucket {bucket!r} is {len(key.encode('utf-8'))} bytes of UTF-8; "
            f"keys are at most {_MAX_KEY_BYTES} bytes"
        )
    if "\x00" in key or "\r" in key or "\n" in key:
        raise ValueError(
            f"{what} {key!r} in bucket {bucket!r} contains NUL or a line break; remove it"
        )
    return key


def _check_object(bucket: object, key: object) -> tuple[str, str]:
    name = _check_bucket(bucket, _GCS_BUCKET)
    return name, _check_key(key, name)


def _check_data(data: object, bucket: str, key: str) -> bytes:
    """write_bytes takes bytes-like data only: text must be encoded by the caller."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise ValueError(
        f"data for {bucket}/{key} must be bytes, got {type(data).__name__}; "
        "encode text first, e.g. text.encode('utf-8')"
    )


_storage: Any = None
# google.cloud.storage is imported by its full path above: when the package is missing,
# "from google.cloud import storage" would raise a bare ImportError naming no module, which
# dispatch cannot turn into MissingDependency ("pip install 'infrar[gcp]'").
_lock = threading.Lock()
_FIX_CREDENTIALS = (
    "set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, run "
    "`gcloud auth application-default login`, or run on Google Cloud with a service account"
)


def _build_storage() -> Any:
    global _storage
    with _lock:
        if _storage is None:
            try:
                _storage = Client()
            except auth_exceptions.DefaultCredentialsError as exc:
                raise ValueError(f"no Google credentials found ({exc}); {_FIX_CREDENTIALS}") from exc
            except OSError as exc:  # google-cloud-core: "Project was not passed and could not be determined"
                raise ValueError(
                    f"no Google Cloud project configured ({exc}); set GOOGLE_CLOUD_PROJECT to the "
                    "project id, or use a credentials file that names one"
                ) from exc
        return _storage


def _storage_client() -> Any:
    """The process's Cloud Storage client, built on first use (it is thread-safe)."""
    client = _storage
    if client is None:
        client = _build_storage()
    return client


# Piece size of a resumable upload: a multiple of 256 KiB, as Cloud Storage requires, and
# at most one piece is in memory. Objects up to 8 MiB go up in one multipart request.
_CHUNK_SIZE = 8 * 1024 * 1024


def _blob(bucket: str, key: str) -> Blob:
    # For uploads only: chunk_size makes large uploads resumable in pieces of that size
    # (unset, the library buffers 100 MiB pieces). A blob with it would download in ranged
    # requests of that size; without it, as one streamed response, which downloads use.
    return _storage_client().bucket(bucket).blob(key, chunk_size=_CHUNK_SIZE)


# google-cloud-storage retries transient errors for 120 s by default: an unreachable
# endpoint would hang a program for two minutes. Five seconds of jittered backoff rides
# out a blip and still fails fast. Passed as ``retry=`` to every call.
_RETRY = DEFAULT_RETRY.with_timeout(5.0).with_delay(initial=0.25, maximum=2.0)
# (connect, read) seconds for each HTTP request; read covers one upload chunk or one response.
_TIMEOUT = (5.0, 60.0)
# Every exception a Cloud Storage call can raise that is not the caller's own (a local
# file error, say): adapters catch exactly this tuple and hand it to translate_error.
_SDK_ERRORS: tuple[type[Exception], ...] = (
    api_exceptions.GoogleAPIError,  # GoogleAPICallError (HTTP status) and RetryError
    auth_exceptions.GoogleAuthError,
    requests.RequestException,
    InvalidResponse,
)


def _missing_bucket(bucket: str) -> FileNotFoundError:
    return FileNotFoundError(
        f"bucket {bucket!r} does not exist; create it (infrar infra writes it for you) or check "
        "its name and GOOGLE_CLOUD_PROJECT"
    )


def _bucket_exists(bucket: str) -> bool | None:
    """Whether ``bucket`` exists; None when Cloud Storage will not say (no permission, say)."""
    try:
        found: bool = _storage_client().bucket(bucket).exists(retry=_RETRY, timeout=_TIMEOUT)
    except _SDK_ERRORS:
        return None
    return found


def _not_found(bucket: str, key: str) -> FileNotFoundError:
    """The NotFound for a missing ``key``: Cloud Storage answers 404 for a missing bucket
    too (the emulator with no body at all), so ask which of the two is missing."""
    exists = _bucket_exists(bucket)
    if exists is False:
        return _missing_bucket(bucket)
    if exists is None:
        return FileNotFoundError(
            f"object {key!r} does not exist in bucket {bucket!r}, or the bucket itself does not; "
            "check both names (keys are case-sensitive)"
        )
    return FileNotFoundError(f"object {key!r} does not exist in bucket {bucket!r}; check the key (keys are case-sensitive)")


def _from_status(exc: api_exceptions.GoogleAPICallError, bucket: str, key: str | None,
                 target: str) -> Exception:
    said = f"HTTP {exc.code}: {exc.message}"
    if isinstance(exc, api_exceptions.NotFound):
        return _missing_bucket(bucket) if key is None else _not_found(bucket, key)
    if isinstance(exc, (api_exceptions.Forbidden, api_exceptions.Unauthorized)):
        return PermissionError(
            f"access denied to {target} ({said}); grant the identity in use (GOOGLE_APPLICATION_CREDENTIALS "
            "or the attached service account) a role with the permission named, e.g. "
            "roles/storage.objectAdmin on the bucket"
        )
    if isinstance(exc, api_exceptions.Conflict):
        return FileExistsError(f"{target} conflicts with an existing resource ({said})")
    if isinstance(exc, (api_exceptions.BadRequest, api_exceptions.PreconditionFailed)):
        return ValueError(f"Cloud Storage rejected the request for {target} ({said}); fix what it names")
    if isinstance(exc, api_exceptions.GatewayTimeout) or exc.code == 408:
        return TimeoutError(f"Cloud Storage timed out on {target} ({said}); retry later")
    if isinstance(exc, (api_exceptions.TooManyRequests, api_exceptions.ServerError)):
        return ConnectionError(f"Cloud Storage could not serve {target} after bounded retries ({said}); retry later")
    return Exception(f"Cloud Storage failed on {target} ({said})")


def _translate_error(exc: BaseException, bucket: str, key: str | None = None) -> Exception:
    """The infrar error for an SDK error raised while working on ``bucket`` (and ``key``).

    A 404 means the bucket when ``key`` is None; with a key, ``not_found`` asks which one
    is missing. Messages carry Cloud Storage's own words, never a credential.
    """
    target = f"object {key!r} in bucket {bucket!r}" if key is not None else f"bucket {bucket!r}"
    if isinstance(exc, api_exceptions.RetryError):
        # The retry window closed; what matters is the last failure it saw.
        if isinstance(exc.cause, BaseException):
            return _translate_error(exc.cause, bucket, key)
        return ConnectionError(f"Cloud Storage did not answer for {target} after bounded retries: {exc}")
    if isinstance(exc, InvalidResponse):
        status = exc.response.status_code
        message = f"{exc} (HTTP {status})"
        native = api_exceptions.from_http_status(status, message)  # type: ignore[no-untyped-call]
        return _translate_error(native, bucket, key)
    if isinstance(exc, api_exceptions.GoogleAPICallError):
        return _from_status(exc, bucket, key, target)
    if isinstance(exc, auth_exceptions.DefaultCredentialsError):
        return ValueError(f"no Google credentials for {target} ({exc}); {_FIX_CREDENTIALS}")
    if isinstance(exc, auth_exceptions.RefreshError):
        return PermissionError(
            f"Google refused the credentials in use for {target} ({exc}); check the key named by "
            "GOOGLE_APPLICATION_CREDENTIALS (it may be revoked or expired) or log in again"
        )
    # Before Timeout: requests' ConnectTimeout is both, and an endpoint that cannot be
    # connected to is unreachable, not slow.
    if isinstance(exc, (requests.ConnectionError, auth_exceptions.TransportError)):
        return ConnectionError(
            f"cannot reach Cloud Storage for {target} after bounded retries: {exc}; check the "
            "network, and STORAGE_EMULATOR_HOST if you use an emulator"
        )
    if isinstance(exc, (requests.Timeout, auth_exceptions.TimeoutError)):
        return TimeoutError(f"Cloud Storage did not answer in time for {target}: {exc}; retry later")
    return Exception(f"Cloud Storage failed on {target}: {type(exc).__name__}: {exc}")


def _write_bytes(bucket: str, key: str, data: bytes) -> None:
    bucket, key = _check_object(bucket, key)
    payload = _check_data(data, bucket, key)
    try:
        _blob(bucket, key).upload_from_string(
            payload, content_type="application/octet-stream",
            retry=_RETRY, timeout=_TIMEOUT,
        )
    except _SDK_ERRORS as exc:
        raise _translate_error(exc, bucket) from exc


def _read_bytes(bucket: str, key: str) -> bytes:
    bucket, key = _check_object(bucket, key)
    try:
        blob = _storage_client().bucket(bucket).blob(key)
        data: bytes = blob.download_as_bytes(retry=_RETRY, timeout=_TIMEOUT)
    except _SDK_ERRORS as exc:
        raise _translate_error(exc, bucket, key) from exc
    return data


def _exists(bucket: str, key: str) -> bool:
    bucket, key = _check_object(bucket, key)
    try:
        # Blob.exists answers False for a missing object and for a missing bucket alike.
        blob = _storage_client().bucket(bucket).blob(key)
        found: bool = blob.exists(retry=_RETRY, timeout=_TIMEOUT)
    except _SDK_ERRORS as exc:
        raise _translate_error(exc, bucket, key) from exc
    return found


BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))


def with_retries(action, attempts: int = 3, delay: float = 0.01):
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except ConnectionError:
            if attempt == attempts:
                raise
            time.sleep(delay * attempt)
    return None


def backup_file(path: Path, key: str) -> bool:
    data = path.read_bytes()
    try:
        with_retries(lambda: _write_bytes(BUCKET, key, data))
    except ValueError:
        print("  skipped (invalid key):", repr(key))
        return False
    copy = with_retries(lambda: _read_bytes(BUCKET, key))
    return copy == data


def main() -> None:
    source = WORKDIR / "settings"
    source.mkdir(parents=True, exist_ok=True)
    files = {"app.toml": "debug = false\n", "db.toml": "pool = 5\n", "cache.toml": "ttl = 60\n"}
    for name, text in files.items():
        (source / name).write_text(text)

    results = {}
    for path in sorted(source.iterdir()):
        results[path.name] = backup_file(path, f"backup/settings/{path.name}")
    # A key with a line break is rejected before any request is made, on every provider.
    results["broken"] = backup_file(source / "app.toml", "backup/bad\nname")
    for name, ok in results.items():
        print(name, "verified" if ok else "not backed up")

    print("present:", _exists(BUCKET, "backup/settings/db.toml"))
    try:
        _write_bytes("Not_A_Valid_Bucket!", "x.txt", b"x")
    except ValueError:
        print("invalid bucket name rejected")
    try:
        _write_bytes(BUCKET, "backup/text.txt", "not bytes")
    except Exception as exc:
        print("text rejected, is ValueError:", isinstance(exc, ValueError))


if __name__ == "__main__":
    main()

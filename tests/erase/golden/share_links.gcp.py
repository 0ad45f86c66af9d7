"""Share links: hand out time-limited download and upload links for documents.

Covers: imports inside functions (`import infrar.storage as st` and
`from infrar.storage import signed_url` in function bodies), signed_url GET and PUT, the
GET link fetched with urllib, and InvalidArgument for a bad expiry or method caught by the
builtin it derives from (ValueError).
"""

import os
import urllib.request
from urllib.parse import urlsplit
import re
import threading
from datetime import timedelta
from typing import Any

import requests
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials, Signing
from google.auth.exceptions import TransportError
from google.auth.transport.requests import Request
from google.cloud.storage import Blob, Client
from google.cloud.storage.exceptions import InvalidResponse
from google.cloud.storage.retry import DEFAULT_RETRY
from google.oauth2 import service_account


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


def _check_expiry(expires_in: object, bucket: str, key: str) -> int:
    """Signed URLs live 1 second to 7 days (the shortest maximum of the three clouds)."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int):
        raise ValueError(
            f"expires_in for {bucket}/{key} must be an int number of seconds, got {expires_in!r}"
        )
    if not 1 <= expires_in <= 604800:
        raise ValueError(
            f"expires_in={expires_in} for {bucket}/{key} is out of range; "
            "a signed URL lives 1 to 604800 seconds (7 days)"
        )
    return expires_in


def _check_method(method: object, bucket: str, key: str) -> str:
    """Signed URLs are for download (GET) or upload (PUT)."""
    if method not in ("GET", "PUT"):
        raise ValueError(
            f"method {method!r} for a signed URL to {bucket}/{key} is not supported; use 'GET' or 'PUT'"
        )
    return str(method)


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


def _bucket_exists(bucket: str) -> bool | None:
    """Whether ``bucket`` exists; None when Cloud Storage will not say (no permission, say)."""
    try:
        found: bool = _storage_client().bucket(bucket).exists(retry=_RETRY, timeout=_TIMEOUT)
    except _SDK_ERRORS:
        return None
    return found


def _missing_bucket(bucket: str) -> FileNotFoundError:
    return FileNotFoundError(
        f"bucket {bucket!r} does not exist; create it (infrar infra writes it for you) or check "
        "its name and GOOGLE_CLOUD_PROJECT"
    )


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


_signer: Any = None


def _signing_credentials() -> Any:
    global _signer
    signer = _signer
    if signer is not None:
        return signer
    client = _storage_client()
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
                    raise ValueError(
                        f"GOOGLE_APPLICATION_CREDENTIALS={path!r} is not a usable service account key "
                        f"file ({type(exc).__name__}: {exc}); point it at a service account JSON key file"
                    ) from exc
            _signer = credentials
        return _signer


def _signing_arguments() -> dict[str, Any]:
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
    raise ValueError(
        f"cannot sign a URL with the Google credentials in use ({type(credentials).__name__}): "
        "signing needs a service account key (set GOOGLE_APPLICATION_CREDENTIALS to its JSON "
        "key file) or a service account identity allowed iam.serviceAccounts.signBlob "
        "(roles/iam.serviceAccountTokenCreator) on itself"
    )


def _signing_error(exc: TransportError, bucket: str, key: str) -> Exception:
    # The IAM signBlob call reports a refusal as a TransportError naming the API; any
    # other TransportError is the network.
    if "signBytes" not in str(exc):
        return _translate_error(exc, bucket, key)
    return PermissionError(
        f"cannot sign a URL for object {key!r} in bucket {bucket!r}: IAM signBlob refused ({exc}); "
        "grant the service account iam.serviceAccounts.signBlob on itself "
        "(roles/iam.serviceAccountTokenCreator), or set GOOGLE_APPLICATION_CREDENTIALS to a key file"
    )


def _signed_url(bucket: str, key: str, expires_in: int = 3600, method: str = "GET") -> str:
    bucket, key = _check_object(bucket, key)
    _check_expiry(expires_in, bucket, key)
    _check_method(method, bucket, key)
    try:
        blob = _storage_client().bucket(bucket).blob(key)
        if method == "GET" and not blob.exists(retry=_RETRY, timeout=_TIMEOUT):
            raise _not_found(bucket, key)
    except _SDK_ERRORS as exc:
        raise _translate_error(exc, bucket, key) from exc
    try:
        # V4 signing is local with a key file; with a bare service account identity
        # it calls IAM signBlob, whose refusal surfaces as a TransportError.
        url: str = blob.generate_signed_url(
            version="v4", expiration=timedelta(seconds=expires_in), method=method,
            **_signing_arguments(),
        )
    except TransportError as exc:
        raise _signing_error(exc, bucket, key) from exc
    except _SDK_ERRORS as exc:
        raise _translate_error(exc, bucket, key) from exc
    return url


def _check_data(data: object, bucket: str, key: str) -> bytes:
    """write_bytes takes bytes-like data only: text must be encoded by the caller."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise ValueError(
        f"data for {bucket}/{key} must be bytes, got {type(data).__name__}; "
        "encode text first, e.g. text.encode('utf-8')"
    )


# Piece size of a resumable upload: a multiple of 256 KiB, as Cloud Storage requires, and
# at most one piece is in memory. Objects up to 8 MiB go up in one multipart request.
_CHUNK_SIZE = 8 * 1024 * 1024


def _blob(bucket: str, key: str) -> Blob:
    # For uploads only: chunk_size makes large uploads resumable in pieces of that size
    # (unset, the library buffers 100 MiB pieces). A blob with it would download in ranged
    # requests of that size; without it, as one streamed response, which downloads use.
    return _storage_client().bucket(bucket).blob(key, chunk_size=_CHUNK_SIZE)


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


BUCKET = os.environ["APP_BUCKET"]


def share(key: str, hours: int = 1) -> str:

    return _signed_url(BUCKET, key, expires_in=hours * 3600)


def upload_link(key: str) -> str:

    return _signed_url(BUCKET, key, 900, "PUT")


def main() -> None:

    document = b"Quarterly numbers: all up.\n"
    _write_bytes(BUCKET, "shared/q1.txt", document)

    link = share("shared/q1.txt")
    print("GET link non-empty:", bool(link), "scheme:", urlsplit(link).scheme)
    with urllib.request.urlopen(link) as response:
        print("fetched through link matches:", response.read() == document)

    put = upload_link("inbox/upload.txt")
    print("PUT link non-empty:", bool(put), "scheme:", urlsplit(put).scheme)
    print("PUT link names the key:", "upload.txt" in put)

    for expires_in, method in ((0, "GET"), (8 * 24 * 3600, "GET"), (60, "DELETE")):
        try:
            _signed_url(BUCKET, "shared/q1.txt", expires_in=expires_in, method=method)
        except ValueError:
            print("rejected:", expires_in, method)
    try:
        share("shared/missing.txt")
    except FileNotFoundError:
        print("no link for a missing document")


if __name__ == "__main__":
    main()

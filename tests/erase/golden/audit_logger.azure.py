"""Audit logger: append audit records from several threads, one object per record, behind a
module lock, then read the trail back in order.

Covers: module-level private names that erase's own helpers also use (`_lock`, `_s3`,
`_region`, `_CHUNK`, `_check_key`, `_write_bytes`, `_read_bytes`, `_DEFAULT_REGION`): the
erased file must keep the program's meaning for each, and `from infrar.storage import
list_objects, read_bytes, write_bytes` used only inside those helpers.
"""

import os
import threading
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any, NamedTuple
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
from azure.storage.blob import BlobProperties, BlobServiceClient


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


_AZURE_CONTAINER = (
    re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits and single hyphens, starting and ending "
    "with a letter or digit (Azure container naming rules)",
)


def _check_container(bucket: object) -> str:
    return _check_bucket(bucket, _AZURE_CONTAINER)


_MAX_KEY_BYTES = 1024


def _rules_check_key(key: object, bucket: str, what: str = "key") -> str:
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


def _check_blob_name(key: object, bucket: str, what: str = "key") -> str:
    text = _rules_check_key(key, bucket, what)
    # Azure's naming rules: no path segment may end with '.', and a name should not end
    # with '/'. The service resolves '.'/'..' segments and such blobs cannot be addressed
    # reliably (a SAS for 'name.' fails to verify), so refuse them up front.
    if text.endswith("/") or any(part.endswith(".") for part in text.split("/")):
        raise ValueError(
            f"{what} {text!r} in container {bucket!r} cannot be stored as-is on Azure: no part "
            "between '/' may end with '.' (so no '.' or '..' parts) and the key may not end "
            "with '/'; write it like 'dir/file.txt'"
        )
    return text


def _check_data(data: object, bucket: str, key: str) -> bytes:
    """write_bytes takes bytes-like data only: text must be encoded by the caller."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise ValueError(
        f"data for {bucket}/{key} must be bytes, got {type(data).__name__}; "
        "encode text first, e.g. text.encode('utf-8')"
    )


_service: BlobServiceClient | None = None
_clients_lock = threading.Lock()
_CONNECTION_STRING_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING"
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
_ACCOUNT_URL_VARIABLE = "AZURE_STORAGE_ACCOUNT_URL"


def _default_credential() -> Any:
    # Imported here: connection-string users need not install or pay for azure-identity.
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:
        raise ImportError(
            f"{_ACCOUNT_URL_VARIABLE} is set, which signs in with azure-identity, and it is not "
            "installed: pip install 'infrar[azure]'"
        ) from exc
    return DefaultAzureCredential()


def _build_blob_service() -> BlobServiceClient:
    connection_string = os.environ.get(_CONNECTION_STRING_VARIABLE, "").strip()
    if connection_string:
        try:
            return BlobServiceClient.from_connection_string(connection_string, **_CLIENT_OPTIONS)
        except ValueError as exc:
            # The SDK's message may quote the string; ours must not (it holds the key).
            raise ValueError(
                f"{_CONNECTION_STRING_VARIABLE} is not a valid Azure Storage connection string; "
                "copy it from the portal (Access keys) or set "
                f"{_ACCOUNT_URL_VARIABLE} to use Entra ID instead"
            ) from exc
    account_url = os.environ.get(_ACCOUNT_URL_VARIABLE, "").strip()
    if account_url:
        return BlobServiceClient(account_url, credential=_default_credential(), **_CLIENT_OPTIONS)
    raise ValueError(
        f"no Azure Storage account configured: set {_CONNECTION_STRING_VARIABLE} "
        f"(an account key connection string, or Azurite's) or {_ACCOUNT_URL_VARIABLE} "
        "(e.g. https://<account>.blob.core.windows.net, signed in through DefaultAzureCredential)"
    )


def _blob_service() -> BlobServiceClient:
    """The process's BlobServiceClient, built on first use from the native variables."""
    global _service
    service = _service
    if service is None:
        with _clients_lock:
            if _service is None:
                _service = _build_blob_service()
            service = _service
    return service


_CONCURRENCY = 4  # parallel block transfers; memory is about this many blocks


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


def _translate(exc: AzureError, bucket: str, key: str | None = None) -> Exception:
    """The infrar error for ``exc`` raised by an operation on container ``bucket`` (blob ``key``).

    Callers raise it ``from exc``. Messages name the container and blob, never a credential.
    """
    what = f"container {bucket!r}" if key is None else f"blob {key!r} in container {bucket!r}"
    if isinstance(exc, (ServiceRequestTimeoutError, ServiceResponseTimeoutError)):
        return TimeoutError(f"{_endpoint()} did not answer in time for {what}; retry later")
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return ConnectionError(
            f"cannot reach {_endpoint()} for {what} after bounded retries; check that the "
            f"account in {_CONNECTION_STRING_VARIABLE} or {_ACCOUNT_URL_VARIABLE} is reachable"
        )
    if not isinstance(exc, HttpResponseError):
        return Exception(f"Azure Blob Storage failed on {what}: {type(exc).__name__}")
    code = _error_code(exc)
    status = exc.status_code
    if isinstance(exc, ClientAuthenticationError) and exc.response is None:
        # Raised before sending: no credential could be obtained, or the key cannot sign.
        return ValueError(
            f"could not authenticate to Azure Storage for {what}: the AccountKey in "
            f"{_CONNECTION_STRING_VARIABLE} is malformed or DefaultAzureCredential found no "
            "identity (sign in with `az login` or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET)"
        )
    if isinstance(exc, ResourceNotFoundError) or status == 404:
        if key is None or code == "ContainerNotFound":
            return FileNotFoundError(f"container {bucket!r} does not exist; create it first")
        return FileNotFoundError(f"blob {key!r} does not exist in container {bucket!r}")
    if isinstance(exc, ClientAuthenticationError) or status in (401, 403):
        return PermissionError(
            f"access denied to {what} ({code or status}); check the account key in "
            f"{_CONNECTION_STRING_VARIABLE}, or grant the signed-in identity a role such as "
            "Storage Blob Data Contributor"
        )
    if code == "BlobArchived":
        return PermissionError(
            f"{what} is in the Archive tier and cannot be read; rehydrate it first with "
            "infrar.azure.blob.set_access_tier(..., 'Hot') (Azure takes up to hours)"
        )
    if isinstance(exc, ResourceExistsError) or status == 409:
        return FileExistsError(f"{what} conflicts with an existing resource ({code or status})")
    if status == 400:
        return ValueError(f"Azure Blob Storage rejected the request for {what} ({code or status})")
    if status is not None and (status >= 500 or status == 429):
        return ConnectionError(
            f"{_endpoint()} is busy or failing for {what} ({code or status}) after bounded retries; "
            "retry later"
        )
    return Exception(f"Azure Blob Storage refused {what} ({code or status})")


def _storage_write_bytes(bucket: str, key: str, data: bytes) -> None:
    _check_container(bucket)
    _check_blob_name(key, bucket)
    payload = _check_data(data, bucket, key)
    blob = _blob_service().get_blob_client(bucket, key)
    try:
        blob.upload_blob(payload, overwrite=True, max_concurrency=_CONCURRENCY)
    except AzureError as exc:
        raise _translate(exc, bucket, key) from exc


def _storage_read_bytes(bucket: str, key: str) -> bytes:
    _check_container(bucket)
    _check_blob_name(key, bucket)
    blob = _blob_service().get_blob_client(bucket, key)
    try:
        return blob.download_blob(max_concurrency=_CONCURRENCY).readall()
    except AzureError as exc:
        raise _translate(exc, bucket, key) from exc


class ObjectInfo(NamedTuple):
    """One object in a bucket, as listed."""

    key: str
    size: int
    last_modified: datetime  # timezone-aware, UTC
    etag: str  # provider's entity tag without surrounding quotes


def _check_prefix(prefix: object, bucket: str) -> str:
    """Return ``prefix`` (may be empty) if it is a str a key could start with."""
    if not isinstance(prefix, str):
        raise ValueError(
            f"prefix for bucket {bucket!r} must be a str, got {type(prefix).__name__} {prefix!r}"
        )
    if prefix:
        _rules_check_key(prefix, bucket, what="prefix")
    return prefix


# Azure would page 5,000 names at a time; 1,000 matches S3 and GCS and bounds memory alike.
_PAGE_SIZE = 1000


def _pages(bucket: str, prefix: str) -> Iterator[Iterator[BlobProperties]]:
    container = _blob_service().get_container_client(bucket)
    blobs = container.list_blobs(name_starts_with=prefix or None, results_per_page=_PAGE_SIZE)
    return blobs.by_page()


def _info(blob: BlobProperties) -> ObjectInfo:
    return ObjectInfo(
        key=blob.name,
        size=blob.size,
        last_modified=blob.last_modified.astimezone(timezone.utc),
        etag=(blob.etag or "").strip('"'),
    )


def _rest(bucket: str, first: Iterable[BlobProperties], pages: Iterator[Iterator[BlobProperties]]
          ) -> Iterator[ObjectInfo]:
    # Each page is fetched when the previous one is used up; only one is held at a time.
    for blob in first:
        yield _info(blob)
    try:
        for page in pages:
            for blob in page:
                yield _info(blob)
    except AzureError as exc:
        raise _translate(exc, bucket) from exc


def _iter_objects(bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
    _check_container(bucket)
    _check_prefix(prefix, bucket)
    try:
        # Fetch the first page now, so a missing container raises here, not on first next().
        pages = _pages(bucket, prefix)
        first = next(pages, iter(()))
    except AzureError as exc:
        raise _translate(exc, bucket) from exc
    return _rest(bucket, first, pages)


BUCKET = os.environ["APP_BUCKET"]
_lock = threading.Lock()
_s3 = {"records": 0}  # not a client: this program's own counter
_region = "eu-audit"
_DEFAULT_REGION = "nowhere"
_CHUNK = 3


def _check_key(sequence: int) -> str:
    return f"audit/{_region}/{sequence:05d}.txt"


def _write_bytes(actor: str, action: str) -> None:
    with _lock:
        _s3["records"] += 1
        _storage_write_bytes(BUCKET, _check_key(_s3["records"]), f"{actor} {action}".encode())


def _read_bytes(keys: list[str]) -> list[str]:
    return [_storage_read_bytes(BUCKET, key).decode() for key in keys]


def worker(actor: str) -> None:
    for step in range(_CHUNK):
        _write_bytes(actor, f"step-{step}")


def main() -> None:
    threads = [threading.Thread(target=worker, args=(f"user{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [info.key for info in _iter_objects(BUCKET, f"audit/{_region}/")]
    print("records:", _s3["records"], "stored:", len(keys), "region:", _region, _DEFAULT_REGION)
    trail = _read_bytes(keys)
    print("per actor:", {actor: sum(line.startswith(actor + " ") for line in trail) for actor in sorted(
        {line.split()[0] for line in trail})})
    print("first key:", keys[0].rsplit("/", 1)[-1], "last key:", keys[-1].rsplit("/", 1)[-1])


if __name__ == "__main__":
    main()

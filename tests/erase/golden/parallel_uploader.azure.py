"""Parallel uploader: push a directory of exports with a thread pool, then fetch them back
concurrently and compare.

Covers: SDK calls from worker threads (the lazily built client is shared by every thread),
`pool.map` over a lambda that calls the SDK (the way to pass an SDK function around: erase
replaces calls, not function values), upload from paths and download into io.BytesIO, and
`import infrar.storage as storage` (an alias equal to the module's own name).
"""

import hashlib
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO, NamedTuple, Union
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


# What `upload` reads from and `download` writes to: a filesystem path or a binary file object.
PathOrFile = Union[str, "PathLike[str]", BinaryIO]


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


def _check_blob_name(key: object, bucket: str, what: str = "key") -> str:
    text = _check_key(key, bucket, what)
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


def _download_atomically(destination: str | os.PathLike[str], fill: Callable[[BinaryIO], None], what: str) -> None:
    """Call ``fill`` with a temporary file beside ``destination``, then rename it over it.

    ``what`` names the object in messages (``bucket/key``).
    """
    target = os.path.abspath(os.fspath(destination))
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"cannot download {what}: directory {parent!r} does not exist")
    handle, temp = tempfile.mkstemp(dir=parent, prefix=f".{os.path.basename(target)}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            fill(out)
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise


_service: BlobServiceClient | None = None
_lock = threading.Lock()
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
        with _lock:
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


def _download_into(bucket: str, key: str, stream: BinaryIO) -> None:
    blob = _blob_service().get_blob_client(bucket, key)
    # Parallel chunks are written at their offsets, which needs a seekable destination.
    concurrency = _CONCURRENCY if stream.seekable() else 1
    try:
        blob.download_blob(max_concurrency=concurrency).readinto(stream)
    except AzureError as exc:
        raise _translate(exc, bucket, key) from exc


def _download(bucket: str, source: str, destination: PathOrFile) -> None:
    _check_container(bucket)
    _check_blob_name(source, bucket)
    if isinstance(destination, (str, os.PathLike)):
        _download_atomically(destination, lambda out: _download_into(bucket, source, out), f"{bucket}/{source}")
    else:
        _download_into(bucket, source, destination)


def _upload_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    blob = _blob_service().get_blob_client(bucket, key)
    try:
        blob.upload_blob(stream, overwrite=True, max_concurrency=_CONCURRENCY)
    except AzureError as exc:
        raise _translate(exc, bucket, key) from exc


def _upload(bucket: str, source: PathOrFile, destination: str) -> None:
    _check_container(bucket)
    _check_blob_name(destination, bucket)
    if isinstance(source, (str, os.PathLike)):
        try:
            stream = open(source, "rb")  # closed by the `with` below
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                f"cannot upload to {bucket}/{destination}: local file {os.fspath(source)!r} "
                "does not exist"
            ) from exc
        with stream:
            _upload_stream(bucket, destination, stream)
    else:
        _upload_stream(bucket, destination, source)


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
        _check_key(prefix, bucket, what="prefix")
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
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))


def make_exports(directory: Path, count: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = directory / f"export-{number:02d}.csv"
        path.write_text("".join(f"{number},{row},{row * number}\n" for row in range(number * 10)))
        paths.append(path)
    return paths


def fetch(key: str) -> bytes:
    buffer = io.BytesIO()
    _download(BUCKET, key, buffer)
    return buffer.getvalue()


def main() -> None:
    paths = make_exports(WORKDIR / "exports", 16)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda path: _upload(BUCKET, path, f"exports/{path.name}"), paths))
        keys = [info.key for info in _iter_objects(BUCKET, "exports/")]
        print("uploaded:", len(keys))
        contents = dict(zip(keys, pool.map(fetch, keys), strict=True))
    same = all(contents[f"exports/{path.name}"] == path.read_bytes() for path in paths)
    print("round trip identical:", same)
    digest = hashlib.sha256(b"".join(contents[key] for key in sorted(contents))).hexdigest()
    print("digest:", digest[:16])
    print("empty export size:", len(contents["exports/export-00.csv"]))


if __name__ == "__main__":
    main()

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
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO, NamedTuple, Union

import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.page_iterator import Page
from google.auth import exceptions as auth_exceptions
from google.cloud.storage import Blob, Client
from google.cloud.storage.exceptions import InvalidResponse
from google.cloud.storage.retry import DEFAULT_RETRY


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


def _download_to_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    if not hasattr(stream, "write"):
        raise ValueError(
            f"cannot download {bucket}/{key} into a {type(stream).__name__}; "
            "pass a path or a binary file object opened for writing"
        )
    try:
        blob = _storage_client().bucket(bucket).blob(key)
        blob.download_to_file(stream, retry=_RETRY, timeout=_TIMEOUT)
    except _SDK_ERRORS as exc:
        raise _translate_error(exc, bucket, key) from exc


def _download(bucket: str, source: str, destination: PathOrFile) -> None:
    bucket, source = _check_object(bucket, source)
    if isinstance(destination, (str, os.PathLike)):
        _download_atomically(destination, lambda out: _download_to_stream(bucket, source, out), f"{bucket}/{source}")
    else:
        _download_to_stream(bucket, source, destination)


# Piece size of a resumable upload: a multiple of 256 KiB, as Cloud Storage requires, and
# at most one piece is in memory. Objects up to 8 MiB go up in one multipart request.
_CHUNK_SIZE = 8 * 1024 * 1024


def _blob(bucket: str, key: str) -> Blob:
    # For uploads only: chunk_size makes large uploads resumable in pieces of that size
    # (unset, the library buffers 100 MiB pieces). A blob with it would download in ranged
    # requests of that size; without it, as one streamed response, which downloads use.
    return _storage_client().bucket(bucket).blob(key, chunk_size=_CHUNK_SIZE)


def _upload(bucket: str, source: PathOrFile, destination: str) -> None:
    bucket, destination = _check_object(bucket, destination)
    if not isinstance(source, (str, os.PathLike)) and not hasattr(source, "read"):
        raise ValueError(
            f"cannot upload a {type(source).__name__} to {bucket}/{destination}; "
            "pass a path or a binary file object opened for reading"
        )
    try:
        blob = _blob(bucket, destination)
        if isinstance(source, (str, os.PathLike)):
            blob.upload_from_filename(os.fspath(source), retry=_RETRY, timeout=_TIMEOUT)
        else:
            # Size unknown: always a resumable upload, read one chunk at a time.
            blob.upload_from_file(source, retry=_RETRY, timeout=_TIMEOUT)
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"cannot upload to {bucket}/{destination}: local file {str(source)!r} does not exist"
        ) from exc
    except _SDK_ERRORS as exc:
        # Nothing but the bucket can be missing when writing an object.
        raise _translate_error(exc, bucket) from exc


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


def _object_info(blob: Blob) -> ObjectInfo:
    return ObjectInfo(
        key=blob.name,
        size=int(blob.size or 0),
        last_modified=blob.updated.astimezone(timezone.utc),
        etag=(blob.etag or "").strip('"'),
    )


def _objects(bucket: str, first: list[Blob], pages: Iterator[Page]) -> Iterator[ObjectInfo]:
    # One page (up to 1,000 objects) in memory at a time; Cloud Storage lists names in
    # lexicographic order, which is Python's str order.
    page = first
    while True:
        for blob in page:
            yield _object_info(blob)
        try:
            page = list(next(pages))
        except StopIteration:
            return
        except _SDK_ERRORS as exc:
            raise _translate_error(exc, bucket) from exc


def _iter_objects(bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
    bucket = _check_bucket(bucket, _GCS_BUCKET)
    prefix = _check_prefix(prefix, bucket)
    try:
        listing = _storage_client().list_blobs(
            bucket, prefix=prefix or None, retry=_RETRY, timeout=_TIMEOUT
        )
        pages: Iterator[Page] = listing.pages
        # The first page now, so that a missing bucket raises here and not on first next().
        first = list(next(pages, ()))
    except _SDK_ERRORS as exc:
        raise _translate_error(exc, bucket) from exc
    return _objects(bucket, first, pages)


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

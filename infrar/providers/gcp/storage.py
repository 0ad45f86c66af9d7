"""Storage on Google Cloud Storage (or gcp-storage-emulator) through google-cloud-storage.

Files larger than one chunk go up as resumable uploads, one ``_CHUNK_SIZE`` piece at a
time, and come down as one streamed response, so no file is ever read whole into memory.
Every call passes ``gcs.retry()`` and ``gcs.timeout()`` (bounded, unlike the
library's two-minute default), and every SDK error is translated by
``storage_errors.translate_error`` and chained with ``from``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta, timezone
from typing import BinaryIO

from google.api_core.page_iterator import Page
from google.auth.exceptions import TransportError
from google.cloud.storage import Blob

from infrar.errors import InfrarError, PermissionDenied
from infrar.providers._names import deployed_name
from infrar.providers.gcp import storage_errors
from infrar.providers.gcp._clients import gcs
from infrar.storage.local_files import download_atomically, source_error
from infrar.storage.rules import (
    GCS_BUCKET,
    check_bucket,
    check_data,
    check_destination,
    check_expiry,
    check_key,
    check_method,
    check_prefix,
    check_source,
)
from infrar.storage.types import ObjectInfo, PathOrFile

# Piece size of a resumable upload: a multiple of 256 KiB, as Cloud Storage requires, and
# at most one piece is in memory. Objects up to 8 MiB go up in one multipart request.
_CHUNK_SIZE = 8 * 1024 * 1024


def _check_object(bucket: object, key: object) -> tuple[str, str]:
    name = deployed_name("bucket", check_bucket(bucket, GCS_BUCKET))
    return name, check_key(key, name)


def _blob(bucket: str, key: str) -> Blob:
    # For uploads only: chunk_size makes large uploads resumable in pieces of that size
    # (unset, the library buffers 100 MiB pieces). A blob with it would download in ranged
    # requests of that size; without it, as one streamed response, which downloads use.
    return gcs.client().bucket(bucket).blob(key, chunk_size=_CHUNK_SIZE)


def _download_to_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    try:
        blob = gcs.client().bucket(bucket).blob(key)
        blob.download_to_file(stream, retry=gcs.retry(), timeout=gcs.timeout())
    except storage_errors.SDK_ERRORS as exc:
        raise storage_errors.translate_error(exc, bucket, key) from exc


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
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket) from exc


def _signing_error(exc: TransportError, bucket: str, key: str) -> InfrarError:
    # The IAM signBlob call reports a refusal as a TransportError naming the API; any
    # other TransportError is the network.
    if "signBytes" not in str(exc):
        return storage_errors.translate_error(exc, bucket, key)
    return PermissionDenied(
        f"cannot sign a URL for object {key!r} in bucket {bucket!r}: IAM signBlob refused ({exc}); "
        "grant the service account iam.serviceAccounts.signBlob on itself "
        "(roles/iam.serviceAccountTokenCreator), or set GOOGLE_APPLICATION_CREDENTIALS to a key file"
    )


class GcpStorage:
    """Buckets and objects in Cloud Storage, through the process's one storage client."""

    def upload(self, bucket: str, source: PathOrFile, destination: str) -> None:
        bucket, destination = _check_object(bucket, destination)
        checked = check_source(source, bucket, destination)
        try:
            blob = _blob(bucket, destination)
            if isinstance(checked, str):
                blob.upload_from_filename(checked, retry=gcs.retry(), timeout=gcs.timeout())
            else:
                # Size unknown: always a resumable upload, read one chunk at a time.
                blob.upload_from_file(checked, retry=gcs.retry(), timeout=gcs.timeout())
        except storage_errors.SDK_ERRORS as exc:
            # Nothing but the bucket can be missing when writing an object.
            raise storage_errors.translate_error(exc, bucket) from exc
        except OSError as exc:  # not the SDK's (requests' errors are caught above): the local file's
            name = checked if isinstance(checked, str) else str(getattr(checked, "name", type(checked).__name__))
            raise source_error(exc, name, f"{bucket}/{destination}") from exc

    def download(self, bucket: str, source: str, destination: PathOrFile) -> None:
        bucket, source = _check_object(bucket, source)
        checked = check_destination(destination, bucket, source)
        if isinstance(checked, str):
            download_atomically(checked, lambda out: _download_to_stream(bucket, source, out), f"{bucket}/{source}")
        else:
            _download_to_stream(bucket, source, checked)

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        return [info.key for info in self.iter_objects(bucket, prefix)]

    def delete(self, bucket: str, path: str) -> None:
        bucket, path = _check_object(bucket, path)
        try:
            gcs.client().bucket(bucket).blob(path).delete(
                retry=gcs.retry(), timeout=gcs.timeout()
            )
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket, path) from exc

    def write_bytes(self, bucket: str, key: str, data: bytes) -> None:
        bucket, key = _check_object(bucket, key)
        payload = check_data(data, bucket, key)
        try:
            _blob(bucket, key).upload_from_string(
                payload, content_type="application/octet-stream",
                retry=gcs.retry(), timeout=gcs.timeout(),
            )
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket) from exc

    def read_bytes(self, bucket: str, key: str) -> bytes:
        bucket, key = _check_object(bucket, key)
        try:
            blob = gcs.client().bucket(bucket).blob(key)
            data: bytes = blob.download_as_bytes(retry=gcs.retry(), timeout=gcs.timeout())
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket, key) from exc
        return data

    def exists(self, bucket: str, key: str) -> bool:
        bucket, key = _check_object(bucket, key)
        try:
            # Blob.exists answers False for a missing object and for a missing bucket alike.
            blob = gcs.client().bucket(bucket).blob(key)
            found: bool = blob.exists(retry=gcs.retry(), timeout=gcs.timeout())
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket, key) from exc
        return found

    def iter_objects(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        bucket = deployed_name("bucket", check_bucket(bucket, GCS_BUCKET))
        prefix = check_prefix(prefix, bucket)
        try:
            listing = gcs.client().list_blobs(
                bucket, prefix=prefix or None, retry=gcs.retry(), timeout=gcs.timeout()
            )
            pages: Iterator[Page] = listing.pages
            # The first page now, so that a missing bucket raises here and not on first next().
            first = list(next(pages, ()))
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket) from exc
        return _objects(bucket, first, pages)

    def signed_url(self, bucket: str, key: str, expires_in: int = 3600, method: str = "GET") -> str:
        bucket, key = _check_object(bucket, key)
        check_expiry(expires_in, bucket, key)
        check_method(method, bucket, key)
        try:
            blob = gcs.client().bucket(bucket).blob(key)
            if method == "GET" and not blob.exists(retry=gcs.retry(), timeout=gcs.timeout()):
                raise storage_errors.not_found(bucket, key)
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket, key) from exc
        try:
            # V4 signing is local with a key file; with a bare service account identity
            # it calls IAM signBlob, whose refusal surfaces as a TransportError.
            url: str = blob.generate_signed_url(
                version="v4", expiration=timedelta(seconds=expires_in), method=method,
                **gcs.signing_arguments(),
            )
        except TransportError as exc:
            raise _signing_error(exc, bucket, key) from exc
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket, key) from exc
        return url

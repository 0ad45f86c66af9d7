"""Storage on Azure Blob: bucket = container, key = block blob name.

Large transfers stream in blocks (sizes set in ``_clients/blob_service.py``): uploads stage
blocks read from the source one at a time and commit the block list; downloads write
chunks straight into the destination.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import BinaryIO

from azure.core.exceptions import AzureError
from azure.storage.blob import BlobProperties, BlobSasPermissions, generate_blob_sas

from infrar.errors import InvalidArgument
from infrar.providers._names import deployed_name
from infrar.providers.azure import storage_errors
from infrar.providers.azure._clients import blob_service
from infrar.storage.local_files import download_atomically, source_error
from infrar.storage.rules import (
    AZURE_CONTAINER,
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

_CONCURRENCY = 4  # parallel block transfers; memory is about this many blocks
# Azure would page 5,000 names at a time; 1,000 matches S3 and GCS and bounds memory alike.
_PAGE_SIZE = 1000
# Clock skew between this machine and Azure could make a fresh SAS "not yet valid".
_SAS_CLOCK_SKEW = timedelta(minutes=5)


def _check_blob_name(key: object, bucket: str, what: str = "key") -> str:
    text = check_key(key, bucket, what)
    # Azure's naming rules: no path segment may end with '.', and a name should not end
    # with '/'. The service resolves '.'/'..' segments and such blobs cannot be addressed
    # reliably (a SAS for 'name.' fails to verify), so refuse them up front.
    if text.endswith("/") or any(part.endswith(".") for part in text.split("/")):
        raise InvalidArgument(
            f"{what} {text!r} in container {bucket!r} cannot be stored as-is on Azure: no part "
            "between '/' may end with '.' (so no '.' or '..' parts) and the key may not end "
            "with '/'; write it like 'dir/file.txt'"
        )
    return text


def _check_container(bucket: object) -> str:
    return deployed_name("bucket", check_bucket(bucket, AZURE_CONTAINER))


def _info(blob: BlobProperties) -> ObjectInfo:
    return ObjectInfo(
        key=blob.name,
        size=blob.size,
        last_modified=blob.last_modified.astimezone(timezone.utc),
        etag=(blob.etag or "").strip('"'),
    )


def _upload_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    blob = blob_service.client().get_blob_client(bucket, key)
    try:
        blob.upload_blob(stream, overwrite=True, max_concurrency=_CONCURRENCY)
    except AzureError as exc:
        raise storage_errors.translate_error(exc, bucket, key) from exc
    except OSError as exc:  # not the SDK's (AzureError is caught above): reading the source
        raise source_error(exc, str(getattr(stream, "name", type(stream).__name__)), f"{bucket}/{key}") from exc


def _download_into(bucket: str, key: str, stream: BinaryIO) -> None:
    blob = blob_service.client().get_blob_client(bucket, key)
    # Parallel chunks are written at their offsets, which needs a seekable destination.
    seekable = getattr(stream, "seekable", None)
    concurrency = _CONCURRENCY if callable(seekable) and seekable() else 1
    try:
        blob.download_blob(max_concurrency=concurrency).readinto(stream)
    except AzureError as exc:
        raise storage_errors.translate_error(exc, bucket, key) from exc


def _pages(bucket: str, prefix: str) -> Iterator[Iterator[BlobProperties]]:
    container = blob_service.client().get_container_client(bucket)
    blobs = container.list_blobs(name_starts_with=prefix or None, results_per_page=_PAGE_SIZE)
    return blobs.by_page()


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
        raise storage_errors.translate_error(exc, bucket) from exc


def _user_delegation_sas(bucket: str, key: str, permission: BlobSasPermissions, expiry: datetime,
                         start: datetime) -> str:
    # Entra ID sign-in has no account key: Azure signs with a key it issues to this identity.
    service = blob_service.client()
    try:
        delegation_key = service.get_user_delegation_key(start, expiry)
    except AzureError as exc:
        raise storage_errors.translate_error(exc, bucket, key) from exc
    return generate_blob_sas(
        service.account_name or "", bucket, key, user_delegation_key=delegation_key,
        permission=permission, expiry=expiry, start=start,
    )


class AzureStorage:
    """Containers and block blobs of one storage account."""

    def upload(self, bucket: str, source: PathOrFile, destination: str) -> None:
        bucket = _check_container(bucket)
        _check_blob_name(destination, bucket)
        checked = check_source(source, bucket, destination)
        if not isinstance(checked, str):
            _upload_stream(bucket, destination, checked)
            return
        try:
            stream = open(checked, "rb")  # closed by the `with` below
        except OSError as exc:
            raise source_error(exc, checked, f"{bucket}/{destination}") from exc
        with stream:
            _upload_stream(bucket, destination, stream)

    def download(self, bucket: str, source: str, destination: PathOrFile) -> None:
        bucket = _check_container(bucket)
        _check_blob_name(source, bucket)
        checked = check_destination(destination, bucket, source)
        if isinstance(checked, str):
            download_atomically(checked, lambda out: _download_into(bucket, source, out), f"{bucket}/{source}")
        else:
            _download_into(bucket, source, checked)

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        return [info.key for info in self.iter_objects(bucket, prefix)]

    def delete(self, bucket: str, path: str) -> None:
        bucket = _check_container(bucket)
        _check_blob_name(path, bucket)
        blob = blob_service.client().get_blob_client(bucket, path)
        try:
            # Snapshots go with their blob: Azure refuses to delete a blob that has any otherwise.
            blob.delete_blob(delete_snapshots="include")
        except AzureError as exc:
            raise storage_errors.translate_error(exc, bucket, path) from exc

    def write_bytes(self, bucket: str, key: str, data: bytes) -> None:
        bucket = _check_container(bucket)
        _check_blob_name(key, bucket)
        payload = check_data(data, bucket, key)
        blob = blob_service.client().get_blob_client(bucket, key)
        try:
            blob.upload_blob(payload, overwrite=True, max_concurrency=_CONCURRENCY)
        except AzureError as exc:
            raise storage_errors.translate_error(exc, bucket, key) from exc

    def read_bytes(self, bucket: str, key: str) -> bytes:
        bucket = _check_container(bucket)
        _check_blob_name(key, bucket)
        blob = blob_service.client().get_blob_client(bucket, key)
        try:
            return blob.download_blob(max_concurrency=_CONCURRENCY).readall()
        except AzureError as exc:
            raise storage_errors.translate_error(exc, bucket, key) from exc

    def exists(self, bucket: str, key: str) -> bool:
        bucket = _check_container(bucket)
        _check_blob_name(key, bucket)
        blob = blob_service.client().get_blob_client(bucket, key)
        try:
            # False for a missing blob and for a missing container alike.
            return blob.exists()
        except AzureError as exc:
            raise storage_errors.translate_error(exc, bucket, key) from exc

    def iter_objects(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        bucket = _check_container(bucket)
        check_prefix(prefix, bucket)
        try:
            # Fetch the first page now, so a missing container raises here, not on first next().
            pages = _pages(bucket, prefix)
            first = next(pages, iter(()))
        except AzureError as exc:
            raise storage_errors.translate_error(exc, bucket) from exc
        return _rest(bucket, first, pages)

    def signed_url(self, bucket: str, key: str, expires_in: int = 3600, method: str = "GET") -> str:
        bucket = _check_container(bucket)
        _check_blob_name(key, bucket)
        check_expiry(expires_in, bucket, key)
        check_method(method, bucket, key)
        service = blob_service.client()
        blob = service.get_blob_client(bucket, key)
        try:
            # GET of a missing blob fails now rather than when the URL is used; PUT needs the container.
            if method == "GET":
                blob.get_blob_properties()
            else:
                service.get_container_client(bucket).get_container_properties()
        except AzureError as exc:
            raise storage_errors.translate_error(exc, bucket, key if method == "GET" else None) from exc
        if method == "GET":
            permission = BlobSasPermissions(read=True)
        else:
            permission = BlobSasPermissions(create=True, write=True)
        start = datetime.now(timezone.utc) - _SAS_CLOCK_SKEW
        expiry = datetime.now(timezone.utc) + timedelta(seconds=expires_in)
        account_key = blob_service.sas_account_key()
        if account_key is None:
            token = _user_delegation_sas(bucket, key, permission, expiry, start)
        else:
            token = generate_blob_sas(
                service.account_name or "", bucket, key, account_key=account_key,
                permission=permission, expiry=expiry, start=start,
            )
        return f"{blob.url}?{token}"

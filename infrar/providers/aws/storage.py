"""Storage on Amazon S3 (or anything speaking its API, such as moto) through boto3.

Uploads and downloads go through boto3's managed transfers (multipart, ranged GETs) with
``s3.transfer_config()``, so no file is ever read whole into memory. Every SDK error is
translated by ``storage_errors.translate_error`` and chained with ``from``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone
from typing import Any, BinaryIO

from botocore.exceptions import ClientError

from infrar.errors import InfrarError
from infrar.providers._names import deployed_name
from infrar.providers.aws import storage_errors
from infrar.providers.aws._clients import s3
from infrar.storage.local_files import download_atomically, source_error
from infrar.storage.rules import (
    S3_BUCKET,
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

# The client method a signed URL of each HTTP method stands for.
_PRESIGNED_OPERATION = {"GET": "get_object", "PUT": "put_object"}
# A HEAD's bare 404 or S3's own code: no such bucket (exists() is False either way).
_NO_BUCKET = (*storage_errors.BARE_NOT_FOUND, "NoSuchBucket")


def _bucket_exists(bucket: str) -> bool:
    """Whether ``bucket`` exists; True when S3 will not say (the caller then blames the key)."""
    try:
        s3.client().head_bucket(Bucket=bucket)
    except storage_errors.SDK_ERRORS as exc:
        return storage_errors.error_code(exc) not in _NO_BUCKET
    return True


def _error(exc: BaseException, bucket: str, key: str | None = None) -> InfrarError:
    """Translate ``exc``; a bare 404 from a HEAD names neither bucket nor key, so ask S3 which."""
    if key is not None and storage_errors.error_code(exc) in storage_errors.BARE_NOT_FOUND:
        if not _bucket_exists(bucket):
            key = None
    return storage_errors.translate_error(exc, bucket, key)


def _check_object(bucket: object, key: object) -> tuple[str, str]:
    name = deployed_name("bucket", check_bucket(bucket, S3_BUCKET))
    return name, check_key(key, name)


def _name(source: str | BinaryIO) -> str:
    return source if isinstance(source, str) else str(getattr(source, "name", type(source).__name__))


def _download_to_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    try:
        s3.client().download_fileobj(bucket, key, stream, Config=s3.transfer_config())
    except storage_errors.SDK_ERRORS as exc:
        raise _error(exc, bucket, key) from exc


def _object_info(item: dict[str, Any]) -> ObjectInfo:
    return ObjectInfo(
        key=item["Key"],
        size=item["Size"],
        last_modified=item["LastModified"].astimezone(timezone.utc),
        etag=item["ETag"].strip('"'),
    )


def _objects(bucket: str, first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[ObjectInfo]:
    # One page (up to 1,000 keys) in memory at a time; S3 lists keys in UTF-8 byte order,
    # which is Python's str order.
    page = first
    while True:
        for item in page.get("Contents", ()):
            yield _object_info(item)
        try:
            page = next(rest)
        except StopIteration:
            return
        except storage_errors.SDK_ERRORS as exc:
            raise _error(exc, bucket) from exc


class AwsStorage:
    """Buckets and objects in S3, through the process's one boto3 client."""

    def upload(self, bucket: str, source: PathOrFile, destination: str) -> None:
        bucket, destination = _check_object(bucket, destination)
        checked = check_source(source, bucket, destination)
        try:
            client = s3.client()
            if isinstance(checked, str):
                # A path is read part by part from disk by the transfer threads.
                client.upload_file(checked, bucket, destination, Config=s3.transfer_config())
            else:
                client.upload_fileobj(checked, bucket, destination, Config=s3.transfer_config())
        except storage_errors.SDK_ERRORS as exc:
            raise _error(exc, bucket) from exc
        except OSError as exc:  # not the SDK's (caught above): the local file's
            raise source_error(exc, _name(checked), f"{bucket}/{destination}") from exc

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
            client = s3.client()
            # S3's delete succeeds on a missing key; infrar's contract is NotFound.
            client.head_object(Bucket=bucket, Key=path)
            client.delete_object(Bucket=bucket, Key=path)
        except storage_errors.SDK_ERRORS as exc:
            raise _error(exc, bucket, path) from exc

    def write_bytes(self, bucket: str, key: str, data: bytes) -> None:
        bucket, key = _check_object(bucket, key)
        body = check_data(data, bucket, key)
        try:
            s3.client().put_object(Bucket=bucket, Key=key, Body=body)
        except storage_errors.SDK_ERRORS as exc:
            raise _error(exc, bucket) from exc

    def read_bytes(self, bucket: str, key: str) -> bytes:
        bucket, key = _check_object(bucket, key)
        try:
            response = s3.client().get_object(Bucket=bucket, Key=key)
            data: bytes = response["Body"].read()
        except storage_errors.SDK_ERRORS as exc:
            raise _error(exc, bucket, key) from exc
        return data

    def exists(self, bucket: str, key: str) -> bool:
        bucket, key = _check_object(bucket, key)
        try:
            s3.client().head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            # A bare 404 is a missing key or a missing bucket: False either way.
            if storage_errors.error_code(exc) in _NO_BUCKET:
                return False
            raise _error(exc, bucket, key) from exc
        except storage_errors.SDK_ERRORS as exc:
            raise _error(exc, bucket, key) from exc
        return True

    def iter_objects(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        bucket = deployed_name("bucket", check_bucket(bucket, S3_BUCKET))
        prefix = check_prefix(prefix, bucket)
        try:
            paginator = s3.client().get_paginator("list_objects_v2")
            # The first page now, so a missing bucket raises here rather than on first next().
            rest = iter(paginator.paginate(Bucket=bucket, Prefix=prefix))
            first = next(rest)
        except storage_errors.SDK_ERRORS as exc:
            raise _error(exc, bucket) from exc
        return _objects(bucket, first, rest)

    def signed_url(self, bucket: str, key: str, expires_in: int = 3600, method: str = "GET") -> str:
        bucket, key = _check_object(bucket, key)
        check_expiry(expires_in, bucket, key)
        check_method(method, bucket, key)
        try:
            client = s3.client()
            if method == "GET":
                # Signing is offline; only a HEAD can say that the URL would lead nowhere.
                client.head_object(Bucket=bucket, Key=key)
            url: str = client.generate_presigned_url(
                _PRESIGNED_OPERATION[method],
                Params={"Bucket": bucket, "Key": key},
                ExpiresIn=expires_in,
            )
        except storage_errors.SDK_ERRORS as exc:
            raise _error(exc, bucket, key) from exc
        return url

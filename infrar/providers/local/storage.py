"""Storage on the local filesystem: bucket = directory, key = relative path under it.

Every write goes to a temporary file under ``<root>/.partial`` and is renamed into place,
so a reader never sees half an object and a failure leaves nothing behind.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from infrar.errors import InvalidArgument, NotFound, PermissionDenied
from infrar.providers.local._clients import files
from infrar.storage.local_files import download_atomically
from infrar.storage.rules import (
    PORTABLE_BUCKET,
    check_bucket,
    check_data,
    check_expiry,
    check_key,
    check_method,
    check_prefix,
)
from infrar.storage.types import ObjectInfo, PathOrFile

_CHUNK = 1024 * 1024
_PARTIAL_DIR = ".partial"  # bucket names cannot start with '.', so this never collides


def _storage_root() -> Path:
    """``<INFRAR_LOCAL_ROOT>/storage``; buckets are directories under it."""
    return files.root() / "storage"


def _check_local_key(key: object, bucket: str, what: str = "key") -> str:
    text = check_key(key, bucket, what)
    if "\\" in text or text.startswith("/") or text.endswith("/"):
        raise InvalidArgument(
            f"{what} {text!r} in bucket {bucket!r} is not a relative key: no backslashes, "
            "no leading or trailing '/'; write it like 'dir/file.txt'"
        )
    if any(part in ("", ".", "..") for part in text.split("/")):
        raise InvalidArgument(
            f"{what} {text!r} in bucket {bucket!r} has an empty, '.' or '..' segment; "
            "keys may not climb out of their bucket"
        )
    return text


def _bucket_dir(bucket: object) -> Path:
    return _storage_root() / check_bucket(bucket, PORTABLE_BUCKET)


def _existing_bucket_dir(bucket: object) -> Path:
    directory = _bucket_dir(bucket)
    if not directory.is_dir():
        raise NotFound(
            f"bucket {bucket!r} does not exist under {directory.parent}; "
            "a local bucket is created by its first write"
        )
    return directory


def _object_file(bucket: object, key: object) -> Path:
    directory = _existing_bucket_dir(bucket)
    path = directory / _check_local_key(key, str(bucket))
    if not path.is_file():
        raise NotFound(f"object {key!r} does not exist in bucket {bucket!r}")
    return path


def _write_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    target = _bucket_dir(bucket) / _check_local_key(key, bucket)
    partial = _storage_root() / _PARTIAL_DIR
    partial.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=partial, prefix="upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(stream, out, _CHUNK)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
    except (NotADirectoryError, FileExistsError) as exc:
        os.unlink(temp)
        raise InvalidArgument(
            f"key {key!r} in bucket {bucket!r} cannot be stored locally: a parent of it is "
            "already an object, and local storage maps '/' to directories; rename one of them"
        ) from exc
    except IsADirectoryError as exc:
        os.unlink(temp)
        raise InvalidArgument(
            f"key {key!r} in bucket {bucket!r} cannot be stored locally: other keys already "
            f"start with '{key}/'; rename one of them"
        ) from exc
    except PermissionError as exc:
        os.unlink(temp)
        raise PermissionDenied(f"may not write {key!r} in bucket {bucket!r}: {exc.strerror}") from exc
    except BaseException:
        os.unlink(temp)
        raise


def _walk(directory: Path, prefix: str, key_prefix: str) -> Iterator[ObjectInfo]:
    # Sort by the text each entry contributes to a key ('dir/' vs 'file') so that keys come
    # out in plain string order, as every cloud lists them.
    entries = []
    with os.scandir(directory) as found:
        for entry in found:
            is_dir = entry.is_dir(follow_symlinks=False)
            entries.append((entry.name + ("/" if is_dir else ""), is_dir, entry))
    entries.sort()
    for text, is_dir, entry in entries:
        key = key_prefix + text
        if not (key.startswith(prefix) or prefix.startswith(key)):
            continue
        if is_dir:
            yield from _walk(Path(entry.path), prefix, key)
        elif key.startswith(prefix):
            stat = entry.stat()
            yield ObjectInfo(
                key=key,
                size=stat.st_size,
                last_modified=datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc),
                etag=f"{stat.st_mtime_ns:x}-{stat.st_size:x}",
            )


def _prune_empty_dirs(directory: Path, stop: Path) -> None:
    while directory != stop:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


class LocalStorage:
    """Buckets as directories under ``<INFRAR_LOCAL_ROOT>/storage``."""

    def upload(self, bucket: str, source: PathOrFile, destination: str) -> None:
        check_bucket(bucket, PORTABLE_BUCKET)
        if isinstance(source, (str, os.PathLike)):
            try:
                with open(source, "rb") as stream:
                    _write_stream(bucket, destination, stream)
            except FileNotFoundError as exc:
                raise NotFound(
                    f"cannot upload to {bucket}/{destination}: local file {str(source)!r} does not exist"
                ) from exc
        else:
            _write_stream(bucket, destination, source)

    def download(self, bucket: str, source: str, destination: PathOrFile) -> None:
        path = _object_file(bucket, source)
        with open(path, "rb") as stream:
            if isinstance(destination, (str, os.PathLike)):
                download_atomically(destination, lambda out: shutil.copyfileobj(stream, out, _CHUNK),
                                    f"{bucket}/{source}")
            else:
                shutil.copyfileobj(stream, destination, _CHUNK)

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        return [info.key for info in self.iter_objects(bucket, prefix)]

    def delete(self, bucket: str, path: str) -> None:
        target = _object_file(bucket, path)
        target.unlink()
        _prune_empty_dirs(target.parent, _bucket_dir(bucket))

    def write_bytes(self, bucket: str, key: str, data: bytes) -> None:
        _write_stream(bucket, key, io.BytesIO(check_data(data, bucket, key)))

    def read_bytes(self, bucket: str, key: str) -> bytes:
        return _object_file(bucket, key).read_bytes()

    def exists(self, bucket: str, key: str) -> bool:
        directory = _bucket_dir(bucket)
        return (directory / _check_local_key(key, bucket)).is_file()

    def iter_objects(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        check_prefix(prefix, check_bucket(bucket, PORTABLE_BUCKET))
        directory = _existing_bucket_dir(bucket)
        return _walk(directory, prefix, "")

    def signed_url(self, bucket: str, key: str, expires_in: int = 3600, method: str = "GET") -> str:
        check_expiry(expires_in, bucket, key)
        check_method(method, bucket, key)
        if method == "GET":
            return _object_file(bucket, key).as_uri()
        target = _bucket_dir(bucket) / _check_local_key(key, bucket)
        # The holder of a PUT URL writes the file itself, so its directory must exist.
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.as_uri()

"""Storage on the local filesystem: bucket = directory, key = relative path under it.

Every write goes to a temporary file under ``<root>/storage/.partial`` and is renamed into
place, so a reader never sees half an object and a failure leaves nothing behind. How keys
map to files, and why no interleaving of writers, readers and deleters (threads or
processes) can fail one of them, is in ``infrar/storage/local_tree.py``.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from infrar.errors import InfrarError, InvalidArgument, NotFound, PermissionDenied
from infrar.providers.local._clients import files
from infrar.storage.local_files import (
    discard,
    download_atomically,
    hold,
    source_error,
    sweep_stale,
)
from infrar.storage.local_tree import key_path, make_parents, place, prune, walk
from infrar.storage.rules import (
    PORTABLE_BUCKET,
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

_CHUNK = 1024 * 1024
_PARTIAL_DIR = ".partial"  # bucket names cannot start with '.', so this never collides


def _storage_root() -> Path:
    """``<INFRAR_LOCAL_ROOT>/storage``; buckets are directories under it."""
    return files.root() / "storage"


# What erase may run once, at erase time, on a literal argument (infrar/erase/fold.py): each check
# returns the argument at the first position listed unchanged when it is valid, and whether it is
# depends only on the arguments at the positions listed (the others only word the message).
ERASE_TIME_CHECKS = {"_check_local_key": (0,)}


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
        raise _missing_bucket(str(bucket), directory)
    return directory


def _missing_bucket(bucket: str, directory: Path) -> NotFound:
    return NotFound(
        f"bucket {bucket!r} does not exist under {directory.parent}; "
        "a local bucket is created by its first write"
    )


def _missing(bucket: str, key: str, directory: Path) -> NotFound:
    """NotFound for a key that could not be opened: the bucket's if it is the bucket that is missing."""
    if not directory.is_dir():
        return _missing_bucket(bucket, directory)
    return NotFound(f"object {key!r} does not exist in bucket {bucket!r}")


def _open_object(bucket: str, key: str) -> BinaryIO:
    """The object's file, open for reading: opened at once, never checked first, so that a
    concurrent delete is a NotFound here or a whole read of the file it opened."""
    directory = _bucket_dir(bucket)
    path = key_path(directory, _check_local_key(key, bucket))
    try:
        return open(path, "rb")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
        raise _missing(bucket, key, directory) from exc
    except PermissionError as exc:
        raise PermissionDenied(f"may not read {key!r} in bucket {bucket!r}: {exc.strerror}") from exc


def _read_object(bucket: str, key: str) -> bytes:
    with _open_object(bucket, key) as stream:
        return stream.read()


def _copy(source: BinaryIO, out: BinaryIO, what: str) -> None:
    while True:
        try:
            chunk = source.read(_CHUNK)
        except OSError as exc:
            raise source_error(exc, getattr(source, "name", type(source).__name__), what) from exc
        if not chunk:
            return
        out.write(chunk)


def _write_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    root = _storage_root()
    target = key_path(_bucket_dir(bucket), _check_local_key(key, bucket))
    partial = root / _PARTIAL_DIR
    try:
        partial.mkdir(parents=True, exist_ok=True)
        sweep_stale(str(partial), "upload-", "")
        handle, temp = tempfile.mkstemp(dir=partial, prefix="upload-")
    except PermissionError as exc:
        raise PermissionDenied(f"may not write {key!r} in bucket {bucket!r} under {root}: {exc.strerror}") from exc
    try:
        with os.fdopen(handle, "wb") as out:
            hold(out.fileno())
            _copy(stream, out, f"{bucket}/{key}")
            out.flush()
            place(temp, target, root)
    except BaseException as exc:
        discard(temp)
        if isinstance(exc, InfrarError) or not isinstance(exc, OSError):
            raise
        raise _store_error(exc, bucket, key, root) from exc


def _store_error(exc: OSError, bucket: str, key: str, root: Path) -> InfrarError:
    if isinstance(exc, NotADirectoryError):
        return InvalidArgument(f"key {key!r} in bucket {bucket!r} cannot be stored locally: a parent of it is "
                               "already an object, and local storage maps '/' to directories; rename one of them")
    if isinstance(exc, IsADirectoryError):
        return InvalidArgument(f"key {key!r} in bucket {bucket!r} cannot be stored locally: other keys already "
                               f"start with '{key}/'; rename one of them")
    if isinstance(exc, PermissionError):
        return PermissionDenied(f"may not write {key!r} in bucket {bucket!r}: {exc.strerror}")
    return InfrarError(f"cannot store {key!r} in bucket {bucket!r} under {root}: {exc.strerror or exc}")


class LocalStorage:
    """Buckets as directories under ``<INFRAR_LOCAL_ROOT>/storage``."""

    def upload(self, bucket: str, source: PathOrFile, destination: str) -> None:
        check_bucket(bucket, PORTABLE_BUCKET)
        key = _check_local_key(destination, bucket)
        checked = check_source(source, bucket, key)
        if not isinstance(checked, str):
            _write_stream(bucket, key, checked)
            return
        try:
            stream = open(checked, "rb")  # closed by the `with` below
        except OSError as exc:
            raise source_error(exc, checked, f"{bucket}/{key}") from exc
        with stream:
            _write_stream(bucket, key, stream)

    def download(self, bucket: str, source: str, destination: PathOrFile) -> None:
        check_bucket(bucket, PORTABLE_BUCKET)
        key = _check_local_key(source, bucket)
        checked = check_destination(destination, bucket, key)
        with _open_object(bucket, key) as stream:
            if isinstance(checked, str):
                download_atomically(checked, lambda out: _copy(stream, out, f"{bucket}/{key}"), f"{bucket}/{key}")
            else:
                _copy(stream, checked, f"{bucket}/{key}")

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        return [info.key for info in self.iter_objects(bucket, prefix)]

    def delete(self, bucket: str, path: str) -> None:
        directory = _bucket_dir(bucket)
        target = key_path(directory, _check_local_key(path, bucket))
        try:
            # Unlinked at once, never checked first: of two concurrent deletes one wins, one is NotFound.
            os.unlink(target)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise _missing(bucket, path, directory) from exc
        except PermissionError as exc:
            if target.is_dir():  # macOS refuses to unlink a directory with EPERM
                raise _missing(bucket, path, directory) from exc
            raise PermissionDenied(f"may not delete {path!r} in bucket {bucket!r}: {exc.strerror}") from exc
        prune(target.parent, directory)

    def write_bytes(self, bucket: str, key: str, data: bytes) -> None:
        _write_stream(bucket, key, io.BytesIO(check_data(data, bucket, key)))

    def read_bytes(self, bucket: str, key: str) -> bytes:
        return _read_object(bucket, key)

    def exists(self, bucket: str, key: str) -> bool:
        directory = _bucket_dir(bucket)
        return key_path(directory, _check_local_key(key, bucket)).is_file()

    def iter_objects(self, bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
        check_prefix(prefix, check_bucket(bucket, PORTABLE_BUCKET))
        directory = _existing_bucket_dir(bucket)
        return walk(directory, prefix)

    def signed_url(self, bucket: str, key: str, expires_in: int = 3600, method: str = "GET") -> str:
        directory = _bucket_dir(bucket)
        target = key_path(directory, _check_local_key(key, bucket))
        check_expiry(expires_in, bucket, key)
        check_method(method, bucket, key)
        if method == "GET":
            with _open_object(bucket, key):
                return target.as_uri()
        # The holder of a PUT URL writes the file itself, so its directory must exist.
        make_parents(target, _storage_root())
        return target.as_uri()

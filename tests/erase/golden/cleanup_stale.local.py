"""Cleanup of stale uploads: delete everything under tmp/ and report deletes that find nothing.

Covers: `from infrar.storage import delete as remove, list_objects as ls`, `from infrar import
errors` with isinstance checks against both the infrar class and its builtin, delete of a
missing object, exists on a missing bucket, and a nested function that closes over a counter.
"""

import os
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, NamedTuple


def _storage_root() -> Path:
    """``<INFRAR_LOCAL_ROOT>/storage``; buckets are directories under it.

    Read on every call (it is one environment lookup) so that a test or script that
    changes INFRAR_LOCAL_ROOT is obeyed at once.
    """
    return Path(os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar").absolute() / "storage"


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


# (pattern, the rule in words) per provider family.
_PORTABLE_BUCKET = (
    re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits and single hyphens, "
    "starting and ending with a letter or digit (the rule every cloud accepts)",
)


def _bucket_dir(bucket: object) -> Path:
    return _storage_root() / _check_bucket(bucket, _PORTABLE_BUCKET)


def _existing_bucket_dir(bucket: object) -> Path:
    directory = _bucket_dir(bucket)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"bucket {bucket!r} does not exist under {directory.parent}; "
            "a local bucket is created by its first write"
        )
    return directory


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


def _check_local_key(key: object, bucket: str, what: str = "key") -> str:
    text = _check_key(key, bucket, what)
    if "\\" in text or text.startswith("/") or text.endswith("/"):
        raise ValueError(
            f"{what} {text!r} in bucket {bucket!r} is not a relative key: no backslashes, "
            "no leading or trailing '/'; write it like 'dir/file.txt'"
        )
    if any(part in ("", ".", "..") for part in text.split("/")):
        raise ValueError(
            f"{what} {text!r} in bucket {bucket!r} has an empty, '.' or '..' segment; "
            "keys may not climb out of their bucket"
        )
    return text


def _object_file(bucket: object, key: object) -> Path:
    directory = _existing_bucket_dir(bucket)
    path = directory / _check_local_key(key, str(bucket))
    if not path.is_file():
        raise FileNotFoundError(f"object {key!r} does not exist in bucket {bucket!r}")
    return path


def _prune_empty_dirs(directory: Path, stop: Path) -> None:
    while directory != stop:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


def _delete(bucket: str, path: str) -> None:
    target = _object_file(bucket, path)
    target.unlink()
    _prune_empty_dirs(target.parent, _bucket_dir(bucket))


_PARTIAL_DIR = ".partial"  # bucket names cannot start with '.', so this never collides
_CHUNK = 1024 * 1024


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
        raise ValueError(
            f"key {key!r} in bucket {bucket!r} cannot be stored locally: a parent of it is "
            "already an object, and local storage maps '/' to directories; rename one of them"
        ) from exc
    except IsADirectoryError as exc:
        os.unlink(temp)
        raise ValueError(
            f"key {key!r} in bucket {bucket!r} cannot be stored locally: other keys already "
            f"start with '{key}/'; rename one of them"
        ) from exc
    except PermissionError as exc:
        os.unlink(temp)
        raise PermissionError(f"may not write {key!r} in bucket {bucket!r}: {exc.strerror}") from exc
    except BaseException:
        os.unlink(temp)
        raise


def _check_data(data: object, bucket: str, key: str) -> bytes:
    """write_bytes takes bytes-like data only: text must be encoded by the caller."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise ValueError(
        f"data for {bucket}/{key} must be bytes, got {type(data).__name__}; "
        "encode text first, e.g. text.encode('utf-8')"
    )


def _write_bytes(bucket: str, key: str, data: bytes) -> None:
    _write_stream(bucket, key, io.BytesIO(_check_data(data, bucket, key)))


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


def _iter_objects(bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
    _check_prefix(prefix, _check_bucket(bucket, _PORTABLE_BUCKET))
    directory = _existing_bucket_dir(bucket)
    return _walk(directory, prefix, "")


def _exists(bucket: str, key: str) -> bool:
    directory = _bucket_dir(bucket)
    return (directory / _check_local_key(key, bucket)).is_file()


BUCKET = os.environ["APP_BUCKET"]


def make_cleaner(bucket: str):
    removed = []

    def clean(key: str) -> None:
        try:
            _delete(bucket, key)
        except Exception as exc:
            if isinstance(exc, FileNotFoundError) and isinstance(exc, FileNotFoundError):
                print("  already gone:", key)
                return
            raise
        removed.append(key)

    return clean, removed


def main() -> None:
    for name in ("a.part", "b.part", "nested/c.part"):
        _write_bytes(BUCKET, f"tmp/{name}", b"partial upload")
    _write_stream(BUCKET, "keep/final.bin", io.BytesIO(_check_data(b"done", BUCKET, "keep/final.bin")))

    clean, removed = make_cleaner(BUCKET)
    stale = [info.key for info in _iter_objects(BUCKET, "tmp/")]
    for key in [*stale, "tmp/a.part", "tmp/never-existed"]:
        clean(key)
    print("removed:", removed)
    print("left:", [info.key for info in _iter_objects(BUCKET, "")])
    print("tmp gone:", not any(_exists(BUCKET, key) for key in stale))
    print("missing bucket has nothing:", _exists("no-such-bucket-for-corpus", "x"))
    try:
        [info.key for info in _iter_objects("no-such-bucket-for-corpus", "")]
    except FileNotFoundError as exc:
        print("listing a missing bucket: NotFound, also OSError:", isinstance(exc, OSError))


if __name__ == "__main__":
    main()

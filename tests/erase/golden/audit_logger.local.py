"""Audit logger: append audit records from several threads, one object per record, behind a
module lock, then read the trail back in order.

Covers: module-level private names that erase's own helpers also use (`_lock`, `_s3`,
`_region`, `_CHUNK`, `_check_key`, `_write_bytes`, `_read_bytes`, `_DEFAULT_REGION`): the
erased file must keep the program's meaning for each, and `from infrar.storage import
list_objects, read_bytes, write_bytes` used only inside those helpers.
"""

import os
import threading
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


def _check_local_key(key: object, bucket: str, what: str = "key") -> str:
    text = _rules_check_key(key, bucket, what)
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


_PARTIAL_DIR = ".partial"  # bucket names cannot start with '.', so this never collides
_storage_CHUNK = 1024 * 1024


def _write_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    target = _bucket_dir(bucket) / _check_local_key(key, bucket)
    partial = _storage_root() / _PARTIAL_DIR
    partial.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=partial, prefix="upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(stream, out, _storage_CHUNK)
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


def _storage_write_bytes(bucket: str, key: str, data: bytes) -> None:
    _write_stream(bucket, key, io.BytesIO(_check_data(data, bucket, key)))


def _existing_bucket_dir(bucket: object) -> Path:
    directory = _bucket_dir(bucket)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"bucket {bucket!r} does not exist under {directory.parent}; "
            "a local bucket is created by its first write"
        )
    return directory


def _object_file(bucket: object, key: object) -> Path:
    directory = _existing_bucket_dir(bucket)
    path = directory / _check_local_key(key, str(bucket))
    if not path.is_file():
        raise FileNotFoundError(f"object {key!r} does not exist in bucket {bucket!r}")
    return path


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
    return [_object_file(BUCKET, key).read_bytes().decode() for key in keys]


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

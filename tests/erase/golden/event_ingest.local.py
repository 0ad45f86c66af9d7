"""Event ingest: batch click and view events into hourly JSON-lines files, then count them
under a staging lock.

Covers: `from infrar import storage as store` (an aliased module), `from infrar.storage import
ObjectInfo` in annotations and isinstance checks, calls with every argument by keyword and in
a different order, a decorator, a context manager whose `finally` calls the SDK, a
generator expression and a walrus over SDK calls, and a `global` counter.
"""

import functools
import json
import os
from contextlib import contextmanager
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, NamedTuple


class ObjectInfo(NamedTuple):
    """One object in a bucket, as listed."""

    key: str
    size: int
    last_modified: datetime  # timezone-aware, UTC
    etag: str  # provider's entity tag without surrounding quotes


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


def _exists(bucket: str, key: str) -> bool:
    directory = _bucket_dir(bucket)
    return (directory / _check_local_key(key, bucket)).is_file()


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


BUCKET = os.environ["APP_BUCKET"]
batches_written = 0


def counted(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        global batches_written
        batches_written += 1
        return function(*args, **kwargs)

    return wrapper


@counted
def put_batch(kind: str, hour: int, events: list[dict]) -> None:
    lines = "".join(json.dumps(event, sort_keys=True) + "\n" for event in events)
    _write_bytes(bucket=BUCKET, key=f"events/{kind}/{hour:02d}.jsonl", data=lines.encode())


@contextmanager
def staging_lock(name: str):
    key = f"staging/{name}"
    _write_stream(BUCKET, key, io.BytesIO(_check_data(b"locked", BUCKET, key)))
    try:
        yield key
    finally:
        _delete(path=key, bucket=BUCKET)


def describe(info: ObjectInfo) -> str:
    return f"{info.key}: {info.size} bytes"


def main() -> None:
    events = [
        {"kind": kind, "hour": hour, "user": f"u{user}"}
        for kind in ("click", "view")
        for hour in (9, 10, 11)
        for user in range(hour % 4 + 1)
    ]
    batches: dict[tuple[str, int], list[dict]] = {}
    for event in events:
        batches.setdefault((event["kind"], event["hour"]), []).append(event)
    for (kind, hour), batch in sorted(batches.items()):
        put_batch(kind, hour, batch)
    print("batches written:", batches_written)

    with staging_lock("count.lock") as lock:
        print("lock held:", _exists(key=lock, bucket=BUCKET))
        keys = [info.key for info in _iter_objects(BUCKET, "events/")]
        total = sum(len(_object_file(BUCKET, key).read_bytes().splitlines()) for key in keys)
        print("events stored:", total, "in", len(keys), "files")
    print("lock released:", not _exists(BUCKET, "staging/count.lock"))

    if clicks := list(_iter_objects(prefix="events/click/", bucket=BUCKET)):
        for info in clicks:
            print(describe(info))
    print("ObjectInfo values:", all(isinstance(info, ObjectInfo) for info in clicks))
    print("fields:", ObjectInfo._fields)


if __name__ == "__main__":
    main()

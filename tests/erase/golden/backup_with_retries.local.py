"""Backup with retries: copy a directory of settings files into the bucket, retrying on
transient errors, skipping files whose names are not valid keys, and checking each copy.

Covers: `import infrar.storage` (used fully qualified), `from infrar import errors`,
`except errors.Unavailable` / `except errors.InvalidArgument` / `except errors.InfrarError`,
write_bytes, read_bytes, exists, and an invalid bucket name.
"""

import os
import tempfile
import time
from pathlib import Path
import io
import re
import shutil
from typing import BinaryIO


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


def _exists(bucket: str, key: str) -> bool:
    directory = _bucket_dir(bucket)
    return (directory / _check_local_key(key, bucket)).is_file()


BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))


def with_retries(action, attempts: int = 3, delay: float = 0.01):
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except ConnectionError:
            if attempt == attempts:
                raise
            time.sleep(delay * attempt)
    return None


def backup_file(path: Path, key: str) -> bool:
    data = path.read_bytes()
    try:
        with_retries(lambda: _write_bytes(BUCKET, key, data))
    except ValueError:
        print("  skipped (invalid key):", repr(key))
        return False
    copy = with_retries(lambda: _object_file(BUCKET, key).read_bytes())
    return copy == data


def main() -> None:
    source = WORKDIR / "settings"
    source.mkdir(parents=True, exist_ok=True)
    files = {"app.toml": "debug = false\n", "db.toml": "pool = 5\n", "cache.toml": "ttl = 60\n"}
    for name, text in files.items():
        (source / name).write_text(text)

    results = {}
    for path in sorted(source.iterdir()):
        results[path.name] = backup_file(path, f"backup/settings/{path.name}")
    # A key with a line break is rejected before any request is made, on every provider.
    results["broken"] = backup_file(source / "app.toml", "backup/bad\nname")
    for name, ok in results.items():
        print(name, "verified" if ok else "not backed up")

    print("present:", _exists(BUCKET, "backup/settings/db.toml"))
    try:
        _write_stream("Not_A_Valid_Bucket!", "x.txt", io.BytesIO(_check_data(b"x", "Not_A_Valid_Bucket!", "x.txt")))
    except ValueError:
        print("invalid bucket name rejected")
    try:
        _write_stream(BUCKET, "backup/text.txt", io.BytesIO(_check_data("not bytes", BUCKET, "backup/text.txt")))
    except Exception as exc:
        print("text rejected, is ValueError:", isinstance(exc, ValueError))


if __name__ == "__main__":
    main()

"""Manifest checker: publish a release with a manifest of SHA-256 digests, then verify the
bucket against it, reporting missing and corrupted files.

Covers: `from infrar.errors import NotFound`, `except NotFound`, json, hashlib, a dict
comprehension, and a parameter named `exists` that shadows the imported SDK function.
"""

import hashlib
import json
import os
import io
import re
import shutil
import tempfile
from pathlib import Path
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
RELEASE = "releases/1.4.0"

FILES = {
    "app.bin": b"\x7fELF" + bytes(range(64)),
    "README.txt": b"Release 1.4.0\n",
    "config/default.json": b'{"retries": 3}\n',
}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def publish() -> None:
    for name, data in FILES.items():
        _write_bytes(BUCKET, f"{RELEASE}/{name}", data)
    manifest = {name: digest(data) for name, data in FILES.items()}
    manifest["CHANGELOG.txt"] = digest(b"never uploaded")
    _write_bytes(BUCKET, f"{RELEASE}/manifest.json", json.dumps(manifest, sort_keys=True).encode())


def describe(name: str, exists: bool, ok: bool) -> str:
    # `exists` is a plain bool parameter here, not the storage function.
    if not exists:
        return f"{name}: missing"
    return f"{name}: {'ok' if ok else 'CORRUPT'}"


def verify() -> int:
    manifest = json.loads(_object_file(BUCKET, f"{RELEASE}/manifest.json").read_bytes())
    problems = 0
    for name, expected in sorted(manifest.items()):
        key = f"{RELEASE}/{name}"
        try:
            data = _object_file(BUCKET, key).read_bytes()
        except FileNotFoundError:
            print(describe(name, _exists(BUCKET, key), False))
            problems += 1
            continue
        ok = digest(data) == expected
        problems += not ok
        print(describe(name, True, ok))
    return problems


def main() -> None:
    publish()
    print("problems:", verify())
    _write_bytes(BUCKET, f"{RELEASE}/README.txt", b"tampered\n")
    print("after tampering, problems:", verify())


if __name__ == "__main__":
    main()

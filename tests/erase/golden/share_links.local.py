"""Share links: hand out time-limited download and upload links for documents.

Covers: imports inside functions (`import infrar.storage as st` and
`from infrar.storage import signed_url` in function bodies), signed_url GET and PUT, the
GET link fetched with urllib, and InvalidArgument for a bad expiry or method caught by the
builtin it derives from (ValueError).
"""

import os
import urllib.request
from urllib.parse import urlsplit
import io
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO


def _check_expiry(expires_in: object, bucket: str, key: str) -> int:
    """Signed URLs live 1 second to 7 days (the shortest maximum of the three clouds)."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int):
        raise ValueError(
            f"expires_in for {bucket}/{key} must be an int number of seconds, got {expires_in!r}"
        )
    if not 1 <= expires_in <= 604800:
        raise ValueError(
            f"expires_in={expires_in} for {bucket}/{key} is out of range; "
            "a signed URL lives 1 to 604800 seconds (7 days)"
        )
    return expires_in


def _check_method(method: object, bucket: str, key: str) -> str:
    """Signed URLs are for download (GET) or upload (PUT)."""
    if method not in ("GET", "PUT"):
        raise ValueError(
            f"method {method!r} for a signed URL to {bucket}/{key} is not supported; use 'GET' or 'PUT'"
        )
    return str(method)


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


def _signed_url(bucket: str, key: str, expires_in: int = 3600, method: str = "GET") -> str:
    _check_expiry(expires_in, bucket, key)
    _check_method(method, bucket, key)
    if method == "GET":
        return _object_file(bucket, key).as_uri()
    target = _bucket_dir(bucket) / _check_local_key(key, bucket)
    # The holder of a PUT URL writes the file itself, so its directory must exist.
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.as_uri()


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


BUCKET = os.environ["APP_BUCKET"]


def share(key: str, hours: int = 1) -> str:

    return _signed_url(BUCKET, key, expires_in=hours * 3600)


def upload_link(key: str) -> str:

    return _signed_url(BUCKET, key, 900, "PUT")


def main() -> None:

    document = b"Quarterly numbers: all up.\n"
    _write_stream(BUCKET, "shared/q1.txt", io.BytesIO(_check_data(document, BUCKET, "shared/q1.txt")))

    link = share("shared/q1.txt")
    print("GET link non-empty:", bool(link), "scheme:", urlsplit(link).scheme)
    with urllib.request.urlopen(link) as response:
        print("fetched through link matches:", response.read() == document)

    put = upload_link("inbox/upload.txt")
    print("PUT link non-empty:", bool(put), "scheme:", urlsplit(put).scheme)
    print("PUT link names the key:", "upload.txt" in put)

    for expires_in, method in ((0, "GET"), (8 * 24 * 3600, "GET"), (60, "DELETE")):
        try:
            _signed_url(BUCKET, "shared/q1.txt", expires_in=expires_in, method=method)
        except ValueError:
            print("rejected:", expires_in, method)
    try:
        share("shared/missing.txt")
    except FileNotFoundError:
        print("no link for a missing document")


if __name__ == "__main__":
    main()

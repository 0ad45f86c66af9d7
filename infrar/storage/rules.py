"""Input rules for storage, one definition shared by every adapter.

Adapters import this module (with types.py) so that one rule gives one message on every
provider; erase copies the functions an erased program reaches. Bucket rules differ by
provider, so each adapter passes its own pattern; `local` uses PORTABLE, the rule every
cloud accepts, so code that runs locally runs everywhere.
"""

from __future__ import annotations

import io
import os
import re
from typing import BinaryIO, cast

from infrar.errors import InvalidArgument

MAX_KEY_BYTES = 1024
# What no provider stores in a key: NUL, a line break, or a lone surrogate (not UTF-8).
_BAD_KEY_CHARACTER = re.compile(r"[\x00\r\n\ud800-\udfff]")

# (pattern, the rule in words) per provider family.
PORTABLE_BUCKET = (
    re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits and single hyphens, "
    "starting and ending with a letter or digit (the rule every cloud accepts)",
)
S3_BUCKET = (
    re.compile(r"^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending "
    "with a letter or digit, not an IP address (S3 bucket naming rules)",
)
GCS_BUCKET = (
    re.compile(r"^(?!goog)(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits, dots, hyphens and underscores, starting "
    "and ending with a letter or digit, no two dots in a row, not starting with 'goog' "
    "(GCS bucket naming rules)",
)
AZURE_CONTAINER = (
    re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits and single hyphens, starting and ending "
    "with a letter or digit (Azure container naming rules)",
)


# What erase may run once, at erase time, on a literal argument (infrar/erase/fold.py): each check
# returns the argument at the first position listed unchanged when it is valid, and whether it is
# depends only on the arguments at the positions listed (the others only word the message).
ERASE_TIME_CHECKS = {"check_bucket": (0, 1), "check_key": (0,), "check_prefix": (0,), "check_expiry": (0,),
                     "check_method": (0,), "check_data": (0,), "check_source": (0,), "check_destination": (0,)}


def check_bucket(bucket: object, rule: tuple[re.Pattern[str], str]) -> str:
    """Return ``bucket`` if it obeys ``rule``, else raise InvalidArgument stating the rule."""
    if not isinstance(bucket, str):
        raise InvalidArgument(f"bucket must be a str, got {type(bucket).__name__} {bucket!r}; pass the bucket name")
    if not rule[0].match(bucket):
        raise InvalidArgument(f"invalid bucket name {bucket!r}: a bucket name is {rule[1]}")
    return bucket


def check_key(key: object, bucket: str, what: str = "key") -> str:
    """Return ``key`` if every provider can store it, else raise InvalidArgument."""
    if not isinstance(key, str):
        raise InvalidArgument(f"{what} in bucket {bucket!r} must be a str, got {type(key).__name__} {key!r}")
    size = len(key.encode("utf-8", "surrogatepass"))
    if not 0 < size <= MAX_KEY_BYTES:
        raise InvalidArgument(f"{what} in bucket {bucket!r} is {f'{size} bytes of UTF-8' if key else 'empty'}; "
                              f"name the object in 1 to at most {MAX_KEY_BYTES} bytes, e.g. 'data/file.txt'")
    bad = _BAD_KEY_CHARACTER.search(key)
    if bad:
        raise InvalidArgument(f"{what} {key!r} in bucket {bucket!r} holds {bad.group()!r} at position {bad.start()}; "
                              "remove it: keys are UTF-8 text with no NUL, line break or lone surrogate "
                              "(decode file names with errors='replace')")
    return key


def check_prefix(prefix: object, bucket: str) -> str:
    """Return ``prefix`` (may be empty) if it is a str a key could start with."""
    if not isinstance(prefix, str):
        raise InvalidArgument(f"prefix for bucket {bucket!r} must be a str, got {type(prefix).__name__} {prefix!r}")
    return check_key(prefix, bucket, what="prefix") if prefix else prefix


def check_expiry(expires_in: object, bucket: str, key: str) -> int:
    """Signed URLs live 1 second to 7 days (the shortest maximum of the three clouds)."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int):
        raise InvalidArgument(
            f"expires_in for {bucket}/{key} must be an int number of seconds, got {expires_in!r}"
        )
    if not 1 <= expires_in <= 604800:
        raise InvalidArgument(
            f"expires_in={expires_in} for {bucket}/{key} is out of range; "
            "a signed URL lives 1 to 604800 seconds (7 days)"
        )
    return expires_in


def check_method(method: object, bucket: str, key: str) -> str:
    """Signed URLs are for download (GET) or upload (PUT)."""
    if method not in ("GET", "PUT"):
        raise InvalidArgument(
            f"method {method!r} for a signed URL to {bucket}/{key} is not supported; use 'GET' or 'PUT'"
        )
    return str(method)


def check_data(data: object, bucket: str, key: str) -> bytes:
    """write_bytes takes bytes-like data only: text must be encoded by the caller."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise InvalidArgument(
        f"data for {bucket}/{key} must be bytes, got {type(data).__name__}; "
        "encode text first, e.g. text.encode('utf-8')"
    )


def check_source(source: object, bucket: str, key: str) -> str | BinaryIO:
    """What ``upload`` reads: a non-empty path (returned as str) or a binary stream open for reading."""
    where = f"upload to {bucket}/{key}"
    if isinstance(source, (bytes, bytearray, memoryview)):
        raise InvalidArgument(
            f"source for {where} is {type(source).__name__} data, not a file; upload takes a path or a "
            f"binary file object: to store bytes, call storage.write_bytes({bucket!r}, {key!r}, data)"
        )
    if isinstance(source, (str, os.PathLike)):
        return _check_path(source, "source", where)
    read = getattr(source, "read", None)
    if not callable(read):
        raise InvalidArgument(
            f"source for {where} must be a path or a binary file object opened for reading "
            f"(open(path, 'rb'), io.BytesIO), got {type(source).__name__}"
        )
    try:
        # read(0) consumes nothing and tells text from binary and readable from not.
        probe = read(0) if not isinstance(source, io.TextIOBase) else ""
    except io.UnsupportedOperation:
        raise InvalidArgument(
            f"source for {where} is a file object not open for reading; open it with 'rb'"
        ) from None
    except (ValueError, OSError) as exc:
        raise InvalidArgument(f"source for {where} cannot be read ({exc}); pass an open binary file") from None
    if not isinstance(probe, (bytes, bytearray)):
        raise InvalidArgument(
            f"source for {where} is a text-mode file object ({type(source).__name__}); open the file "
            "with 'rb', or wrap text as io.BytesIO(text.encode('utf-8'))"
        )
    return cast(BinaryIO, source)


def check_destination(destination: object, bucket: str, key: str) -> str | BinaryIO:
    """What ``download`` writes: a non-empty path (returned as str) or a binary stream open for writing."""
    where = f"download of {bucket}/{key}"
    if isinstance(destination, (str, os.PathLike)):
        return _check_path(destination, "destination", where)
    write = getattr(destination, "write", None)
    if isinstance(destination, (bytes, bytearray, memoryview)) or not callable(write):
        raise InvalidArgument(
            f"destination for {where} must be a path or a binary file object opened for writing "
            f"(open(path, 'wb'), io.BytesIO), got {type(destination).__name__}; "
            f"to get the content as bytes, call storage.read_bytes({bucket!r}, {key!r})"
        )
    try:
        # Writing no bytes changes nothing and fails on a text-mode or read-only file.
        if isinstance(destination, io.TextIOBase):
            raise TypeError("text mode")
        write(b"")
    except io.UnsupportedOperation:
        raise InvalidArgument(
            f"destination for {where} is a file object not open for writing; open it with 'wb'"
        ) from None
    except TypeError:
        raise InvalidArgument(
            f"destination for {where} is a text-mode file object ({type(destination).__name__}); "
            "open the file with 'wb', or download into io.BytesIO() and decode its value"
        ) from None
    except (ValueError, OSError) as exc:
        raise InvalidArgument(f"destination for {where} cannot be written ({exc}); pass an open binary file") from None
    return cast(BinaryIO, destination)


def _check_path(path: str | os.PathLike[str], what: str, where: str) -> str:
    text = os.fspath(path)
    if not isinstance(text, str) or not text:
        raise InvalidArgument(f"{what} path for {where} is empty; name a local file, e.g. 'data/file.bin'")
    return text

"""Input rules for storage, one definition shared by every adapter.

Adapters import this module (with types.py) so that one rule gives one message on every
provider; erase copies the functions an erased program reaches. Bucket rules differ by
provider, so each adapter passes its own pattern; `local` uses PORTABLE, the rule every
cloud accepts, so code that runs locally runs everywhere.
"""

from __future__ import annotations

import re

from infrar.errors import InvalidArgument

MAX_KEY_BYTES = 1024

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
    re.compile(r"^(?!goog)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits, dots, hyphens and underscores, starting "
    "and ending with a letter or digit, not starting with 'goog' (GCS bucket naming rules)",
)
AZURE_CONTAINER = (
    re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits and single hyphens, starting and ending "
    "with a letter or digit (Azure container naming rules)",
)


def check_bucket(bucket: object, rule: tuple[re.Pattern[str], str]) -> str:
    """Return ``bucket`` if it obeys ``rule``, else raise InvalidArgument stating the rule."""
    if not isinstance(bucket, str):
        raise InvalidArgument(
            f"bucket must be a str, got {type(bucket).__name__} {bucket!r}; pass the bucket name"
        )
    pattern, words = rule
    if not pattern.match(bucket):
        raise InvalidArgument(f"invalid bucket name {bucket!r}: a bucket name is {words}")
    return bucket


def check_key(key: object, bucket: str, what: str = "key") -> str:
    """Return ``key`` if every provider can store it, else raise InvalidArgument."""
    if not isinstance(key, str):
        raise InvalidArgument(
            f"{what} in bucket {bucket!r} must be a str, got {type(key).__name__} {key!r}"
        )
    if not key:
        raise InvalidArgument(f"{what} in bucket {bucket!r} is empty; name the object, e.g. 'data/file.txt'")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidArgument(
            f"{what} in bucket {bucket!r} is {len(key.encode('utf-8'))} bytes of UTF-8; "
            f"keys are at most {MAX_KEY_BYTES} bytes"
        )
    if "\x00" in key or "\r" in key or "\n" in key:
        raise InvalidArgument(
            f"{what} {key!r} in bucket {bucket!r} contains NUL or a line break; remove it"
        )
    return key


def check_prefix(prefix: object, bucket: str) -> str:
    """Return ``prefix`` (may be empty) if it is a str a key could start with."""
    if not isinstance(prefix, str):
        raise InvalidArgument(
            f"prefix for bucket {bucket!r} must be a str, got {type(prefix).__name__} {prefix!r}"
        )
    if prefix:
        check_key(prefix, bucket, what="prefix")
    return prefix


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

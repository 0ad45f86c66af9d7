"""Cache values as bytes, so every provider hands back the type that was stored.

An int is stored as its plain decimal digits (so Redis ``INCRBY`` works on it); every other
type starts with a one-byte tag that no decimal number starts with.
"""

from __future__ import annotations

import json
from typing import Any

from infrar.errors import InvalidArgument

# One assignment each: erase copies module-level definitions one name at a time.
_STR = b"s"
_BYTES = b"b"
_FLOAT = b"f"
_TRUE = b"T"
_FALSE = b"F"
_JSON = b"j"


def encode(value: Any) -> bytes:
    """``value`` (str, bytes, int, float, bool, list, dict) as bytes; others are InvalidArgument."""
    if isinstance(value, bool):  # before int: bool is an int
        return _TRUE if value else _FALSE
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, str):
        return _STR + value.encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _BYTES + bytes(value)
    if isinstance(value, float):
        return _FLOAT + repr(value).encode()
    if isinstance(value, (list, dict)):
        try:
            return _JSON + json.dumps(value, separators=(",", ":")).encode()
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"cache value is not JSON-serialisable: {exc}") from exc
    raise InvalidArgument(
        f"cannot cache a {type(value).__name__}: values are str, bytes, int, float, bool, list or dict"
    )


def decode(data: bytes) -> Any:
    """The value ``encode`` turned into ``data``."""
    tag, body = data[:1], data[1:]
    if tag == _STR:
        return body.decode()
    if tag == _BYTES:
        return body
    if tag == _FLOAT:
        return float(body)
    if tag == _TRUE:
        return True
    if tag == _FALSE:
        return False
    if tag == _JSON:
        return json.loads(body)
    return int(data)


def as_integer(data: bytes, cache: str, key: str) -> int:
    """The int ``data`` holds, for ``incr``; InvalidArgument naming the key if it holds another type."""
    if data[:1] in (_STR, _BYTES, _FLOAT, _TRUE, _FALSE, _JSON):
        raise InvalidArgument(f"cannot incr key {key!r} of cache {cache!r}: it holds a non-integer value")
    return int(data)

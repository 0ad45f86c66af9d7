"""Message bodies as bytes on the wire, and back as the same type.

A JSON value (dict, list, str, int, float, bool, None) travels as its compact UTF-8 JSON text,
so a consumer that does not use this library reads plain JSON; ``bytes`` travel as they are.
The ``content-type`` attribute tells them apart: ``application/json`` or
``application/octet-stream``. A body without it (from another producer) is JSON if it parses
as JSON, else bytes.
"""

from __future__ import annotations

import json
from typing import Any

from infrar.errors import InvalidArgument

JSON_TYPE = "application/json"
BYTES_TYPE = "application/octet-stream"


def encode(value: Any) -> tuple[bytes, str]:
    """``(data, content_type)`` for ``value``; InvalidArgument for what is neither JSON nor bytes."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), BYTES_TYPE
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False).encode(), JSON_TYPE
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"cannot send a {type(value).__name__}: a message is a JSON value (dict, list, str, number, "
            f"bool, None) or bytes ({exc})"
        ) from exc


def wire_size(data: bytes, content_type: str) -> int:
    """Bytes ``data`` takes on the strictest wire: SQS and SNS carry text, so bytes travel base64."""
    return len(data) if content_type == JSON_TYPE else 4 * ((len(data) + 2) // 3)


def decode(data: bytes, content_type: str | None) -> Any:
    """The value ``encode`` turned into ``data``; ValueError if a JSON body does not parse."""
    if content_type == BYTES_TYPE:
        return data
    if content_type == JSON_TYPE:
        return json.loads(data)
    try:
        return json.loads(data)
    except ValueError:
        return data

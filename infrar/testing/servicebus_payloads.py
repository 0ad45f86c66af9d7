"""What the Service Bus test broker reads out of an AMQP transfer: entity paths, batches, sizes, schedules."""

from __future__ import annotations

from typing import Any

from proton import Data, Message, symbol

from infrar.testing.servicebus_nodes import text

DATA_SECTION = 0x75


def entity_path(address: str | None) -> str:
    """``amqps://host/queue`` or ``queue`` -> ``queue``."""
    text = address or ""
    if "://" in text:
        text = text.split("://", 1)[1].partition("/")[2]
    return text.strip("/")


def unbatch(payload: bytes) -> list[bytes]:
    """The messages of one transfer: the SDK sends a list as one batch whose data sections are messages.

    The batch's own message format (0x80013700) is not visible through proton's Python API, so
    a batch is recognised by its body: data sections that each hold an encoded AMQP message
    (a described section, codes 0x70-0x78). A plain message is returned as it is.
    """
    data, offset, bodies = Data(), 0, []
    while offset < len(payload):
        data.clear()
        offset += data.decode(payload[offset:])
        data.rewind()
        data.next()
        section: Any = data.get_object()
        if getattr(section, "descriptor", None) == DATA_SECTION:
            bodies.append(bytes(section.value))
    if bodies and all(len(b) > 2 and b[:2] == b"\x00\x53" and 0x70 <= b[2] <= 0x78 for b in bodies):
        return bodies
    return [payload]


def message_size(payload: bytes) -> int:
    """What counts against the limit: the body, the application properties and the content type.

    Service Bus counts its own headers too, so a real namespace refuses a message some hundred
    bytes sooner; this broker keeps to the part a sender controls, as infrar's size rule does.
    """
    message: Any = Message()
    message.decode(payload)
    body = message.body
    size = len(body) if isinstance(body, (bytes, str, memoryview)) else len(str(body))
    size += sum(len(str(k)) + len(str(v)) for k, v in (message.properties or {}).items())
    return size + (len("content-type") + len(message.content_type) if message.content_type else 0)


def scheduled(payload: bytes) -> tuple[float, str | None]:
    """When a message asked to be enqueued (x-opt-scheduled-enqueue-time, ms; 0: at once), and its session id."""
    message: Any = Message()
    message.decode(payload)
    at = (message.annotations or {}).get(symbol("x-opt-scheduled-enqueue-time"))
    return (0.0 if at is None else float(at) / 1000), (text(message.group_id) if message.group_id else None)

"""Turning a provider's deliveries into ``Message`` values: decoding, and the poison-message rule.

A delivery seen more than ``MAX_DELIVERIES`` times is dead-lettered here rather than handed
out, so the rule holds even where the service's own redrive did not fire (local always; a
cloud queue created without its dead-letter wiring). A dead-letter queue itself is exempt:
its messages stay there (SQS keeps counting receives across the move).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infrar.messaging import tracing
from infrar.messaging.codec import decode, encode, wire_size
from infrar.messaging.rules import CONTENT_TYPE, DEAD_LETTER_SUFFIX, MAX_DELIVERIES, check_attributes, check_size
from infrar.messaging.transport import Delivery, Transport
from infrar.messaging.types import Message


def receive(transport: Transport, queue: str, max_count: int, wait_seconds: float,
            visibility_timeout: float) -> list[Message]:
    """Up to ``max_count`` messages from ``queue``, each leased for ``visibility_timeout`` seconds."""
    messages = []
    poison_rule = not queue.endswith(DEAD_LETTER_SUFFIX)
    for delivery in transport.receive(queue, max_count, wait_seconds, visibility_timeout):
        if poison_rule and delivery.delivery_count > MAX_DELIVERIES:
            reason = f"delivered {delivery.delivery_count - 1} times without acknowledgement"
            transport.dead_letter(queue, delivery, reason)
            continue
        message = to_message(transport, queue, delivery)
        if message is not None:
            messages.append(message)
    return messages


def to_message(transport: Transport, queue: str, delivery: Delivery) -> Message | None:
    """The ``Message`` for ``delivery``; None after dead-lettering a body that does not decode."""
    attributes = dict(delivery.attributes)
    content_type = attributes.pop(CONTENT_TYPE, None)
    try:
        body = decode(delivery.data, content_type)
    except ValueError as exc:
        transport.dead_letter(queue, delivery, f"body does not decode as {content_type}: {exc}")
        return None
    return Message(body, transport, queue, delivery, attributes)


def outgoing(message: Any, attributes: Mapping[str, str] | None, destination: str, limit: int,
             where: str) -> tuple[bytes, dict[str, str]]:
    """``message`` encoded, and the attributes to send with it (content-type, traceparent when tracing)."""
    data, content_type = encode(message)
    sent = tracing.producing(check_attributes(attributes), destination)
    sent[CONTENT_TYPE] = content_type
    check_size(wire_size(data, content_type), sent, limit, where)
    return data, sent

"""Service Bus's delivery primitives for the shared messaging channel: receive, settle, renew.

Receivers run in peek-lock mode, so a received message is locked for the entity's lock duration
(30 s on entities infrar creates) and settled through the receiver that got it: complete
(acknowledge), abandon (release; Service Bus counts the delivery), dead-letter. Extending a lease
renews the lock. A per-call visibility timeout shorter than what is left of the lock is kept by
abandoning the message when it ends, so it comes back as it would on SQS; a longer one is
capped by the lock (renew it, as the subscriber does, to hold a message longer).

``delivery_count`` is Service Bus's delivery count plus one: its AMQP header counts earlier
failed deliveries (0, or absent, on the first).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Any

from infrar.messaging.rules import CONTENT_TYPE, DEAD_LETTER_SUFFIX
from infrar.messaging.transport import Delivery, Transport
from infrar.providers.azure._clients import servicebus
from infrar.providers.azure.messaging_errors import GONE, SDK_ERRORS, STALE, translate_error

_log = logging.getLogger(__name__)
_MIN_WAIT = 0.05  # the SDK refuses a zero wait; this fetches what is already available
_LOST: tuple[type[Exception], ...] = (*STALE, ValueError)  # lock lost, settled already, or receiver closed
_REASON_LIMIT = 1024  # characters of a dead-letter reason kept (Service Bus allows 4096 in properties)


class Lease:
    """One received message, the receiver that settles it, and the timer that gives it back early."""

    def __init__(self, receiver: servicebus.Handler, message: Any) -> None:
        self.receiver = receiver
        self.message = message
        self.timer: threading.Timer | None = None

    def __repr__(self) -> str:
        return f"Lease(message_id={self.message.message_id!r})"


def _receiver(queue: str) -> servicebus.Handler:
    """The receiver for ``queue``; a missing ``<name>-dead-letter`` queue falls back to ``<name>``'s own subqueue.

    Entities infrar creates forward their dead letters to a ``<name>-dead-letter`` queue (a
    subscription's own subqueue cannot be named without its topic); an entity made elsewhere
    keeps them in its ``$DeadLetterQueue``, which is read instead.
    """
    try:
        return servicebus.receiver(queue)
    except GONE:
        if not queue.endswith(DEAD_LETTER_SUFFIX):
            raise
        fallback = queue[: -len(DEAD_LETTER_SUFFIX)] + servicebus.DEAD_LETTER_QUEUE
        return servicebus.receiver(fallback)


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def body_bytes(message: Any) -> bytes:
    """A received body as bytes: data sections joined (what infrar sends), a string or value as text."""
    body = message.body
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    return b"".join(part if isinstance(part, bytes) else text(part).encode() for part in body)


def _delivery(receiver: servicebus.Handler, message: Any) -> Delivery:
    attributes = {text(k): text(v) for k, v in (message.application_properties or {}).items()}
    if message.content_type:
        attributes[CONTENT_TYPE] = message.content_type
    count = (message.delivery_count or 0) + 1
    return Delivery(str(message.message_id), body_bytes(message), attributes, count, Lease(receiver, message))


def _give_back_after(lease: Lease, seconds: float) -> None:
    """Abandon ``lease`` in ``seconds`` unless settled first, when that is before its lock runs out."""
    if lease.timer is not None:
        lease.timer.cancel()
        lease.timer = None
    locked_until = lease.message.locked_until_utc
    left = (locked_until - datetime.now(timezone.utc)).total_seconds() if locked_until else 0.0
    if seconds < left:
        lease.timer = threading.Timer(seconds, _expire, (lease,))
        lease.timer.daemon = True
        lease.timer.start()


def _expire(lease: Lease) -> None:
    with lease.receiver.lock:
        try:
            lease.receiver.client.abandon_message(lease.message)
        except Exception as exc:  # settled meanwhile, or the receiver closed: its lock ends it anyway
            _log.debug("could not give back %r at the end of its visibility timeout: %s", lease, exc)


def _receive(queue: str, max_count: int, wait_seconds: float, visibility_timeout: float) -> list[Delivery]:
    try:
        handler = _receiver(queue)
        with handler.lock:
            messages = handler.client.receive_messages(max_message_count=max_count,
                                                       max_wait_time=max(wait_seconds, _MIN_WAIT))
    except SDK_ERRORS as exc:
        raise translate_error(exc, "queue", queue) from exc
    deliveries = [_delivery(handler, message) for message in messages]
    for delivery in deliveries:
        _give_back_after(delivery.handle, visibility_timeout)
    return deliveries


def _settle(queue: str, lease: Lease, operation: str, **arguments: Any) -> None:
    if lease.timer is not None:
        lease.timer.cancel()
    with lease.receiver.lock:
        try:
            getattr(lease.receiver.client, operation)(lease.message, **arguments)
        except _LOST:
            # The lock was lost, the message settled already, or its receiver closed (ValueError
            # "handler has already been shutdown"): a no-op by the contract; an unsettled one comes back.
            return
        except SDK_ERRORS as exc:
            raise translate_error(exc, "queue", queue) from exc


def _ack(queue: str, handle: Any) -> None:
    _settle(queue, handle, "complete_message")


def _release(queue: str, handle: Any) -> None:
    _settle(queue, handle, "abandon_message")


def _extend_lease(queue: str, handle: Any, seconds: float) -> None:
    _settle(queue, handle, "renew_message_lock")
    _give_back_after(handle, seconds)


def _dead_letter(queue: str, delivery: Delivery, reason: str) -> None:
    short = reason[:_REASON_LIMIT]
    _settle(queue, delivery.handle, "dead_letter_message", reason=short, error_description=short)


SERVICE_BUS = Transport(receive=_receive, ack=_ack, release=_release, extend_lease=_extend_lease,
                        dead_letter=_dead_letter)

"""Service Bus's delivery primitives for the shared messaging channel: receive, settle, renew.

Receivers run in peek-lock mode, so a received message is locked for the entity's lock duration
(30 s on entities infrar creates) and settled through the receiver that got it: complete
(acknowledge), abandon (release; Service Bus counts the delivery), dead-letter. Extending a lease
renews the lock. A per-call visibility timeout shorter than what is left of the lock is kept by
abandoning the message when it ends, so it comes back as it would on SQS; a longer one is
capped by the lock (renew it, as the subscriber does, to hold a message longer).

``delivery_count`` is Service Bus's delivery count plus one: its AMQP header counts earlier
failed deliveries (0, or absent, on the first).

An entity that requires sessions (a FIFO queue: ``fifo: true``) is read one session at a time:
each receive opens a session receiver on the next available session and gets only that
session's messages, in order; the receiver keeps the session locked (so no other worker gets
that key's later messages) until the last message it got is settled, then closes, and the next
receive of the session starts with what was released. The lock is the session's: extending a
lease renews the session lock (Service Bus renews no message lock in a session).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Any

from azure.servicebus.exceptions import OperationTimeoutError, SessionCannotBeLockedError, SessionLockLostError

from infrar.messaging.rules import CONTENT_TYPE, DEAD_LETTER_SUFFIX
from infrar.messaging.transport import Delivery, Transport
from infrar.providers.azure._clients import servicebus
from infrar.providers.azure.messaging_errors import GONE, SDK_ERRORS, STALE, translate_error

_log = logging.getLogger(__name__)
_MIN_WAIT = 0.05  # the SDK refuses a zero wait; this fetches what is already available
# lock (or session lock) lost, settled already, or receiver closed
_LOST: tuple[type[Exception], ...] = (*STALE, SessionLockLostError, ValueError)
_REASON_LIMIT = 1024  # characters of a dead-letter reason kept (Service Bus allows 4096 in properties)
# A session receiver that found no session with messages in its wait (Service Bus times the attach out).
_NO_SESSION: tuple[type[Exception], ...] = (OperationTimeoutError, SessionCannotBeLockedError)
# a session receive that found nothing: no session free, or the session's lock lost meanwhile
_NOTHING_IN_SESSION: tuple[type[Exception], ...] = (*_NO_SESSION, SessionLockLostError)


class Session:
    """A session receiver of ``path`` and how many of the messages it got are unsettled; parked when none are."""

    def __init__(self, path: str, receiver: servicebus.Handler, unsettled: int) -> None:
        self.path = path
        self.receiver = receiver
        self.unsettled = unsettled
        self.guard = threading.Lock()

    def settled(self) -> None:
        with self.guard:
            self.unsettled -= 1
            done = self.unsettled == 0
        if done:
            servicebus.park(self.path, self.receiver)


class Lease:
    """One received message, the receiver that settles it, and the timer that gives it back early.

    ``session``: set when the receiver is a session receiver, which the lease's settlement may close.
    """

    def __init__(self, receiver: servicebus.Handler, message: Any, session: Session | None = None) -> None:
        self.receiver = receiver
        self.message = message
        self.session = session
        self.settled = False
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


def _delivery(receiver: servicebus.Handler, message: Any, session: Session | None = None) -> Delivery:
    attributes = {text(k): text(v) for k, v in (message.application_properties or {}).items()}
    if message.content_type:
        attributes[CONTENT_TYPE] = message.content_type
    count = (message.delivery_count or 0) + 1
    return Delivery(str(message.message_id), body_bytes(message), attributes, count,
                    Lease(receiver, message, session))


def _give_back_after(lease: Lease, seconds: float) -> None:
    """Abandon ``lease`` in ``seconds`` unless settled first, when that is before its lock runs out."""
    if lease.timer is not None:
        lease.timer.cancel()
        lease.timer = None
    # A session message has no lock of its own (its locked_until_utc is None): the session's holds it.
    locked_until = lease.session.receiver.client.session.locked_until_utc if lease.session else \
        lease.message.locked_until_utc
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
    _finished(lease)


def _finished(lease: Lease) -> None:
    """Count ``lease`` settled (once); the last of a session receiver's closes it, freeing the session."""
    with lease.receiver.lock:
        if lease.settled:
            return
        lease.settled = True
    if lease.session is not None:
        lease.session.settled()


def _plain(queue: str, max_count: int, wait_seconds: float) -> list[Delivery] | None:
    """A receive from ``queue`` with this thread's plain receiver; None when ``queue`` requires sessions."""
    if queue in servicebus.sessionful:
        return None
    try:
        handler = _receiver(queue)
        with handler.lock:
            messages = handler.client.receive_messages(max_message_count=max_count,
                                                       max_wait_time=max(wait_seconds, _MIN_WAIT))
    except SDK_ERRORS as exc:
        if servicebus.requires_sessions(exc):
            return None
        raise translate_error(exc, "queue", queue) from exc
    return [_delivery(handler, message) for message in messages]


def _from_sessions(queue: str, max_count: int, wait_seconds: float) -> list[Delivery]:
    """The next message of up to ``max_count`` sessions, each session held until its message is settled.

    One per session: a handler that fails on it releases it, and only then may the session's
    next message go out (the shared subscriber handles a batch through to its end). Parked
    receivers' sessions come first; a new session is looked for only when they had nothing.
    """
    deliveries: list[Delivery] = []
    while len(deliveries) < max_count and (parked := servicebus.unpark(queue)) is not None:
        found = _next_in_session(queue, parked, _MIN_WAIT)
        if found is not None:
            deliveries.append(found)
    if not deliveries:
        wait = max(wait_seconds, _MIN_WAIT)
        found = _next_in_session(queue, servicebus.session_receiver(queue, wait), wait)
        deliveries = [] if found is None else [found]
    return deliveries


def _next_in_session(queue: str, handler: servicebus.Handler, wait: float) -> Delivery | None:
    """The next message of ``handler``'s session (locking one first if new); None, and closed, when none came."""
    try:
        with handler.lock:
            messages = handler.client.receive_messages(max_message_count=1, max_wait_time=wait)
    except _NOTHING_IN_SESSION:
        messages = []
    except SDK_ERRORS as exc:
        servicebus.close(handler)
        raise translate_error(exc, "queue", queue) from exc
    if not messages:
        servicebus.close(handler)  # a drained session, a lost one, or none found: give it back
        return None
    return _delivery(handler, messages[0], Session(queue, handler, 1))


def _receive(queue: str, max_count: int, wait_seconds: float, visibility_timeout: float) -> list[Delivery]:
    deliveries = _plain(queue, max_count, wait_seconds)
    if deliveries is None:
        deliveries = _from_sessions(queue, max_count, wait_seconds)
    for delivery in deliveries:
        _give_back_after(delivery.handle, visibility_timeout)
    return deliveries


def _settle(queue: str, lease: Lease, operation: str, **arguments: Any) -> None:
    if lease.timer is not None:
        lease.timer.cancel()
    try:
        _call(queue, lease, operation, **arguments)
    finally:
        if operation != "renew_message_lock":
            _finished(lease)  # whatever the outcome: an unsettled one comes back once its session is free


def _call(queue: str, lease: Lease, operation: str, **arguments: Any) -> None:
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
    if handle.session is None:
        _settle(queue, handle, "renew_message_lock")
    else:
        _renew_session(queue, handle)
    _give_back_after(handle, seconds)


def _renew_session(queue: str, lease: Lease) -> None:
    with lease.receiver.lock:
        try:
            lease.receiver.client.session.renew_lock()
        except _LOST:  # the session lock was lost: its messages come back to whoever gets the session next
            return
        except SDK_ERRORS as exc:
            raise translate_error(exc, "queue", queue) from exc


def _dead_letter(queue: str, delivery: Delivery, reason: str) -> None:
    short = reason[:_REASON_LIMIT]
    _settle(queue, delivery.handle, "dead_letter_message", reason=short, error_description=short)


SERVICE_BUS = Transport(receive=_receive, ack=_ack, release=_release, extend_lease=_extend_lease,
                        dead_letter=_dead_letter)

"""The subscriber loop, shared by every provider: worker threads, leases, acknowledgement.

``start`` returns a running ``Subscription``. Each of ``concurrency`` workers receives a small
batch, runs the handler on one message at a time (inside the message's trace when tracing is
on), acknowledges when it returns and releases when it raises (logging the exception). One
more thread extends the lease of every message held (in a handler or prefetched) every third
of the lease, so a handler that runs longer than the visibility timeout keeps its message.
The lease is ``INFRAR_MESSAGING_LEASE_SECONDS`` (default 30).

Where the transport settles several deliveries in one call (``ack_many``, ``lease_many``: SQS),
a received batch is settled at its end, one call per outcome, and leases are extended one call
per batch of held messages: a message costs a tenth of a request instead of one or more. Until
then a handled message stays held (its lease kept), so deferring is at-least-once as before.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from infrar.errors import InfrarError
from infrar.messaging import tracing
from infrar.messaging.channel import receive
from infrar.messaging.rules import DEFAULT_VISIBILITY_TIMEOUT, MAX_COUNT, check_seconds
from infrar.messaging.transport import Transport
from infrar.messaging.types import Message, Subscription

_log = logging.getLogger(__name__)
_POLL_SECONDS = 1.0  # the longest a receive waits, so stop() and timeouts are noticed within it


def lease_seconds() -> float:
    """How long a subscriber holds a message between extensions: INFRAR_MESSAGING_LEASE_SECONDS, else 30."""
    configured = os.environ.get("INFRAR_MESSAGING_LEASE_SECONDS")
    if not configured:
        return DEFAULT_VISIBILITY_TIMEOUT
    return check_seconds("INFRAR_MESSAGING_LEASE_SECONDS", float(configured), 1, 600)


class _Run:
    """What the threads of one subscription share: settings, counters and the messages held."""

    def __init__(self, transport: Transport, queue: str, handler: Callable[[Message], Any],
                 max_messages: int | None, timeout: float | None, subscription: Subscription) -> None:
        self.transport = transport
        self.queue = queue
        self.handler = handler
        self.max_messages = max_messages
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.lease = lease_seconds()
        self.subscription = subscription
        self.lock = threading.Lock()
        self.running = 0  # handlers in progress, so max_messages is never overshot
        self.held: dict[int, Message] = {}

    def finished(self) -> bool:
        stopping = self.subscription.stopping
        if not stopping.is_set() and self.deadline is not None and time.monotonic() >= self.deadline:
            stopping.set()
        return stopping.is_set()

    def wanted(self) -> int:
        """How many more messages to take now (0: max_messages acknowledged or in progress)."""
        if self.max_messages is None:
            return MAX_COUNT
        with self.lock:
            return min(MAX_COUNT, self.max_messages - self.subscription.acknowledged - self.running)

    def claim(self) -> bool:
        with self.lock:
            taken = self.subscription.acknowledged + self.running
            if self.max_messages is not None and taken >= self.max_messages:
                return False
            self.running += 1
            return True

    def done(self, message: Message) -> None:
        with self.lock:
            self.running -= 1
            self.held.pop(id(message), None)
            if message.outcome == "acknowledged":
                self.subscription.acknowledged += 1
            if self.max_messages is not None and self.subscription.acknowledged >= self.max_messages:
                self.subscription.stopping.set()

    def hold(self, messages: list[Message]) -> None:
        with self.lock:
            self.held.update((id(message), message) for message in messages)

    def give_back(self, message: Message) -> None:
        with self.lock:
            self.held.pop(id(message), None)
        message.release()


def _handle(run: _Run, message: Message) -> str:
    """Run the handler on ``message``: "acknowledged" when it returned, "released" when it raised."""
    try:
        with tracing.consuming(message.attributes, run.queue):
            run.handler(message)
    except Exception:
        _log.exception("handler %r failed on message %s of %s (delivery %d); released for redelivery",
                       run.handler, message.id, run.queue, message.delivery_count)
        return "released"
    return "acknowledged"


def _settle_one(run: _Run, message: Message, outcome: str) -> None:
    try:
        if outcome == "acknowledged":
            message.acknowledge()
        else:
            message.release()
    finally:
        run.done(message)


def _settle_batch(run: _Run, handled: list[tuple[Message, str]]) -> None:
    """Settle a batch's handled messages with one call per outcome (a handler may have settled its own)."""
    ack_many, lease_many = run.transport.ack_many, run.transport.lease_many
    assert ack_many is not None and lease_many is not None
    try:
        acks = [m._delivery.handle for m, outcome in handled if outcome == "acknowledged" and m._settle(outcome)]
        if acks:
            ack_many(run.queue, acks)
        releases = [m._delivery.handle for m, outcome in handled if outcome == "released" and m._settle(outcome)]
        if releases:
            lease_many(run.queue, releases, 0)
    finally:
        for message, _ in handled:
            run.done(message)


def _work(run: _Run) -> None:
    try:
        _poll(run)
    except BaseException:
        _log.exception("subscriber worker on %s stopped by an unexpected error; stopping the subscription", run.queue)
        run.subscription.stopping.set()
        raise


def _poll(run: _Run) -> None:
    while not run.finished():
        count = run.wanted()
        if count <= 0:
            run.subscription.stopping.wait(0.05)  # the last claimed handlers are still running
            continue
        wait = _POLL_SECONDS if run.deadline is None else max(0.0, min(_POLL_SECONDS, run.deadline - time.monotonic()))
        try:
            batch = receive(run.transport, run.queue, count, wait, run.lease)
        except InfrarError as exc:
            _log.warning("receiving from %s failed, retrying in 1 s: %s", run.queue, exc)
            run.subscription.stopping.wait(1.0)
            continue
        run.hold(batch)
        batched = run.transport.ack_many is not None and run.transport.lease_many is not None
        handled: list[tuple[Message, str]] = []
        try:
            for message in batch:
                if run.finished() or not run.claim():
                    run.give_back(message)
                elif batched:
                    handled.append((message, _handle(run, message)))
                else:
                    _settle_one(run, message, _handle(run, message))
        finally:
            if handled:
                _settle_batch(run, handled)


def _keep_leases(run: _Run) -> None:
    while not run.subscription.stopping.wait(run.lease / 3):
        with run.lock:
            held = list(run.held.values())
        lease_many = run.transport.lease_many
        if lease_many is not None:  # one call for all; those settled meanwhile are ignored by it
            if held:
                _extend(run, "held messages", lease_many, [message._delivery.handle for message in held])
            continue
        for message in held:
            _extend(run, message.id, run.transport.extend_lease, message._delivery.handle)


def _extend(run: _Run, what: str, extend: Callable[[str, Any, float], None], handle: Any) -> None:
    try:
        extend(run.queue, handle, run.lease)
    except InfrarError as exc:  # the message may have been settled meanwhile
        _log.debug("could not extend the lease of %s on %s: %s", what, run.queue, exc)


def start(transport: Transport, queue: str, topic: str, handler: Callable[[Message], Any],
          max_messages: int | None, timeout: float | None, concurrency: int) -> Subscription:
    """Start ``concurrency`` workers and the lease keeper on ``queue``; the running ``Subscription``."""
    subscription = Subscription(queue, topic)
    run = _Run(transport, queue, handler, max_messages, timeout, subscription)
    targets = [_work] * concurrency + [_keep_leases]
    for number, target in enumerate(targets):
        # Each thread runs in a copy of the caller's context (provider selection, trace context).
        context = contextvars.copy_context()
        name = f"{queue}-lease" if target is _keep_leases else f"{queue}-worker-{number}"
        subscription.threads.append(threading.Thread(target=context.run, args=(target, run), name=name, daemon=True))
    for thread in subscription.threads:
        thread.start()
    return subscription

"""The values messaging hands back, one set for every provider: ``Message`` and ``Subscription``."""

from __future__ import annotations

import threading
import time
from typing import Any

from infrar.messaging.transport import Delivery, Transport


class Message:
    """One delivery of a message: its decoded ``body``, ``id``, ``attributes`` and ``delivery_count``.

    ``delivery_count`` is 1 on the first delivery and grows by one each time the message comes
    back (its lease expired, or it was released). ``msg["key"]`` reads a dict body.

    A message is settled once, by ``acknowledge()`` (done: delete it), ``release()`` (visible
    again at once, for redelivery) or ``dead_letter(reason)`` (moved to the dead-letter queue).
    Settling again, or after the lease was lost, is a no-op on every provider: the first
    settlement stands, and a lost lease means the message is redelivered (at-least-once).
    """

    def __init__(self, body: Any, transport: Transport, queue: str, delivery: Delivery,
                 attributes: dict[str, str]) -> None:
        self.body = body
        self.id = delivery.id
        self.attributes = attributes
        self.delivery_count = delivery.delivery_count
        self.outcome: str | None = None  # "acknowledged", "released" or "dead-lettered" once settled
        self._transport = transport
        self._queue = queue
        self._delivery = delivery

    def __getitem__(self, key: Any) -> Any:
        return self.body[key]

    def __repr__(self) -> str:
        return f"Message(id={self.id!r}, body={self.body!r}, delivery_count={self.delivery_count})"

    def acknowledge(self) -> None:
        """Done with it: the message is deleted and never delivered again."""
        if self._settle("acknowledged"):
            self._transport.ack(self._queue, self._delivery.handle)

    def release(self) -> None:
        """Give it back: visible again now, redelivered with ``delivery_count`` one higher."""
        if self._settle("released"):
            self._transport.release(self._queue, self._delivery.handle)

    def dead_letter(self, reason: str = "dead-lettered by the consumer") -> None:
        """Move it to ``<queue or subscription>-dead-letter``, where it can be read like any queue."""
        if self._settle("dead-lettered"):
            self._transport.dead_letter(self._queue, self._delivery, reason)

    def _settle(self, outcome: str) -> bool:
        if self.outcome is not None:
            return False
        self.outcome = outcome
        return True


class Subscription:
    """A running subscriber: delivery runs on background threads until ``stop()``.

    ``wait(timeout=None)`` blocks until the subscription ended (``max_messages`` acknowledged,
    its own ``timeout`` passed, or ``stop()``) and says whether it did; ``stop()`` lets the
    handlers in flight finish, gives back prefetched messages and returns when all threads
    have ended. ``acknowledged`` counts the messages whose handler returned. Use it as a
    context manager to stop it on leaving the block.
    """

    def __init__(self, name: str, topic: str) -> None:
        self.name = name
        self.topic = topic
        self.acknowledged = 0
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def __repr__(self) -> str:
        return f"Subscription(name={self.name!r}, topic={self.topic!r}, acknowledged={self.acknowledged})"

    def wait(self, timeout: float | None = None) -> bool:
        """True once the subscription has ended; False if ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self.threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self.threads)

    def stop(self) -> None:
        """Finish the handlers in flight, release what was prefetched, and end every thread."""
        self.stopping.set()
        self.wait()

    def __enter__(self) -> "Subscription":  # noqa: UP037 (erased code has no postponed annotations)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

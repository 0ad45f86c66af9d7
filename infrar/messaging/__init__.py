"""Topics and queues with the same delivery guarantees on local (SQLite), SNS/SQS, Pub/Sub and Service Bus.

A *queue* has consumers that share its messages (``send_message`` / ``receive_messages``); a
*topic* fans every message out to each of its subscriptions (``publish`` / ``subscribe``).
Messages are JSON values or ``bytes`` and come back as the same type. Delivery is
at-least-once: a message not acknowledged within its visibility timeout (30 s by default)
comes back with ``delivery_count`` one higher; after 5 deliveries it moves to the
``<queue or subscription>-dead-letter`` queue. See docs/messaging.md for the guarantees table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from infrar.dispatch import adapter as _adapter
from infrar.messaging.types import Message, Subscription

__all__ = ["Message", "Subscription", "publish", "receive_messages", "send_message", "subscribe"]

_DOMAIN = "messaging"


def publish(topic: str, message: Any, *, attributes: Mapping[str, str] | None = None,
            ordering_key: str | None = None) -> str:
    """Send ``message`` to every subscription of ``topic``; its message id.

    ``ordering_key``: on local, each subscription hands one key's messages to its handler one at a
    time, in publish order (a later one waits until the earlier one is acknowledged or
    dead-lettered). Pub/Sub receives it as the message's ordering key; standard SNS topics and
    Service Bus entities without sessions keep no order (see docs/messaging.md).
    """
    message_id: str = _adapter(_DOMAIN).publish(topic, message, attributes=attributes, ordering_key=ordering_key)
    return message_id


def subscribe(topic: str, handler: Callable[[Message], Any], *, subscription: str | None = None,
              max_messages: int | None = None, timeout: float | None = None, concurrency: int = 1) -> Subscription:
    """Deliver ``topic``'s messages to ``handler`` on background threads; the running ``Subscription``.

    The subscription is durable, named ``subscription`` (default ``<topic>-<script name>``, e.g.
    ``orders-worker`` for ``python worker.py``), and created when missing (clouds: only with
    INFRAR_CREATE_MISSING=1). A handler that returns acknowledges its message; one that raises
    releases it for redelivery and the exception is logged. It ends after ``max_messages``
    acknowledged messages, after ``timeout`` seconds, or at ``stop()``.
    """
    running: Subscription = _adapter(_DOMAIN).subscribe(
        topic, handler, subscription=subscription, max_messages=max_messages, timeout=timeout,
        concurrency=concurrency,
    )
    return running


def send_message(queue: str, message: Any, *, delay_seconds: int = 0,
                 attributes: Mapping[str, str] | None = None) -> str:
    """Put ``message`` on ``queue``, visible after ``delay_seconds`` (0-900); its message id."""
    message_id: str = _adapter(_DOMAIN).send_message(queue, message, delay_seconds=delay_seconds,
                                                     attributes=attributes)
    return message_id


def receive_messages(queue: str, max_count: int = 10, *, wait_seconds: float = 1,
                     visibility_timeout: float = 30) -> list[Message]:
    """Up to ``max_count`` (1-10) messages, waiting up to ``wait_seconds`` (0-20) for the first.

    Each is hidden from other consumers for ``visibility_timeout`` seconds: ``acknowledge()`` it
    when done, or it comes back.
    """
    messages: list[Message] = _adapter(_DOMAIN).receive_messages(
        queue, max_count, wait_seconds=wait_seconds, visibility_timeout=visibility_timeout
    )
    return messages

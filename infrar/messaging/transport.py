"""The primitives a provider supplies; everything else about delivery is shared code.

As in kombu's virtual transport, acknowledgement, release, redelivery counting, lease
extension while a handler runs, poison-message dead-lettering and the subscriber loop are
written once (``channel.py``, ``subscriber.py``, ``types.Message``). A provider's adapter
module defines these as module-level functions over its native client and bundles them in one
module-level ``Transport``::

    _SQS = Transport(receive=_receive, ack=_ack, release=_release,
                     extend_lease=_extend_lease, dead_letter=_dead_letter)

``queue`` below is the address a provider receives from: a queue's name, or a subscription's
(one SQS queue per SNS subscription; a Pub/Sub subscription; a Service Bus
``topic/subscriptions/name`` path). ``handle`` is whatever the provider needs to settle one
delivery (an SQS receipt handle, a Pub/Sub ack id, a Service Bus message, a local lease);
shared code never looks inside it.

- ``receive(queue, max_count, wait_seconds, visibility_timeout) -> list[Delivery]``: up to
  ``max_count`` deliveries, waiting at most ``wait_seconds`` for the first; each stays invisible
  to other consumers for ``visibility_timeout`` seconds unless settled or extended.
  ``Delivery.delivery_count`` is 1 on the first delivery and grows by one on each redelivery.
- ``ack(queue, handle)``: delete the message for good.
- ``release(queue, handle)``: make it visible again now (it will be redelivered).
- ``extend_lease(queue, handle, seconds)``: keep it invisible ``seconds`` from now.
- ``dead_letter(queue, delivery, reason)``: move it to ``<queue>-dead-letter`` (``reason``
  recorded where the service allows) and remove it from ``queue``.

Two more are optional, for services that settle several deliveries in one call (SQS's
DeleteMessageBatch and ChangeMessageVisibilityBatch); the subscriber loop uses them when given,
settling each received batch at its end instead of one call per message:

- ``ack_many(queue, handles)``: ``ack`` of each.
- ``lease_many(queue, handles, seconds)``: each invisible ``seconds`` from now (0: ``release``).

Settling a delivery whose lease was lost (it expired and another consumer may hold the
message) must not raise: the primitive ignores the service's "lock lost" / "invalid receipt"
error, because at-least-once delivery will hand the message out again anyway.

Besides these, an adapter writes its own ``send``, ``publish`` and create-or-check helpers
(``ensure_queue``, ``ensure_topic``, ``ensure_subscription``) and calls them from its public
methods; they need no shared semantics beyond ``rules.py`` and ``codec.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Delivery(NamedTuple):
    """One message as a provider hands it out, before decoding."""

    id: str
    data: bytes
    attributes: dict[str, str]  # as sent, including content-type and traceparent
    delivery_count: int
    handle: Any


class Transport(NamedTuple):
    """A provider's delivery primitives (see the module docstring for each one's contract)."""

    receive: Callable[[str, int, float, float], list[Delivery]]
    ack: Callable[[str, Any], None]
    release: Callable[[str, Any], None]
    extend_lease: Callable[[str, Any, float], None]
    dead_letter: Callable[[str, Delivery, str], None]
    ack_many: Callable[[str, list[Any]], None] | None = None
    lease_many: Callable[[str, list[Any], float], None] | None = None

"""Messaging on Pub/Sub through google-cloud-pubsub: the shared channel over Pub/Sub's primitives.

A topic is a Pub/Sub topic and each subscription a Pub/Sub subscription (fan-out is
Pub/Sub's). A queue is a topic with one subscription of the same name. Every subscription
infrar creates has a 30 s ack deadline and a dead-letter policy (5 delivery attempts) to the
topic ``<name>-dead-letter``, itself with a subscription of that name so dead letters are kept
and can be read like a queue. ``delivery_count`` is Pub/Sub's delivery attempt, which the
dead-letter policy turns on. A missing topic, queue or subscription is NotFound naming it,
unless INFRAR_CREATE_MISSING=1, when it is created with that wiring.

A queue made by ``infrar infra`` with ``fifo: true`` has a subscription with message ordering:
``send_message`` then publishes with the queue's name as the ordering key, so Pub/Sub hands its
messages out in send order and holds the later ones back while a pulled batch is unsettled.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from google.api_core import exceptions as api

from infrar.errors import InvalidArgument, NotFound
from infrar.messaging import subscriber
from infrar.messaging.channel import outgoing, receive
from infrar.messaging.rules import (
    DEAD_LETTER_SUFFIX,
    DEFAULT_VISIBILITY_TIMEOUT,
    MAX_DELAY_SECONDS,
    MAX_DELIVERIES,
    check_name,
    check_ordering_key,
    check_queue,
    check_seconds,
    create_missing,
    dead_letter_name,
    receive_settings,
    subscribe_settings,
)
from infrar.messaging.transport import Delivery, Transport
from infrar.messaging.types import Message, Subscription
from infrar.providers._names import deployed_name
from infrar.providers.gcp._clients import pubsub
from infrar.providers.gcp.messaging_errors import SDK_ERRORS, translate_error

_log = logging.getLogger(__name__)
_LIMIT = 10_000_000
_WHERE = "Pub/Sub (10 MB)"
_MAX_DEADLINE = 600  # Pub/Sub's longest ack deadline
_POLL_S = 0.05  # how often an empty pull is repeated within wait_seconds (the emulator answers at once)


def _topic_path(name: str) -> str:
    """The Pub/Sub topic of program topic or queue ``name``: the name infra deployed it under
    (TOPIC_NAME_<TOPIC>, else QUEUE_NAME_<QUEUE>: a queue is a topic and a subscription), else ``name``."""
    topic = deployed_name("topic", name)
    return pubsub.topic_path(topic if topic != name else deployed_name("queue", name))


def _subscription_path(name: str) -> str:
    """The Pub/Sub subscription of queue ``name`` (QUEUE_NAME_<QUEUE>; dead letters by their own program name)."""
    return pubsub.subscription_path(deployed_name("queue", name))


def _create_topic(topic: str) -> None:
    try:
        pubsub.publisher().create_topic(name=_topic_path(topic))
    except api.AlreadyExists:
        pass


def _create_subscription(name: str, topic: str) -> None:
    """Subscription ``name`` on ``topic`` (created too), with its dead-letter topic and subscription."""
    _create_topic(topic)
    request: dict[str, Any] = {"name": _subscription_path(name), "topic": _topic_path(topic),
                               "ack_deadline_seconds": int(DEFAULT_VISIBILITY_TIMEOUT)}
    if not name.endswith(DEAD_LETTER_SUFFIX):
        dead = dead_letter_name(name)
        _create_subscription(dead, dead)
        request["dead_letter_policy"] = {"dead_letter_topic": _topic_path(dead),
                                         "max_delivery_attempts": MAX_DELIVERIES}
    try:
        pubsub.subscriber().create_subscription(request=request)
    except api.AlreadyExists:
        pass


def _publish(topic: str, kind: str, message: dict[str, Any], create: Callable[[], None]) -> str:
    """Publish one message to ``topic``; ``create`` makes what is missing when INFRAR_CREATE_MISSING=1."""
    path = _topic_path(topic)
    try:
        try:
            answer = pubsub.publisher().publish(topic=path, messages=[message])
        except api.NotFound:
            if not create_missing():
                raise
            create()
            answer = pubsub.publisher().publish(topic=path, messages=[message])
    except api.NotFound as exc:
        feeder = _feeding_topic(topic) if kind == "queue" else None
        if feeder is None:
            raise translate_error(exc, kind, topic) from exc
        raise NotFound(f"queue {topic!r} has no topic of its own on gcp: its subscription is on topic {feeder!r}, "
                       "which feeds it; publish to that topic, or give the queue no subscribed topics to send "
                       "to it directly") from exc
    except SDK_ERRORS as exc:
        raise translate_error(exc, kind, topic) from exc
    return str(answer.message_ids[0])


def _feeding_topic(queue: str) -> str | None:
    """The topic another queue's subscription is on when ``queue`` has no topic of its own, else None."""
    try:
        found = pubsub.subscriber().get_subscription(subscription=_subscription_path(queue)).topic
    except SDK_ERRORS:
        return None  # no subscription either, or no right to read it: the plain NotFound says enough
    name = str(found).rsplit("/", 1)[-1]
    return None if found == _topic_path(queue) or name == "_deleted-topic_" else name


def _pull(queue: str, max_count: int, wait_seconds: float) -> list[Any]:
    path = _subscription_path(queue)
    try:
        try:
            answer = pubsub.subscriber().pull(subscription=path, max_messages=max_count, timeout=max(wait_seconds, 1))
        except api.DeadlineExceeded:
            return []
        except api.NotFound:
            if not create_missing():
                raise
            _create_subscription(queue, queue)
            return []
    except SDK_ERRORS as exc:
        raise translate_error(exc, "queue", queue) from exc
    return list(answer.received_messages)


def _modify(queue: str, ack_ids: list[str], seconds: float) -> None:
    try:
        pubsub.subscriber().modify_ack_deadline(subscription=_subscription_path(queue), ack_ids=ack_ids,
                                                ack_deadline_seconds=min(_MAX_DEADLINE, math.ceil(seconds)))
    except SDK_ERRORS as exc:
        raise translate_error(exc, "queue", queue) from exc


def _receive(queue: str, max_count: int, wait_seconds: float, visibility_timeout: float) -> list[Delivery]:
    deadline = time.monotonic() + wait_seconds
    received = _pull(queue, max_count, wait_seconds)
    while not received and time.monotonic() < deadline:
        time.sleep(min(_POLL_S, max(0.0, deadline - time.monotonic())))
        received = _pull(queue, max_count, deadline - time.monotonic())
    if received and visibility_timeout != DEFAULT_VISIBILITY_TIMEOUT:  # the deadline infrar creates with
        _modify(queue, [item.ack_id for item in received], visibility_timeout)
    # delivery_attempt is 0 on a subscription without a dead-letter policy: count that as a first delivery.
    return [Delivery(item.message.message_id, bytes(item.message.data), dict(item.message.attributes),
                     max(1, item.delivery_attempt), item.ack_id) for item in received]


def _ack_many(queue: str, handles: list[Any]) -> None:
    try:
        pubsub.subscriber().acknowledge(subscription=_subscription_path(queue), ack_ids=handles)
    except SDK_ERRORS as exc:
        raise translate_error(exc, "queue", queue) from exc


def _ack(queue: str, handle: Any) -> None:
    _ack_many(queue, [handle])


def _release(queue: str, handle: Any) -> None:
    _modify(queue, [handle], 0)


def _extend_lease(queue: str, handle: Any, seconds: float) -> None:
    _modify(queue, [handle], seconds)


def _dead_letter(queue: str, delivery: Delivery, reason: str) -> None:
    dead = dead_letter_name(queue)
    _publish(dead, "queue", {"data": delivery.data, "attributes": delivery.attributes},
             lambda: _create_subscription(dead, dead))
    _ack(queue, delivery.handle)


# Acknowledge and ModifyAckDeadline take many ack ids: the subscriber settles a batch in one call each.
_PUBSUB = Transport(receive=_receive, ack=_ack, release=_release, extend_lease=_extend_lease,
                    dead_letter=_dead_letter, ack_many=_ack_many, lease_many=_modify)


def _ordering_key(queue: str) -> str:
    """``queue`` when its subscription orders messages (a FIFO queue), else "" (no key: no per-key limit)."""
    if queue not in pubsub.ordered:
        try:
            found = pubsub.subscriber().get_subscription(subscription=_subscription_path(queue))
            pubsub.ordered[queue] = bool(found.enable_message_ordering)
        except api.NotFound:
            return ""  # not made yet: the publish says so, or creates it unordered
        except api.PermissionDenied as exc:  # a sender may lack pubsub.subscriptions.get
            _log.warning("cannot read subscription %r (%s); sending to queue %r without ordering: grant "
                         "pubsub.subscriptions.get to keep a FIFO queue in order", queue, exc.message, queue)
            pubsub.ordered[queue] = False
        except SDK_ERRORS as exc:
            raise translate_error(exc, "queue", queue) from exc
    return queue if pubsub.ordered[queue] else ""


def _ensure_subscription(topic: str, name: str) -> None:
    try:
        try:
            found = pubsub.subscriber().get_subscription(subscription=_subscription_path(name))
        except api.NotFound:
            if not create_missing():
                raise
            _create_subscription(name, topic)
            return
    except SDK_ERRORS as exc:
        raise translate_error(exc, "subscription", name) from exc
    if found.topic != _topic_path(topic):
        raise InvalidArgument(f"subscription {name!r} belongs to {found.topic}, not topic {topic!r}; name another one")


class GcpMessaging:
    """Adapter for INFRAR_PROVIDER=gcp."""

    def publish(self, topic: str, message: Any, *, attributes: Mapping[str, str] | None = None,
                ordering_key: str | None = None) -> str:
        data, sent = outgoing(message, attributes, check_name("topic", topic), _LIMIT, _WHERE)
        wire = {"data": data, "attributes": sent, "ordering_key": check_ordering_key(ordering_key) or ""}
        return _publish(topic, "topic", wire, lambda: _create_topic(topic))

    def subscribe(self, topic: str, handler: Callable[[Message], Any], *, subscription: str | None = None,
                  max_messages: int | None = None, timeout: float | None = None,
                  concurrency: int = 1) -> Subscription:
        name, handler, limit, ends, workers = subscribe_settings(topic, handler, subscription, max_messages,
                                                                 timeout, concurrency)
        _ensure_subscription(topic, name)
        return subscriber.start(_PUBSUB, name, topic, handler, limit, ends, workers)

    def send_message(self, queue: str, message: Any, *, delay_seconds: int = 0,
                     attributes: Mapping[str, str] | None = None) -> str:
        data, sent = outgoing(message, attributes, check_queue(queue), _LIMIT, _WHERE)
        if check_seconds("delay_seconds", delay_seconds, 0, MAX_DELAY_SECONDS) > 0:
            raise InvalidArgument(f"Pub/Sub cannot delay a message (delay_seconds={delay_seconds}); send it "
                                  "later, or use delay_seconds=0")
        wire = {"data": data, "attributes": sent, "ordering_key": _ordering_key(queue)}
        return _publish(queue, "queue", wire, lambda: _create_subscription(queue, queue))

    def receive_messages(self, queue: str, max_count: int = 10, *, wait_seconds: float = 1,
                         visibility_timeout: float = 30) -> list[Message]:
        count, wait, lease = receive_settings(queue, max_count, wait_seconds, visibility_timeout)
        if lease > _MAX_DEADLINE:
            raise InvalidArgument(f"visibility_timeout {lease:g} is over Pub/Sub's ack deadline limit of 600 s")
        return receive(_PUBSUB, queue, count, wait, lease)

"""Messaging on Azure Service Bus through azure-servicebus: the shared channel over Service Bus's primitives.

A queue is a Service Bus queue; a topic is a Service Bus topic and each subscription a topic
subscription (fan-out is Service Bus's), received from ``<topic>/subscriptions/<name>``. Bodies
travel as one binary data section with the native ``content_type`` (``application/json`` or
``application/octet-stream``); attributes are application properties. Entities infrar creates
have a 30 s lock duration, a max delivery count of 5 and dead-lettering on expiry, and forward
their dead letters to a queue ``<name>-dead-letter``, read like any queue. A missing topic,
queue or subscription is NotFound naming it, unless INFRAR_CREATE_MISSING=1, when it is created
(with that wiring) through the administration client. Configuration: see ``_clients/servicebus``.

Order: a queue send carries the queue's name as its session id, and a publish its
``ordering_key``; an entity with sessions (``infrar infra``'s ``fifo: true`` makes a queue so)
then keeps each session in order, read one session at a time (``messaging_transport``). An
entity without sessions ignores the id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.servicebus import ServiceBusMessage

from infrar.errors import InvalidArgument
from infrar.messaging import subscriber
from infrar.messaging.channel import outgoing, receive
from infrar.messaging.rules import (
    CONTENT_TYPE,
    DEAD_LETTER_SUFFIX,
    DEFAULT_VISIBILITY_TIMEOUT,
    KIB,
    MAX_DELAY_SECONDS,
    MAX_DELIVERIES,
    check_name,
    check_ordering_key,
    check_queue,
    check_seconds,
    create_missing,
    dead_letter_name,
    missing,
    receive_settings,
    subscribe_settings,
)
from infrar.messaging.types import Message, Subscription
from infrar.providers._names import deployed_name
from infrar.providers.azure._clients import servicebus
from infrar.providers.azure.messaging_errors import GONE, LIMIT_NAME, SDK_ERRORS, translate_error
from infrar.providers.azure.messaging_transport import SERVICE_BUS

_LIMIT = 256 * KIB
_SESSION_ID_LIMIT = 128  # characters Service Bus allows in a session id
# What every entity infrar creates gets: the shared lease, the poison rule, dead letters kept.
_ENTITY = {"lock_duration": timedelta(seconds=DEFAULT_VISIBILITY_TIMEOUT), "max_delivery_count": MAX_DELIVERIES,
           "dead_lettering_on_message_expiration": True}
def _ignore_existing(create: Callable[..., Any], *names: str, **settings: Any) -> None:
    try:
        create(*names, **settings)
    except ResourceExistsError:  # made by another process meanwhile
        pass


def _ensure_queue(queue: str) -> None:
    """Queue ``queue`` with its dead-letter queue (a ``-dead-letter`` queue is a plain one)."""
    admin = servicebus.administration()
    try:
        admin.get_queue(queue)
        return
    except ResourceNotFoundError:
        pass
    if queue.endswith(DEAD_LETTER_SUFFIX):
        _ignore_existing(admin.create_queue, queue)
        return
    _ensure_queue(dead_letter_name(queue))
    _ignore_existing(admin.create_queue, queue, forward_dead_lettered_messages_to=dead_letter_name(queue), **_ENTITY)


def _ensure_topic(topic: str) -> None:
    admin = servicebus.administration()
    try:
        admin.get_topic(topic)
    except ResourceNotFoundError:
        _ignore_existing(admin.create_topic, topic)


def _ensure_subscription(topic: str, name: str) -> None:
    _ensure_topic(topic)
    admin = servicebus.administration()
    try:
        admin.get_subscription(topic, name)
        return
    except ResourceNotFoundError:
        pass
    _ensure_queue(dead_letter_name(name))
    _ignore_existing(admin.create_subscription, topic, name,
                     forward_dead_lettered_messages_to=dead_letter_name(name), **_ENTITY)


def _prepare(kind: str, name: str, create: Callable[[], None]) -> None:
    """Create ``name`` when missing and INFRAR_CREATE_MISSING=1 (once per process); else nothing."""
    if not create_missing():
        return
    try:
        key = f"{kind}:{name}"
        if key not in servicebus.created:
            create()
            servicebus.created.add(key)
    except SDK_ERRORS as exc:
        raise translate_error(exc, kind, name) from exc


def _send(kind: str, entity: str, message: Any, attributes: Mapping[str, str] | None, **options: Any) -> str:
    data, sent = outgoing(message, attributes, entity, _LIMIT, LIMIT_NAME)
    content_type = sent.pop(CONTENT_TYPE)
    message_id = uuid.uuid4().hex
    properties: dict[str | bytes, Any] = {key: value for key, value in sent.items()}
    native = ServiceBusMessage(data, content_type=content_type, message_id=message_id,
                               application_properties=properties or None, **options)
    handler = servicebus.sender(entity)
    with handler.lock:
        try:
            handler.client.send_messages(native)
        except SDK_ERRORS as exc:
            if isinstance(exc, GONE):
                servicebus.forget(entity)
            raise translate_error(exc, kind, entity) from exc
    return message_id


def _session_id(ordering_key: str | None) -> dict[str, str]:
    """The send option that puts a message in session ``ordering_key`` (none for None)."""
    if ordering_key is None:
        return {}
    if len(ordering_key) > _SESSION_ID_LIMIT:
        raise InvalidArgument(f"ordering_key of {len(ordering_key)} characters is over Service Bus's session id "
                              f"limit of {_SESSION_ID_LIMIT}; use a shorter key (a hash of it, say)")
    return {"session_id": ordering_key}


def _check_subscription(topic: str, name: str) -> str:
    """The receiver path of subscription ``name`` of ``topic``, which must exist (or be created)."""
    _prepare("subscription", f"{topic}/{name}", lambda: _ensure_subscription(topic, name))
    source = f"{topic}{servicebus.SUBSCRIPTIONS}{name}"
    try:
        servicebus.receiver(source)
    except GONE as exc:
        raise missing("subscription", name, "azure") from exc
    except SDK_ERRORS as exc:
        if not servicebus.requires_sessions(exc):  # a session subscription exists: it is read by session
            raise translate_error(exc, "subscription", name) from exc
    return source


class AzureMessaging:
    """Adapter for INFRAR_PROVIDER=azure."""

    def publish(self, topic: str, message: Any, *, attributes: Mapping[str, str] | None = None,
                ordering_key: str | None = None) -> str:
        session = _session_id(check_ordering_key(ordering_key))  # kept in order by session subscriptions
        entity = deployed_name("topic", check_name("topic", topic))  # the name infra deployed it under
        _prepare("topic", entity, lambda: _ensure_topic(entity))
        return _send("topic", entity, message, attributes, **session)

    def subscribe(self, topic: str, handler: Callable[[Message], Any], *, subscription: str | None = None,
                  max_messages: int | None = None, timeout: float | None = None,
                  concurrency: int = 1) -> Subscription:
        name, handler, limit, ends, workers = subscribe_settings(topic, handler, subscription, max_messages,
                                                                 timeout, concurrency)
        # the topic by its deployed name; its subscriptions keep the program's names (unique within it)
        source = _check_subscription(deployed_name("topic", topic), name)
        return subscriber.start(SERVICE_BUS, source, topic, handler, limit, ends, workers)

    def send_message(self, queue: str, message: Any, *, delay_seconds: int = 0,
                     attributes: Mapping[str, str] | None = None) -> str:
        entity = deployed_name("queue", check_queue(queue))  # the name infra deployed it under
        _prepare("queue", entity, lambda: _ensure_queue(entity))
        delay = check_seconds("delay_seconds", delay_seconds, 0, MAX_DELAY_SECONDS)
        options = {"scheduled_enqueue_time_utc": datetime.now(timezone.utc) + timedelta(seconds=delay)} if delay else {}
        # The queue's own name as session id: a session queue (fifo: true) needs one, and keeps one order.
        # (Any one id does; names past the id limit are cut to it.)
        return _send("queue", entity, message, attributes, session_id=queue[:_SESSION_ID_LIMIT], **options)

    def receive_messages(self, queue: str, max_count: int = 10, *, wait_seconds: float = 1,
                         visibility_timeout: float = 30) -> list[Message]:
        count, wait, lease = receive_settings(queue, max_count, wait_seconds, visibility_timeout)
        entity = deployed_name("queue", queue)  # dead letters too, by their own program name <queue>-dead-letter
        _prepare("queue", entity, lambda: _ensure_queue(entity))
        return receive(SERVICE_BUS, entity, count, wait, lease)

"""A FIFO queue as ``infrar infra`` makes it on Azure (``fifo: true``: a session queue), and ordered topics.

On the Service Bus test broker with the real SDK. The entities are laid out as
modules/azure/servicebus_queue does for ``fifo: true``: ``requires_session``, a lock of 30 s, five
deliveries, dead letters forwarded to the plain queue ``<name>-dead-letter``. The adapter is
not allowed to create anything (no INFRAR_CREATE_MISSING), so it finds out about sessions itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from infrar import dispatch, messaging
from infrar.errors import InvalidArgument
from infrar.messaging import Message
from infrar.messaging.rules import DEFAULT_VISIBILITY_TIMEOUT, MAX_DELIVERIES
from infrar.providers.azure._clients import servicebus as clients
from infrar.testing.servicebus import ServiceBusService
from tests.messaging._ordered import handle_in_order_and_check, publish_interleaved
from tests.messaging.azure_support import entity_name, servicebus

__all__ = ["entity_name", "servicebus"]  # fixtures

PER_KEY = 6


@pytest.fixture
def azure(servicebus: ServiceBusService, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceBusService]:
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    monkeypatch.setenv("AZURE_SERVICEBUS_CONNECTION_STRING", servicebus.connection_string)
    monkeypatch.delenv("AZURE_SERVICEBUS_NAMESPACE", raising=False)
    monkeypatch.delenv("INFRAR_CREATE_MISSING", raising=False)
    dispatch.reset()
    clients.reset()
    yield servicebus
    clients.reset()


def _session_entity(azure: ServiceBusService, name: str, topic: str | None = None) -> None:
    azure.create_queue(f"{name}-dead-letter")
    settings = {"lock_duration": float(DEFAULT_VISIBILITY_TIMEOUT), "max_delivery_count": MAX_DELIVERIES,
                "forward_dead_letters_to": f"{name}-dead-letter", "requires_session": True}
    if topic is None:
        azure.create_queue(name, **settings)  # type: ignore[arg-type]
    else:
        azure.create_subscription(topic, name, **settings)  # type: ignore[arg-type]


@pytest.fixture
def fifo_queue(azure: ServiceBusService, entity_name: str) -> str:
    _session_entity(azure, entity_name)
    return entity_name


def _one(queue: str) -> tuple[int, int]:
    [message] = messaging.receive_messages(queue, 10, wait_seconds=1)  # one at a time: the queue is one session
    message.acknowledge()
    return message["n"], message.delivery_count


def test_messages_come_out_in_send_order_and_a_released_one_before_the_later_ones(fifo_queue: str) -> None:
    for n in (0, 1, 2, 0):
        messaging.send_message(fifo_queue, {"n": n})
    assert _one(fifo_queue) == (0, 1)
    [held] = messaging.receive_messages(fifo_queue, 10, wait_seconds=1)
    assert messaging.receive_messages(fifo_queue, wait_seconds=0) == []  # its session is held: the rest wait
    held.release()
    assert [_one(fifo_queue) for _ in range(3)] == [(1, 2), (2, 1), (0, 1)]
    assert messaging.receive_messages(fifo_queue, wait_seconds=0) == []


def test_a_poison_message_reaches_the_fifo_dead_letter_queue(fifo_queue: str) -> None:
    messaging.send_message(fifo_queue, "poison")
    for _ in range(MAX_DELIVERIES):
        [message] = messaging.receive_messages(fifo_queue, 1, wait_seconds=1)
        message.release()
    assert messaging.receive_messages(fifo_queue, wait_seconds=0) == []
    [dead] = messaging.receive_messages(fifo_queue + "-dead-letter", wait_seconds=1)
    assert dead.body == "poison"


def test_a_topics_keys_are_handled_one_at_a_time_in_publish_order_by_several_workers(
        azure: ServiceBusService, entity_name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="infrar.messaging")  # the failures below are meant (restored after)
    topic, subscription = entity_name, entity_name + "-ordered"
    azure.create_topic(topic)
    _session_entity(azure, subscription, topic)
    publish_interleaved(topic, PER_KEY)
    handle_in_order_and_check(topic, subscription, PER_KEY, concurrency=3, timeout=60, dead_letter_wait=2)


def test_a_handler_longer_than_the_session_lock_keeps_its_message(azure: ServiceBusService, entity_name: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 s lock, a handler of 2.5 s: the subscriber renews the session's lock (renew-session-lock)."""
    monkeypatch.setenv("INFRAR_MESSAGING_LEASE_SECONDS", "1")
    azure.create_topic(entity_name)
    azure.create_subscription(entity_name, "slow", lock_duration=1, requires_session=True)
    seen: list[int] = []

    def handler(message: Message) -> None:
        seen.append(message.delivery_count)
        time.sleep(2.5)

    with messaging.subscribe(entity_name, handler, subscription="slow", max_messages=1) as running:
        messaging.publish(entity_name, "long job", ordering_key="k")
        assert running.wait(20)
    assert seen == [1]
    assert azure.count(f"{entity_name}/Subscriptions/slow") == 0


def test_a_session_whose_lock_ran_out_comes_back_with_its_message(azure: ServiceBusService,
                                                                  entity_name: str) -> None:
    azure.create_queue(entity_name, lock_duration=1, requires_session=True)
    messaging.send_message(entity_name, "first")
    messaging.send_message(entity_name, "second")
    [held] = messaging.receive_messages(entity_name, wait_seconds=1)
    time.sleep(1.5)  # past the session's lock: Service Bus takes the session (and the message) back
    [again] = messaging.receive_messages(entity_name, wait_seconds=1)
    assert (again.body, again.delivery_count) == ("first", 2)
    held.acknowledge()  # its lock is gone: a no-op
    again.acknowledge()
    [last] = messaging.receive_messages(entity_name, wait_seconds=1)
    assert last.body == "second"
    last.acknowledge()


def test_an_ordering_key_over_the_session_id_limit_is_refused_before_sending(azure: ServiceBusService,
                                                                             entity_name: str) -> None:
    with pytest.raises(InvalidArgument, match=r"ordering_key of 129 characters .* session id limit of 128"):
        messaging.publish(entity_name, "x", ordering_key="k" * 129)

"""The azure messaging adapter's own paths: configuration, entity creation, lock renewal, dead letters.

Entity creation goes through ``ServiceBusAdministrationClient`` (HTTPS), which the test broker
cannot serve: ``BrokerAdministration`` stands in for that client and these tests assert the
exact calls. Everything else is the real SDK against the broker.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from azure.identity import DefaultAzureCredential
from azure.servicebus import ServiceBusClient

from infrar import dispatch, messaging
from infrar.errors import ConfigurationError, NotFound
from infrar.providers.azure._clients import servicebus as clients
from infrar.providers.azure.messaging_transport import SERVICE_BUS
from infrar.testing.servicebus import ServiceBusService
from tests.messaging._helpers import receive_all
from tests.messaging.azure_provider import BrokerAdministration
from tests.messaging.azure_support import entity_name, servicebus

__all__ = ["entity_name", "servicebus"]  # fixtures

ENTITY = {"lock_duration": timedelta(seconds=30), "max_delivery_count": 5, "dead_lettering_on_message_expiration": True}


@pytest.fixture
def azure(servicebus: ServiceBusService, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceBusService]:
    """INFRAR_PROVIDER=azure on the broker, entities made by the test (no INFRAR_CREATE_MISSING)."""
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    monkeypatch.setenv("AZURE_SERVICEBUS_CONNECTION_STRING", servicebus.connection_string)
    monkeypatch.delenv("AZURE_SERVICEBUS_NAMESPACE", raising=False)
    monkeypatch.delenv("INFRAR_CREATE_MISSING", raising=False)
    dispatch.reset()
    clients.reset()
    yield servicebus
    clients.reset()


@pytest.fixture
def administration(azure: ServiceBusService, monkeypatch: pytest.MonkeyPatch) -> BrokerAdministration:
    monkeypatch.setenv("INFRAR_CREATE_MISSING", "1")
    stand_in = BrokerAdministration(azure)
    monkeypatch.setattr(clients, "administration", lambda: stand_in)
    return stand_in


def test_a_missing_queue_is_created_with_its_dead_letter_queue(administration: BrokerAdministration,
                                                               entity_name: str) -> None:
    messaging.send_message(entity_name, {"n": 1})
    messaging.send_message(entity_name, {"n": 2})  # once per process: no more administration calls
    dead = f"{entity_name}-dead-letter"
    assert administration.calls == [
        ("get_queue", (entity_name,), {}),
        ("get_queue", (dead,), {}),
        ("create_queue", (dead,), {}),
        ("create_queue", (entity_name,), {"forward_dead_lettered_messages_to": dead, **ENTITY}),
    ]
    assert [m.body for m in receive_all(entity_name, 2)] == [{"n": 1}, {"n": 2}]


def test_a_missing_topic_and_subscription_are_created(administration: BrokerAdministration, entity_name: str) -> None:
    with messaging.subscribe(entity_name, lambda m: None, subscription=f"{entity_name}-s", timeout=0.1):
        pass
    subscription, dead = f"{entity_name}-s", f"{entity_name}-s-dead-letter"
    assert administration.calls == [
        ("get_topic", (entity_name,), {}),
        ("create_topic", (entity_name,), {}),
        ("get_subscription", (entity_name, subscription), {}),
        ("get_queue", (dead,), {}),
        ("create_queue", (dead,), {}),
        ("create_subscription", (entity_name, subscription),
         {"forward_dead_lettered_messages_to": dead, **ENTITY}),
    ]


def test_existing_entities_are_not_created_again(administration: BrokerAdministration, entity_name: str) -> None:
    administration.broker.create_queue(entity_name)
    messaging.send_message(entity_name, "x")
    assert administration.calls == [("get_queue", (entity_name,), {})]


@pytest.mark.parametrize("call", ["send", "publish", "subscribe", "receive"])
def test_missing_entities_are_not_found_naming_them_and_infra(azure: ServiceBusService, entity_name: str,
                                                              call: str) -> None:
    with pytest.raises(NotFound) as caught:
        if call == "send":
            messaging.send_message(entity_name, 1)
        elif call == "publish":
            messaging.publish(entity_name, 1)
        elif call == "subscribe":
            azure.create_topic(entity_name)
            messaging.subscribe(entity_name, lambda m: None, subscription=f"{entity_name}-s")
        else:
            messaging.receive_messages(entity_name, wait_seconds=0)
    assert entity_name in str(caught.value) and "infrar infra --provider azure" in str(caught.value)


def test_a_handler_longer_than_the_lock_keeps_its_message(azure: ServiceBusService, entity_name: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 s lock, a handler of 2.5 s: the subscriber renews the lock (renew-lock over $management)."""
    monkeypatch.setenv("INFRAR_MESSAGING_LEASE_SECONDS", "1")
    azure.create_topic(entity_name)
    azure.create_subscription(entity_name, "slow", lock_duration=1)
    seen: list[int] = []

    def handler(message: messaging.Message) -> None:
        seen.append(message.delivery_count)
        time.sleep(2.5)

    with messaging.subscribe(entity_name, handler, subscription="slow", max_messages=1) as running:
        messaging.publish(entity_name, "long job")
        assert running.wait(20)
    assert seen == [1]
    assert azure.count(f"{entity_name}/Subscriptions/slow") == 0


def test_renewal_calls_the_receivers_renew_message_lock(azure: ServiceBusService, entity_name: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The lease keeper's extension is exactly ``renew_message_lock(message)`` on the receiver that got it."""
    azure.create_queue(entity_name)
    messaging.send_message(entity_name, "x")
    [message] = receive_all(entity_name, 1)
    receiver = clients.receiver(entity_name).client
    calls: list[object] = []
    real = receiver.renew_message_lock
    monkeypatch.setattr(receiver, "renew_message_lock", lambda m, **kw: calls.append((m, kw)) or real(m, **kw))
    before = message._delivery.handle.message.locked_until_utc
    time.sleep(0.05)  # the broker stamps locks in milliseconds
    SERVICE_BUS.extend_lease(entity_name, message._delivery.handle, 30)
    assert calls == [(message._delivery.handle.message, {})]
    assert message._delivery.handle.message.locked_until_utc > before
    message.acknowledge()


def test_dead_letters_of_an_entity_without_forwarding_are_read_from_its_subqueue(azure: ServiceBusService,
                                                                                  entity_name: str) -> None:
    azure.create_queue(entity_name)  # made elsewhere: dead letters stay in its $DeadLetterQueue
    messaging.send_message(entity_name, {"bad": True})
    [message] = receive_all(entity_name, 1)
    message.dead_letter("cannot parse")
    [dead] = receive_all(f"{entity_name}-dead-letter", 1)
    assert dead.body == {"bad": True}
    dead.acknowledge()
    assert azure.count(f"{entity_name}/$DeadLetterQueue") == 0


def test_a_shorter_visibility_timeout_gives_the_message_back_at_its_end(azure: ServiceBusService,
                                                                        entity_name: str) -> None:
    azure.create_queue(entity_name)  # a 30 s lock
    messaging.send_message(entity_name, "soon")
    [first] = messaging.receive_messages(entity_name, wait_seconds=5, visibility_timeout=0.5)
    [again] = receive_all(entity_name, 1)  # abandoned after 0.5 s, long before the lock ends
    assert (again.id, again.delivery_count) == (first.id, 2)
    first.acknowledge()  # lease lost: a no-op
    again.acknowledge()
    assert azure.count(entity_name) == 0


def test_namespace_signs_in_with_default_azure_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_SERVICEBUS_CONNECTION_STRING", raising=False)
    monkeypatch.setenv("AZURE_SERVICEBUS_NAMESPACE", "example.servicebus.windows.net")
    clients.reset()
    try:
        built = clients.client()  # building connects to nothing
        assert isinstance(built, ServiceBusClient)
        assert built.fully_qualified_namespace == "example.servicebus.windows.net"
        assert isinstance(built._credential, DefaultAzureCredential)
    finally:
        clients.reset()


def test_without_configuration_it_says_which_variables_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_SERVICEBUS_CONNECTION_STRING", raising=False)
    monkeypatch.delenv("AZURE_SERVICEBUS_NAMESPACE", raising=False)
    clients.reset()
    with pytest.raises(ConfigurationError, match=r"AZURE_SERVICEBUS_CONNECTION_STRING.*AZURE_SERVICEBUS_NAMESPACE"):
        clients.client()


def test_a_bad_connection_string_is_refused_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_SERVICEBUS_CONNECTION_STRING", "SharedAccessKey=s3cr3t-key;nonsense")
    clients.reset()
    with pytest.raises(ConfigurationError) as caught:
        clients.client()
    assert "s3cr3t" not in str(caught.value)
    clients.reset()


def test_handlers_are_opened_once_per_entity_across_threads(azure: ServiceBusService, entity_name: str) -> None:
    azure.create_queue(entity_name)
    opened = []
    threads = [threading.Thread(target=lambda: opened.append(clients.sender(entity_name))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(handler) for handler in opened}) == 1


def test_a_forked_child_opens_links_of_its_own(azure: ServiceBusService, entity_name: str) -> None:
    azure.create_queue(entity_name)
    messaging.send_message(entity_name, "parent")  # the parent's sender is open now
    pid = os.fork()
    if pid == 0:  # the child: sending on the parent's socket would corrupt both
        try:
            messaging.send_message(entity_name, "child")
        finally:
            os._exit(0 if azure.count(entity_name) == 2 else 1)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    messaging.send_message(entity_name, "parent again")
    assert sorted(m.body for m in receive_all(entity_name, 3)) == ["child", "parent", "parent again"]

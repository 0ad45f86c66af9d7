"""Azure in the messaging behaviour suite: the adapter and the real SDK against the Service Bus test broker.

The data plane (send, receive, settle, renew) is real AMQP to the broker. Creating entities
is not: Service Bus does it over HTTPS through ``ServiceBusAdministrationClient``, which the
broker does not serve, so ``BrokerAdministration`` stands in for that one client. It performs
each call on the broker (``$infrar/control``) and records it; ``test_servicebus_adapter``
asserts the exact calls the adapter makes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from infrar.providers.azure._clients import servicebus as clients
from infrar.testing.servicebus import ServiceBusService


class BrokerAdministration:
    """The ServiceBusAdministrationClient methods the adapter uses, done on the test broker."""

    def __init__(self, broker: ServiceBusService) -> None:
        self.broker = broker
        self.calls: list[tuple[str, tuple[str, ...], dict[str, Any]]] = []

    def _get(self, call: str, path: str, *names: str) -> dict[str, str]:
        self.calls.append((call, names, {}))
        if not self.broker.exists(path):
            raise ResourceNotFoundError(f"{path} does not exist")
        return {"name": names[-1]}

    def _create(self, call: str, path: str, names: tuple[str, ...], settings: dict[str, Any]) -> None:
        self.calls.append((call, names, settings))
        if self.broker.exists(path):
            raise ResourceExistsError(f"{path} exists")

    @staticmethod
    def _lock(settings: dict[str, Any]) -> dict[str, Any]:
        lock = settings.get("lock_duration", timedelta(seconds=60))
        return {"lock_duration": lock.total_seconds(), "max_delivery_count": settings.get("max_delivery_count", 10),
                "forward_dead_letters_to": settings.get("forward_dead_lettered_messages_to")}

    def get_queue(self, queue: str) -> dict[str, str]:
        return self._get("get_queue", queue, queue)

    def get_topic(self, topic: str) -> dict[str, str]:
        return self._get("get_topic", topic, topic)

    def get_subscription(self, topic: str, name: str) -> dict[str, str]:
        return self._get("get_subscription", f"{topic}/Subscriptions/{name}", topic, name)

    def create_queue(self, queue: str, **settings: Any) -> None:
        self._create("create_queue", queue, (queue,), settings)
        self.broker.create_queue(queue, **self._lock(settings))

    def create_topic(self, topic: str, **settings: Any) -> None:
        self._create("create_topic", topic, (topic,), settings)
        self.broker.create_topic(topic)

    def create_subscription(self, topic: str, name: str, **settings: Any) -> None:
        self._create("create_subscription", f"{topic}/Subscriptions/{name}", (topic, name), settings)
        self.broker.create_subscription(topic, name, **self._lock(settings))


def configure(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> BrokerAdministration:
    """Point the azure adapter at the broker, entities created on first use through the stand-in."""
    broker = request.getfixturevalue("infrar_service")("servicebus", ServiceBusService, provider="azure")
    monkeypatch.setenv("INFRAR_CREATE_MISSING", "1")
    clients.reset()
    administration = BrokerAdministration(broker)
    monkeypatch.setattr(clients, "administration", lambda: administration)
    request.addfinalizer(clients.reset)  # close this test's senders and receivers
    return administration

"""Fixtures for the Service Bus tests: the test broker, once per session, and fresh entity names.

Import the fixtures into a test module (``from tests.messaging.azure_support import servicebus``);
each test creates the entities it uses through the broker's control node.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from azure.servicebus import ServiceBusClient

from infrar.testing.servicebus import ServiceBusService
from infrar.testing.services import ServiceRegistry


@pytest.fixture(scope="session")
def servicebus(infrar_services: ServiceRegistry) -> ServiceBusService:
    """The broker (the messaging plugin's ``servicebus`` service), started on first use on a free port."""
    service = infrar_services.get("servicebus")
    assert isinstance(service, ServiceBusService)
    return service


@pytest.fixture(scope="module")
def client(servicebus: ServiceBusService) -> Iterator[ServiceBusClient]:
    """The real SDK's client on the broker, for tests of the broker itself."""
    with ServiceBusClient.from_connection_string(servicebus.connection_string) as sb:
        yield sb


@pytest.fixture
def entity_name() -> Iterator[str]:
    """A fresh entity name: letters first, as Service Bus and infrar's name rules want."""
    yield f"sb{uuid.uuid4().hex[:16]}"

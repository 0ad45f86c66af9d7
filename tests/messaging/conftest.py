"""The ``provider`` the messaging behaviour suite runs on: local, aws on moto, gcp on the Pub/Sub emulator.

Cloud runs set INFRAR_CREATE_MISSING=1 (resources are made with their dead-letter wiring on
first use) and every test gets names of its own (``names``), since one moto server and one
emulator serve the whole session. Azure joins when ``tests/messaging/azure_provider.py``
(the Service Bus test broker's owner) defines ``configure(request, monkeypatch)``.
"""

from __future__ import annotations

import importlib.util
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from infrar import dispatch
from infrar.errors import MissingDependency
from infrar.testing.plugin import ServiceUser

PROVIDERS = ["local", "aws", "gcp"]
if importlib.util.find_spec("tests.messaging.azure_provider") is not None:
    PROVIDERS.append("azure")


def use_cloud(provider: str, infrar_service: ServiceUser) -> None:
    """Point ``provider``'s adapter at its test service (moto, the Pub/Sub emulator)."""
    if provider == "aws":
        infrar_service("moto", provider="aws")
    elif provider == "gcp":
        try:
            infrar_service("pubsub", provider="gcp")
        except MissingDependency as exc:  # not installable from PyPI or Debian: say how to get it
            pytest.skip(f"Pub/Sub emulator absent: {exc}")


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    name: str = request.param
    request.getfixturevalue("infrar_local")  # a fresh INFRAR_LOCAL_ROOT (and INFRAR_PROVIDER=local)
    if name == "azure":
        importlib.import_module("tests.messaging.azure_provider").configure(request, monkeypatch)
    elif name != "local":
        use_cloud(name, request.getfixturevalue("infrar_service"))
        monkeypatch.setenv("INFRAR_CREATE_MISSING", "1")
    dispatch.reset()
    yield name
    dispatch.reset()


class Names:
    """Topic, queue and subscription names unique to one test (clouds share one server per session)."""

    def __init__(self) -> None:
        self.prefix = "t" + uuid.uuid4().hex[:8]

    def __call__(self, name: str) -> str:
        return f"{self.prefix}-{name}"


@pytest.fixture
def names() -> Names:
    return Names()


@pytest.fixture
def quiet_messaging() -> Iterator[None]:
    """Silence the subscriber's logging for a test whose failures are meant, and restore it after."""
    found = logging.getLogger("infrar.messaging")
    level = found.level
    found.setLevel(logging.CRITICAL)
    yield
    found.setLevel(level)

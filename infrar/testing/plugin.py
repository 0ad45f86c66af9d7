"""pytest fixtures for code written against infrar (registered via the ``pytest11`` entry point).

Fixtures are built on emulated *services* (``infrar.testing.services``), each started once per
session, the first time a test asks for it, on a free 127.0.0.1 port, and stopped at the end:

- ``infrar_services`` (session): the ``ServiceRegistry``; ``.get(name)`` starts and returns a
  service, ``.for_provider(provider)`` the one standing in for a provider's storage API.
  ``infrar_emulators`` is the same object under its older name.
- ``infrar_service`` (per test): ``infrar_service(name, kind=None, provider=None)`` starts
  service ``name``, sets its ``environment()`` for this test (monkeypatch), optionally
  INFRAR_PROVIDER, resets dispatch, and returns the service.
- ``infrar_local``: INFRAR_PROVIDER=local with a fresh INFRAR_LOCAL_ROOT per test.
- ``infrar_aws`` / ``infrar_gcp`` / ``infrar_azure``: INFRAR_PROVIDER set and pointed at moto,
  gcs (gcp-storage-emulator) or azurite; the handle's ``create_bucket()`` makes buckets that are
  removed after the test, and ``.service`` (alias ``.emulator``) is the service itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar, overload

import pytest

from infrar import dispatch
from infrar.errors import ConfigurationError
from infrar.testing.services import BucketService, Service, ServiceRegistry

S = TypeVar("S")


@pytest.fixture(scope="session")
def infrar_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceRegistry]:
    """Every service this session uses, each started once on a free 127.0.0.1 port."""
    registry = ServiceRegistry(tmp_path_factory.mktemp("infrar-services"))
    try:
        yield registry
    finally:
        registry.stop_all()


@pytest.fixture(scope="session")
def infrar_emulators(infrar_services: ServiceRegistry) -> ServiceRegistry:
    """The older name of ``infrar_services``."""
    return infrar_services


def _use(variables: dict[str, str], monkeypatch: pytest.MonkeyPatch, provider: str | None = None) -> None:
    if provider is not None:
        monkeypatch.setenv("INFRAR_PROVIDER", provider)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    # Adapters and clients built before now read the old variables.
    dispatch.reset()


class ServiceUser:
    """What ``infrar_service`` hands a test: call it with a service name to use that service."""

    def __init__(self, registry: ServiceRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
        self._registry = registry
        self._monkeypatch = monkeypatch

    @overload
    def __call__(self, name: str, kind: None = None, *, provider: str | None = None) -> Service: ...

    @overload
    def __call__(self, name: str, kind: type[S], *, provider: str | None = None) -> S: ...

    def __call__(self, name: str, kind: type[S] | None = None, *, provider: str | None = None) -> Service | S:
        """Service ``name`` (checked to be a ``kind`` if given), its environment set for this test.

        ``provider`` also sets INFRAR_PROVIDER, e.g. ``infrar_service("postgres", provider="gcp")``.
        """
        service = self._registry.get(name)
        if kind is not None and not isinstance(service, kind):
            raise ConfigurationError(
                f"service {name!r} is a {type(service).__name__}, not a {kind.__name__}; "
                "ask for the kind its plugin.yaml factory makes"
            )
        _use(service.environment(), self._monkeypatch, provider)
        return service


@pytest.fixture
def infrar_service(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceUser]:
    """``infrar_service("moto")``: a session's service, its native variables set for this test."""
    yield ServiceUser(infrar_services, monkeypatch)
    dispatch.reset()


@pytest.fixture
def infrar_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """INFRAR_PROVIDER=local with an empty INFRAR_LOCAL_ROOT of its own; yields that root."""
    root = tmp_path / "infrar-local"
    _use({"INFRAR_LOCAL_ROOT": str(root)}, monkeypatch, "local")
    yield root
    dispatch.reset()


class EmulatedProvider:
    """A provider pointed at its storage service for one test; buckets made here are removed after it."""

    def __init__(self, provider: str, service: BucketService) -> None:
        self.provider = provider
        self.service = service
        self._buckets: list[str] = []

    @property
    def emulator(self) -> BucketService:
        """The older name of ``service``."""
        return self.service

    def create_bucket(self, name: str | None = None) -> str:
        bucket = name or f"test-{uuid.uuid4().hex[:20]}"
        self.service.create_bucket(bucket)
        self._buckets.append(bucket)
        return bucket

    def cleanup(self) -> None:
        for bucket in self._buckets:
            self.service.delete_bucket(bucket)
        self._buckets.clear()


def _emulated(provider: str, registry: ServiceRegistry, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedProvider]:
    service = registry.for_provider(provider)
    _use(service.environment(), monkeypatch, provider)
    handle = EmulatedProvider(provider, service)
    try:
        yield handle
    finally:
        handle.cleanup()
        dispatch.reset()


@pytest.fixture
def infrar_aws(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedProvider]:
    """INFRAR_PROVIDER=aws against service ``moto``; ``create_bucket()`` makes buckets."""
    yield from _emulated("aws", infrar_services, monkeypatch)


@pytest.fixture
def infrar_gcp(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedProvider]:
    """INFRAR_PROVIDER=gcp against service ``gcs``; ``create_bucket()`` makes buckets."""
    yield from _emulated("gcp", infrar_services, monkeypatch)


@pytest.fixture
def infrar_azure(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedProvider]:
    """INFRAR_PROVIDER=azure against service ``azurite``; ``create_bucket()`` makes containers."""
    yield from _emulated("azure", infrar_services, monkeypatch)

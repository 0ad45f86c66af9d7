"""pytest fixtures for code written against infrar (registered via the ``pytest11`` entry point)."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from infrar import dispatch
from infrar.testing._process import Emulator

# provider -> "module:factory"; a factory takes the directory for server logs.
EMULATORS: dict[str, str] = {
    "aws": "infrar.testing.aws:MotoEmulator",
    "gcp": "infrar.testing.gcp:GcsEmulator",
    "azure": "infrar.testing.azure:AzuriteEmulator",
}


class EmulatorPool:
    """Starts each provider's emulator the first time a test asks for it; stops all at the end."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._running: dict[str, Emulator] = {}

    def get(self, provider: str) -> Emulator:
        emulator = self._running.get(provider)
        if emulator is None:
            module_name, _, factory = EMULATORS[provider].partition(":")
            emulator = getattr(importlib.import_module(module_name), factory)(self._log_dir)
            emulator.start()
            self._running[provider] = emulator
        return emulator

    def stop_all(self) -> None:
        for emulator in self._running.values():
            emulator.stop()
        self._running.clear()


class EmulatedProvider:
    """A provider pointed at its emulator for one test; buckets made here are removed after it."""

    def __init__(self, provider: str, emulator: Emulator) -> None:
        self.provider = provider
        self.emulator = emulator
        self._buckets: list[str] = []

    def create_bucket(self, name: str | None = None) -> str:
        bucket = name or f"test-{uuid.uuid4().hex[:20]}"
        self.emulator.create_bucket(bucket)
        self._buckets.append(bucket)
        return bucket

    def cleanup(self) -> None:
        for bucket in self._buckets:
            self.emulator.delete_bucket(bucket)
        self._buckets.clear()


@pytest.fixture(scope="session")
def infrar_emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorPool]:
    """Every emulator a session uses, each started once on a free 127.0.0.1 port."""
    pool = EmulatorPool(tmp_path_factory.mktemp("infrar-emulators"))
    try:
        yield pool
    finally:
        pool.stop_all()


def _use(provider: str, variables: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", provider)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    dispatch.reset()


@pytest.fixture
def infrar_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """INFRAR_PROVIDER=local with an empty INFRAR_LOCAL_ROOT of its own; yields that root."""
    root = tmp_path / "infrar-local"
    _use("local", {"INFRAR_LOCAL_ROOT": str(root)}, monkeypatch)
    yield root
    dispatch.reset()


def _emulated(provider: str, pool: EmulatorPool, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedProvider]:
    emulator = pool.get(provider)
    _use(provider, emulator.environment(), monkeypatch)
    handle = EmulatedProvider(provider, emulator)
    try:
        yield handle
    finally:
        handle.cleanup()
        dispatch.reset()


@pytest.fixture
def infrar_aws(infrar_emulators: EmulatorPool, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedProvider]:
    """INFRAR_PROVIDER=aws against a moto server; ``create_bucket()`` makes buckets."""
    yield from _emulated("aws", infrar_emulators, monkeypatch)


@pytest.fixture
def infrar_gcp(infrar_emulators: EmulatorPool, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedProvider]:
    """INFRAR_PROVIDER=gcp against gcp-storage-emulator; ``create_bucket()`` makes buckets."""
    yield from _emulated("gcp", infrar_emulators, monkeypatch)


@pytest.fixture
def infrar_azure(infrar_emulators: EmulatorPool, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatedProvider]:
    """INFRAR_PROVIDER=azure against Azurite; ``create_bucket()`` makes containers."""
    yield from _emulated("azure", infrar_emulators, monkeypatch)

"""Service ``azurite``: Azurite (the Azure Storage emulator), behind the ``infrar_azure`` fixture.

Azurite is a Node package: ``npm install`` at the project root puts it in
``node_modules/.bin``; INFRAR_AZURITE may point at the ``azurite-blob`` binary instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

from infrar.errors import ConfigurationError, MissingDependency
from infrar.testing._process import ServerProcess
from infrar.testing.services import ServerService

BINARY_VARIABLE = "INFRAR_AZURITE"

# Azurite's well-known development account, documented publicly by Microsoft; not a secret.
ACCOUNT_NAME = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def _search_roots() -> list[Path]:
    # The user's project (cwd and its parents) first, then the checkout this file lives in.
    roots = [Path.cwd(), *Path.cwd().parents]
    here = Path(__file__).resolve()
    roots += [parent for parent in here.parents if parent not in roots]
    return roots


def find_azurite() -> Path:
    """The ``azurite-blob`` binary: INFRAR_AZURITE, else the nearest ``node_modules/.bin``."""
    configured = os.environ.get(BINARY_VARIABLE)
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ConfigurationError(
                f"{BINARY_VARIABLE}={configured!r} is not a file; point it at Azurite's "
                "azurite-blob binary or unset it"
            )
        return path
    for root in _search_roots():
        candidate = root / "node_modules" / ".bin" / "azurite-blob"
        if candidate.is_file():
            return candidate
    raise MissingDependency(
        "Azurite (the Azure Storage emulator) is not installed: run `npm install` at the project "
        f"root (package.json lists azurite), or set {BINARY_VARIABLE} to an azurite-blob binary"
    )


class AzuriteEmulator(ServerService):
    """Service ``azurite``: one in-memory Azurite blob server on a free 127.0.0.1 port."""

    name = "azurite"

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir)
        self._client: BlobServiceClient | None = None

    def _prepare(self, port: int) -> ServerProcess:
        # Azurite refuses --location with --inMemoryPersistence, and may still write small
        # files (debug logs, extent metadata) to its working directory: give it one of its own.
        workspace = self.log_dir / f"azurite-{port}"
        workspace.mkdir(parents=True, exist_ok=True)
        command = [
            str(find_azurite()),
            "--blobHost", "127.0.0.1",
            "--blobPort", str(port),
            "--inMemoryPersistence",
            "--disableTelemetry",
            "--skipApiVersionCheck",  # the Python SDK may speak a newer API version than Azurite
            "--silent",
        ]
        return ServerProcess("azurite", command, port, self.log_dir, cwd=workspace)

    def _forget_clients(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={self.endpoint}/{ACCOUNT_NAME};"
        )

    def environment(self) -> dict[str, str]:
        return {"AZURE_STORAGE_CONNECTION_STRING": self.connection_string}

    def client(self) -> BlobServiceClient:
        """A client of the emulator's own, independent of the provider under test."""
        if self._client is None:
            self._client = BlobServiceClient.from_connection_string(self.connection_string)
        return self._client

    def create_container(self, name: str) -> None:
        self.client().create_container(name)

    def delete_container(self, name: str) -> None:
        """Delete ``name`` and its blobs; no error if it is already gone."""
        try:
            self.client().delete_container(name)
        except ResourceNotFoundError:
            pass

    # Storage's word for a container, so the storage fixtures treat every provider alike.
    create_bucket = create_container
    delete_bucket = delete_container

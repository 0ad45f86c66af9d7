"""The ``provider`` the cache behaviour suite runs on: local, and each cloud adapter on real Redis.

Plain Redis and password + TLS Redis (``infrar.testing.redis``) are each configured the way
that cloud hands out its endpoint: ElastiCache a URL with the AUTH token, Memorystore a URL
with the AUTH string plus REDIS_CA_FILE, Azure its connection string or a URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from infrar import dispatch
from infrar.testing.plugin import ServiceUser
from infrar.testing.redis import RedisService, RedisTlsService

SETUPS = ["local", "aws-plain", "aws-tls", "gcp-tls", "azure-connection-string", "azure-tls"]


def configure(setup: str, infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> RedisService:
    provider, _, flavour = setup.partition("-")
    if flavour == "plain" or flavour == "connection-string":
        server = infrar_service("redis", RedisService, provider=provider)
    else:
        server = infrar_service("redis-tls", RedisTlsService, provider=provider)
    if flavour == "connection-string":
        monkeypatch.delenv("REDIS_URL")
        monkeypatch.setenv("AZURE_REDIS_CONNECTIONSTRING", f"127.0.0.1:{server.port},ssl=False,abortConnect=False")
    elif isinstance(server, RedisTlsService) and provider == "gcp":
        monkeypatch.setenv("REDIS_CA_FILE", str(server.ca_file))
    elif isinstance(server, RedisTlsService):
        monkeypatch.setenv("REDIS_URL", f"{server.url}?ssl_ca_certs={server.ca_file}")
    return server


def flush(server: RedisService) -> None:
    """Empty the shared server between tests (the test's own raw client, not the adapter)."""
    options = {"ssl_ca_certs": str(server.ca_file)} if isinstance(server, RedisTlsService) else {}
    with redis.Redis.from_url(server.url, **options) as raw:
        raw.flushdb()


@pytest.fixture(params=SETUPS)
def provider(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    setup: str = request.param
    if setup == "local":
        request.getfixturevalue("infrar_local")
        yield setup
        return
    server = configure(setup, request.getfixturevalue("infrar_service"), monkeypatch)
    dispatch.reset()
    flush(server)
    yield setup
    dispatch.reset()

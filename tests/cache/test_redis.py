"""What the Redis adapters promise beyond the behaviour suite: credentials, outages, configuration."""

from __future__ import annotations

import os

import pytest

from infrar import cache, dispatch
from infrar.errors import ConfigurationError, PermissionDenied, Unavailable
from infrar.providers.azure._clients.redis import url_from_connection_string
from infrar.testing._process import free_port
from infrar.testing.plugin import ServiceUser
from infrar.testing.redis import RedisService, RedisTlsService

CLOUDS = ["aws", "gcp", "azure"]


@pytest.mark.parametrize("provider", CLOUDS)
def test_wrong_password_is_permission_denied_without_the_password(
        provider: str, infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> None:
    server = infrar_service("redis-tls", RedisTlsService, provider=provider)
    monkeypatch.setenv("REDIS_URL", f"rediss://:not-{server.password}@127.0.0.1:{server.port}/0"
                                    f"?ssl_ca_certs={server.ca_file}")
    dispatch.reset()
    with pytest.raises(PermissionDenied) as caught:
        cache.get("c", "k")
    assert server.password not in str(caught.value)
    assert f"127.0.0.1:{server.port}" in str(caught.value)


@pytest.mark.parametrize("provider", CLOUDS)
def test_unreachable_server_is_unavailable_naming_host_and_port(
        provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("INFRAR_PROVIDER", provider)
    monkeypatch.setenv("REDIS_URL", f"redis://:secret-pw@127.0.0.1:{port}/0")
    dispatch.reset()
    with pytest.raises(Unavailable, match=f"127.0.0.1:{port}") as caught:
        cache.set("c", "k", 1)
    assert "secret-pw" not in str(caught.value)
    dispatch.reset()


@pytest.mark.parametrize("provider", CLOUDS)
def test_missing_configuration_names_the_variables(provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REDIS_URL", "REDIS_URL_C", "AZURE_REDIS_CONNECTIONSTRING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INFRAR_PROVIDER", provider)
    dispatch.reset()
    with pytest.raises(ConfigurationError, match="REDIS_URL_C"):
        cache.get("c", "k")
    dispatch.reset()


def test_a_cache_of_its_own_server_through_its_variable(
        infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> None:
    server = infrar_service("redis", RedisService, provider="aws")
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing there
    monkeypatch.setenv("REDIS_URL_SESSION_STORE", server.url.replace("/0", "/3"))
    dispatch.reset()
    cache.set("session-store", "k", "v")
    assert cache.get("session-store", "k") == "v"
    with pytest.raises(Unavailable):
        cache.get("other", "k")
    dispatch.reset()


def test_clients_recover_after_a_server_restart(infrar_service: ServiceUser) -> None:
    server = infrar_service("redis", RedisService, provider="gcp")
    dispatch.reset()
    cache.set("c", "before", 1)
    server.restart()
    assert cache.get("c", "before") is None  # a restarted cache is empty; the pool reconnects
    cache.set("c", "after", 2)
    assert cache.get("c", "after") == 2
    dispatch.reset()


def test_forked_child_opens_its_own_connections(infrar_service: ServiceUser) -> None:
    infrar_service("redis", RedisService, provider="azure")
    dispatch.reset()
    cache.set("c", "k", 1)
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            ok = cache.incr("c", "k") == 2
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.incr("c", "k") == 3
    dispatch.reset()


@pytest.mark.parametrize("text, url", [
    ("name.redis.cache.windows.net:6380,password=k3/y+=,ssl=True,abortConnect=False",
     "rediss://:k3%2Fy%2B%3D@name.redis.cache.windows.net:6380/0"),
    ("host,password=p,ssl=False", "redis://:p@host:6380/0"),
    ("host:6379,ssl=false", "redis://host:6379/0"),
])
def test_azure_connection_string_becomes_a_url(text: str, url: str) -> None:
    assert url_from_connection_string(text) == url


def test_gcp_each_cache_verifies_its_server_with_its_own_ca_file(
        infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> None:
    import certifi

    server = infrar_service("redis-tls", RedisTlsService, provider="gcp")
    monkeypatch.delenv("REDIS_URL", raising=False)
    # Memorystore instances have their own CAs: REDIS_CA_FILE_<CACHE> wins over REDIS_CA_FILE
    monkeypatch.setenv("REDIS_CA_FILE", certifi.where())  # public CAs: not the test server's
    for name in ("SESSIONS", "OTHER"):
        monkeypatch.setenv(f"REDIS_URL_{name}", server.url)
    monkeypatch.setenv("REDIS_CA_FILE_SESSIONS", str(server.ca_file))
    dispatch.reset()
    cache.set("sessions", "k", 1)
    assert cache.get("sessions", "k") == 1
    with pytest.raises(Unavailable, match=f"127.0.0.1:{server.port}"):  # verified against the public CAs
        cache.get("other", "k")
    dispatch.reset()

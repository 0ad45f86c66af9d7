"""Redis clients for the cache, one per cache name and process, each with its own connection pool.

Azure Cache for Redis: ``REDIS_URL`` or, as Service Connector sets it, ``AZURE_REDIS_CONNECTIONSTRING``
(``host:6380,password=KEY,ssl=True,abortConnect=False``).
``REDIS_URL_<CACHE>`` (see ``infrar.cache.redis_ops.url_variable``) overrides ``REDIS_URL`` for one cache.
redis-py's pools are thread-safe and reopen their connections in a forked child.
"""

from __future__ import annotations

import os
from typing import NamedTuple
from urllib.parse import quote

import redis

from infrar.cache.redis_ops import configured_url, pool, url_variable, where
from infrar.errors import ConfigurationError
from infrar.providers._keyed import PerResource


class Server(NamedTuple):
    client: redis.Redis
    endpoint: str  # host:port, for messages


def url_from_connection_string(text: str) -> str:
    """``host:port,password=KEY,ssl=True,...`` (StackExchange.Redis format) as a redis-py URL."""
    address, *settings = [part.strip() for part in text.split(",") if part.strip()]
    options: dict[str, str] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        options[name.strip().lower()] = value.strip()
    if ":" not in address:
        address += ":6380"
    scheme = "rediss" if options.get("ssl", "true").lower() == "true" else "redis"
    password = options.get("password", "")
    credentials = f":{quote(password, safe='')}@" if password else ""  # access keys are base64: '/', '+', '='

    return f"{scheme}://{credentials}{address}/0"


def _build(cache: str) -> Server:
    url = configured_url(cache, os.environ)
    connection_string = os.environ.get("AZURE_REDIS_CONNECTIONSTRING")
    if url is None and connection_string:
        try:
            url = url_from_connection_string(connection_string)
        except ValueError as exc:
            raise ConfigurationError(
                "AZURE_REDIS_CONNECTIONSTRING is not host:port,password=...,ssl=True; copy it from the "
                "cache's Access keys page"
            ) from exc
    if url is None:
        raise ConfigurationError(
            f"no Redis endpoint for cache {cache!r}: set AZURE_REDIS_CONNECTIONSTRING, REDIS_URL or "
            f"{url_variable(cache)} (rediss://:ACCESS_KEY@name.redis.cache.windows.net:6380)"
        )
    return Server(pool(url), where(url))


_servers: PerResource[Server] = PerResource(_build, on_reset=lambda server: server.client.close())


def client(cache: str) -> Server:
    """The client (and its host:port) for ``cache``, built on first use."""
    return _servers.get(cache)


def reset() -> None:
    _servers.reset()

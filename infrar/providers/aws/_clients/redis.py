"""Redis clients for the cache, one per cache name and process, each with its own connection pool.

ElastiCache (Redis OSS / Valkey): the URL carries the AUTH token (``rediss://:TOKEN@host:6379``).
``REDIS_URL_<CACHE>`` (see ``infrar.cache.redis_ops.url_variable``) overrides ``REDIS_URL`` for one cache.
redis-py's pools are thread-safe and reopen their connections in a forked child.
"""

from __future__ import annotations

import os
from typing import NamedTuple

import redis

from infrar.cache.redis_ops import configured_url, pool, url_variable, where
from infrar.errors import ConfigurationError
from infrar.providers._keyed import PerResource


class Server(NamedTuple):
    client: redis.Redis
    endpoint: str  # host:port, for messages


def _build(cache: str) -> Server:
    url = configured_url(cache, os.environ)
    if url is None:
        raise ConfigurationError(
            f"no Redis URL for cache {cache!r}: set REDIS_URL or {url_variable(cache)} to the ElastiCache "
            "endpoint (rediss://:AUTH_TOKEN@host:6379 with in-transit encryption)"
        )
    return Server(pool(url), where(url))


_servers: PerResource[Server] = PerResource(_build, on_reset=lambda server: server.client.close())


def client(cache: str) -> Server:
    """The client (and its host:port) for ``cache``, built on first use."""
    return _servers.get(cache)


def reset() -> None:
    _servers.reset()

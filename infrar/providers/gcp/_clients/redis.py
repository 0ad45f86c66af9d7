"""Redis clients for the cache, one per cache name and process, each with its own connection pool.

Memorystore for Redis: the URL carries the AUTH string; with in-transit encryption it is ``rediss://``
and ``REDIS_CA_FILE_<CACHE>`` (else ``REDIS_CA_FILE``) names the server CA file Memorystore hands out
(``ssl_ca_certs``): each instance has its own.
``REDIS_URL_<CACHE>`` (see ``infrar.cache.redis_ops.url_variable``) overrides ``REDIS_URL`` for one cache.
redis-py's pools are thread-safe and reopen their connections in a forked child.
"""

from __future__ import annotations

import os

from infrar.cache.redis_ops import Server, configured_url, server, url_variable
from infrar.errors import ConfigurationError
from infrar.providers._keyed import PerResource


def _build(cache: str) -> Server:
    url = configured_url(cache, os.environ)
    if url is None:
        raise ConfigurationError(
            f"no Redis URL for cache {cache!r}: set REDIS_URL or {url_variable(cache)} to the Memorystore "
            "endpoint (rediss://:AUTH_STRING@host:6378 with REDIS_CA_FILE for in-transit encryption)"
        )
    # each Memorystore instance has its own CA: REDIS_CA_FILE_<CACHE> first, as REDIS_URL_<CACHE>
    ca_file = os.environ.get("REDIS_CA_FILE_" + url_variable(cache).removeprefix("REDIS_URL_")) or os.environ.get(
        "REDIS_CA_FILE")
    options = {"ssl_ca_certs": ca_file} if ca_file and url.startswith("rediss://") else {}
    return server(url, **options)


_servers: PerResource[Server] = PerResource(_build, on_reset=lambda found: found.client.close())


def client(cache: str) -> Server:
    """The client (and its host:port) for ``cache``, built on first use."""
    return _servers.get(cache)


def reset() -> None:
    _servers.reset()

"""The cache on Memorystore for Redis, through redis-py: the shared Redis implementation (``redis_ops``)
on this provider's client (``_clients/redis.py``, which reads its URL and credentials)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from infrar.cache import redis_ops
from infrar.providers.gcp._clients import redis


class GcpCache:
    """Adapter for INFRAR_PROVIDER=gcp."""

    def get(self, cache: str, key: str, default: Any = None) -> Any:
        server = redis.client(cache)
        return redis_ops.get(server.client, server.endpoint, cache, key, default)

    def set(self, cache: str, key: str, value: Any, ttl: float | None = 3600) -> None:
        server = redis.client(cache)
        redis_ops.set(server.client, server.endpoint, cache, key, value, ttl)

    def delete(self, cache: str, key: str) -> bool:
        server = redis.client(cache)
        return redis_ops.delete(server.client, server.endpoint, cache, key)

    def add(self, cache: str, key: str, value: Any, ttl: float | None = 3600) -> bool:
        server = redis.client(cache)
        return redis_ops.add(server.client, server.endpoint, cache, key, value, ttl)

    def incr(self, cache: str, key: str, amount: int = 1, ttl: float | None = None) -> int:
        server = redis.client(cache)
        return redis_ops.incr(server.client, server.endpoint, cache, key, amount, ttl)

    def get_many(self, cache: str, keys: Iterable[str]) -> dict[str, Any]:
        server = redis.client(cache)
        return redis_ops.get_many(server.client, server.endpoint, cache, keys)

    def set_many(self, cache: str, mapping: Mapping[str, Any], ttl: float | None = 3600) -> None:
        server = redis.client(cache)
        redis_ops.set_many(server.client, server.endpoint, cache, mapping, ttl)

    def ttl(self, cache: str, key: str) -> float | None:
        server = redis.client(cache)
        return redis_ops.ttl(server.client, server.endpoint, cache, key)

    def clear(self, cache: str) -> None:
        server = redis.client(cache)
        redis_ops.clear(server.client, server.endpoint, cache)

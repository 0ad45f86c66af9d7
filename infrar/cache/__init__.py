"""A key-value cache with expiry: one API on local (SQLite) and Redis on AWS, GCP and Azure.

Keys are namespaced per cache (stored as ``<cache>:<key>``), so several caches share one
server and ``clear`` touches one cache only. ``ttl`` is seconds; ``None`` means no expiry;
an expired key is never returned. Values are str, bytes, int, float, bool, list or dict and
come back as the type stored; ``None`` cannot be stored (it is what ``get`` returns on a miss).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from infrar.cache.types import Value
from infrar.dispatch import adapter as _adapter

__all__ = ["Value", "add", "clear", "delete", "get", "get_many", "incr", "set", "set_many", "ttl"]

_DOMAIN = "cache"


def get(cache: str, key: str, default: Any = None) -> Any:
    """The value stored under ``key``, or ``default`` if it is missing or expired."""
    return _adapter(_DOMAIN).get(cache, key, default)


def set(cache: str, key: str, value: Value, ttl: float | None = 3600) -> None:
    """Store ``value`` under ``key`` for ``ttl`` seconds (``None``: no expiry), replacing any value."""
    _adapter(_DOMAIN).set(cache, key, value, ttl)


def delete(cache: str, key: str) -> bool:
    """Remove ``key``; True if it existed."""
    deleted: bool = _adapter(_DOMAIN).delete(cache, key)
    return deleted


def add(cache: str, key: str, value: Value, ttl: float | None = 3600) -> bool:
    """Store ``value`` only if ``key`` is absent (atomic: locks, idempotency keys); True if stored."""
    added: bool = _adapter(_DOMAIN).add(cache, key, value, ttl)
    return added


def incr(cache: str, key: str, amount: int = 1, ttl: float | None = None) -> int:
    """Add ``amount`` (may be negative) to the integer under ``key`` atomically; a missing key starts at 0.

    ``ttl`` applies only when this call creates the key.
    """
    value: int = _adapter(_DOMAIN).incr(cache, key, amount, ttl)
    return value


def get_many(cache: str, keys: Iterable[str]) -> dict[str, Any]:
    """The keys found, with their values; a missing key is absent from the dict."""
    found: dict[str, Any] = _adapter(_DOMAIN).get_many(cache, keys)
    return found


def set_many(cache: str, mapping: Mapping[str, Value], ttl: float | None = 3600) -> None:
    """Store every item of ``mapping`` for ``ttl`` seconds."""
    _adapter(_DOMAIN).set_many(cache, mapping, ttl)


def ttl(cache: str, key: str) -> float | None:
    """Seconds left before ``key`` expires; None for a key without expiry or a missing key."""
    left: float | None = _adapter(_DOMAIN).ttl(cache, key)
    return left


def clear(cache: str) -> None:
    """Remove every key of this cache (never another cache's keys)."""
    _adapter(_DOMAIN).clear(cache)

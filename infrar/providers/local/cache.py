"""The cache on an embedded SQLite database: durable across processes, no server.

Entries are rows ``(key, value, expires)`` with the namespaced key ``<cache>:<key>`` and
``expires`` as a Unix time (NULL: never). An expired row is never returned and is removed
when a write meets it. Every read-then-write runs in ``BEGIN IMMEDIATE``, which takes the
database's write lock first, so ``add`` and ``incr`` are atomic across threads and processes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from typing import Any

from infrar.cache.codec import as_integer, decode, encode
from infrar.cache.rules import (
    check_amount,
    check_cache,
    check_key,
    check_size,
    check_ttl,
    check_value,
    namespaced,
)
from infrar.errors import Unavailable
from infrar.providers.local._clients import cache_db

_LIVE = "(expires IS NULL OR expires > ?)"


def _expiry(ttl: float | None) -> float | None:
    return None if ttl is None else time.time() + ttl


def _encoded(key: str, value: Any) -> bytes:
    return check_size(encode(check_value(value)), key)


def _like_prefix(cache: str) -> str:
    """A LIKE pattern matching every key of ``cache`` (cache names hold no LIKE wildcards but '_')."""
    return cache.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + ":%"


def _run(statement: str, parameters: tuple[Any, ...]) -> list[Any]:
    try:
        return cache_db.client().execute(statement, parameters).fetchall()
    except sqlite3.OperationalError as exc:
        raise Unavailable(f"local cache database is unusable: {exc}; check INFRAR_LOCAL_ROOT") from exc


def _begin() -> sqlite3.Connection:
    connection = cache_db.client()
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise Unavailable(f"local cache database is locked or unusable: {exc}") from exc
    return connection


class LocalCache:
    """Adapter for INFRAR_PROVIDER=local."""

    def get(self, cache: str, key: str, default: Any = None) -> Any:
        name = namespaced(check_cache(cache), check_key(key))
        rows = _run(f"SELECT value FROM entries WHERE key = ? AND {_LIVE}", (name, time.time()))
        return decode(rows[0][0]) if rows else default

    def set(self, cache: str, key: str, value: Any, ttl: float | None = 3600) -> None:
        name = namespaced(check_cache(cache), check_key(key))
        data, expires = _encoded(key, value), _expiry(check_ttl(ttl))
        _run("INSERT OR REPLACE INTO entries (key, value, expires) VALUES (?, ?, ?)", (name, data, expires))

    def delete(self, cache: str, key: str) -> bool:
        name = namespaced(check_cache(cache), check_key(key))
        connection = _begin()
        try:
            live = connection.execute(f"SELECT 1 FROM entries WHERE key = ? AND {_LIVE}", (name, time.time()))
            existed = live.fetchone() is not None
            connection.execute("DELETE FROM entries WHERE key = ?", (name,))
        finally:
            connection.execute("COMMIT")
        return existed

    def add(self, cache: str, key: str, value: Any, ttl: float | None = 3600) -> bool:
        name = namespaced(check_cache(cache), check_key(key))
        data, expires = _encoded(key, value), _expiry(check_ttl(ttl))
        connection = _begin()
        try:
            now = time.time()
            connection.execute(f"DELETE FROM entries WHERE key = ? AND NOT {_LIVE}", (name, now))
            inserted = connection.execute(
                "INSERT OR IGNORE INTO entries (key, value, expires) VALUES (?, ?, ?)", (name, data, expires)
            )
            added = inserted.rowcount == 1
        finally:
            connection.execute("COMMIT")
        return added

    def incr(self, cache: str, key: str, amount: int = 1, ttl: float | None = None) -> int:
        name = namespaced(check_cache(cache), check_key(key))
        step, lifetime = check_amount(amount), check_ttl(ttl)
        connection = _begin()
        try:
            now = time.time()
            row = connection.execute(
                f"SELECT value, expires FROM entries WHERE key = ? AND {_LIVE}", (name, now)
            ).fetchone()
            if row is None:
                total, expires = step, _expiry(lifetime)  # ttl applies only on create
            else:
                total, expires = as_integer(row[0], cache, key) + step, row[1]
            connection.execute(
                "INSERT OR REPLACE INTO entries (key, value, expires) VALUES (?, ?, ?)",
                (name, encode(total), expires),
            )
        finally:
            connection.execute("COMMIT")
        return total

    def get_many(self, cache: str, keys: Iterable[str]) -> dict[str, Any]:
        check_cache(cache)
        wanted = {namespaced(cache, check_key(key)): key for key in keys}
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = _run(f"SELECT key, value FROM entries WHERE key IN ({marks}) AND {_LIVE}", (*wanted, time.time()))
        return {wanted[name]: decode(data) for name, data in rows}

    def set_many(self, cache: str, mapping: Mapping[str, Any], ttl: float | None = 3600) -> None:
        check_cache(cache)
        expires = _expiry(check_ttl(ttl))
        rows = [(namespaced(cache, check_key(key)), _encoded(key, value), expires) for key, value in mapping.items()]
        connection = _begin()
        try:
            connection.executemany("INSERT OR REPLACE INTO entries (key, value, expires) VALUES (?, ?, ?)", rows)
        finally:
            connection.execute("COMMIT")

    def ttl(self, cache: str, key: str) -> float | None:
        name = namespaced(check_cache(cache), check_key(key))
        now = time.time()
        rows = _run(f"SELECT expires FROM entries WHERE key = ? AND {_LIVE}", (name, now))
        if not rows or rows[0][0] is None:
            return None
        left: float = rows[0][0] - now
        return left

    def clear(self, cache: str) -> None:
        _run("DELETE FROM entries WHERE key LIKE ? ESCAPE '\\'", (_like_prefix(check_cache(cache)),))

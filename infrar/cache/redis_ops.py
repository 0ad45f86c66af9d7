"""The cache on any Redis server: the one implementation the aws, gcp and azure adapters share.

All three clouds' managed caches (ElastiCache, Memorystore, Azure Cache for Redis) speak the
Redis protocol, so only how each hands out its URL and credentials differs (their
``_clients/redis.py``). Values are ``infrar.cache.codec`` bytes under ``<cache>:<key>``.
``add`` is ``SET NX PX``; ``incr`` is one Lua script, so its "ttl only when it creates the
key" and its type check are atomic with the increment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

import redis

from infrar.cache.codec import decode, encode
from infrar.cache.rules import check_amount, check_cache, check_key, check_ttl, check_value, namespaced
from infrar.errors import InfrarError, InvalidArgument, PermissionDenied, Timeout, Unavailable

T = TypeVar("T")

# ARGV[1] amount, ARGV[2] ttl in ms ('' for none). Returns the new value as a string; a value that is not
# a whole number gets INCRBY's own error, so that one test in translate() covers both.
_INCR = """
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], ARGV[1])
  if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return ARGV[1]
end
if not string.match(v, '^%-?%d+$') then return redis.error_reply('ERR value is not an integer or out of range') end
return tostring(redis.call('INCRBY', KEYS[1], ARGV[1]))
"""


class Server(NamedTuple):
    """One cache's client and its ``host:port`` (for messages: never the URL, which holds the password)."""

    client: redis.Redis
    endpoint: str


def server(url: str, **options: Any) -> Server:
    """The ``Server`` for ``url``: its own pool (see ``pool``) and where it is."""
    return Server(pool(url, **options), where(url))


def pool(url: str, **options: Any) -> redis.Redis:
    """A client with its own connection pool for ``url``, bounded retries on connection errors.

    redis-py's pool notices a fork (it checks the pid) and opens new connections in the child.
    """
    retry = redis.retry.Retry(redis.backoff.ExponentialBackoff(cap=1.0, base=0.05), 3)
    return redis.Redis.from_url(url, retry=retry, socket_connect_timeout=5, socket_timeout=10,
                                health_check_interval=30, **options)


def where(url: str) -> str:
    """``host:port`` of ``url`` (never its password), for messages."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}"


def translate(exc: redis.RedisError, cache: str, endpoint: str) -> InfrarError:
    """The infrar error for a redis-py error on ``cache`` at ``endpoint`` (host:port); no credential in it."""
    text = str(exc)
    if isinstance(exc, redis.AuthenticationError) or text.startswith(("WRONGPASS", "NOAUTH", "NOPERM")):
        return PermissionDenied(
            f"cache {cache!r} at {endpoint} refused the credentials: check the password or token in REDIS_URL "
            "(or the cache's own variable)"
        )
    if isinstance(exc, redis.TimeoutError):
        return Timeout(f"cache {cache!r} at {endpoint} did not answer in time after retries")
    if isinstance(exc, redis.ConnectionError):
        return Unavailable(
            f"cannot reach cache {cache!r} at {endpoint} after retries ({type(exc).__name__}); check that the "
            "server runs and REDIS_URL points at it"
        )
    if "not an integer or out of range" in text:  # INCRBY's own error, which the script above replies too
        return InvalidArgument(f"cannot incr a key of cache {cache!r}: it holds a non-integer value (or overflows)")
    return InfrarError(f"cache {cache!r} at {endpoint} failed: {type(exc).__name__}: {text}")


def call(client: redis.Redis, cache: str, endpoint: str, operation: Callable[[redis.Redis], T]) -> T:
    try:
        return operation(client)
    except redis.RedisError as exc:
        raise translate(exc, cache, endpoint) from exc


def _ms(ttl: float | None) -> int | None:
    return None if ttl is None else (int(ttl * 1000) or 1)  # whole ms, at least one


def get(client: redis.Redis, endpoint: str, cache: str, key: str, default: Any) -> Any:
    name = namespaced(check_cache(cache), check_key(key))
    try:  # not through call(): get and set are the hot path, and a closure per call shows
        data: bytes | None = client.get(name)  # type: ignore[assignment]
    except redis.RedisError as exc:
        raise translate(exc, cache, endpoint) from exc
    return default if data is None else decode(data)


def set(client: redis.Redis, endpoint: str, cache: str, key: str, value: Any, ttl: float | None) -> None:
    name = namespaced(check_cache(cache), check_key(key))
    data, px = encode(check_value(value)), _ms(check_ttl(ttl))
    try:
        client.set(name, data, px=px)
    except redis.RedisError as exc:
        raise translate(exc, cache, endpoint) from exc


def delete(client: redis.Redis, endpoint: str, cache: str, key: str) -> bool:
    name = namespaced(check_cache(cache), check_key(key))
    return bool(call(client, cache, endpoint, lambda c: c.delete(name)))


def add(client: redis.Redis, endpoint: str, cache: str, key: str, value: Any, ttl: float | None) -> bool:
    name = namespaced(check_cache(cache), check_key(key))
    data, px = encode(check_value(value)), _ms(check_ttl(ttl))
    return bool(call(client, cache, endpoint, lambda c: c.set(name, data, px=px, nx=True)))


def incr(client: redis.Redis, endpoint: str, cache: str, key: str, amount: int, ttl: float | None) -> int:
    name = namespaced(check_cache(cache), check_key(key))
    step, px = check_amount(amount), _ms(check_ttl(ttl))
    arguments = (str(step), "" if px is None else str(px))
    return int(call(client, cache, endpoint, lambda c: c.eval(_INCR, 1, name, *arguments)))


def get_many(client: redis.Redis, endpoint: str, cache: str, keys: Iterable[str]) -> dict[str, Any]:
    check_cache(cache)
    wanted = [check_key(key) for key in keys]
    if not wanted:
        return {}
    names = [namespaced(cache, key) for key in wanted]
    found: list[Any] = call(client, cache, endpoint, lambda c: c.mget(names))  # bytes: no decode_responses
    return {key: decode(data) for key, data in zip(wanted, found, strict=True) if data is not None}


def set_many(client: redis.Redis, endpoint: str, cache: str, mapping: Mapping[str, Any], ttl: float | None) -> None:
    check_cache(cache)
    px = _ms(check_ttl(ttl))
    items = [(namespaced(cache, check_key(key)), encode(check_value(value))) for key, value in mapping.items()]

    def store(c: redis.Redis) -> None:
        pipe = c.pipeline(transaction=False)
        for name, data in items:
            pipe.set(name, data, px=px)
        pipe.execute()

    if items:
        call(client, cache, endpoint, store)


def ttl(client: redis.Redis, endpoint: str, cache: str, key: str) -> float | None:
    name = namespaced(check_cache(cache), check_key(key))
    left = int(call(client, cache, endpoint, lambda c: c.pttl(name)))
    return None if left < 0 else left / 1000  # -1: no expiry, -2: missing


def clear(client: redis.Redis, endpoint: str, cache: str) -> None:
    """Unlink every ``<cache>:*`` key (SCAN, never FLUSHDB: other caches share the server)."""
    pattern = namespaced(check_cache(cache), "*")  # cache names hold no glob characters

    def unlink_all(c: redis.Redis) -> None:
        batch: list[bytes] = []
        for name in c.scan_iter(match=pattern, count=1000):
            batch.append(name)
            if len(batch) >= 1000:
                c.unlink(*batch)
                batch = []
        if batch:
            c.unlink(*batch)

    call(client, cache, endpoint, unlink_all)


def url_variable(cache: str) -> str:
    """The variable that gives one cache its own server: ``REDIS_URL_<CACHE>`` (upper case, ``_`` for others)."""
    return "REDIS_URL_" + "".join(ch if ch.isalnum() else "_" for ch in cache.upper())


def configured_url(cache: str, environ: Mapping[str, str]) -> str | None:
    """``REDIS_URL_<CACHE>`` if set, else ``REDIS_URL``, else None (InvalidArgument for a bad cache name)."""
    check_cache(cache)
    return environ.get(url_variable(cache)) or environ.get("REDIS_URL") or None

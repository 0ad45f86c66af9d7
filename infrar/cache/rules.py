"""Argument checks every cache adapter makes first, so bad input fails alike on every provider.

Keys are namespaced per cache: the stored key is ``<cache>:<key>``, so several logical caches
share one server and ``clear(cache)`` removes only keys starting with ``<cache>:``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from infrar.errors import InvalidArgument

MAX_LOCAL_VALUE = 1024 * 1024  # the portable ceiling, enforced on local
_CACHE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


# What erase may run once, at erase time, on a literal argument (infrar/erase/fold.py): each check
# returns the argument at the first position listed unchanged when it is valid, and whether it is
# depends only on the arguments at the positions listed (the others only word the message).
ERASE_TIME_CHECKS = {"check_cache": (0,), "check_key": (0,), "check_ttl": (0,), "check_value": (0,)}


def check_cache(cache: Any) -> str:
    if not isinstance(cache, str) or not _CACHE_NAME.match(cache):
        raise InvalidArgument(
            f"invalid cache name {cache!r}: 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    return cache


def check_key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidArgument(f"invalid cache key {key!r}: a key is a non-empty str")
    return key


def check_ttl(ttl: Any) -> float | None:
    """``None`` (no expiry) or a positive finite number of seconds."""
    if ttl is None:
        return None
    if type(ttl) is int and ttl > 0:  # the common case (the default 3600), without the float checks
        return ttl
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not math.isfinite(ttl) or ttl <= 0:
        raise InvalidArgument(f"invalid ttl {ttl!r}: a ttl is a positive number of seconds, or None for no expiry")
    return float(ttl)


def check_value(value: Any) -> Any:
    if value is None:
        raise InvalidArgument("cannot cache None: it is what get returns for a missing key; store another value")
    return value


def check_amount(amount: Any) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidArgument(f"invalid incr amount {amount!r}: an amount is an int (negative to decrement)")
    return amount


def check_size(data: bytes, key: str) -> bytes:
    if len(data) > MAX_LOCAL_VALUE:
        raise InvalidArgument(
            f"value for key {key!r} is {len(data)} bytes encoded, over the 1 MiB limit; store it in storage instead"
        )
    return data


def namespaced(cache: str, key: str) -> str:
    """The key as stored: ``<cache>:<key>``."""
    return f"{cache}:{key}"

"""How long a storage call may wait for answers before it fails with Timeout: one bound for all.

``INFRAR_STORAGE_TIMEOUT`` (seconds, default 30) bounds a call to an endpoint that accepts
and never answers. Each provider's client turns it into its SDK's own settings so that

    attempts x (connect timeout + read timeout) + the longest pauses between attempts <= bound

(gcp retries until a deadline instead of a count: deadline + one attempt <= bound). When the
bound is too short for the provider's retries, a call makes one attempt only. The settings
are the SDK's own (botocore ``Config``, google ``Retry``/``timeout``, azure client options),
so a program can also pass them itself; erased code computes them the same way.
"""

from __future__ import annotations

import math
import os
from typing import NamedTuple

from infrar.errors import ConfigurationError

VARIABLE = "INFRAR_STORAGE_TIMEOUT"
DEFAULT_SECONDS = 30.0
# A connect that takes longer than this is an unreachable endpoint (Unavailable), not a slow one.
CONNECT_SECONDS = 3.0
_MINIMUM_SECONDS = 1.0


class Plan(NamedTuple):
    """One provider's share of the bound: how many attempts, and each one's timeouts."""

    attempts: int
    connect: float
    read: float


def time_to_fail() -> float:
    """INFRAR_STORAGE_TIMEOUT in seconds (DEFAULT_SECONDS when unset)."""
    raw = os.environ.get(VARIABLE, "").strip()
    if not raw:
        return DEFAULT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= _MINIMUM_SECONDS):
        raise ConfigurationError(
            f"{VARIABLE}={raw!r} is not a number of seconds of at least {_MINIMUM_SECONDS:g}; "
            f"it bounds how long a storage call waits for answers (default {DEFAULT_SECONDS:g})"
        )
    return seconds


def plan(attempts: int, pauses: float, bound: float | None = None) -> Plan:
    """Split ``bound`` into ``attempts`` attempts with ``pauses`` seconds of backoff in all.

    One attempt, no pauses, when the bound leaves less than two seconds per attempt.
    """
    total = time_to_fail() if bound is None else bound
    if total - pauses < 2.0 * attempts:
        attempts, pauses = 1, 0.0
    share = (total - pauses) / attempts
    connect = min(CONNECT_SECONDS, share / 2)
    return Plan(attempts=attempts, connect=connect, read=share - connect)


def timed_out(exc: BaseException) -> bool:
    """Whether a socket timeout while sending or reading lies under ``exc``.

    SDKs report a send that timed out (a large body to an endpoint that stopped reading) as
    a lost connection; it is the same fault as a response that never came, so Timeout.
    A connect that timed out is an unreachable endpoint and does not count.
    """
    seen: set[int] = set()
    pending: list[object] = [exc]
    found = False
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if "ConnectTimeout" in type(current).__name__ or "ServiceRequestTimeout" in type(current).__name__:
            return False
        if isinstance(current, TimeoutError) or type(current).__name__ in ("ReadTimeout", "ReadTimeoutError"):
            found = True
        pending.extend([current.__cause__, current.__context__, *current.args])
        for name in ("error", "inner_exception", "reason", "last_exception", "cause"):
            pending.append(getattr(current, name, None))
        kwargs = getattr(current, "kwargs", None)
        if isinstance(kwargs, dict):
            pending.append(kwargs.get("error"))
    return found

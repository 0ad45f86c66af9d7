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

import os
import re

from infrar.errors import ConfigurationError

VARIABLE = "INFRAR_STORAGE_TIMEOUT"
DEFAULT_SECONDS = 30.0
# A connect that takes longer than this is an unreachable endpoint (Unavailable), not a slow one.
CONNECT_SECONDS = 3.0
# Where the SDKs keep the exception an exception wraps, besides __cause__ and __context__.
_WRAPS = ("error", "inner_exception", "reason", "last_exception", "cause")


def time_to_fail() -> float:
    """INFRAR_STORAGE_TIMEOUT in seconds (DEFAULT_SECONDS when unset), at least 1."""
    raw = os.environ.get(VARIABLE, "").strip()
    seconds = float(raw) if re.fullmatch(r"\d+\.?\d*|\.\d+", raw) else (0.0 if raw else DEFAULT_SECONDS)
    if seconds < 1.0:
        raise ConfigurationError(f"{VARIABLE}={raw!r} is not a number of seconds of at least 1; it bounds how "
                                 f"long a storage call waits for answers (default {DEFAULT_SECONDS:g})")
    return seconds


def plan(attempts: int, pauses: float, bound: float | None = None) -> tuple[int, float, float]:
    """Split ``bound`` into (attempts, connect timeout, read timeout) with ``pauses`` s of backoff in all.

    One attempt, no pauses, when the bound leaves less than two seconds per attempt.
    """
    total = time_to_fail() if bound is None else bound
    if total - pauses < 2.0 * attempts:
        attempts, pauses = 1, 0.0
    share = (total - pauses) / attempts
    connect = min(CONNECT_SECONDS, share / 2)
    return attempts, connect, share - connect


def timed_out(exc: BaseException) -> bool:
    """Whether a socket timeout while sending or reading lies under ``exc``.

    SDKs report a send that timed out (a large body to an endpoint that stopped reading) as
    a lost connection; it is the same fault as a response that never came, so Timeout.
    A connect that timed out is an unreachable endpoint and does not count.
    """
    pending: list[object] = [exc]
    seen: set[int] = set()
    found = False
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        name = type(current).__name__
        if "ConnectTimeout" in name or "ServiceRequestTimeout" in name:
            return False
        found = found or isinstance(current, TimeoutError) or name in ("ReadTimeout", "ReadTimeoutError")
        kwargs = getattr(current, "kwargs", None)
        pending += [current.__cause__, current.__context__, *current.args, *(getattr(current, n, None) for n in _WRAPS)]
        pending.append(kwargs.get("error") if isinstance(kwargs, dict) else None)
    return found

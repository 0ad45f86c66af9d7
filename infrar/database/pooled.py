"""Connections lent by a ``_keyed.ConnectionPool`` and probed after sitting idle.

Shared by the ODBC (azure) and pg8000 (Cloud SQL connector) paths: neither driver shows its
socket, so a server that closed an idle connection cannot be seen by looking at it. A
connection idle for PROBE_AFTER_SECONDS answers a probe (``SELECT 1``) before a statement is
sent on it; one that fails is discarded and another lent. A statement itself is never re-sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from infrar.providers._keyed import ConnectionPool

PROBE_AFTER_SECONDS = 1.0


class Link:
    """One driver connection and when it was last given back."""

    __slots__ = ("native", "used_at")

    def __init__(self, native: Any) -> None:
        self.native = native
        self.used_at = time.monotonic()

    def close(self) -> None:
        self.native.close()


class Dead(Exception):
    """An idle connection failed its probe: the pool discards it (list Dead in its ``broken``)."""


@contextmanager
def probed(pool: ConnectionPool[Link], probe: Callable[[Any], object],
           errors: tuple[type[BaseException], ...]) -> Iterator[Link]:
    """A link of ``pool`` whose connection, if it sat idle, answered ``probe`` without one of ``errors``."""
    while True:
        try:
            with pool.acquire() as link:
                if time.monotonic() - link.used_at >= PROBE_AFTER_SECONDS:
                    try:
                        probe(link.native)
                    except errors:
                        raise Dead() from None
                try:
                    yield link
                finally:
                    link.used_at = time.monotonic()
                return
        except Dead:
            continue  # discarded by the pool: the next one is idle-fresh or new

"""A bounded, thread-safe, fork-safe pool of psycopg2 connections per database.

psycopg2.pool.ThreadedConnectionPool raises PoolError when every connection is out; a caller
should wait instead, so a semaphore bounds the borrowers. A forked child gets a new pool and
never touches its parent's connections (closing one would end the parent's session).
A borrowed connection found dead (the server closed it: restart, idle timeout) is replaced
before any statement is sent on it; a statement is never re-sent after it may have run.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.extensions

MAX_CONNECTIONS = 10
Connect = Callable[[], Any]  # a new psycopg2 connection to one database
_IDLE = psycopg2.extensions.TRANSACTION_STATUS_IDLE


class Pool:
    """Up to ``size`` connections made by ``connect``, lent one at a time with ``borrow()``.

    Not psycopg2.pool: its ThreadedConnectionPool closes every returned connection beyond
    ``minconn`` (so it either reconnects per statement or opens ``maxconn`` at once) and
    raises PoolError instead of waiting when all are lent.
    """

    def __init__(self, connect: Connect, size: int = MAX_CONNECTIONS) -> None:
        self._pid = os.getpid()
        self._connect = connect
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def _take(self) -> Any:
        while True:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                connection = self._connect()
                connection.autocommit = True  # statements run alone; transactions say BEGIN themselves
                return connection
            if not _is_dead(connection):
                return connection
            connection.close()

    @contextmanager
    def borrow(self) -> Iterator[Any]:
        """A live connection, returned to the pool after (closed instead if it broke or is mid-transaction)."""
        with self._slots:
            connection = self._take()
            reusable = False
            try:
                yield connection
                reusable = not connection.closed and connection.info.transaction_status == _IDLE
            finally:
                if reusable:
                    with self._lock:
                        self._idle.append(connection)
                else:
                    connection.close()

    def close(self) -> None:
        """Close every idle connection (in the process that opened them only)."""
        if os.getpid() == self._pid:
            with self._lock:
                idle, self._idle = self._idle, []
            for connection in idle:
                connection.close()

    @property
    def pid(self) -> int:
        return self._pid


def _is_dead(connection: Any) -> bool:
    """Whether ``connection`` must not be used: closed, or the server sent something while it sat idle.

    An idle connection has nothing to read. A server that ends a session (restart, terminate,
    idle timeout) sends a FATAL ErrorResponse and closes; psycopg2 notices only when the next
    statement fails, after it was sent. Anything readable (rarely a harmless notice) retires
    the connection: one reconnect is cheaper than a statement that may or may not have run.
    """
    if connection.closed:
        return True
    readable, _, _ = select.select([connection.fileno()], [], [], 0)
    return bool(readable)


class Pools:
    """One Pool per database in this process, built on first use."""

    def __init__(self, connect: Callable[[str], Any]) -> None:
        self._connect = connect
        self._pools: dict[str, Pool] = {}
        self._lock = threading.Lock()

    def get(self, database: str) -> Pool:
        pool = self._pools.get(database)
        if pool is None or pool.pid != os.getpid():
            with self._lock:
                pool = self._pools.get(database)
                if pool is None or pool.pid != os.getpid():
                    pool = self._pools[database] = Pool(lambda: self._connect(database))
        return pool

    def reset(self) -> None:
        with self._lock:
            pools, self._pools = self._pools, {}
        for pool in pools.values():
            pool.close()

"""psycopg2's own ThreadedConnectionPool, made to wait, to survive fork and to skip dead connections.

psycopg2.pool raises PoolError when every connection is out, keeps only ``minconn`` idle
connections (opening them all at once) and knows nothing of fork; ``Pool`` adds what a
long-running app needs on top of it:
- a semaphore bounds the borrowers, so a caller waits (up to WAIT_SECONDS) instead of failing;
- connections open on first need, and up to ``size`` idle ones are kept;
- a forked child starts with no connections and never touches (or lets the garbage collector
  close) its parent's, which share the parent's sockets;
- an idle connection the server wrote to (restart, terminate, idle timeout) is replaced before
  any statement is sent on it; a statement is never re-sent after it may have run.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2.extensions
import psycopg2.pool

from infrar.database.rules import POOL_SIZE
from infrar.errors import Timeout
from infrar.providers._keyed import PerResource

WAIT_SECONDS = 60.0
_IDLE = psycopg2.extensions.TRANSACTION_STATUS_IDLE
# Connections inherited across fork: referenced for the rest of the process so that no
# close (explicit or by garbage collection) ends the parent's session on the shared socket.
_INHERITED: list[Any] = []


class Pool(psycopg2.pool.ThreadedConnectionPool):
    """Up to ``size`` connections made by ``connect()``, lent one at a time by ``borrow()``.

    ``endpoint`` (host:port, or a Cloud SQL instance) names the server in messages.
    """

    def __init__(self, connect: Callable[[], Any], endpoint: str, size: int) -> None:
        super().__init__(0, size)  # 0: psycopg2 would open ``minconn`` connections right now
        self.minconn = size  # psycopg2 keeps up to ``minconn`` returned connections idle
        self.endpoint = endpoint
        self._open = connect
        self._start()

    def _start(self) -> None:
        self.pid = os.getpid()
        self._slots = threading.BoundedSemaphore(self.maxconn)

    def _connect(self, key: Any = None) -> Any:
        # psycopg2.pool's one place that opens a connection: here through ``connect()``,
        # which may fetch a fresh password (an IAM token) for each new connection.
        connection = self._open()
        connection.autocommit = True  # statements run alone; a transaction says BEGIN itself
        if key is not None:
            self._used[key] = connection
            self._rused[id(connection)] = key
        else:
            self._pool.append(connection)
        return connection

    def _forked(self) -> None:
        """In a child: forget the parent's connections without closing them, start empty."""
        # Not under self._lock: a parent thread that fork did not copy may hold it.
        _INHERITED.extend(self._pool + list(self._used.values()))
        self._pool: list[Any] = []
        self._used: dict[Any, Any] = {}
        self._rused: dict[int, Any] = {}
        self._lock = threading.Lock()
        self._start()

    def close(self) -> None:
        """Close every connection, in the process that opened them only (a child forgets its parent's)."""
        if self.pid == os.getpid():
            self.closeall()
        else:
            _INHERITED.extend(self._pool + list(self._used.values()))

    def _take(self) -> Any:
        while True:
            connection = self.getconn()
            if not _is_dead(connection):
                return connection
            self.putconn(connection, close=True)

    def lend(self) -> Any:
        """A live connection for one user at a time; ``give_back()`` it after."""
        if self.pid != os.getpid():
            self._forked()
        if not self._slots.acquire(timeout=WAIT_SECONDS):
            raise Timeout(
                f"no connection to {self.endpoint} came free within {WAIT_SECONDS:.0f} s: all "
                f"{self.maxconn} are in use; hold connections (transactions, iter_query) for less time"
            )
        try:
            return self._take()
        except BaseException:
            self._slots.release()
            raise

    def give_back(self, connection: Any) -> None:
        """Keep ``connection`` for the next user, or close it if it broke or is still in a transaction."""
        reusable = not connection.closed and connection.info.transaction_status == _IDLE
        try:
            self.putconn(connection, close=not reusable)
        finally:
            self._slots.release()

    @contextmanager
    def borrow(self) -> Iterator[Any]:
        """``lend()`` and ``give_back()`` around a block."""
        connection = self.lend()
        try:
            yield connection
        finally:
            self.give_back(connection)


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


def libpq_endpoint() -> str:
    """libpq's host:port (PGHOST, PGPORT), for messages: never a credential."""
    return f"{os.environ.get('PGHOST') or 'localhost'}:{os.environ.get('PGPORT') or '5432'}"


def per_database(connect: Callable[[str], Any]) -> PerResource[Pool]:
    """One Pool per database name, opening connections with ``connect(database)``; closed on reset."""
    def build(database: str) -> Pool:
        return Pool(lambda: connect(database), libpq_endpoint(), POOL_SIZE)

    return PerResource(build, on_reset=lambda pool: pool.close())

"""psycopg2's own ThreadedConnectionPool, made to wait, to survive fork and to skip dead connections.

psycopg2.pool raises PoolError when every connection is out, keeps only ``minconn`` idle
connections (opening them all at once) and knows nothing of fork; ``Pool`` adds what a
long-running app needs on top of it:
- at most ``size`` connections are open; a caller waits (up to WAIT_SECONDS) for one instead of failing;
- connections open on first need, and up to ``size`` idle ones are kept;
- a forked child starts with no connections and never touches (or lets the garbage collector
  close) its parent's, which share the parent's sockets;
- an idle connection the server wrote to (restart, terminate, idle timeout) is replaced before
  any statement is sent on it (unless given back within FRESH_SECONDS); a statement is never
  re-sent after it may have run.
"""

from __future__ import annotations

import os
import select
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg2.extensions
import psycopg2.pool

from infrar.database.rules import POOL_SIZE
from infrar.errors import Timeout
from infrar.providers._keyed import PerResource

T = TypeVar("T")
WAIT_SECONDS = 60.0
# A connection given back less than this long ago is lent without looking for a server's
# goodbye on it (the select() below costs more than the rest of lending): a server ending a
# session within this window is as likely as one ending it while a statement runs.
FRESH_SECONDS = 0.002
_IDLE = psycopg2.extensions.TRANSACTION_STATUS_IDLE
# Connections inherited across fork: referenced for the rest of the process so that no
# close (explicit or by garbage collection) ends the parent's session on the shared socket.
_INHERITED: list[Any] = []


class Pool(psycopg2.pool.ThreadedConnectionPool):
    """Up to ``size`` connections made by ``connect()``, lent one at a time by ``lend()``.

    ``endpoint`` (host:port, or a Cloud SQL instance) names the server in messages.
    psycopg2.pool opens and closes the connections and counts every open one as in use;
    a connection given back healthy waits on ``_idle`` (with the cursor ``run()`` keeps for it)
    and is lent again first, newest first, so the every-statement path is a list pop and a list
    append, atomic without a lock (and a ``select()`` for a connection idle longer than
    FRESH_SECONDS).
    """

    def __init__(self, connect: Callable[[], Any], endpoint: str, size: int) -> None:
        super().__init__(0, size)  # 0: psycopg2 would open ``minconn`` connections right now
        self.endpoint = endpoint
        self._open = connect
        self._start()
        _POOLS.add(self)

    def _start(self) -> None:
        self.pid = os.getpid()
        # (connection, its cursor for single statements or None, when given back): psycopg2
        # still counts them as lent.
        self._idle: list[tuple[Any, Any, float]] = []
        self._opened = 0  # open connections, idle or lent; at most maxconn
        self._waiting = 0  # borrowers waiting for one to come free
        self._state = threading.Lock()  # guards _opened and _waiting (psycopg2's _lock guards its own)
        self._freed = threading.Condition(self._state)

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
        # Not under the parent's locks: a parent thread that fork did not copy may hold one.
        _INHERITED.extend([*self._pool, *self._used.values(), *self._idle])
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

    def run(self, sql: str, values: Any, read: Callable[[Any], T]) -> T:
        """Execute one statement on a live connection's kept cursor in autocommit; ``read(cursor)``.

        Every single statement's path: lending, the cursor and giving back are inlined here,
        since each call level costs about as much as the checks it would hold. psycopg2.Error
        (opening a connection, the statement) propagates.
        """
        try:
            connection, cursor, given_back = self._idle.pop()  # one atomic step: no lock
        except IndexError:
            connection, cursor = self.lend(), None
        else:
            if connection.closed or (time.monotonic() - given_back >= FRESH_SECONDS and _is_dead(connection)):
                self._drop(connection)
                connection, cursor = self.lend(), None
        try:
            if cursor is None:
                cursor = connection.cursor()  # kept: a new cursor costs more than the rest of lending
            cursor.execute(sql, values)
            return read(cursor)
        finally:
            if not connection.closed and connection.get_transaction_status() == _IDLE and not self.closed:
                # A closed cursor (``read`` closes one holding a big result) is not kept.
                self._idle.append((connection, None if cursor is None or cursor.closed else cursor,
                                   time.monotonic()))
                if self._waiting:
                    self._notify()
            else:
                self._drop(connection)

    def lend(self) -> Any:
        """A live connection for one user at a time; ``give_back()`` it after."""
        if self.pid != os.getpid():  # fork without Python's hooks (``_after_fork``), e.g. from C
            self._forked()
        while True:
            try:
                connection, _, given_back = self._idle.pop()  # one atomic step: no lock on the common path
            except IndexError:
                connection, _, given_back = self._next()
            if connection is None:
                return self._new()
            if connection.closed or (time.monotonic() - given_back >= FRESH_SECONDS and _is_dead(connection)):
                self._drop(connection)
                continue
            return connection

    def _next(self) -> tuple[Any, Any, float]:
        """An idle entry (connection, cursor, when given back), or (None, None, 0) when one more
        may be opened (counted now); waits while all are lent."""
        with self._state:
            while True:
                try:
                    return self._idle.pop()  # given back since lend() looked, or after the wait
                except IndexError:
                    pass  # or taken by a lend() that does not lock
                if self._opened < self.maxconn:
                    self._opened += 1
                    return None, None, 0.0
                self._wait()

    def _wait(self) -> None:
        self._waiting += 1
        try:
            if not self._freed.wait_for(lambda: self._idle or self._opened < self.maxconn, WAIT_SECONDS):
                raise Timeout(
                    f"no connection to {self.endpoint} came free within {WAIT_SECONDS:.0f} s: all "
                    f"{self.maxconn} are in use; hold connections (transactions, iter_query) for less time"
                )
        finally:
            self._waiting -= 1

    def _new(self) -> Any:
        try:
            return self.getconn()
        except BaseException:
            self._forget()
            raise

    def give_back(self, connection: Any) -> None:
        """Keep ``connection`` for the next user, or close it if it broke or is still in a transaction."""
        if not connection.closed and connection.get_transaction_status() == _IDLE and not self.closed:
            # No lock to append (one atomic step), and none to read _waiting: a borrower counts
            # itself waiting before it looks at _idle, both under the lock, so it either sees
            # this connection or is counted here and notified.
            self._idle.append((connection, None, time.monotonic()))
            if self._waiting:
                self._notify()
            return
        self._drop(connection)

    def _notify(self) -> None:
        with self._state:
            self._freed.notify()

    def _drop(self, connection: Any) -> None:
        """Close ``connection`` and free its place."""
        try:
            if self.closed:  # close() ended the pool while it was lent
                connection.close()
            else:
                self.putconn(connection, close=True)
        finally:
            self._forget()

    def _forget(self) -> None:
        with self._state:
            self._opened -= 1
            if self._waiting:
                self._freed.notify()

    @contextmanager
    def borrow(self) -> Iterator[Any]:
        """``lend()`` and ``give_back()`` around a block."""
        connection = self.lend()
        try:
            yield connection
        finally:
            self.give_back(connection)


def _after_fork() -> None:
    for pool in list(_POOLS):
        pool._forked()


def _registry() -> weakref.WeakSet[Any]:  # of Pool, defined below
    # A call in an assignment rather than a statement of its own: erase copies the module-level
    # definitions a program reaches, so the hook comes along with the set Pool uses.
    os.register_at_fork(after_in_child=_after_fork)
    return weakref.WeakSet()


# Every Pool of this process, so that a forked child empties them before any code of its own
# runs (``_after_fork``): the every-statement path then needs no ``os.getpid()``, a system call.
_POOLS: weakref.WeakSet[Any] = _registry()


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

"""Clients by resource name, and pools of connections that threads must not share.

For service modules under ``providers/<p>/_clients/`` whose resources differ in endpoint or
credentials (several databases or caches in one process), and whose clients may not be
shared across threads (DB-API connections). Erase copies this module's definitions into
erased code like any helper, so it stays small and uses the standard library only.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Generic, Protocol, TypeVar

from infrar.errors import Timeout

_T = TypeVar("_T")

# Connections inherited across fork, kept referenced for the rest of the process: closing
# one, or letting garbage collection close it, could end the parent's session on the
# socket both processes hold.
_INHERITED: list[object] = []


class PerResource(Generic[_T]):
    """One client per resource name, each built by ``build(name)`` on first use, once.

    ``on_reset`` is called with each client ``reset()`` drops (a pool resets its own).
    """

    def __init__(self, build: Callable[[str], _T], on_reset: Callable[[_T], None] | None = None) -> None:
        self._build = build
        self._on_reset = on_reset
        self._clients: dict[str, _T] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> _T:
        found = self._clients.get(name)
        if found is None:
            with self._lock:
                found = self._clients.get(name)
                if found is None:
                    found = self._clients[name] = self._build(name)
        return found

    def reset(self) -> None:
        """Forget every client (after fork, or for a new endpoint); no lock is waited for."""
        dropped = list(self._clients.values())
        self._clients = {}
        self._lock = threading.Lock()
        if self._on_reset is not None:
            for client in dropped:
                self._on_reset(client)


class _Connection(Protocol):
    """What the pool needs of a connection (every DB-API connection has it)."""

    def close(self) -> None: ...


_C = TypeVar("_C", bound=_Connection)


class _Slots(Generic[_C]):
    """The connections of one pool between two resets, and the process that opened them."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.idle: list[_C] = []
        self.live = 0  # open connections, idle or in use
        self.changed = threading.Condition()


class ConnectionPool(Generic[_C]):
    """At most ``size`` connections to ``resource``, each used by one thread at a time.

    ``connect()`` opens one. A thread that finds all in use waits up to ``wait`` seconds,
    then gets Timeout naming ``setting``, the variable that sets ``size``. A connection
    whose user raised one of ``broken`` (connection-level errors) is closed, not reused.
    The user ends its transaction before giving a connection back. In a forked child the
    pool starts afresh by itself and never touches the parent's connections.
    """

    def __init__(self, resource: str, connect: Callable[[], _C], size: int, wait: float,
                 setting: str, broken: tuple[type[BaseException], ...]) -> None:
        self.resource = resource
        self.size = size
        self.wait = wait
        self.setting = setting
        self._connect = connect
        self._broken = broken
        self._slots: _Slots[_C] = _Slots()

    @contextmanager
    def acquire(self) -> Iterator[_C]:
        if self._slots.pid != os.getpid():
            self.reset()  # forked since they were opened: erased code has no fork hook to do it
        slots = self._slots
        connection = self._take(slots)
        try:
            yield connection
        except self._broken:
            self._discard(slots, connection)
            raise
        except BaseException:
            self._give_back(slots, connection)
            raise
        self._give_back(slots, connection)

    def _take(self, slots: _Slots[_C]) -> _C:
        with slots.changed:
            if not slots.changed.wait_for(lambda: bool(slots.idle) or slots.live < self.size, self.wait):
                raise Timeout(
                    f"no connection to {self.resource!r} came free within {self.wait} s: all "
                    f"{self.size} are in use; raise {self.setting} or hold connections for less time"
                )
            if slots.idle:
                return slots.idle.pop()
            slots.live += 1
        try:
            return self._connect()  # outside the lock: a slow connect holds up no one else
        except BaseException:
            self._forget(slots)
            raise

    def _give_back(self, slots: _Slots[_C], connection: _C) -> None:
        if slots is self._slots:
            with slots.changed:
                if slots is self._slots:  # again under the lock reset() takes to close the idle ones
                    slots.idle.append(connection)
                    slots.changed.notify()
                    return
        self._discard(slots, connection)  # opened before a reset()

    def _discard(self, slots: _Slots[_C], connection: _C) -> None:
        if slots.pid != os.getpid():
            # Opened before fork: the parent's. Its slots are gone with the reset, and their
            # lock may be held by a thread that fork did not copy, so it is not touched.
            _INHERITED.append(connection)
            return
        with suppress(Exception):  # a broken connection may fail to close too; it is gone either way
            connection.close()
        self._forget(slots)

    def _forget(self, slots: _Slots[_C]) -> None:
        with slots.changed:
            slots.live -= 1
            slots.changed.notify()

    def reset(self) -> None:
        """Drop every connection. After fork they are the parent's: none is used or closed."""
        old, self._slots = self._slots, _Slots()
        if old.pid != os.getpid():
            _INHERITED.extend(old.idle)  # old's lock may be held by a thread fork did not copy
            return
        with old.changed:
            idle, old.idle = old.idle, []
        for connection in idle:
            with suppress(Exception):
                connection.close()

"""Clients by resource and bounded connection pools (infrar/providers/_keyed.py), with real
sqlite3 connections used from many threads, after reset() and across fork."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infrar.errors import Timeout
from infrar.providers import _keyed
from infrar.providers._keyed import ConnectionPool, PerResource

SETTING = "INFRAR_TEST_POOL_SIZE"


class Opener:
    """Opens real sqlite3 connections to one database file and remembers each one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with sqlite3.connect(path) as setup:
            setup.execute("CREATE TABLE IF NOT EXISTS rows (thread TEXT, n INTEGER)")
        setup.close()

    def __call__(self) -> sqlite3.Connection:
        # A pooled connection is used by one thread at a time, but not always the same one.
        connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        with self._lock:
            self.opened.append(connection)
        return connection


Pool = ConnectionPool[sqlite3.Connection]


def _pool(opener: Callable[[], sqlite3.Connection], size: int = 3, wait: float = 30.0) -> Pool:
    return ConnectionPool("orders", opener, size=size, wait=wait, setting=SETTING, broken=(sqlite3.ProgrammingError,))


def _is_open(connection: sqlite3.Connection) -> bool:
    try:
        connection.total_changes  # noqa: B018 (raises ProgrammingError once closed)
    except sqlite3.ProgrammingError:
        return False
    return True


@pytest.fixture
def opener(tmp_path: Path) -> Iterator[Opener]:
    found = Opener(tmp_path / "pool.db")
    yield found
    for connection in found.opened:
        connection.close()


# --- clients by resource name ------------------------------------------------------------


def test_per_resource_builds_each_name_once_across_threads(tmp_path: Path) -> None:
    built: list[str] = []

    def build(name: str) -> sqlite3.Connection:
        built.append(name)
        return sqlite3.connect(tmp_path / f"{name}.db", check_same_thread=False)

    clients = PerResource(build)
    start = threading.Barrier(16)

    def use(index: int) -> tuple[int, int]:
        start.wait(timeout=30)
        return id(clients.get("orders")), id(clients.get("users" if index % 2 else "orders"))

    with ThreadPoolExecutor(max_workers=16) as workers:
        seen = list(workers.map(use, range(16)))
    assert sorted(built) == ["orders", "users"]
    assert len({first for first, _ in seen}) == 1
    assert len({second for _, second in seen}) == 2
    clients.get("orders").close()
    clients.get("users").close()


def test_per_resource_reset_drops_every_client_and_hands_each_to_on_reset(tmp_path: Path) -> None:
    dropped: list[sqlite3.Connection] = []
    clients = PerResource(lambda name: sqlite3.connect(tmp_path / f"{name}.db"), on_reset=dropped.append)
    first = clients.get("orders")
    clients.reset()
    assert dropped == [first]
    second = clients.get("orders")
    assert second is not first
    first.close()
    second.close()


# --- bounded pool --------------------------------------------------------------------------


def test_many_threads_share_at_most_size_connections(opener: Opener) -> None:
    pool = _pool(opener, size=3)
    in_use: set[int] = set()
    most = 0
    guard = threading.Lock()

    def work(thread: int) -> None:
        nonlocal most
        for n in range(25):
            with pool.acquire() as connection:
                with guard:
                    assert id(connection) not in in_use, "a connection was handed to two threads at once"
                    in_use.add(id(connection))
                    most = max(most, len(in_use))
                with connection:  # commits
                    connection.execute("INSERT INTO rows VALUES (?, ?)", (str(thread), n))
                with guard:
                    in_use.discard(id(connection))

    with ThreadPoolExecutor(max_workers=24) as workers:
        list(workers.map(work, range(24)))
    assert 1 <= most <= 3
    assert 1 <= len(opener.opened) <= 3
    with pool.acquire() as connection:
        assert connection.execute("SELECT COUNT(*) FROM rows").fetchone() == (24 * 25,)


def test_size_connections_at_once_then_timeout_names_resource_and_setting(opener: Opener) -> None:
    pool = _pool(opener, size=3, wait=0.05)
    holding = threading.Barrier(4)
    release = threading.Event()
    held: list[int] = []

    def hold() -> None:
        with pool.acquire() as connection:
            held.append(id(connection))
            holding.wait(timeout=30)
            release.wait(timeout=30)

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        holding.wait(timeout=30)  # all three hold one now
        with pytest.raises(Timeout) as caught, pool.acquire():
            pass
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(set(held)) == 3 and len(opener.opened) == 3
    assert isinstance(caught.value, TimeoutError)
    message = str(caught.value)
    assert "'orders'" in message and SETTING in message and "3" in message
    with pool.acquire() as connection:  # given back: reused, not a fourth
        assert id(connection) in held
    assert len(opener.opened) == 3


def test_a_connection_that_broke_is_closed_and_replaced(opener: Opener) -> None:
    pool = _pool(opener, size=1)
    with pytest.raises(sqlite3.ProgrammingError), pool.acquire() as broken:
        broken.close()
        broken.execute("SELECT 1")  # ProgrammingError: a connection-level error for this pool
    with pool.acquire() as fresh:
        assert fresh is not broken and _is_open(fresh)


def test_other_errors_give_the_connection_back(opener: Opener) -> None:
    pool = _pool(opener, size=1)
    with pytest.raises(sqlite3.OperationalError), pool.acquire() as first:
        first.execute("SELECT * FROM no_such_table")
    with pool.acquire() as again:
        assert again is first
    assert len(opener.opened) == 1


def test_a_failed_connect_frees_its_slot(opener: Opener, tmp_path: Path) -> None:
    attempts: list[Path] = [tmp_path / "missing" / "dir" / "x.db", opener.path]

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(attempts.pop(0), check_same_thread=False)
        opener.opened.append(connection)
        return connection

    pool = _pool(connect, size=1, wait=0.05)
    with pytest.raises(sqlite3.OperationalError), pool.acquire():
        pass  # sqlite3 cannot create a file in a missing directory
    with pool.acquire() as connection:  # not Timeout: the failed attempt holds no slot
        assert _is_open(connection)


def test_reset_closes_idle_connections_and_those_given_back_after_it(opener: Opener) -> None:
    pool = _pool(opener, size=2)
    with pool.acquire() as busy:
        with pool.acquire() as idle:
            pass
        pool.reset()
        assert not _is_open(idle)
        assert _is_open(busy)
    assert not _is_open(busy)  # opened before the reset: closed, not pooled
    with pool.acquire() as fresh:
        assert fresh is not idle and fresh is not busy


def test_after_fork_the_child_keeps_the_parents_connections_untouched(opener: Opener) -> None:
    pools = PerResource(lambda name: _pool(opener, size=1), on_reset=ConnectionPool.reset)
    with pools.get("orders").acquire() as parent_connection:
        parent_connection.execute("INSERT INTO rows VALUES ('parent', 1)")
        parent_connection.commit()
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        status = 1
        try:
            pools.reset()  # what dispatch.reset() does after fork, through _clients.reset()
            inherited = any(kept is parent_connection for kept in _keyed._INHERITED)
            with pools.get("orders").acquire() as child_connection:
                fresh = child_connection is not parent_connection
            status = 0 if inherited and fresh and _is_open(parent_connection) else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with pools.get("orders").acquire() as connection:
        assert connection is parent_connection
        assert connection.execute("SELECT COUNT(*) FROM rows WHERE thread = 'parent'").fetchone() == (1,)


def test_a_pool_used_in_a_forked_child_starts_afresh_by_itself(opener: Opener) -> None:
    # Erased code has no dispatch and no fork hook: the pool itself notices the fork.
    pool = _pool(opener, size=1)
    with pool.acquire() as parent_connection:
        pass
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            with pool.acquire() as child_connection:
                status = 0 if child_connection is not parent_connection and _is_open(parent_connection) else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with pool.acquire() as connection:
        assert connection is parent_connection

"""The local messaging database, ``<INFRAR_LOCAL_ROOT>/messaging/messaging.db``.

One table of messages (each queue and each subscription is a value of its ``queue`` column)
and one of subscriptions (which topic feeds which queue). A message's ``ordering_key`` (NULL
when none) holds back the later messages of that key in its queue until it is gone. One connection per thread and
process, in WAL mode with a busy timeout, so a web process that publishes and a worker process
that subscribes share the file safely; every read-then-write runs in ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable

from infrar.providers.local._clients import files

_BUSY_TIMEOUT_S = 30.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    id TEXT NOT NULL,
    data BLOB NOT NULL,
    attributes TEXT NOT NULL,
    visible_at REAL NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 0,
    lease TEXT,
    reason TEXT,
    ordering_key TEXT
);
CREATE INDEX IF NOT EXISTS ready ON messages (queue, visible_at);
CREATE TABLE IF NOT EXISTS subscriptions (name TEXT PRIMARY KEY, topic TEXT NOT NULL);
"""
# A database made before ordering keys gets the column; the index needs it, so it comes after.
_ORDERED_INDEX = ("CREATE INDEX IF NOT EXISTS ordered ON messages (queue, ordering_key, seq) "
                  "WHERE ordering_key IS NOT NULL")
_local = threading.local()
_open_lock = threading.Lock()


def _open(path: str) -> sqlite3.Connection:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE where a read decides a write).
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    with _open_lock:  # threads opening at once would make SQLite refuse the journal switch as busy
        _retry_locked(lambda: connection.execute("PRAGMA journal_mode=WAL"))
        connection.execute("PRAGMA synchronous=NORMAL")
        _retry_locked(lambda: connection.executescript(_SCHEMA))
        _retry_locked(lambda: _add_ordering_key(connection))
    return connection


def _add_ordering_key(connection: sqlite3.Connection) -> None:
    columns = {row[1] for row in connection.execute("PRAGMA table_info(messages)")}
    if "ordering_key" not in columns:
        connection.execute("ALTER TABLE messages ADD COLUMN ordering_key TEXT")
    connection.execute(_ORDERED_INDEX)


def _retry_locked(step: Callable[[], object]) -> None:
    # The journal switch and the first schema write need the file to themselves, and SQLite
    # answers "locked" at once (no busy wait) while another process opens it: retry a while.
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def client() -> sqlite3.Connection:
    """This thread's connection to the messaging database under the current INFRAR_LOCAL_ROOT."""
    path = str(files.root() / "messaging" / "messaging.db")
    key = (os.getpid(), path)
    if getattr(_local, "key", None) != key:
        _local.connection = _open(path)  # a forked child's inherited one is left alone, never closed
        _local.key = key
    connection: sqlite3.Connection = _local.connection
    return connection


def reset() -> None:
    """Forget this thread's connection (the others are rebuilt by their pid check); a new lock."""
    global _open_lock
    _local.key = None
    _open_lock = threading.Lock()

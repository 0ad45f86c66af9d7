"""The local cache's SQLite database, ``<INFRAR_LOCAL_ROOT>/cache/cache.db``.

One connection per thread and process (sqlite3 connections must not cross threads or fork),
opened in WAL mode with a busy timeout so that processes sharing the file wait for each
other instead of failing. Rebuilt when INFRAR_LOCAL_ROOT changes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from infrar.providers.local._clients import files

_BUSY_TIMEOUT_S = 30.0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)"
)
_local = threading.local()
_open_lock = threading.Lock()


def _open(path: str) -> sqlite3.Connection:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE where a read decides a write).
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    with _open_lock:  # threads opening at once would make SQLite refuse the journal switch as busy
        if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            _switch_to_wal(connection)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(_SCHEMA)
    return connection


def _switch_to_wal(connection: sqlite3.Connection) -> None:
    # Changing the journal mode needs the file to itself, and SQLite answers "locked" at once
    # (no busy wait) while another process holds it: retry until the busy timeout.
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def client() -> sqlite3.Connection:
    """This thread's connection to the cache database under the current INFRAR_LOCAL_ROOT."""
    # Keyed on the variable's text (and the working directory when it is relative), not on the
    # resolved path: building the Path on every call cost more than the SQLite statement.
    setting = os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar"
    key = (os.getpid(), setting if os.path.isabs(setting) else os.path.join(os.getcwd(), setting))
    if getattr(_local, "key", None) != key:
        # A forked child's inherited connection is left alone, never closed.
        _local.connection = _open(str(files.root() / "cache" / "cache.db"))
        _local.key = key
    connection: sqlite3.Connection = _local.connection
    return connection


def reset() -> None:
    """Forget this thread's connection (the others are rebuilt by their pid check); a new lock."""
    global _open_lock
    _local.key = None
    _open_lock = threading.Lock()

"""The local cache's SQLite database, ``<INFRAR_LOCAL_ROOT>/cache/cache.db``.

One connection per thread and process (sqlite3 connections must not cross threads or fork),
opened in WAL mode with a busy timeout so that processes sharing the file wait for each
other instead of failing. Rebuilt when INFRAR_LOCAL_ROOT changes.
"""

from __future__ import annotations

import os
import sqlite3
import threading

from infrar.providers.local._clients import files

_BUSY_TIMEOUT_S = 30.0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)"
)
_local = threading.local()


def _open(path: str) -> sqlite3.Connection:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE where a read decides a write).
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(_SCHEMA)
    return connection


def client() -> sqlite3.Connection:
    """This thread's connection to the cache database under the current INFRAR_LOCAL_ROOT."""
    path = str(files.root() / "cache" / "cache.db")
    key = (os.getpid(), path)
    if getattr(_local, "key", None) != key:
        _local.connection = _open(path)  # a forked child's inherited one is left alone, never closed
        _local.key = key
    connection: sqlite3.Connection = _local.connection
    return connection


def reset() -> None:
    """Forget this thread's connection; the others are rebuilt by their pid check."""
    _local.key = None

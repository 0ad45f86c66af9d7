"""SQLite connections for the local database: one file per database, one connection per thread.

``<INFRAR_LOCAL_ROOT>/database/<name>`` is created on first use. WAL lets readers run beside
one writer, and the busy timeout makes writers from other threads and processes wait their
turn instead of failing. Connections are per thread (sqlite3 connections are not to be shared
unguarded) and per process: a forked child opens its own, never its parent's.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from infrar.providers.local._clients import files

BUSY_TIMEOUT_SECONDS = 30.0
_local = threading.local()


def path(database: str) -> Path:
    """The file holding ``database``."""
    return files.root() / "database" / database


def connect(database: str) -> sqlite3.Connection:
    """A new autocommit connection to ``database`` (callers issue BEGIN themselves)."""
    target = path(database)
    target.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        target,
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,  # autocommit: each statement alone is atomic; BEGIN opens a transaction
        detect_types=sqlite3.PARSE_DECLTYPES,  # converters by declared column type (see database.py)
        check_same_thread=False,  # a transaction may be closed by the thread that finalises it
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the app under WAL
    return connection


def client(database: str) -> sqlite3.Connection:
    """This thread's connection to ``database`` in this process, opened on first use."""
    cache: dict[tuple[int, str, Path], sqlite3.Connection] | None = getattr(_local, "connections", None)
    if cache is None:
        cache = _local.connections = {}
    key = (os.getpid(), database, files.root())
    connection = cache.get(key)
    if connection is None:
        connection = cache[key] = connect(database)
    return connection


def reset() -> None:
    """Close this thread's connections (tests switch INFRAR_LOCAL_ROOT between cases)."""
    cache: dict[tuple[int, str, Path], sqlite3.Connection] = getattr(_local, "connections", {})
    for key, connection in list(cache.items()):
        if key[0] == os.getpid():
            connection.close()
    cache.clear()

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
from collections.abc import Callable
from datetime import date, datetime, timezone
from decimal import Context, Decimal
from pathlib import Path

from infrar.providers.local._clients import files

BUSY_TIMEOUT_SECONDS = 30.0
# os.environ's own storage and its key for INFRAR_LOCAL_ROOT: ``os.environ.get`` encodes the
# key and decodes the value in Python, which costs more than a single-row query itself.
_ROOT_KEY = os.environ.encodekey("INFRAR_LOCAL_ROOT")
# Connections a forked child inherited: kept referenced, never closed (SQLite's locks are the
# parent's), and never used (``_after_fork`` gives the child's thread an empty cache).
_INHERITED: list[object] = []
_pid = os.getpid()  # the process whose connections the caches hold
_MAX_SCALE = 38  # PostgreSQL's NUMERIC allows more; 38 is SQL Server's limit
_WIDE = Context(prec=80)  # quantize must not fail on a value that fits NUMERIC(38, s)


def _to_datetime(raw: bytes) -> datetime:
    value = datetime.fromisoformat(raw.decode())
    return value.astimezone(timezone.utc) if value.tzinfo is not None else value


def _store_datetime(value: datetime) -> str:
    return (value.astimezone(timezone.utc) if value.tzinfo is not None else value).isoformat()


def _decimal_of_scale(scale: int) -> Callable[[bytes], Decimal]:
    exponent = Decimal(1).scaleb(-scale)
    return lambda raw: Decimal(raw.decode()).quantize(exponent, context=_WIDE)


def register_types() -> None:
    """Values as PostgreSQL returns them, by the column's declared type (sqlite3's registry is process-wide).

    BOOLEAN/BOOL -> bool, NUMERIC/DECIMAL -> Decimal (``NUMERIC_S<s>``: with scale s), DATE ->
    date, TIMESTAMP/TIMESTAMPTZ/DATETIME -> datetime (aware UTC when stored with an offset;
    aware datetimes are stored as UTC ISO text). Only connections opened with detect_types see them.
    """
    sqlite3.register_adapter(Decimal, str)
    sqlite3.register_adapter(date, date.isoformat)
    sqlite3.register_adapter(datetime, _store_datetime)
    for name in ("BOOLEAN", "BOOL"):
        sqlite3.register_converter(name, lambda raw: raw not in (b"0", b""))
    for name in ("NUMERIC", "DECIMAL"):
        sqlite3.register_converter(name, lambda raw: Decimal(raw.decode()))
    for scale in range(_MAX_SCALE + 1):
        sqlite3.register_converter(f"NUMERIC_S{scale}", _decimal_of_scale(scale))
    sqlite3.register_converter("DATE", lambda raw: date.fromisoformat(raw.decode()))
    for name in ("TIMESTAMP", "TIMESTAMPTZ", "DATETIME"):
        sqlite3.register_converter(name, _to_datetime)


def path(database: str) -> Path:
    """The file holding ``database``."""
    return files.root() / "database" / database


def connect(database: str) -> sqlite3.Connection:
    """A new autocommit connection to ``database`` (callers issue BEGIN themselves)."""
    register_types()  # here, not at import: erased code copies what connect() reaches
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
    try:
        cache: dict[tuple[str, object], sqlite3.Connection] = _local.connections
    except AttributeError:
        cache = _local.connections = {}
    # The variable's raw text, not files.root(): building the absolute Path costs more than the query.
    key = (database, os.environ._data.get(_ROOT_KEY))  # type: ignore[attr-defined]
    connection = cache.get(key)
    if connection is None:
        connection = cache[key] = connect(database)
    return connection


def reset() -> None:
    """Close this thread's connections (tests switch INFRAR_LOCAL_ROOT between cases)."""
    if _pid != os.getpid():  # another fork hook ran before ours: the cache is the parent's
        _after_fork()
    cache: dict[tuple[str, object], sqlite3.Connection] = getattr(_local, "connections", {})
    for connection in list(cache.values()):
        connection.close()
    cache.clear()


def _thread_local() -> threading.local:
    # A call in an assignment rather than a statement of its own: erase copies the module-level
    # definitions a program reaches, so the hook comes along with ``_local``.
    os.register_at_fork(after_in_child=_after_fork)
    return threading.local()


def _after_fork() -> None:
    # The forking thread is the child's only one: its cache holds the parent's connections.
    global _pid
    _pid = os.getpid()
    _INHERITED.extend(getattr(_local, "connections", {}).values())
    _local.connections = {}


_local = _thread_local()  # per thread: {(database, INFRAR_LOCAL_ROOT's text): connection}

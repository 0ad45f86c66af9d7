"""DuckDB for the local data warehouse: one file per warehouse, ``<INFRAR_LOCAL_ROOT>/data/<name>.duckdb``.

DuckDB lets one process at a time open a file for writing, and a job runs in its own process,
so a connection is opened per call and closed after it (opening a file costs well under a
millisecond), and a file another process holds is retried for up to LOCK_WAIT_SECONDS.
Every connection runs in UTC, so TIMESTAMPTZ values come back as UTC datetimes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

from infrar.errors import Unavailable
from infrar.providers.local._clients import files

LOCK_WAIT_SECONDS = 30.0


def path(warehouse: str) -> Path:
    """The file holding ``warehouse``."""
    return files.root() / "data" / f"{warehouse}.duckdb"


def connect(warehouse: str) -> Any:
    """A new connection to ``warehouse``'s file, created on first use."""
    target = path(warehouse)
    target.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = 0.01
    while True:
        try:
            connection = duckdb.connect(str(target))
            break
        except duckdb.IOException as error:
            # Another process (a running job, say) holds the file: wait for it, a little longer each time.
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise Unavailable(
                    f"warehouse {warehouse!r}: cannot open {target}: {error}; another process holds it "
                    f"for longer than {LOCK_WAIT_SECONDS:.0f} s, end it or wait"
                ) from error
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def reset() -> None:
    """Nothing is kept between calls; present so that every service module resets alike."""

"""The values the data API returns: ``Row`` (the database plugin's), ``Column`` and ``Job``.

All are small and self-contained so that erase can copy them into a native program. ``Job``
holds the two primitives its adapter supplies (read the run's status, cancel it) as plain
callables; waiting is written once here, so it behaves the same on every provider.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

from infrar.database.types import Row, column_index
from infrar.errors import Timeout

__all__ = ["FINAL_STATUSES", "STATUSES", "Column", "Job", "Row", "column_index"]

# The statuses a Job reports on every provider; the last three are final.
STATUSES = ("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")
FINAL_STATUSES = ("SUCCEEDED", "FAILED", "CANCELLED")


class Column(NamedTuple):
    """One column of a table: ``type`` in the portable vocabulary (STRING, INT64, DECIMAL(p,s) ...)."""

    name: str
    type: str
    nullable: bool = True


class Job:
    """One run of a job (``run_job`` without a schedule), or a job's schedule (with one).

    ``status()`` is one of STATUSES. For a schedule, ``id`` is the schedule's name, ``status()``
    is PENDING (runs happen at the scheduled times) and ``cancel()`` removes the schedule.
    """

    def __init__(self, name: str, id: str, poll: Callable[[], str], stop: Callable[[], None]) -> None:
        self.name = name
        self.id = id
        self._poll = poll
        self._stop = stop

    def status(self) -> str:
        """PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED."""
        return self._poll()

    def wait(self, timeout: float | None = None, interval: float = 1.0) -> str:
        """Block until the run ends and return its final status; Timeout if it still runs after ``timeout`` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = min(0.05, interval)
        while True:
            state = self._poll()
            if state in FINAL_STATUSES:
                return state
            if deadline is not None and time.monotonic() >= deadline:
                raise Timeout(
                    f"job {self.name!r} run {self.id!r} is still {state} after {timeout} s; "
                    "wait longer, or cancel() it"
                )
            left = interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic()))
            time.sleep(min(pause, left))
            pause = min(pause * 2, interval)  # quick runs end quickly; long ones are polled gently

    def cancel(self) -> None:
        """Stop the run (a schedule: remove it); a run that already ended stays as it ended."""
        self._stop()

    def __repr__(self) -> str:
        return f"Job(name={self.name!r}, id={self.id!r})"

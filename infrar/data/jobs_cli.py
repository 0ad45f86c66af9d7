"""Run the local provider's scheduled data jobs that are due (``run-due``), once or every minute (``--watch``).

Schedules are the ones ``infrar.data.run_job(..., schedule=...)`` recorded under
INFRAR_LOCAL_ROOT on the local provider; the clouds run their schedules themselves.
A run that was missed (nothing ran ``run-due`` at its minute) runs once, at the next call.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    due = actions.add_parser("run-due", help="start every local scheduled job that is due now")
    due.add_argument("--watch", action="store_true", help="keep running, checking at the start of every minute")
    due.add_argument("--now", type=_moment, default=None,
                     help="the time to check against, ISO 8601 (default: the current time); for testing a schedule")


def _moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _once(now: datetime) -> None:
    from infrar.data import local_jobs
    from infrar.providers.local._clients import files

    for name, run_id in local_jobs.run_due(files.root(), now):
        print(f"started {name} run {run_id}", flush=True)


def run(args: argparse.Namespace) -> int:
    if not args.watch:
        _once(args.now or datetime.now(timezone.utc))
        return 0
    try:
        while True:  # until interrupted
            _once(datetime.now(timezone.utc))
            time.sleep(60 - datetime.now(timezone.utc).second + 0.5)  # just past the next minute's start
    except KeyboardInterrupt:
        return 0

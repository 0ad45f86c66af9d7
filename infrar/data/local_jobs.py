"""Jobs on the local provider: a run is a subprocess, a schedule is a file, ``infrar jobs run-due`` runs them.

Layout under ``<INFRAR_LOCAL_ROOT>/data/jobs/<name>/``: ``schedule.json`` (the script's
absolute path, cron, args, the last minute it ran for) and per run ``<id>.pid``,
``<id>.log`` and, once it ended, ``<id>.exit``. A small runner process waits for the script and
writes its exit code, so a run's status survives the process that started it. The script
runs where it lies, so modules beside it import as under ``python script.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from infrar.data import cron

# Waits for the script and records how it ended; written as -c code so that erased programs need no infrar.
_RUNNER = (
    "import os, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "tmp = sys.argv[1] + '.tmp'\n"
    "with open(tmp, 'w') as out:\n"
    "    out.write(str(code))\n"
    "os.replace(tmp, sys.argv[1])\n"
)
CANCELLED = "cancelled"


def jobs_dir(root: Path) -> Path:
    return root / "data" / "jobs"


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file in the same directory and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def start_run(root: Path, name: str, script: Path, argv: list[str]) -> str:
    """Start one run of ``script`` with ``argv`` in its own process group; its id."""
    run_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    folder = jobs_dir(root) / name
    folder.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "INFRAR_LOCAL_ROOT": str(root)}  # a relative root would move with cwd
    with open(folder / f"{run_id}.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", _RUNNER, str(folder / f"{run_id}.exit"), sys.executable, str(script), *argv],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment,
            start_new_session=True,
        )
    write_atomic(folder / f"{run_id}.pid", str(process.pid))
    return run_id


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A finished child of this process stays a zombie until reaped: reap it, if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == 0


def run_status(root: Path, name: str, run_id: str) -> str:
    """PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED, from the run's files."""
    folder = jobs_dir(root) / name
    exit_file = folder / f"{run_id}.exit"
    if exit_file.exists():
        code = exit_file.read_text().strip()
        return "CANCELLED" if code == CANCELLED else ("SUCCEEDED" if code == "0" else "FAILED")
    pid_file = folder / f"{run_id}.pid"
    if not pid_file.exists():
        return "PENDING"
    if _alive(int(pid_file.read_text())):
        return "RUNNING"
    # The runner writes the exit file before it ends; look again in case it just did.
    return run_status(root, name, run_id) if exit_file.exists() else "FAILED"


def cancel_run(root: Path, name: str, run_id: str) -> None:
    """Stop the run's process group and record it as cancelled (an ended run is left as it ended)."""
    folder = jobs_dir(root) / name
    if (folder / f"{run_id}.exit").exists():
        return
    write_atomic(folder / f"{run_id}.exit", CANCELLED)
    try:
        os.killpg(int((folder / f"{run_id}.pid").read_text()), signal.SIGTERM)
    except (ProcessLookupError, FileNotFoundError):
        pass


def save_schedule(root: Path, name: str, schedule: str, script: Path, argv: list[str]) -> None:
    """Create or replace job ``name``'s schedule; a new schedule counts from now."""
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    record = {"schedule": schedule, "script": str(script), "argv": argv, "last": now.isoformat()}
    write_atomic(jobs_dir(root) / name / "schedule.json", json.dumps(record, indent=2))


def remove_schedule(root: Path, name: str) -> None:
    (jobs_dir(root) / name / "schedule.json").unlink(missing_ok=True)


def schedules(root: Path) -> dict[str, dict[str, Any]]:
    """Every recorded schedule by job name."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(jobs_dir(root).glob("*/schedule.json")):
        found[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
    return found


def due(record: dict[str, Any], now: datetime) -> datetime | None:
    """The latest minute in (last run, now] the schedule names, or None (missed runs collapse into one)."""
    plan = cron.parse(record["schedule"])
    moment = now.astimezone(timezone.utc).replace(second=0, microsecond=0)
    last = datetime.fromisoformat(record["last"])
    # Look back at most 31 days: a schedule idle longer runs once, like one that missed a day.
    floor = max(last, moment - timedelta(days=31))
    while moment > floor:
        if cron.matches(plan, moment):
            return moment
        moment -= timedelta(minutes=1)
    return None


def run_due(root: Path, now: datetime) -> list[tuple[str, str]]:
    """Start every scheduled job that is due at ``now``; the (job, run id) pairs started."""
    started: list[tuple[str, str]] = []
    for name, record in schedules(root).items():
        moment = due(record, now)
        if moment is None:
            continue
        record["last"] = moment.isoformat()
        write_atomic(jobs_dir(root) / name / "schedule.json", json.dumps(record, indent=2))
        started.append((name, start_run(root, name, Path(record["script"]), list(record["argv"]))))
    return started

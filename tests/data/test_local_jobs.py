"""Jobs on local: a run is a process with --key value args; schedules are run by `infrar jobs run-due`."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from infrar import data, storage
from infrar.errors import NotFound, Timeout

SCRIPT = textwrap.dedent("""\
    import argparse, pathlib, sys, time
    from infrar import storage
    parser = argparse.ArgumentParser()
    parser.add_argument("--day")
    parser.add_argument("--mode", default="ok")
    args = parser.parse_args()
    if args.mode == "sleep":
        time.sleep(60)
    storage.write_bytes("out", f"ran/{args.day}.txt", args.day.encode())
    sys.exit(3 if args.mode == "fail" else 0)
    """)


@pytest.fixture
def script(tmp_path: Path, infrar_local: Path) -> Path:
    path = tmp_path / "job.py"
    path.write_text(SCRIPT)
    return path


def test_a_run_gets_its_args_and_reaches_storage(script: Path) -> None:
    job = data.run_job("daily", script, args={"day": "2024-01-01"})
    assert job.wait(timeout=60) == "SUCCEEDED"
    assert job.status() == "SUCCEEDED"
    assert storage.read_bytes("out", "ran/2024-01-01.txt") == b"2024-01-01"


def test_a_failing_script_is_failed(script: Path) -> None:
    assert data.run_job("daily", script, args={"day": "d", "mode": "fail"}).wait(timeout=60) == "FAILED"


def test_timeout_then_cancel(script: Path) -> None:
    job = data.run_job("daily", script, args={"day": "d", "mode": "sleep"})
    with pytest.raises(Timeout, match="daily"):
        job.wait(timeout=0.2)
    assert job.status() == "RUNNING"
    job.cancel()
    assert job.wait(timeout=30) == "CANCELLED"


def test_a_script_in_storage(script: Path) -> None:
    storage.upload("scripts", script, "jobs/daily.py")
    job = data.run_job("daily", ("scripts", "jobs/daily.py"), args={"day": "s"})
    assert job.wait(timeout=60) == "SUCCEEDED"
    with pytest.raises(NotFound, match=r"jobs/none\.py"):
        data.run_job("daily", ("scripts", "jobs/none.py"))


def _run_due(root: Path, now: str) -> str:
    environment = {"INFRAR_LOCAL_ROOT": str(root), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "infrar.cli", "jobs", "run-due", "--now", now],
                            capture_output=True, text=True, env=environment, check=True, timeout=60)
    return result.stdout


def test_schedules_are_idempotent_and_run_when_due(script: Path, infrar_local: Path) -> None:
    job = data.run_job("nightly", script, schedule="0 2 * * *", args={"day": "first"})
    again = data.run_job("nightly", script, schedule="30 2 * * *", args={"day": "second"})
    assert (job.id, again.id, again.status()) == ("nightly", "nightly", "PENDING")
    record = json.loads((infrar_local / "data" / "jobs" / "nightly" / "schedule.json").read_text())
    assert (record["schedule"], record["argv"]) == ("30 2 * * *", ["--day", "second"])
    record["last"] = "2030-01-01T00:00:00+00:00"  # as if scheduled before then
    (infrar_local / "data" / "jobs" / "nightly" / "schedule.json").write_text(json.dumps(record))
    assert _run_due(infrar_local, "2030-01-01T02:29:00+00:00") == ""
    assert _run_due(infrar_local, "2030-01-01T02:30:10+00:00").startswith("started nightly run ")
    assert _run_due(infrar_local, "2030-01-01T02:31:00+00:00") == ""  # that minute has run
    folder = infrar_local / "data" / "jobs" / "nightly"
    run_id = next(folder.glob("*.pid")).stem
    from infrar.data import local_jobs

    job_run = data.Job("nightly", run_id, lambda: local_jobs.run_status(infrar_local, "nightly", run_id), lambda: None)
    assert job_run.wait(timeout=60) == "SUCCEEDED"
    assert storage.read_bytes("out", "ran/second.txt") == b"second"
    again.cancel()
    assert _run_due(infrar_local, "2030-01-02T02:30:00+00:00") == ""  # the schedule is gone


def test_watch_runs_what_is_due_then_sleeps_to_the_next_minute(script: Path, infrar_local: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from infrar import cli
    from infrar.data import jobs_cli

    data.run_job("every-minute", script, schedule="* * * * *", args={"day": "watched"})
    schedule = infrar_local / "data" / "jobs" / "every-minute" / "schedule.json"
    record = json.loads(schedule.read_text())
    record["last"] = "2020-01-01T00:00:00+00:00"
    schedule.write_text(json.dumps(record))
    pauses: list[float] = []

    def interrupt(seconds: float) -> None:  # stands for Ctrl-C during the first wait
        pauses.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr(jobs_cli.time, "sleep", interrupt)
    assert cli.main(["jobs", "run-due", "--watch"]) == 0
    assert capsys.readouterr().out.startswith("started every-minute run ")
    assert len(pauses) == 1 and 0.5 < pauses[0] <= 60.5


def test_a_script_importing_a_package_beside_it_runs(tmp_path: Path, infrar_local: Path) -> None:
    """On local the script runs where it lies, so a package beside it imports as it does for a module."""
    (tmp_path / "offsets").mkdir()
    (tmp_path / "offsets" / "__init__.py").write_text("from .values import OFFSET\n")
    (tmp_path / "offsets" / "values.py").write_text("OFFSET = 0\n")
    script = tmp_path / "uses_package.py"
    script.write_text("from offsets import OFFSET\n\nraise SystemExit(OFFSET)\n")
    assert data.run_job("with-package", script).wait(timeout=60) == "SUCCEEDED"
    (tmp_path / "offsets" / "values.py").write_text("OFFSET = 4\n")
    assert data.run_job("with-package", script).wait(timeout=60) == "FAILED"

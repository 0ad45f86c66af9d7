"""Cloud Run jobs and Cloud Scheduler for run_job on gcp. Neither runs here, so their clients are faked and
the tests assert the exact requests; the script upload goes to the real GCS emulator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from google.api_core.exceptions import AlreadyExists as ApiAlreadyExists

from infrar import data, storage
from infrar.data.scripts import bundle, bundle_stored
from infrar.providers.gcp import data_run
from infrar.providers.gcp._clients import cloud_run
from infrar.testing.plugin import EmulatedProvider

LOCATION = "projects/proj-1/locations/europe-west1"
JOB = f"{LOCATION}/jobs/nightly"


class FakeClient:
    """Records every call as (method, request); answers from ``answers``; raises what ``fail`` names once."""

    def __init__(self, answers: dict[str, Any] | None = None, fail: dict[str, Exception] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._answers = answers or {}
        self._fail = fail or {}

    def __getattr__(self, method: str) -> Any:
        def call(request: dict[str, Any]) -> Any:
            self.calls.append((method, request))
            if method in self._fail:
                raise self._fail.pop(method)
            return self._answers.get(method, SimpleNamespace(result=lambda: None))
        return call


@pytest.fixture
def fakes(infrar_gcp: EmulatedProvider, monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeClient]:
    bucket = infrar_gcp.create_bucket()
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "proj-1")
    monkeypatch.setenv("CLOUD_RUN_REGION", "europe-west1")
    monkeypatch.setenv("CLOUD_RUN_JOB_IMAGE", "europe-docker.pkg.dev/proj-1/jobs/python:3.11")
    monkeypatch.setenv("GCS_SCRIPTS", f"gs://{bucket}/scripts/")
    monkeypatch.setenv("SCHEDULER_SERVICE_ACCOUNT", "scheduler@proj-1.iam.gserviceaccount.com")
    monkeypatch.delenv("CLOUD_RUN_JOB_SERVICE_ACCOUNT", raising=False)
    monkeypatch.delenv("CLOUD_RUN_JOB_NETWORK", raising=False)
    execution = SimpleNamespace(name=f"{JOB}/executions/nightly-x7k2p")
    found = {
        "jobs": FakeClient({"run_job": SimpleNamespace(metadata=execution)}),
        "executions": FakeClient({"get_execution": SimpleNamespace(
            cancelled_count=0, failed_count=0, running_count=0, completion_time="2026-11-01T02:01:00Z")}),
        "scheduler": FakeClient(),
    }
    monkeypatch.setattr(cloud_run, "client", lambda name: found[name])
    found["bucket"] = bucket  # type: ignore[assignment]
    return found


def _definition(uri: str, args: list[str]) -> dict[str, Any]:
    return {"template": {"template": {"containers": [{
        "image": "europe-docker.pkg.dev/proj-1/jobs/python:3.11",
        "command": ["python", "-c", data_run.BOOTSTRAP, uri], "args": args}], "max_retries": 0}}}


def test_a_job_gets_direct_vpc_egress_into_the_network_infra_outputs(
        fakes: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_RUN_JOB_NETWORK", "projects/proj-1/global/networks/main")
    script = tmp_path / "aggregate.py"
    script.write_text("print('hi')\n")
    data.run_job("nightly", script, schedule="0 2 * * *")
    expected = _definition(f"gs://{fakes['bucket']}/scripts/nightly.py", [])
    expected["template"]["template"]["vpc_access"] = {
        "network_interfaces": [{"network": "projects/proj-1/global/networks/main"}], "egress": "PRIVATE_RANGES_ONLY"}
    assert fakes["jobs"].calls == [("create_job", {"parent": LOCATION, "job": expected, "job_id": "nightly"})]
    fakes["jobs"]._fail["create_job"] = ApiAlreadyExists("exists")  # an existing job is updated to it too
    data.run_job("nightly", script, schedule="0 2 * * *")
    assert fakes["jobs"].calls[-1] == ("update_job", {"job": {"name": JOB, **expected}})
    monkeypatch.setenv("CLOUD_RUN_JOB_NETWORK", "")  # none: no vpc_access at all
    data.run_job("nightly", script, schedule="0 2 * * *")
    assert "vpc_access" not in fakes["jobs"].calls[-1][1]["job"]["template"]["template"]


def test_a_run_now_creates_the_job_and_runs_it_with_args(fakes: dict[str, Any], tmp_path: Path) -> None:
    script = tmp_path / "aggregate.py"
    script.write_text("print('hi')\n")
    job = data.run_job("nightly", script, args={"day": "2026-11-01"})
    uri = f"gs://{fakes['bucket']}/scripts/nightly.py"
    uploaded = storage.read_bytes(fakes["bucket"], "scripts/nightly.py")  # carrying GOOGLE_CLOUD_PROJECT
    assert uploaded == bundle(str(script), "gcp") and b"print('hi')" in uploaded
    assert fakes["jobs"].calls == [
        ("create_job", {"parent": LOCATION, "job": _definition(uri, []), "job_id": "nightly"}),
        ("run_job", {"name": JOB, "overrides": {"container_overrides": [{"args": ["--day", "2026-11-01"]}]}}),
    ]
    assert job.id == "nightly-x7k2p"
    assert job.wait(timeout=10) == "SUCCEEDED"
    assert fakes["executions"].calls == [("get_execution", {"name": f"{JOB}/executions/nightly-x7k2p"})]
    job.cancel()
    assert fakes["executions"].calls[-1] == ("cancel_execution", {"name": f"{JOB}/executions/nightly-x7k2p"})


def test_a_schedule_updates_an_existing_job_and_scheduler_entry(fakes: dict[str, Any],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored script in the bucket the program names (deployed under another name) is copied to GCS_SCRIPTS
    carrying the starter's variables (GOOGLE_CLOUD_PROJECT at least), as a local one is."""
    fakes["jobs"]._fail["create_job"] = ApiAlreadyExists("exists")
    fakes["scheduler"]._fail["create_job"] = ApiAlreadyExists("exists")
    monkeypatch.setenv("BUCKET_NAME_LANDING", fakes["bucket"])
    storage.write_bytes("landing", "jobs/x.py", b"print(1)\n")
    job = data.run_job("nightly", ("landing", "jobs/x.py"), schedule="0 2 * * 1-5", args={"k": "v"})
    uri = f"gs://{fakes['bucket']}/scripts/nightly.py"
    assert storage.read_bytes(fakes["bucket"], "scripts/nightly.py") == bundle_stored("jobs/x.py", b"print(1)\n",
                                                                                      "gcp")
    assert fakes["jobs"].calls == [
        ("create_job", {"parent": LOCATION, "job": _definition(uri, ["--k", "v"]), "job_id": "nightly"}),
        ("update_job", {"job": {"name": JOB, **_definition(uri, ["--k", "v"])}}),
    ]
    schedule = {"name": f"{LOCATION}/jobs/nightly", "schedule": "0 2 * * 1-5", "time_zone": "UTC",
                "http_target": {"uri": f"https://run.googleapis.com/v2/{JOB}:run", "http_method": "POST",
                                "oauth_token": {"service_account_email": "scheduler@proj-1.iam.gserviceaccount.com"}}}
    assert fakes["scheduler"].calls == [("create_job", {"parent": LOCATION, "job": schedule}),
                                        ("update_job", {"job": schedule})]
    assert (job.id, job.status()) == ("nightly", "PENDING")
    job.cancel()
    assert fakes["scheduler"].calls[-1] == ("delete_job", {"name": f"{LOCATION}/jobs/nightly"})


@pytest.mark.parametrize(("counts", "status"), [
    ({"cancelled_count": 1, "failed_count": 0, "running_count": 0, "completion_time": "t"}, "CANCELLED"),
    ({"cancelled_count": 0, "failed_count": 1, "running_count": 0, "completion_time": "t"}, "FAILED"),
    ({"cancelled_count": 0, "failed_count": 0, "running_count": 1, "completion_time": None}, "RUNNING"),
    ({"cancelled_count": 0, "failed_count": 0, "running_count": 0, "completion_time": None}, "PENDING"),
])
def test_execution_status(counts: dict[str, Any], status: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeClient({"get_execution": SimpleNamespace(**counts)})
    monkeypatch.setattr(cloud_run, "client", lambda name: fake)
    assert data_run.run_status("nightly", "e") == status


def test_a_script_with_modules_beside_it_is_uploaded_as_one_file_the_bootstrap_runs(
        fakes: dict[str, Any], tmp_path: Path) -> None:
    """The container's bootstrap fetches the uploaded file from GCS (the emulator here) and runs it alone."""
    (tmp_path / "_cloud.py").write_text("def total(xs: list[int]) -> int:\n    return sum(xs)\n")
    script = tmp_path / "aggregate.py"
    script.write_text("import sys\n\nfrom _cloud import total\n\nprint(total([1, 2, 3]), sys.argv[1:])\n")
    data.run_job("nightly", script, args={"day": "2026-11-01"})
    uploaded = storage.read_bytes(fakes["bucket"], "scripts/nightly.py")
    assert uploaded == bundle(str(script), "gcp")
    uri = f"gs://{fakes['bucket']}/scripts/nightly.py"
    assert fakes["jobs"].calls[0] == ("create_job", {"parent": LOCATION, "job": _definition(uri, []),
                                                     "job_id": "nightly"})
    elsewhere = tmp_path / "container"
    elsewhere.mkdir()
    # -S: no site-packages, as on a plain Python image: the bootstrap needs the standard library only
    ran = subprocess.run([sys.executable, "-S", "-c", data_run.BOOTSTRAP, uri, "--day", "2026-11-01"],
                         capture_output=True, text=True, cwd=elsewhere, timeout=60, check=False)
    assert (ran.returncode, ran.stdout) == (0, "6 ['--day', '2026-11-01']\n"), ran.stderr

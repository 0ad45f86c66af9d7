"""The gcp provider's Cloud Run (jobs, executions) and Cloud Scheduler clients, built on first use.

Credentials are Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS ...), the
project GOOGLE_CLOUD_PROJECT; what ``infrar infra`` outputs for data jobs:

- CLOUD_RUN_REGION: the region of the Cloud Run jobs and their schedules;
- CLOUD_RUN_JOB_IMAGE: the container image a job runs its Python script in (Python with
  infrar's dependencies and google-cloud-storage, which fetches the script);
- CLOUD_RUN_JOB_SERVICE_ACCOUNT (optional): the identity the job runs as;
- GCS_SCRIPTS: ``gs://bucket/prefix/`` where a job's local script is uploaded;
- SCHEDULER_SERVICE_ACCOUNT: the identity Cloud Scheduler calls the Cloud Run API as.
"""

from __future__ import annotations

import os
from typing import Any

from google.cloud.run_v2 import ExecutionsClient, JobsClient
from google.cloud.scheduler_v1 import CloudSchedulerClient

from infrar.errors import ConfigurationError
from infrar.providers._keyed import PerResource

_BUILD: dict[str, Any] = {"jobs": JobsClient, "executions": ExecutionsClient, "scheduler": CloudSchedulerClient}
_clients: PerResource[Any] = PerResource(lambda name: _BUILD[name]())


def client(name: str) -> Any:
    """``jobs`` (run_v2.JobsClient), ``executions`` (run_v2.ExecutionsClient) or ``scheduler``."""
    return _clients.get(name)


def setting(name: str, job: str, what: str) -> str:
    """An infra output (or GOOGLE_CLOUD_PROJECT), else ConfigurationError saying what it is for."""
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(
            f"job {job!r}: {name} is not set; it names {what} (the warehouse module's `environment` output sets it)"
        )
    return value


def reset() -> None:
    _clients.reset()

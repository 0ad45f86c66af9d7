"""Jobs of the gcp data adapter: a Cloud Run job runs the Python script; Cloud Scheduler runs it on a cron.

The job's container (CLOUD_RUN_JOB_IMAGE) starts ``python -c BOOTSTRAP gs://bucket/script.py``,
which fetches the script (stdlib only: the GCS JSON API with the metadata server's token) and
runs it as ``__main__`` with the job's ``--key value`` arguments (a script importing modules
beside it, as an erased one imports its ``_cloud.py``, is uploaded as one file carrying them:
``infrar.data.scripts``). A run started now passes its arguments as a container override; a
scheduled run uses the arguments stored in the job. Cloud Scheduler takes the 5-field cron as it
is (UTC) and calls the Cloud Run Admin API's ``jobs.run``. With CLOUD_RUN_JOB_NETWORK (what
``infrar infra`` outputs when the jobs' starters reach private databases or caches) the job gets
Direct VPC egress into that network, as the project's Cloud Run workloads do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import partial
from os import PathLike
from typing import Any

from google.api_core.exceptions import AlreadyExists as ApiAlreadyExists
from google.api_core.exceptions import GoogleAPIError
from google.api_core.exceptions import NotFound as ApiNotFound

from infrar.data import cron
from infrar.data.rules import check_job, check_script, job_argv
from infrar.data.scripts import bundle, bundle_stored
from infrar.data.types import Job
from infrar.providers._names import deployed_name
from infrar.providers.gcp._clients import cloud_run, gcs
from infrar.providers.gcp.data_errors import translate_error

# Runs in the job's container, on any Python 3 image (stdlib only): fetch the script named by argv[1]
# through the GCS JSON API with the job identity's token from the metadata server (anonymously from
# STORAGE_EMULATOR_HOST, as google-cloud-storage does), then run it with the rest of argv.
BOOTSTRAP = (
    "import json, os, runpy, sys, tempfile, urllib.parse, urllib.request\n"
    "bucket, _, key = sys.argv[1][len('gs://'):].partition('/')\n"
    "host = os.environ.get('STORAGE_EMULATOR_HOST', '').rstrip('/')\n"
    "url = f\"{host or 'https://storage.googleapis.com'}/storage/v1/b/{bucket}/o/{urllib.parse.quote(key, safe='')}\"\n"
    "request = urllib.request.Request(url + '?alt=media')\n"
    "if not host:\n"
    "    metadata = 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token'\n"
    "    token = urllib.request.Request(metadata, headers={'Metadata-Flavor': 'Google'})\n"
    "    with urllib.request.urlopen(token, timeout=30) as answer:\n"
    "        request.add_header('Authorization', 'Bearer ' + json.load(answer)['access_token'])\n"
    "path = tempfile.mkdtemp() + '/script.py'\n"
    "with urllib.request.urlopen(request, timeout=60) as answer, open(path, 'wb') as out:\n"
    "    out.write(answer.read())\n"
    "sys.argv = [path, *sys.argv[2:]]\n"
    "runpy.run_path(path, run_name='__main__')\n"
)


def _location(job: str) -> str:
    project = cloud_run.setting("GOOGLE_CLOUD_PROJECT", job, "the project the jobs run in")
    region = cloud_run.setting("CLOUD_RUN_REGION", job, "the region of the Cloud Run jobs")
    return f"projects/{project}/locations/{region}"


def _script_uri(job: str, source: str | tuple[str, str]) -> str:
    """The gs:// URI of the job's script: a stored one where it is, unless it has variables to carry
    (then, like a local file, uploaded to GCS_SCRIPTS as one file carrying them)."""
    if isinstance(source, tuple):
        bucket, key = deployed_name("bucket", source[0]), source[1]
        try:
            stored = gcs.client().bucket(bucket).blob(key).download_as_bytes()
        except GoogleAPIError as exc:
            raise translate_error(exc, f"script {key!r} of job {job!r} in bucket {source[0]!r}") from exc
        body = bundle_stored(key, stored, "gcp")
        if body is None:
            return f"gs://{bucket}/{key}"
    else:
        body = bundle(source, "gcp")  # with the modules beside it that it imports, in one file
    target = cloud_run.setting("GCS_SCRIPTS", job, "the gs://bucket/prefix/ that job scripts are uploaded to")
    bucket, _, prefix = target.removeprefix("gs://").partition("/")
    key = f"{prefix.strip('/')}/{job}.py".lstrip("/")
    blob = gcs.client().bucket(bucket).blob(key)
    if body is None:
        blob.upload_from_filename(source)
    else:
        blob.upload_from_string(body, content_type="text/x-python")
    return f"gs://{bucket}/{key}"


def _definition(job: str, uri: str, argv: list[str]) -> dict[str, Any]:
    container = {"image": cloud_run.setting("CLOUD_RUN_JOB_IMAGE", job, "the container image jobs run in"),
                 "command": ["python", "-c", BOOTSTRAP, uri], "args": argv}
    task: dict[str, Any] = {"containers": [container], "max_retries": 0}
    account = os.environ.get("CLOUD_RUN_JOB_SERVICE_ACCOUNT")
    if account:
        task["service_account"] = account
    access = _vpc_access()
    if access:
        task["vpc_access"] = access
    return {"template": {"template": task}}


def _vpc_access() -> dict[str, Any] | None:
    """Direct VPC egress into CLOUD_RUN_JOB_NETWORK, private ranges only.

    What the project's Cloud Run workloads get (the subnetwork named like the network, as theirs),
    so the script reaches the private databases and caches they reach (Cloud SQL, Memorystore);
    public APIs (GCS, BigQuery) go out directly."""
    network = os.environ.get("CLOUD_RUN_JOB_NETWORK", "").strip()
    if not network:
        return None
    return {"network_interfaces": [{"network": network}], "egress": "PRIVATE_RANGES_ONLY"}


def _define(job: str, uri: str, argv: list[str]) -> str:
    """Create Cloud Run job ``job``, or replace its definition; its resource name."""
    parent = _location(job)
    name = f"{parent}/jobs/{job}"
    definition = _definition(job, uri, argv)
    jobs = cloud_run.client("jobs")
    try:
        jobs.create_job(request={"parent": parent, "job": definition, "job_id": job}).result()
    except ApiAlreadyExists:
        jobs.update_job(request={"job": {"name": name, **definition}}).result()
    return name


def _schedule(job: str, name: str, plan: cron.Cron) -> None:
    """Create or update the Cloud Scheduler job named after the job (idempotent by name)."""
    parent = _location(job)
    account = cloud_run.setting("SCHEDULER_SERVICE_ACCOUNT", job,
                                "the service account Cloud Scheduler starts jobs as")
    schedule = {
        "name": f"{parent}/jobs/{job}",
        "schedule": plan.text,
        "time_zone": "UTC",
        "http_target": {"uri": f"https://run.googleapis.com/v2/{name}:run", "http_method": "POST",
                        "oauth_token": {"service_account_email": account}},
    }
    scheduler = cloud_run.client("scheduler")
    try:
        scheduler.create_job(request={"parent": parent, "job": schedule})
    except ApiAlreadyExists:
        scheduler.update_job(request={"job": schedule})


def run_status(job: str, execution: str) -> str:
    try:
        found = cloud_run.client("executions").get_execution(request={"name": execution})
    except GoogleAPIError as exc:
        raise translate_error(exc, f"job {job!r} run {execution!r}") from exc
    if found.cancelled_count:
        return "CANCELLED"
    if found.completion_time:
        return "FAILED" if found.failed_count else "SUCCEEDED"
    return "RUNNING" if found.running_count else "PENDING"


def cancel_run(job: str, execution: str) -> None:
    try:
        cloud_run.client("executions").cancel_execution(request={"name": execution})
    except GoogleAPIError as exc:
        raise translate_error(exc, f"job {job!r} run {execution!r}") from exc


def remove_schedule(job: str) -> None:
    try:
        cloud_run.client("scheduler").delete_job(request={"name": f"{_location(job)}/jobs/{job}"})
    except ApiNotFound:
        return
    except GoogleAPIError as exc:
        raise translate_error(exc, f"schedule of job {job!r}") from exc


def run_job(name: str, script: str | PathLike[str] | tuple[str, str], schedule: str | None,
            args: Mapping[str, str] | None) -> Job:
    job, values = check_job(name, args)
    plan = None if schedule is None else cron.parse(schedule)
    source = check_script(script, job)
    argv = job_argv(values)
    try:
        resource = _define(job, _script_uri(job, source), argv if plan is not None else [])
        if plan is not None:
            _schedule(job, resource, plan)
            return Job(job, job, lambda: "PENDING", partial(remove_schedule, job))
        started = cloud_run.client("jobs").run_job(
            request={"name": resource, "overrides": {"container_overrides": [{"args": argv}]}})
    except GoogleAPIError as exc:
        raise translate_error(exc, f"job {job!r}") from exc
    execution = str(started.metadata.name)
    return Job(job, execution.rpartition("/")[2], partial(run_status, job, execution),
               partial(cancel_run, job, execution))

"""Jobs of the azure data adapter: a Synapse Spark job definition run by a pipeline; a schedule trigger for cron.

Each job has a Spark job definition (the script in ADLS, its ``--key value`` arguments, the
pool SYNAPSE_SPARK_POOL; a script importing modules beside it, as an erased one imports
its ``_cloud.py``, is uploaded as one file carrying them: ``infrar.data.scripts``) and a
pipeline with one activity running it; a run now is a pipeline run. A schedule gets its own
definition and pipeline (``<name>-scheduled``, so a run now with other arguments never changes
what the schedule runs) and a ScheduleTrigger whose recurrence is the cron's minutes, hours and
weekdays or days of month (UTC). Synapse recurrences cannot restrict months: such a cron is
InvalidArgument naming the month field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from functools import partial
from os import PathLike
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.synapse.artifacts.models import (
    BigDataPoolReference,
    PipelineReference,
    PipelineResource,
    RecurrenceSchedule,
    ScheduleTrigger,
    ScheduleTriggerRecurrence,
    SparkJobDefinition,
    SparkJobProperties,
    SynapseSparkJobDefinitionActivity,
    SynapseSparkJobReference,
    TriggerPipelineReference,
)

from infrar.data import cron
from infrar.data.rules import check_job, check_script, job_argv
from infrar.data.scripts import bundle, bundle_stored
from infrar.data.types import Job
from infrar.errors import InfrarError, InvalidArgument, NotFound, PermissionDenied, Unavailable
from infrar.providers._names import deployed_name
from infrar.providers.azure._clients import synapse

_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_STATES = {"Queued": "PENDING", "InProgress": "RUNNING", "Canceling": "RUNNING", "Succeeded": "SUCCEEDED",
           "Failed": "FAILED", "Cancelled": "CANCELLED"}


def translate_error(exc: AzureError, resource: str) -> InfrarError:
    status = getattr(exc, "status_code", None)
    kind: type[InfrarError]
    if isinstance(exc, ResourceNotFoundError) or status == 404:
        kind = NotFound
    elif status in (401, 403):
        kind = PermissionDenied
    elif status is None or status >= 500:
        kind = Unavailable
    else:
        kind = InvalidArgument
    return kind(f"{resource}: {exc.message if hasattr(exc, 'message') else exc}")


def recurrence(plan: cron.Cron) -> ScheduleTriggerRecurrence:
    """The Synapse recurrence that fires exactly when the cron does (UTC)."""
    if plan.months != frozenset(range(1, 13)):
        raise InvalidArgument(f"cron schedule {plan.text!r}: the month field cannot be restricted on Synapse "
                              "(its schedule triggers have no months); use '*' there")
    schedule = RecurrenceSchedule(minutes=sorted(plan.minutes), hours=sorted(plan.hours))
    if not plan.any_weekday:
        frequency = "Week"
        schedule.week_days = [_DAYS[day] for day in sorted(plan.weekdays)]
    elif not plan.any_day:
        frequency = "Month"
        schedule.month_days = sorted(plan.days)
    else:
        frequency = "Day"
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    return ScheduleTriggerRecurrence(frequency=frequency, interval=1, start_time=start, time_zone="UTC",
                                     schedule=schedule)


def _script_uri(job: str, source: str | tuple[str, str]) -> str:
    """The abfss:// URI of the job's script: a stored one where it is when that is the lake account and it
    has no variables to carry; else, like a local file, uploaded under SYNAPSE_SCRIPTS (carrying them)."""
    target = synapse.setting("SYNAPSE_SCRIPTS", job,
                             "the abfss://container@account.dfs.core.windows.net/prefix/ job scripts live under")
    container_at_host, _, prefix = target.removeprefix("abfss://").partition("/")
    container, _, host = container_at_host.partition("@")
    body: bytes | None
    if isinstance(source, tuple):
        bucket, key = deployed_name("bucket", source[0]), source[1]
        stored = synapse.stored_blob(host, bucket, key)
        try:
            text = stored.download_blob().readall()
        except AzureError as exc:
            raise translate_error(exc, f"script {key!r} of job {job!r} in bucket {source[0]!r}") from exc
        body = bundle_stored(key, text, "azure")
        if body is None and stored.account_name == synapse.account_of(host):
            return f"abfss://{bucket}@{host}/{key}"
        body = text if body is None else body  # the Spark pool reads the lake account only
    else:
        body = bundle(source, "azure")  # with the modules beside it that it imports, in one file
        if body is None:
            with open(source, "rb") as stream:
                body = stream.read()
    key = f"{prefix.strip('/')}/{job}.py".lstrip("/")
    synapse.scripts_blob(host, container, key).upload_blob(body, overwrite=True)
    return f"abfss://{container}@{host}/{key}"


def _define(name: str, uri: str, argv: list[str]) -> None:
    """Create or update Spark job definition and pipeline ``name`` running ``uri`` with ``argv``."""
    pool = synapse.setting("SYNAPSE_SPARK_POOL", name, "the Spark pool jobs run on")
    properties = SparkJobProperties(file=uri, args=argv, driver_memory="28g", driver_cores=4,
                                    executor_memory="28g", executor_cores=4, num_executors=1)
    definition = SparkJobDefinition(
        target_big_data_pool=BigDataPoolReference(type="BigDataPoolReference", reference_name=pool),
        job_properties=properties, language="python")
    client = synapse.artifacts()
    client.spark_job_definition.begin_create_or_update_spark_job_definition(name, definition).result()
    activity = SynapseSparkJobDefinitionActivity(
        name="run", spark_job=SynapseSparkJobReference(type="SparkJobDefinitionReference", reference_name=name))
    client.pipeline.begin_create_or_update_pipeline(name, PipelineResource(activities=[activity])).result()


def _schedule(name: str, plan: cron.Cron) -> None:
    trigger = ScheduleTrigger(recurrence=recurrence(plan), pipelines=[TriggerPipelineReference(
        pipeline_reference=PipelineReference(type="PipelineReference", reference_name=name))])
    triggers = synapse.artifacts().trigger
    try:
        triggers.begin_stop_trigger(name).result()  # a started trigger cannot be updated
    except ResourceNotFoundError:
        pass
    triggers.begin_create_or_update_trigger(name, trigger).result()
    triggers.begin_start_trigger(name).result()


def run_status(job: str, run_id: str) -> str:
    try:
        status = synapse.artifacts().pipeline_run.get_pipeline_run(run_id).status
    except AzureError as exc:
        raise translate_error(exc, f"job {job!r} run {run_id!r}") from exc
    return _STATES.get(str(status), "RUNNING")


def cancel_run(job: str, run_id: str) -> None:
    try:
        synapse.artifacts().pipeline_run.cancel_pipeline_run(run_id, is_recursive=True)
    except AzureError as exc:
        raise translate_error(exc, f"job {job!r} run {run_id!r}") from exc


def remove_schedule(job: str) -> None:
    triggers = synapse.artifacts().trigger
    try:
        triggers.begin_stop_trigger(f"{job}-scheduled").result()
        triggers.begin_delete_trigger(f"{job}-scheduled").result()
    except ResourceNotFoundError:
        return
    except AzureError as exc:
        raise translate_error(exc, f"schedule of job {job!r}") from exc


def run_job(name: str, script: str | PathLike[str] | tuple[str, str], schedule: str | None,
            args: Mapping[str, str] | None) -> Job:
    job, values = check_job(name, args)
    plan = None if schedule is None else cron.parse(schedule)
    if plan is not None:
        recurrence(plan)  # a cron Synapse cannot express fails before anything is created
    source = check_script(script, job)
    try:
        uri = _script_uri(job, source)
        if plan is not None:
            _define(f"{job}-scheduled", uri, job_argv(values))
            _schedule(f"{job}-scheduled", plan)
            return Job(job, job, lambda: "PENDING", partial(remove_schedule, job))
        _define(job, uri, job_argv(values))
        run_id: Any = synapse.artifacts().pipeline.create_pipeline_run(job).run_id
    except AzureError as exc:
        raise translate_error(exc, f"job {job!r}") from exc
    return Job(job, str(run_id), partial(run_status, job, str(run_id)), partial(cancel_run, job, str(run_id)))

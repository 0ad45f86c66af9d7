"""The Glue half of the aws data adapter: the Data Catalog, Python-shell jobs, and their schedules.

Tables are Glue external tables over ``s3://bucket/prefix/`` (what Athena reads); a job is a
Glue Python-shell job whose script lives in S3 (a local script is uploaded to
GLUE_SCRIPTS; GLUE_PYTHON_MODULES, optional, is pip-installed before it runs,
e.g. ``infrar[aws]==0.1.0`` for a script that imports infrar; a script importing modules beside
it, as an erased one imports its ``_cloud.py``, is uploaded as one file carrying them:
``infrar.data.scripts``); a schedule is an EventBridge
Scheduler schedule (UTC) whose target is Glue's StartJobRun, assumed through
SCHEDULER_ROLE_ARN. GLUE_CONNECTIONS (comma-separated Glue connection names; what ``infrar
infra`` outputs when the jobs' starters reach private databases or caches: a NETWORK connection
on the project's private subnets) becomes the job's Connections, so it runs inside the VPC.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import partial
from os import PathLike
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infrar.data import cron
from infrar.data.rules import (
    check_columns,
    check_format,
    check_job,
    check_location,
    check_name,
    check_script,
    engine_type,
    split_table,
)
from infrar.data.scripts import bundle, bundle_stored
from infrar.data.types import Column, Job
from infrar.errors import AlreadyExists, NotFound
from infrar.providers._names import deployed_name
from infrar.providers.aws._clients import glue, s3, scheduler
from infrar.providers.aws.data_errors import translate_error

_FORMATS: dict[str, dict[str, Any]] = {
    "csv": {"InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                          "Parameters": {"field.delim": ",", "serialization.format": ",",
                                         "timestamp.formats": "yyyy-MM-dd'T'HH:mm:ssXXX,yyyy-MM-dd HH:mm:ss"}}},
    "json": {"InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
             "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
             "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}},
    "parquet": {"InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "SerdeInfo": {"SerializationLibrary":
                              "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}},
}
_PORTABLE = {"string": "STRING", "varchar": "STRING", "char": "STRING", "bigint": "INT64", "int": "INT64",
             "integer": "INT64", "smallint": "INT64", "tinyint": "INT64", "double": "FLOAT64", "float": "FLOAT64",
             "boolean": "BOOL", "date": "DATE", "timestamp": "TIMESTAMP"}
# Glue job run states -> the portable ones.
_STATES = {"STARTING": "PENDING", "WAITING": "PENDING", "RUNNING": "RUNNING", "STOPPING": "RUNNING",
           "SUCCEEDED": "SUCCEEDED", "FAILED": "FAILED", "ERROR": "FAILED", "TIMEOUT": "FAILED",
           "EXPIRED": "FAILED", "STOPPED": "CANCELLED"}
# EventBridge Scheduler's universal target for Glue's StartJobRun.
GLUE_START_JOB_RUN = "arn:aws:scheduler:::aws-sdk:glue:startJobRun"


def _portable(kind: str) -> str:
    match = re.match(r"^decimal\((\d+),\s*(\d+)\)$", kind.lower())
    if match:
        return f"DECIMAL({match.group(1)},{match.group(2)})"
    return _PORTABLE.get(kind.lower().partition("(")[0], kind.upper())


def list_tables(database: str) -> list[str]:
    name = check_name(database, "database")
    names: list[str] = []
    try:
        for page in glue.client().get_paginator("get_tables").paginate(DatabaseName=name):
            names += [table["Name"] for table in page.get("TableList", [])]
    except (ClientError, BotoCoreError) as exc:
        raise translate_error(exc, f"database {name!r}") from exc
    return sorted(names)


def get_schema(table: str) -> list[Column]:
    database, name = split_table(table)
    try:
        found = glue.client().get_table(DatabaseName=database, Name=name)["Table"]
    except (ClientError, BotoCoreError) as exc:
        raise translate_error(exc, f"table {table!r}") from exc
    return [Column(c["Name"], _portable(c["Type"]), True) for c in found["StorageDescriptor"]["Columns"]]


def create_table(database: str, table: str, columns: Mapping[str, str], location: tuple[str, str],
                 format: str, header: bool) -> None:
    name = check_name(database, "database")
    qualified = f"{name}.{check_name(table, 'table')}"
    checked = check_columns(columns, qualified)
    bucket, prefix = check_location(location, qualified)
    bucket = deployed_name("bucket", bucket)  # the bucket infrar.storage wrote to
    kind = check_format(format, qualified)
    parameters = {"classification": kind, "EXTERNAL": "TRUE"}
    if kind == "csv" and header:
        parameters["skip.header.line.count"] = "1"
    descriptor = {"Columns": [{"Name": c, "Type": engine_type(t, "glue")} for c, t in checked.items()],
                  "Location": f"s3://{bucket}/{prefix}", **_FORMATS[kind]}
    try:
        glue.client().create_table(DatabaseName=name, TableInput={
            "Name": table, "TableType": "EXTERNAL_TABLE", "Parameters": parameters, "StorageDescriptor": descriptor})
    except (ClientError, BotoCoreError) as exc:
        error = translate_error(exc, f"table {qualified!r}")
        if isinstance(error, AlreadyExists):
            raise AlreadyExists(f"table {qualified!r} already exists; drop_table it first to redefine it") from exc
        raise error from exc


def drop_table(database: str, table: str) -> None:
    qualified = f"{check_name(database, 'database')}.{check_name(table, 'table')}"
    try:
        glue.client().delete_table(DatabaseName=database, Name=table)
    except (ClientError, BotoCoreError) as exc:
        error = translate_error(exc, f"table {qualified!r}")
        if isinstance(error, NotFound):
            raise NotFound(f"table {qualified} does not exist; nothing to drop") from exc
        raise error from exc


def _script_uri(job: str, source: str | tuple[str, str]) -> str:
    """The S3 URI of the job's script: a stored one where it is, unless it has variables to carry
    (then, like a local file, uploaded to GLUE_SCRIPTS as one file carrying them)."""
    if isinstance(source, tuple):
        bucket, key = deployed_name("bucket", source[0]), source[1]
        try:
            stored = s3.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise translate_error(exc, f"script {key!r} of job {job!r} in bucket {source[0]!r}") from exc
        body = bundle_stored(key, stored, "aws")
        if body is None:
            return f"s3://{bucket}/{key}"
    else:
        body = bundle(source, "aws")  # with the modules beside it that it imports, in one file
    target = glue.setting("GLUE_SCRIPTS", job, "the s3://bucket/prefix/ that job scripts are uploaded to")
    bucket, _, prefix = target.removeprefix("s3://").partition("/")
    key = f"{prefix.strip('/')}/{job}.py".lstrip("/")
    if body is None:
        s3.client().upload_file(source, bucket, key)
    else:
        s3.client().put_object(Bucket=bucket, Key=key, Body=body)
    return f"s3://{bucket}/{key}"


def _define(job: str, uri: str) -> None:
    """Create Glue Python-shell job ``job`` running ``uri``, or point the existing one at it."""
    definition: dict[str, Any] = {
        "Role": glue.setting("GLUE_JOB_ROLE_ARN", job, "the IAM role Glue jobs run as"),
        "Command": {"Name": "pythonshell", "ScriptLocation": uri, "PythonVersion": "3.9"},
        "MaxCapacity": 0.0625,
    }
    modules = os.environ.get("GLUE_PYTHON_MODULES")
    if modules:  # e.g. "infrar[aws]==0.1.0": what a script that imports infrar needs pip to install first
        definition["DefaultArguments"] = {"--additional-python-modules": modules}
    connections = [c.strip() for c in os.environ.get("GLUE_CONNECTIONS", "").split(",") if c.strip()]
    if connections:  # run in the VPC, where the private databases and caches of the job's starters are
        definition["Connections"] = {"Connections": connections}
    try:
        found = glue.client().get_job(JobName=job)["Job"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
            raise
        glue.client().create_job(Name=job, **definition)
        return
    if (found.get("Role") != definition["Role"] or found.get("Command", {}).get("ScriptLocation") != uri
            or found.get("DefaultArguments", {}) != definition.get("DefaultArguments", {})
            or found.get("Connections", {}).get("Connections", []) != connections):
        glue.client().update_job(JobName=job, JobUpdate=definition)


def _arguments(args: Mapping[str, str]) -> dict[str, str]:
    return {f"--{key}": value for key, value in args.items()}


def _schedule(job: str, plan: cron.Cron, args: Mapping[str, str]) -> None:
    """Create or update the EventBridge schedule named after the job (idempotent by name)."""
    request = {
        "Name": job,
        "ScheduleExpression": cron.to_aws(plan),
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": GLUE_START_JOB_RUN,
                   "RoleArn": glue.setting("SCHEDULER_ROLE_ARN", job,
                                           "the role EventBridge Scheduler assumes to start Glue jobs"),
                   "Input": json.dumps({"JobName": job, "Arguments": _arguments(args)})},
    }
    try:
        scheduler.client().create_schedule(**request)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConflictException":
            raise
        scheduler.client().update_schedule(**request)


def run_status(job: str, run_id: str) -> str:
    try:
        state = glue.client().get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"]
    except (ClientError, BotoCoreError) as exc:
        raise translate_error(exc, f"job {job!r} run {run_id!r}") from exc
    return _STATES.get(state, "RUNNING")


def cancel_run(job: str, run_id: str) -> None:
    try:
        glue.client().batch_stop_job_run(JobName=job, JobRunIds=[run_id])
    except (ClientError, BotoCoreError) as exc:
        raise translate_error(exc, f"job {job!r} run {run_id!r}") from exc


def remove_schedule(job: str) -> None:
    try:
        scheduler.client().delete_schedule(Name=job)
    except (ClientError, BotoCoreError) as exc:
        raise translate_error(exc, f"schedule of job {job!r}") from exc


def run_job(name: str, script: str | PathLike[str] | tuple[str, str], schedule: str | None,
            args: Mapping[str, str] | None) -> Job:
    job, values = check_job(name, args)
    plan = None if schedule is None else cron.parse(schedule)
    source = check_script(script, job)
    try:
        _define(job, _script_uri(job, source))
        if plan is not None:
            _schedule(job, plan, values)
            return Job(job, job, lambda: "PENDING", partial(remove_schedule, job))
        run_id = str(glue.client().start_job_run(JobName=job, Arguments=_arguments(values))["JobRunId"])
    except (ClientError, BotoCoreError) as exc:
        raise translate_error(exc, f"job {job!r}") from exc
    return Job(job, run_id, partial(run_status, job, run_id), partial(cancel_run, job, run_id))

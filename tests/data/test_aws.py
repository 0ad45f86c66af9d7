"""The aws adapter on moto: Athena requests and result parsing (results seeded through moto's own API),
Glue Python-shell jobs and EventBridge Scheduler schedules. Real SQL on Athena: test_ministack.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from infrar import data, storage
from infrar.data import catalog
from infrar.data.scripts import JOB_VARIABLES, bundle, bundle_stored
from infrar.errors import InvalidArgument, NotFound, PermissionDenied
from infrar.providers.aws.data_errors import failed_query
from infrar.testing.plugin import EmulatedProvider
from tests.data.conftest import aws_client


def _info(name: str, kind: str) -> dict[str, Any]:
    return {"CatalogName": "hive", "SchemaName": "w", "TableName": "t", "Name": name, "Label": name,
            "Type": kind, "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": True}


def _seed(moto: EmulatedProvider, columns: list[tuple[str, str]], rows: list[list[str | None]]) -> None:
    """Queue one Athena result on the moto server (it hands results out in order)."""
    body = {"results": [{
        "column_info": [_info(name, kind) for name, kind in columns],
        "rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows],
    }]}
    response = requests.post(f"{moto.service.endpoint}/moto-api/static/athena/query-results",  # type: ignore[attr-defined]
                             json=body, timeout=10)
    assert response.status_code == 201


def _last_execution(moto: EmulatedProvider) -> dict[str, Any]:
    athena = aws_client("athena", moto)
    ids = athena.list_query_executions()["QueryExecutionIds"]
    executions = [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
    newest: dict[str, Any] = max(executions, key=lambda e: e["Status"]["SubmissionDateTime"])
    return newest


COLUMNS = [("i", "bigint"), ("f", "double"), ("d", "decimal"), ("s", "varchar"), ("b", "boolean"),
           ("day", "date"), ("at", "timestamp"), ("tz", "timestamp with time zone"), ("n", "integer")]


def test_values_are_typed_from_the_result_metadata(aws_data: tuple[EmulatedProvider, str]) -> None:
    moto, bucket = aws_data
    header = [name for name, _ in COLUMNS]
    _seed(moto, COLUMNS, [header, ["1", "2.5", "10.50", "x", "true", "2024-02-29", "2024-01-01 12:00:00.000",
                                   "2024-01-01 12:00:00.000 UTC", None]])
    rows = data.query("w", "SELECT * FROM t WHERE s = ? AND i > ? AND day = ?", ["it's", 1, date(2024, 2, 29)])
    assert [dict(r) for r in rows] == [{
        "i": 1, "f": 2.5, "d": Decimal("10.50"), "s": "x", "b": True, "day": date(2024, 2, 29),
        "at": datetime(2024, 1, 1, 12, tzinfo=timezone.utc), "tz": datetime(2024, 1, 1, 12, tzinfo=timezone.utc),
        "n": None,
    }]
    sent = _last_execution(moto)
    assert sent["Query"] == "SELECT * FROM t WHERE s = ? AND i > ? AND day = ?"
    assert sent["ExecutionParameters"] == ["'it''s'", "1", "DATE '2024-02-29'"]
    assert sent["QueryExecutionContext"] == {"Database": "w", "Catalog": "AwsDataCatalog"}
    assert sent["WorkGroup"] == "primary"
    # moto, like Athena, reports the result file it wrote under the location that was sent
    assert sent["ResultConfiguration"]["OutputLocation"].startswith(f"s3://{bucket}/results/")


def test_the_workgroup_variable_is_used(aws_data: tuple[EmulatedProvider, str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    moto, _ = aws_data
    athena = aws_client("athena", moto)
    if "analytics" not in [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]:
        athena.create_work_group(Name="analytics", Configuration={})
    monkeypatch.setenv("ATHENA_WORKGROUP", "analytics")
    monkeypatch.delenv("ATHENA_OUTPUT_LOCATION")
    _seed(moto, [("one", "integer")], [["one"], ["1"]])
    assert [r["one"] for r in data.iter_query("w", "SELECT 1 AS one")] == [1]
    sent = _last_execution(moto)
    assert sent["WorkGroup"] == "analytics" and "ExecutionParameters" not in sent
    monkeypatch.setenv("ATHENA_WORKGROUP", "no-such-group")
    with pytest.raises(InvalidArgument, match="WorkGroup does not exist"):
        data.query("w", "SELECT 1")


def test_a_first_row_that_is_data_is_kept(aws_data: tuple[EmulatedProvider, str]) -> None:
    moto, _ = aws_data
    _seed(moto, [("s", "varchar")], [["a"], ["b"]])  # no header row: nothing is dropped
    assert [r["s"] for r in data.query("w", "SELECT s FROM t")] == ["a", "b"]


@pytest.mark.parametrize(("reason", "kind"), [
    ("TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.w.nowhere' does not exist", NotFound),
    ("SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'", InvalidArgument),
    ("Access denied when writing to location: s3://b/results/", PermissionDenied),
    ("No output location provided. An output location is required", InvalidArgument),
])
def test_failed_query_reasons(reason: str, kind: type[Exception]) -> None:
    error = failed_query(reason, "w")
    assert type(error) is kind and "'w'" in str(error)


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "aggregate.py"
    path.write_text("print('hello')\n")
    return path


def test_a_job_run_uploads_the_script_and_passes_args(aws_data: tuple[EmulatedProvider, str], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    moto, bucket = aws_data
    monkeypatch.setenv("GLUE_PYTHON_MODULES", "infrar[aws]==0.1.0")
    job = data.run_job("daily-totals", _script(tmp_path), args={"day": "2024-01-01", "out-bucket": bucket})
    assert job.wait(timeout=60) == "SUCCEEDED"
    glue = aws_client("glue", moto)
    definition = glue.get_job(JobName="daily-totals")["Job"]
    assert definition["Command"] == {"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/scripts/daily-totals.py",
                                     "PythonVersion": "3.9"}
    assert definition["Role"] == "arn:aws:iam::123456789012:role/infrar-glue-job"
    assert definition["DefaultArguments"] == {"--additional-python-modules": "infrar[aws]==0.1.0"}
    uploaded = storage.read_bytes(bucket, "scripts/daily-totals.py")  # carrying the region (test_scripts.py)
    assert uploaded == bundle(str(tmp_path / "aggregate.py"), "aws") and b"print('hello')" in uploaded
    run = glue.get_job_run(JobName="daily-totals", RunId=job.id)["JobRun"]
    # moto reports the job's DefaultArguments merged into the run's
    assert run["Arguments"] == {"--day": "2024-01-01", "--out-bucket": bucket,
                                "--additional-python-modules": "infrar[aws]==0.1.0"}


def test_a_job_runs_in_the_vpc_through_the_glue_connections_infra_outputs(
        aws_data: tuple[EmulatedProvider, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CreateJob carries GLUE_CONNECTIONS as Connections (moto has no UpdateJob: the update is on ministack)."""
    moto, _ = aws_data
    monkeypatch.setenv("GLUE_CONNECTIONS", "shop-prod-analytics-jobs, other")
    data.run_job("in-vpc", _script(tmp_path)).wait(timeout=60)
    glue = aws_client("glue", moto)
    assert glue.get_job(JobName="in-vpc")["Job"]["Connections"] == {
        "Connections": ["shop-prod-analytics-jobs", "other"]}
    monkeypatch.setenv("GLUE_CONNECTIONS", "")  # none (outside the VPC): no Connections at all
    data.run_job("outside-vpc", _script(tmp_path)).wait(timeout=60)
    assert "Connections" not in glue.get_job(JobName="outside-vpc")["Job"]


def _nothing_to_carry(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n in JOB_VARIABLES["aws"] or n.startswith("BUCKET_NAME_")]:
        monkeypatch.delenv(name)


def test_a_script_in_storage_with_nothing_to_carry_is_run_where_it_is(
        aws_data: tuple[EmulatedProvider, str], monkeypatch: pytest.MonkeyPatch) -> None:
    moto, bucket = aws_data
    storage.write_bytes(bucket, "jobs/x.py", b"print(1)\n")
    _nothing_to_carry(monkeypatch)
    data.run_job("from-storage", (bucket, "jobs/x.py")).wait(timeout=60)
    command = aws_client("glue", moto).get_job(JobName="from-storage")["Job"]["Command"]
    assert command["ScriptLocation"] == f"s3://{bucket}/jobs/x.py"


def test_a_script_in_storage_is_read_from_the_deployed_bucket_and_carries_the_starters_variables(
        aws_data: tuple[EmulatedProvider, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The program names its bucket ("landing"); infra deployed it under another name (BUCKET_NAME_LANDING)."""
    moto, bucket = aws_data
    _nothing_to_carry(monkeypatch)
    monkeypatch.setenv("BUCKET_NAME_LANDING", bucket)
    monkeypatch.setenv("PGHOST", "orders.cluster-x.eu-west-1.rds.amazonaws.com")
    stored = b"import os\n\nfrom infrar import storage\n\nprint(os.environ['INFRAR_PROVIDER'], os.environ['PGHOST'])\n"
    storage.write_bytes("landing", "jobs/report.py", stored)  # through the deployed name too
    assert storage.read_bytes(bucket, "jobs/report.py") == stored
    data.run_job("stored-report", ("landing", "jobs/report.py")).wait(timeout=60)
    command = aws_client("glue", moto).get_job(JobName="stored-report")["Job"]["Command"]
    assert command["ScriptLocation"] == f"s3://{bucket}/scripts/stored-report.py"  # GLUE_SCRIPTS: a copy
    uploaded = storage.read_bytes(bucket, "scripts/stored-report.py")
    assert uploaded == bundle_stored("jobs/report.py", stored, "aws")
    (tmp_path / "glue.py").write_bytes(uploaded)  # where the Glue job keeps the one file; its own environment
    ran = subprocess.run([sys.executable, str(tmp_path / "glue.py")], capture_output=True, text=True, timeout=60,
                         env={"PATH": os.environ["PATH"]}, check=False)
    assert (ran.returncode, ran.stdout) == (0, "aws orders.cluster-x.eu-west-1.rds.amazonaws.com\n"), ran.stderr


def test_a_missing_script_in_storage_is_not_found(aws_data: tuple[EmulatedProvider, str]) -> None:
    _, bucket = aws_data
    with pytest.raises(NotFound, match=r"script 'jobs/none\.py' of job 'nowhere' in bucket"):
        data.run_job("nowhere", (bucket, "jobs/none.py"))


def test_a_table_is_over_the_deployed_bucket(aws_data: tuple[EmulatedProvider, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    moto, bucket = aws_data
    monkeypatch.setenv("BUCKET_NAME_LANDING", bucket)
    aws_client("glue", moto).create_database(DatabaseInput={"Name": "deployed_names"})
    catalog.create_table("deployed_names", "orders", {"n": "INT64"}, ("landing", "orders/"))
    table = aws_client("glue", moto).get_table(DatabaseName="deployed_names", Name="orders")["Table"]
    assert table["StorageDescriptor"]["Location"] == f"s3://{bucket}/orders/"


def test_a_schedule_is_an_eventbridge_schedule_translated_to_aws_cron(aws_data: tuple[EmulatedProvider, str],
                                                                       tmp_path: Path) -> None:
    moto, _ = aws_data
    script = _script(tmp_path)
    job = data.run_job("weekday-report", script, schedule="30 6 * * 1-5", args={"day": "today"})
    assert (job.id, job.status()) == ("weekday-report", "PENDING")
    schedules = aws_client("scheduler", moto)
    found = schedules.get_schedule(Name="weekday-report")
    assert found["ScheduleExpression"] == "cron(30 6 ? * 2-6 *)"
    assert found["ScheduleExpressionTimezone"] == "UTC"
    assert found["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:glue:startJobRun"
    assert found["Target"]["RoleArn"] == "arn:aws:iam::123456789012:role/infrar-scheduler"
    assert json.loads(found["Target"]["Input"]) == {"JobName": "weekday-report", "Arguments": {"--day": "today"}}
    data.run_job("weekday-report", script, schedule="0 0 * * 0")  # the same name updates it
    assert schedules.get_schedule(Name="weekday-report")["ScheduleExpression"] == "cron(0 0 ? * 1 *)"
    job.cancel()
    with pytest.raises(schedules.exceptions.ResourceNotFoundException):
        schedules.get_schedule(Name="weekday-report")


def test_missing_job_settings_are_named(aws_data: tuple[EmulatedProvider, str], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from infrar.errors import ConfigurationError

    monkeypatch.delenv("GLUE_SCRIPTS")
    with pytest.raises(ConfigurationError, match="GLUE_SCRIPTS"):
        data.run_job("needs-scripts", _script(tmp_path))

"""azure: the Synapse SQL catalog through pyodbc on the test PostgreSQL (psqlODBC); the external-table T-SQL
(serverless SQL only, asserted as text); jobs through a faked azure-synapse-artifacts client (exact calls)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from infrar import data, storage
from infrar.data import Column, catalog, cron
from infrar.data.scripts import bundle, bundle_stored
from infrar.errors import AlreadyExists, InvalidArgument, NotFound
from infrar.providers.azure import data_synapse
from infrar.providers.azure._clients import synapse
from infrar.providers.azure.data import external_table_sql
from infrar.testing.plugin import EmulatedProvider


@pytest.mark.usefixtures("synapse_on_postgres")
def test_catalog_reads_information_schema() -> None:
    data.query("shop", "CREATE TABLE orders (day DATE NOT NULL, amount DECIMAL(10,2), label VARCHAR(20), "
                       "n BIGINT, ok BOOLEAN, at TIMESTAMP WITH TIME ZONE, ratio DOUBLE PRECISION)")
    data.query("shop", "CREATE VIEW big AS SELECT * FROM orders WHERE amount > 100")
    assert catalog.list_tables("shop") == ["big", "orders"]
    assert catalog.get_schema("shop.orders") == [
        Column("day", "DATE", False), Column("amount", "DECIMAL(10,2)", True), Column("label", "STRING", True),
        Column("n", "INT64", True), Column("ok", "BOOL", True), Column("at", "TIMESTAMP", True),
        Column("ratio", "FLOAT64", True)]
    with pytest.raises(AlreadyExists, match=r"shop\.orders"):
        catalog.create_table("shop", "orders", {"x": "STRING"}, ("b", "p/"))
    catalog.drop_table("shop", "big")
    assert catalog.list_tables("shop") == ["orders"]
    with pytest.raises(NotFound, match=r"shop\.big"):
        catalog.drop_table("shop", "big")
    with pytest.raises(NotFound, match=r"shop\.big"):
        catalog.get_schema("shop.big")


def test_external_table_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_URL", "https://acct.blob.core.windows.net/")
    source = ("IF NOT EXISTS (SELECT * FROM sys.external_data_sources WHERE name = 'lake_sales_data') CREATE "
              "EXTERNAL DATA SOURCE [lake_sales_data] WITH (LOCATION = 'https://acct.dfs.core.windows.net/sales-data')")
    columns = {"day": "DATE", "amount": "DECIMAL(10,2)"}
    assert external_table_sql("orders", columns, "sales-data", "orders/", "csv", True) == [
        source,
        "IF NOT EXISTS (SELECT * FROM sys.external_file_formats WHERE name = 'lake_csv_header') CREATE EXTERNAL "
        "FILE FORMAT [lake_csv_header] WITH (FORMAT_TYPE = DELIMITEDTEXT, FORMAT_OPTIONS (FIELD_TERMINATOR = ',', "
        "STRING_DELIMITER = '\"', FIRST_ROW = 2, PARSER_VERSION = '2.0'))",
        "CREATE EXTERNAL TABLE [orders] ([day] DATE, [amount] DECIMAL(10,2)) WITH (LOCATION = 'orders/**', "
        "DATA_SOURCE = [lake_sales_data], FILE_FORMAT = [lake_csv_header])",
    ]
    assert external_table_sql("orders", columns, "sales-data", "orders/", "parquet", True)[1:] == [
        "IF NOT EXISTS (SELECT * FROM sys.external_file_formats WHERE name = 'lake_parquet') CREATE EXTERNAL "
        "FILE FORMAT [lake_parquet] WITH (FORMAT_TYPE = PARQUET)",
        "CREATE EXTERNAL TABLE [orders] ([day] DATE, [amount] DECIMAL(10,2)) WITH (LOCATION = 'orders/**', "
        "DATA_SOURCE = [lake_sales_data], FILE_FORMAT = [lake_parquet])",
    ]
    assert external_table_sql("orders", columns, "sales-data", "", "json", True)[1:] == [
        "CREATE VIEW [orders] AS SELECT CAST(JSON_VALUE(doc, '$.day') AS DATE) AS [day], "
        "CAST(JSON_VALUE(doc, '$.amount') AS DECIMAL(10,2)) AS [amount] FROM OPENROWSET(BULK '**', "
        "DATA_SOURCE = 'lake_sales_data', FORMAT = 'CSV', FIELDTERMINATOR = '0x0b', FIELDQUOTE = '0x0b') "
        "WITH (doc NVARCHAR(MAX)) AS rows",
    ]


@pytest.mark.parametrize(("schedule", "frequency", "expected"), [
    ("0 2 * * *", "Day", {"minutes": [0], "hours": [2]}),
    ("*/30 6-7 * * 1-5", "Week", {"minutes": [0, 30], "hours": [6, 7],
                                  "week_days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]}),
    ("0 0 * * 0", "Week", {"minutes": [0], "hours": [0], "week_days": ["Sunday"]}),
    ("15 3 1,15 * *", "Month", {"minutes": [15], "hours": [3], "month_days": [1, 15]}),
])
def test_recurrence(schedule: str, frequency: str, expected: dict[str, Any]) -> None:
    found = data_synapse.recurrence(cron.parse(schedule))
    assert (found.frequency, found.interval, found.time_zone) == (frequency, 1, "UTC")
    assert {k: v for k, v in found.schedule.as_dict().items() if v} == expected


def test_a_month_restriction_is_refused_on_synapse() -> None:
    with pytest.raises(InvalidArgument, match="the month field"):
        data_synapse.recurrence(cron.parse("0 2 * 1 *"))


class Recorder:
    """A stand-in for one ArtifactsClient operation group: records (method, args); pollers return None."""

    def __init__(self, group: str, calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]],
                 answers: dict[str, Any]) -> None:
        self._group, self._calls, self._answers = group, calls, answers

    def __getattr__(self, method: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls.append((f"{self._group}.{method}", args, kwargs))
            answer = self._answers.get(method)
            return answer if answer is not None else SimpleNamespace(result=lambda: None)
        return call


# Azurite's account: the scripts location names the account the upload goes to.
LAKE = "devstoreaccount1"


@pytest.fixture
def workspace(infrar_azure: EmulatedProvider, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], str]:
    container = infrar_azure.create_bucket()
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    answers = {"create_pipeline_run": SimpleNamespace(run_id="run-42"),
               "get_pipeline_run": SimpleNamespace(status="Succeeded")}
    client = SimpleNamespace(**{group: Recorder(group, calls, answers)
                                for group in ("spark_job_definition", "pipeline", "pipeline_run", "trigger")})
    monkeypatch.setattr(synapse, "artifacts", lambda: client)
    monkeypatch.setenv("SYNAPSE_SCRIPTS", f"abfss://{container}@{LAKE}.dfs.core.windows.net/scripts/")
    monkeypatch.setenv("SYNAPSE_SPARK_POOL", "jobs")
    return calls, container


def _definition(call: tuple[str, tuple[Any, ...], dict[str, Any]]) -> dict[str, Any]:
    definition: dict[str, Any] = call[1][1].as_dict()
    return definition


def test_a_run_now_defines_and_runs_a_pipeline(workspace: tuple[list[Any], str], tmp_path: Path) -> None:
    calls, container = workspace
    script = tmp_path / "job.py"
    script.write_text("print(1)\n")
    job = data.run_job("nightly", script, args={"day": "d1"})
    assert storage.read_bytes(container, "scripts/nightly.py") == b"print(1)\n"
    assert [c[0] for c in calls] == ["spark_job_definition.begin_create_or_update_spark_job_definition",
                                     "pipeline.begin_create_or_update_pipeline", "pipeline.create_pipeline_run"]
    assert calls[0][1][0] == "nightly"
    assert _definition(calls[0]) == {
        "target_big_data_pool": {"type": "BigDataPoolReference", "reference_name": "jobs"},
        "language": "python",
        "job_properties": {"file": f"abfss://{container}@{LAKE}.dfs.core.windows.net/scripts/nightly.py",
                           "args": ["--day", "d1"], "driver_memory": "28g", "driver_cores": 4,
                           "executor_memory": "28g", "executor_cores": 4, "num_executors": 1}}
    assert calls[1][1][0] == "nightly" and _definition(calls[1]) == {"activities": [{
        "name": "run", "type": "SparkJob",
        "spark_job": {"type": "SparkJobDefinitionReference", "reference_name": "nightly"}}]}
    assert calls[2][1] == ("nightly",)
    assert job.id == "run-42" and job.wait(timeout=10) == "SUCCEEDED"
    assert calls[-1][:2] == ("pipeline_run.get_pipeline_run", ("run-42",))
    job.cancel()
    assert calls[-1] == ("pipeline_run.cancel_pipeline_run", ("run-42",), {"is_recursive": True})


def test_a_schedule_is_a_started_trigger_on_its_own_pipeline(workspace: tuple[list[Any], str]) -> None:
    calls, container = workspace
    storage.write_bytes(container, "jobs/x.py", b"print(1)\n")  # in the lake account, nothing to carry: as it is
    job = data.run_job("nightly", (container, "jobs/x.py"), schedule="0 2 * * *")
    assert [(c[0], c[1][0]) for c in calls] == [
        ("spark_job_definition.begin_create_or_update_spark_job_definition", "nightly-scheduled"),
        ("pipeline.begin_create_or_update_pipeline", "nightly-scheduled"),
        ("trigger.begin_stop_trigger", "nightly-scheduled"),
        ("trigger.begin_create_or_update_trigger", "nightly-scheduled"),
        ("trigger.begin_start_trigger", "nightly-scheduled")]
    assert _definition(calls[0])["job_properties"]["file"] == f"abfss://{container}@{LAKE}.dfs.core.windows.net/jobs/x.py"
    trigger = calls[3][1][1].as_dict()
    assert trigger["pipelines"] == [{"pipeline_reference": {"type": "PipelineReference",
                                                            "reference_name": "nightly-scheduled"}}]
    assert trigger["recurrence"]["schedule"] == {"minutes": [0], "hours": [2]}
    assert (job.id, job.status()) == ("nightly", "PENDING")
    job.cancel()
    assert [(c[0], c[1]) for c in calls[-2:]] == [("trigger.begin_stop_trigger", ("nightly-scheduled",)),
                                                  ("trigger.begin_delete_trigger", ("nightly-scheduled",))]


def test_a_script_with_modules_beside_it_is_uploaded_as_one_file_that_runs_alone(
        workspace: tuple[list[Any], str], tmp_path: Path) -> None:
    calls, container = workspace
    (tmp_path / "_cloud.py").write_text("GREETING = 'from beside'\n")
    script = tmp_path / "job.py"
    script.write_text("from _cloud import GREETING\n\nprint(GREETING)\n")
    data.run_job("nightly", script)
    uploaded = storage.read_bytes(container, "scripts/nightly.py")
    assert uploaded == bundle(str(script), "azure")
    assert _definition(calls[0])["job_properties"]["file"] == (
        f"abfss://{container}@{LAKE}.dfs.core.windows.net/scripts/nightly.py")
    alone = tmp_path / "spark" / "nightly.py"  # where the Spark driver keeps the one file
    alone.parent.mkdir()
    alone.write_bytes(uploaded)
    ran = subprocess.run([sys.executable, str(alone)], capture_output=True, text=True, cwd=alone.parent,
                         timeout=60, check=False)
    assert (ran.returncode, ran.stdout) == (0, "from beside\n"), ran.stderr


def test_a_stored_script_with_variables_to_carry_is_copied_beside_the_local_ones(
        workspace: tuple[list[Any], str], monkeypatch: pytest.MonkeyPatch) -> None:
    calls, container = workspace
    monkeypatch.setenv("BUCKET_NAME_LANDING", container)  # the program's "landing", deployed under another name
    monkeypatch.setenv("AZURE_SERVICEBUS_NAMESPACE", "shop-prod-bus.servicebus.windows.net")
    storage.write_bytes("landing", "jobs/x.py", b"print(1)\n")
    data.run_job("nightly", ("landing", "jobs/x.py"))
    assert _definition(calls[0])["job_properties"]["file"] == (
        f"abfss://{container}@{LAKE}.dfs.core.windows.net/scripts/nightly.py")
    uploaded = storage.read_bytes(container, "scripts/nightly.py")
    assert uploaded == bundle_stored("jobs/x.py", b"print(1)\n", "azure") and b"shop-prod-bus" in uploaded
    with pytest.raises(NotFound, match=r"script 'jobs/none\.py' of job 'nightly' in bucket 'landing'"):
        data.run_job("nightly", ("landing", "jobs/none.py"))


def test_scripts_go_to_the_account_the_scripts_location_names(workspace: tuple[list[Any], str]) -> None:
    """infrar infra keeps scripts in the lake account, not the buckets' one: a client of its own signs in there."""
    _, container = workspace
    assert synapse.scripts_blob(f"{LAKE}.dfs.core.windows.net", container, "a.py").account_name == LAKE
    lake = synapse.scripts_blob("lakeab12cd34.dfs.core.windows.net", "warehouse", "scripts/nightly.py")
    assert lake.url == "https://lakeab12cd34.blob.core.windows.net/warehouse/scripts/nightly.py"
    assert type(lake.credential).__name__ == "DefaultAzureCredential"

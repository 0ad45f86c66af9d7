"""The aws adapter end to end on ministack, whose Athena runs real SQL (DuckDB) over its S3 and Glue catalog:
tables over files infrar.storage wrote, typed rows, results paged past Athena's 1,000-row pages, errors.
(ExecutionParameters are not supported there; they are tested on moto, test_aws.py.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import boto3
import pytest

from infrar import data, storage
from infrar.data import Column, catalog
from infrar.errors import InvalidArgument, NotFound

ROWS = 2500


def test_real_sql_over_a_table_of_files(lake: str) -> None:
    lines = "".join(f"2024-01-{i % 28 + 1:02d},{i}.25,{i},l{i}\n" for i in range(ROWS))
    storage.write_bytes(lake, "orders/part-0.csv", ("day,amount,n,label\n" + lines).encode())
    catalog.create_table("shop", "orders", {"day": "DATE", "amount": "DECIMAL(10,2)", "n": "INT64", "label": "STRING"},
                         (lake, "orders/"))
    assert catalog.list_tables("shop") == ["orders"]
    assert catalog.get_schema("shop.orders")[:2] == [Column("day", "DATE", True),
                                                     Column("amount", "DECIMAL(10,2)", True)]
    first = data.query("shop", "SELECT day, n, amount, label FROM orders ORDER BY n LIMIT 2")
    assert [tuple(r.values()) for r in first] == [(date(2024, 1, 1), 0, Decimal("0.25"), "l0"),
                                                 (date(2024, 1, 2), 1, Decimal("1.25"), "l1")]
    totals = data.query("shop", "SELECT day, count(*) AS c FROM orders GROUP BY day ORDER BY day")
    assert len(totals) == 28 and sum(r["c"] for r in totals) == ROWS
    seen = [r["n"] for r in data.iter_query("shop", "SELECT n FROM orders ORDER BY n")]
    assert seen == list(range(ROWS))  # three pages of at most 1,000 rows, the header dropped once


def test_errors(lake: str) -> None:
    with pytest.raises(NotFound, match="'shop'"):
        data.query("shop", "SELECT * FROM nowhere")
    with pytest.raises(InvalidArgument):
        data.query("shop", "SELEC 1")


@pytest.fixture
def glue_settings(lake: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GLUE_SCRIPTS", f"s3://{lake}/scripts/")
    monkeypatch.setenv("GLUE_JOB_ROLE_ARN", "arn:aws:iam::000000000000:role/glue-job")
    return lake


def test_glue_python_shell_jobs_run_and_end(glue_settings: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """ministack runs a Python-shell job's script for real: its exit status is the run's status."""
    ok, failing, slow = (tmp_path / name for name in ("ok.py", "failing.py", "slow.py"))
    ok.write_text("print('done')\n")
    failing.write_text("raise SystemExit(3)\n")
    slow.write_text("import time\ntime.sleep(60)\n")
    assert data.run_job("totals", ok, args={"day": "d"}).wait(timeout=120) == "SUCCEEDED"
    monkeypatch.setenv("GLUE_CONNECTIONS", "shop-prod-analytics-jobs")  # what infra outputs for jobs in the VPC
    assert data.run_job("totals", failing).wait(timeout=120) == "FAILED"  # the same job, updated
    connections = boto3.client("glue").get_job(JobName="totals")["Job"].get("Connections")
    assert connections == {"Connections": ["shop-prod-analytics-jobs"]}  # UpdateJob carried them
    monkeypatch.delenv("GLUE_CONNECTIONS")
    storage.upload(glue_settings, ok, "elsewhere/ok.py")
    assert data.run_job("totals", (glue_settings, "elsewhere/ok.py")).wait(timeout=120) == "SUCCEEDED"
    job = data.run_job("sleeper", slow)
    job.cancel()
    assert job.wait(timeout=120) == "CANCELLED"


def test_a_script_importing_a_module_beside_it_runs_in_glue(glue_settings: str, tmp_path: Path) -> None:
    """Glue runs the uploaded file alone: the module and the package beside the script go with it
    (infrar.data.scripts); the package's relative import resolves inside the bundle."""
    (tmp_path / "_helper.py").write_text("CODE = 0\n")
    (tmp_path / "offsets").mkdir()
    (tmp_path / "offsets" / "__init__.py").write_text("from .values import OFFSET\n")
    (tmp_path / "offsets" / "values.py").write_text("OFFSET = 0\n")
    script = tmp_path / "uses_helper.py"
    script.write_text("import _helper\nfrom offsets import OFFSET\n\nraise SystemExit(_helper.CODE + OFFSET)\n")
    assert data.run_job("with-helper", script).wait(timeout=120) == "SUCCEEDED"  # an ImportError would fail it
    (tmp_path / "offsets" / "values.py").write_text("OFFSET = 4\n")
    assert data.run_job("with-helper", script).wait(timeout=120) == "FAILED"  # the package's own value ran

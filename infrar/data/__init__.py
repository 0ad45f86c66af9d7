"""Data warehousing: SQL queries, a table catalog and scheduled jobs on one API.

Local DuckDB, Athena + Glue (AWS), BigQuery (GCP) and Synapse serverless SQL (Azure). A
*warehouse* is one namespace of tables (a Glue database, a BigQuery dataset, a Synapse
database, a DuckDB file); unqualified table names in ``query`` resolve in it, and the
catalog's ``database`` is the same name. SQL takes ``?`` placeholders, always bound by the
engine. Rows are the database plugin's ``Row`` (by name and position) with the same Python
types on every provider: int, float, Decimal, str, bool, date, aware datetime, None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from os import PathLike

from infrar.data import catalog
from infrar.data.types import Column, Job, Row
from infrar.dispatch import adapter as _adapter

__all__ = ["Column", "Job", "Row", "catalog", "iter_query", "query", "run_job"]

_DOMAIN = "data"


def query(warehouse: str, sql: str, params: Sequence[object] | None = None) -> list[Row]:
    """All rows of ``sql`` run in ``warehouse``."""
    rows: list[Row] = _adapter(_DOMAIN).query(warehouse, sql, params)
    return rows


def iter_query(warehouse: str, sql: str, params: Sequence[object] | None = None) -> Iterator[Row]:
    """Rows of ``sql`` one page at a time, never holding the whole result; errors raise at the call."""
    rows: Iterator[Row] = _adapter(_DOMAIN).iter_query(warehouse, sql, params)
    return rows


def run_job(name: str, script: str | PathLike[str] | tuple[str, str], schedule: str | None = None,
            args: Mapping[str, str] | None = None) -> Job:
    """Run the Python file ``script`` as job ``name`` now, or on the 5-field cron ``schedule``.

    ``script`` is a local path (uploaded to the job's script location) or a storage location
    ``(bucket, key)``. ``args`` reach the script as ``--key value`` arguments. With a schedule,
    the schedule is created or updated (idempotent by ``name``) and no run starts now.
    """
    job: Job = _adapter(_DOMAIN).run_job(name, script, schedule, args)
    return job

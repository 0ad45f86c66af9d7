"""The data domain on AWS: Athena for queries, the Glue Data Catalog, Glue jobs and EventBridge Scheduler.

A warehouse is a Glue database; queries run in the workgroup ATHENA_WORKGROUP
(``primary``), results go where the workgroup enforces, else to ATHENA_OUTPUT_LOCATION. ``?``
values travel as Athena ExecutionParameters (each a SQL literal Athena parses; never put into
the SQL text). Values are typed from the result metadata. Catalog and jobs: data_glue.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from os import PathLike
from typing import Any
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError

from infrar.data.rules import check_name, check_sql
from infrar.data.types import Column, Job, Row, column_index
from infrar.errors import InvalidArgument
from infrar.providers.aws import data_glue
from infrar.providers.aws._clients import athena
from infrar.providers.aws.data_errors import failed_query, translate_error

_PAGE = 1000  # the most get_query_results returns at once


def _literal(value: object) -> str:
    """``value`` as the SQL literal an ExecutionParameter holds."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, datetime):
        utc = value.astimezone(timezone.utc) if value.tzinfo else value
        return f"TIMESTAMP '{utc.replace(tzinfo=None).isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise InvalidArgument(f"parameter {value!r} of type {type(value).__name__} cannot be sent to Athena; "
                          "use str, int, float, Decimal, bool, date, datetime or None")


def _timestamp(text: str) -> datetime:
    stamp, _, zone = text.partition(" ")[2].partition(" ")
    moment = datetime.fromisoformat(f"{text.partition(' ')[0]} {stamp}")
    return moment.replace(tzinfo=timezone.utc if zone in ("", "UTC") else ZoneInfo(zone)).astimezone(timezone.utc)


_CONVERT: dict[str, Callable[[str], Any]] = {
    "tinyint": int, "smallint": int, "integer": int, "int": int, "bigint": int,
    "double": float, "float": float, "real": float, "decimal": Decimal,
    "boolean": lambda text: text.lower() == "true", "date": date.fromisoformat,
    "timestamp": _timestamp, "timestamp with time zone": _timestamp,
}


def _converter(kind: str) -> Callable[[str], Any] | None:
    return _CONVERT.get(kind.lower().partition("(")[0].strip())


def _start(warehouse: str, sql: str, values: Sequence[object]) -> str:
    request: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": warehouse, "Catalog": "AwsDataCatalog"},
        "WorkGroup": athena.workgroup(),
    }
    if values:
        request["ExecutionParameters"] = [_literal(v) for v in values]
    location = athena.output_location()
    if location:
        request["ResultConfiguration"] = {"OutputLocation": location}
    return str(athena.client().start_query_execution(**request)["QueryExecutionId"])


def _wait(query_id: str, warehouse: str) -> str:
    """Poll until the query ends; its StatementType, or the query's error."""
    pause = 0.05
    while True:
        execution = athena.client().get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        status = execution["Status"]
        if status["State"] == "SUCCEEDED":
            return str(execution.get("StatementType", "DML"))
        if status["State"] in ("FAILED", "CANCELLED"):
            raise failed_query(str(status.get("StateChangeReason") or status["State"]), warehouse)
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def _page(query_id: str, token: str | None) -> dict[str, Any]:
    request: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": _PAGE}
    if token:
        request["NextToken"] = token
    page: dict[str, Any] = athena.client().get_query_results(**request)
    return page


def _values(data: list[dict[str, str]], converters: list[Callable[[str], Any] | None]) -> list[Any]:
    out: list[Any] = []
    for cell, convert in zip(data, converters, strict=False):
        text = cell.get("VarCharValue")
        out.append(None if text is None else (text if convert is None else convert(text)))
    return out


def _rows(query_id: str, statement: str, first: dict[str, Any], warehouse: str) -> Iterator[Row]:
    """Rows of every page, typed from the result metadata; the header row Athena puts first in a SELECT is dropped."""
    info = first["ResultSet"].get("ResultSetMetadata", {}).get("ColumnInfo", [])
    names = [c.get("Label") or c["Name"] for c in info]
    columns = column_index(names)
    converters = [_converter(c["Type"]) for c in info]
    page: dict[str, Any] | None = first
    header_possible = statement == "DML"
    while page is not None:
        for raw in page["ResultSet"].get("Rows", []):
            data = raw.get("Data", [])
            if header_possible and [c.get("VarCharValue") for c in data] == names:
                header_possible = False
                continue
            header_possible = False
            yield Row(columns, _values(data, converters))
        token = page.get("NextToken")
        try:
            page = _page(query_id, token) if token else None
        except (ClientError, BotoCoreError) as exc:
            raise translate_error(exc, f"warehouse {warehouse!r}") from exc


class AwsData:
    """The aws adapter of infrar.data."""

    def query(self, warehouse: str, sql: str, params: Sequence[object] | None = None) -> list[Row]:
        return list(self.iter_query(warehouse, sql, params))

    def iter_query(self, warehouse: str, sql: str, params: Sequence[object] | None = None) -> Iterator[Row]:
        name = check_name(warehouse)
        text, values = check_sql(sql, name, params)
        try:
            query_id = _start(name, text, values)
            statement = _wait(query_id, name)
            first = _page(query_id, None)  # fetched now, so a failure raises at the call
        except (ClientError, BotoCoreError) as exc:
            raise translate_error(exc, f"warehouse {name!r}") from exc
        return _rows(query_id, statement, first, name)

    def run_job(self, name: str, script: str | PathLike[str] | tuple[str, str], schedule: str | None = None,
                args: Mapping[str, str] | None = None) -> Job:
        return data_glue.run_job(name, script, schedule, args)

    def catalog_list_tables(self, database: str) -> list[str]:
        return data_glue.list_tables(database)

    def catalog_get_schema(self, table: str) -> list[Column]:
        return data_glue.get_schema(table)

    def catalog_create_table(self, database: str, table: str, columns: Mapping[str, str],
                             location: tuple[str, str], format: str = "csv", header: bool = True) -> None:
        data_glue.create_table(database, table, columns, location, format, header)

    def catalog_drop_table(self, database: str, table: str) -> None:
        data_glue.drop_table(database, table)

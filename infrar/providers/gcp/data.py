"""The data domain on GCP: BigQuery for queries and the catalog, Cloud Run jobs and Cloud Scheduler for jobs.

A warehouse is a BigQuery dataset of GOOGLE_CLOUD_PROJECT; unqualified table names resolve in
it (the query job's default dataset). ``?`` values are BigQuery positional query parameters.
Tables over files are BigQuery external tables on ``gs://bucket/prefix*``. Jobs: data_run.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from os import PathLike
from typing import Any

from google.api_core.exceptions import GoogleAPIError
from google.cloud.bigquery import (
    ExternalConfig,
    QueryJobConfig,
    ScalarQueryParameter,
    SchemaField,
    Table,
)

from infrar.data.rules import (
    check_columns,
    check_format,
    check_location,
    check_name,
    check_sql,
    split_table,
)
from infrar.data.types import Column, Job, Row, column_index
from infrar.errors import AlreadyExists, InvalidArgument, NotFound
from infrar.providers._names import deployed_name
from infrar.providers.gcp import data_run
from infrar.providers.gcp._clients import bigquery
from infrar.providers.gcp.data_errors import translate_error

_PAGE = 10_000
_SOURCE_FORMATS = {"csv": "CSV", "json": "NEWLINE_DELIMITED_JSON", "parquet": "PARQUET"}
_PORTABLE = {"STRING": "STRING", "INTEGER": "INT64", "INT64": "INT64", "FLOAT": "FLOAT64", "FLOAT64": "FLOAT64",
             "BOOLEAN": "BOOL", "BOOL": "BOOL", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP", "DATETIME": "TIMESTAMP"}


def _parameter(value: object) -> Any:
    """``value`` as a positional (``?``) query parameter of the matching BigQuery type."""
    kinds: list[tuple[type, str]] = [(bool, "BOOL"), (int, "INT64"), (float, "FLOAT64"), (Decimal, "NUMERIC"),
                                     (datetime, "TIMESTAMP"), (date, "DATE"), (str, "STRING")]
    if value is None:
        return ScalarQueryParameter(None, "STRING", None)
    for python, kind in kinds:
        if isinstance(value, python):
            return ScalarQueryParameter(None, kind, value)  # type: ignore[arg-type]
    raise InvalidArgument(f"parameter {value!r} of type {type(value).__name__} cannot be sent to BigQuery; "
                          "use str, int, float, Decimal, bool, date, datetime or None")


def _aware(value: Any) -> Any:
    # DATETIME columns come back naive; every provider hands back aware UTC datetimes.
    return value.replace(tzinfo=timezone.utc) if isinstance(value, datetime) and value.tzinfo is None else value


def _rows(pages: Iterator[Any], first: Any, columns: dict[str, int], naive: bool, warehouse: str) -> Iterator[Row]:
    page: Any = first
    while page is not None:
        if naive:  # a DATETIME column: its values are made aware
            yield from (Row(columns, [_aware(v) for v in found.values()]) for found in page)
        else:
            yield from (Row(columns, found.values()) for found in page)
        try:
            page = next(pages, None)
        except GoogleAPIError as exc:
            raise translate_error(exc, f"warehouse {warehouse!r}") from exc


def _table_ref(database: str, table: str) -> str:
    return f"{bigquery.client().project}.{database}.{table}"


def _portable(field: Any) -> str:
    if field.field_type in ("NUMERIC", "BIGNUMERIC", "DECIMAL", "BIGDECIMAL"):
        default = (38, 9) if field.field_type in ("NUMERIC", "DECIMAL") else (76, 38)
        return f"DECIMAL({field.precision or default[0]},{field.scale if field.precision else default[1]})"
    return str(_PORTABLE.get(field.field_type, field.field_type))


def _field(name: str, portable: str) -> Any:
    if portable.startswith("DECIMAL("):
        precision, scale = (int(part) for part in portable[len("DECIMAL("):-1].split(","))
        # NUMERIC holds at most 29 integer digits and 9 decimals; anything wider is BIGNUMERIC.
        kind = "NUMERIC" if scale <= 9 and precision - scale <= 29 else "BIGNUMERIC"
        return SchemaField(name, kind, mode="NULLABLE", precision=precision, scale=scale)
    return SchemaField(name, portable, mode="NULLABLE")


class GcpData:
    """The gcp adapter of infrar.data."""

    def query(self, warehouse: str, sql: str, params: Sequence[object] | None = None) -> list[Row]:
        return list(self.iter_query(warehouse, sql, params))

    def iter_query(self, warehouse: str, sql: str, params: Sequence[object] | None = None) -> Iterator[Row]:
        name = check_name(warehouse)
        text, values = check_sql(sql, name, params)
        client = bigquery.client()
        config = QueryJobConfig(default_dataset=f"{client.project}.{name}",
                                query_parameters=[_parameter(v) for v in values])
        try:
            # query() + result(), not query_and_wait: the job config's default dataset must apply.
            result = client.query(text, job_config=config).result(page_size=_PAGE)
            pages = iter(result.pages)
            first = next(pages, None)  # fetched now, so a failure raises at the call
        except GoogleAPIError as exc:
            raise translate_error(exc, f"warehouse {name!r}") from exc
        schema = result.schema or ()
        naive = any(field.field_type == "DATETIME" for field in schema)
        return _rows(pages, first, column_index(field.name for field in schema), naive, name)

    def run_job(self, name: str, script: str | PathLike[str] | tuple[str, str], schedule: str | None = None,
                args: Mapping[str, str] | None = None) -> Job:
        return data_run.run_job(name, script, schedule, args)

    def catalog_list_tables(self, database: str) -> list[str]:
        name = check_name(database, "database")
        try:
            return sorted(t.table_id for t in bigquery.client().list_tables(f"{bigquery.client().project}.{name}"))
        except GoogleAPIError as exc:
            raise translate_error(exc, f"database {name!r}") from exc

    def catalog_get_schema(self, table: str) -> list[Column]:
        database, name = split_table(table)
        try:
            found = bigquery.client().get_table(_table_ref(database, name))
        except GoogleAPIError as exc:
            raise translate_error(exc, f"table {table!r}") from exc
        return [Column(f.name, _portable(f), f.mode != "REQUIRED") for f in found.schema]

    def catalog_create_table(self, database: str, table: str, columns: Mapping[str, str],
                             location: tuple[str, str], format: str = "csv", header: bool = True) -> None:
        name = check_name(database, "database")
        qualified = f"{name}.{check_name(table, 'table')}"
        checked = check_columns(columns, qualified)
        bucket, prefix = check_location(location, qualified)
        bucket = deployed_name("bucket", bucket)  # the bucket infrar.storage wrote to
        kind = check_format(format, qualified)
        external = ExternalConfig(_SOURCE_FORMATS[kind])
        external.source_uris = [f"gs://{bucket}/{prefix}*"]
        if kind == "csv":
            options: Any = external.options  # CSVOptions for a CSV source
            options.skip_leading_rows = 1 if header else 0
        definition = Table(_table_ref(name, table), schema=[_field(c, t) for c, t in checked.items()])
        definition.external_data_configuration = external
        try:
            bigquery.client().create_table(definition)
        except GoogleAPIError as exc:
            error = translate_error(exc, f"table {qualified!r}")
            if isinstance(error, AlreadyExists):
                raise AlreadyExists(f"table {qualified!r} already exists; drop_table it first to redefine it") from exc
            raise error from exc

    def catalog_drop_table(self, database: str, table: str) -> None:
        qualified = f"{check_name(database, 'database')}.{check_name(table, 'table')}"
        try:
            bigquery.client().delete_table(_table_ref(database, table))
        except GoogleAPIError as exc:
            error = translate_error(exc, f"table {qualified!r}")
            if isinstance(error, NotFound):
                raise NotFound(f"table {qualified} does not exist; nothing to drop") from exc
            raise error from exc

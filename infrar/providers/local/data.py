"""The data domain on DuckDB: a file per warehouse, tables as views over the local buckets' files.

A table ``create_table`` registers is a row of ``_registry.tables`` in the warehouse's file;
each connection turns those rows into temporary views over the files then under
``<INFRAR_LOCAL_ROOT>/storage/<bucket>/<prefix>`` (an empty prefix reads as an empty table, as
on Athena or BigQuery, and files written later are seen by the next query). Tables that SQL
creates (CREATE TABLE ... AS) are ordinary DuckDB tables in the same file. Jobs run as local
processes (``infrar.data.local_jobs``); ``infrar jobs run-due`` starts the scheduled ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from functools import partial
from os import PathLike
from pathlib import Path
from typing import Any, NoReturn

import duckdb

from infrar.data import cron, local_jobs
from infrar.data.rules import (
    check_columns,
    check_format,
    check_job,
    check_location,
    check_name,
    check_script,
    check_sql,
    engine_type,
    job_argv,
    split_table,
)
from infrar.data.types import Column, Job, Row, column_index
from infrar.errors import AlreadyExists, InfrarError, InvalidArgument, NotFound, Unavailable
from infrar.providers.local._clients import duckdb_warehouse, files

_BATCH = 10_000
_META = "_registry.tables"
# DuckDB type names -> portable types (DECIMAL(p,s) is handled apart).
_PORTABLE = {
    "VARCHAR": "STRING", "BIGINT": "INT64", "INTEGER": "INT64", "SMALLINT": "INT64", "TINYINT": "INT64",
    "HUGEINT": "INT64", "UBIGINT": "INT64", "UINTEGER": "INT64", "USMALLINT": "INT64", "UTINYINT": "INT64",
    "DOUBLE": "FLOAT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL", "DATE": "DATE",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP", "TIMESTAMP": "TIMESTAMP",
}


def _raise(error: Exception, warehouse: str) -> NoReturn:
    kind: type[InfrarError]
    if isinstance(error, duckdb.CatalogException):
        kind = NotFound
    elif isinstance(error, duckdb.IOException):
        kind = Unavailable
    else:
        kind = InvalidArgument
    raise kind(f"warehouse {warehouse!r} (local DuckDB {duckdb_warehouse.path(warehouse)}): {error}") from error


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _data_files(bucket: str, prefix: str) -> list[str]:
    """The files under the table's location, as Athena reads them: not names starting with '_' or '.'."""
    folder = files.root() / "storage" / bucket / prefix
    if not folder.is_dir():
        return []
    return sorted(str(p) for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith(("_", ".")) for part in p.relative_to(folder).parts))


def _view_sql(name: str, columns: dict[str, str], bucket: str, prefix: str, format: str, header: bool) -> str:
    types = {column: engine_type(kind, "duckdb") for column, kind in columns.items()}
    found = _data_files(bucket, prefix)
    if not found:
        nulls = ", ".join(f'CAST(NULL AS {kind}) AS "{column}"' for column, kind in types.items())
        return f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT {nulls} LIMIT 0'
    listed = "[" + ", ".join(_quote(path) for path in found) + "]"
    spec = "{" + ", ".join(f"{_quote(column)}: {_quote(kind)}" for column, kind in types.items()) + "}"
    if format == "csv":
        source = f"read_csv({listed}, header = {str(header).lower()}, columns = {spec}, auto_detect = false)"
    elif format == "json":
        source = f"read_json({listed}, format = 'newline_delimited', columns = {spec})"
    else:
        source = f"read_parquet({listed})"
    casts = ", ".join(f'CAST("{column}" AS {kind}) AS "{column}"' for column, kind in types.items())
    return f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT {casts} FROM {source}'


def _open(warehouse: str) -> Any:
    """A connection to ``warehouse`` with its registered tables as views over their files now."""
    connection = duckdb_warehouse.connect(warehouse)
    try:
        connection.execute("CREATE SCHEMA IF NOT EXISTS _registry")
        connection.execute(f"CREATE TABLE IF NOT EXISTS {_META} (name VARCHAR PRIMARY KEY, columns VARCHAR, "
                           "bucket VARCHAR, prefix VARCHAR, format VARCHAR, header BOOLEAN)")
        for name, columns, bucket, prefix, format, header in connection.execute(
                f"SELECT * FROM {_META} ORDER BY name").fetchall():
            connection.execute(_view_sql(name, json.loads(columns), bucket, prefix, format, header))
    except duckdb.Error as error:
        connection.close()
        _raise(error, warehouse)
    return connection


def _converters(description: Sequence[Any]) -> list[Callable[[Any], Any] | None]:
    # A plain TIMESTAMP comes back naive; every provider hands back aware UTC datetimes.
    return [_as_utc if str(item[1]) == "TIMESTAMP" else None for item in description]


def _as_utc(value: Any) -> Any:
    return value.replace(tzinfo=timezone.utc) if isinstance(value, datetime) and value.tzinfo is None else value


def _rows(description: Sequence[Any], batch: list[tuple[Any, ...]], columns: dict[str, int]) -> Iterator[Row]:
    converters = _converters(description)
    if not any(converters):
        return map(partial(Row, columns), batch)  # the hot path: one C-level call per row
    return (Row(columns, [v if c is None else c(v) for c, v in zip(converters, values, strict=True)])
            for values in batch)


def _execute(warehouse: object, sql: object, params: object) -> tuple[str, Any]:
    name = check_name(warehouse)
    text, values = check_sql(sql, name, params)
    connection = _open(name)
    try:
        connection.execute(text, list(values))
    except duckdb.Error as error:
        connection.close()
        _raise(error, name)
    return name, connection


def _iterate(name: str, connection: Any) -> Iterator[Row]:
    try:
        description = connection.description or ()
        columns = column_index(item[0] for item in description)
        while True:
            try:
                batch = connection.fetchmany(_BATCH)
            except duckdb.Error as error:
                _raise(error, name)
            if not batch:
                return
            yield from _rows(description, batch, columns)
    finally:
        connection.close()


def _portable(kind: str) -> str:
    """A DuckDB type name in the portable vocabulary (DuckDB writes ``DECIMAL(10,2)`` already)."""
    return kind.replace(" ", "") if kind.startswith("DECIMAL") else _PORTABLE.get(kind, kind)


def _schedule_job(root: Path, name: str, schedule: str, script: Path, argv: list[str]) -> Job:
    local_jobs.save_schedule(root, name, schedule, script, argv)
    return Job(name, name, lambda: "PENDING", partial(local_jobs.remove_schedule, root, name))


class LocalData:
    """The local adapter of infrar.data."""

    def query(self, warehouse: str, sql: str, params: Sequence[object] | None = None) -> list[Row]:
        return list(self.iter_query(warehouse, sql, params))

    def iter_query(self, warehouse: str, sql: str, params: Sequence[object] | None = None) -> Iterator[Row]:
        # Run now, so a bad query fails at the call; rows are read a batch at a time after.
        name, connection = _execute(warehouse, sql, params)
        return _iterate(name, connection)

    def run_job(self, name: str, script: str | PathLike[str] | tuple[str, str], schedule: str | None = None,
                args: Mapping[str, str] | None = None) -> Job:
        job, values = check_job(name, args)
        plan = None if schedule is None else cron.parse(schedule)
        source = check_script(script, job)
        root = files.root()
        if isinstance(source, tuple):
            stored = root / "storage" / source[0] / source[1]
            if not stored.is_file():
                raise NotFound(f"script of job {job!r}: object {source[1]!r} does not exist in bucket {source[0]!r}")
            source = str(stored)
        # Run where it is (not a copy), so modules beside the script import as under `python script.py`.
        kept = Path(source).absolute()
        if plan is not None:
            return _schedule_job(root, job, plan.text, kept, job_argv(values))
        run_id = local_jobs.start_run(root, job, kept, job_argv(values))
        return Job(job, run_id, partial(local_jobs.run_status, root, job, run_id),
                   partial(local_jobs.cancel_run, root, job, run_id))

    def catalog_list_tables(self, database: str) -> list[str]:
        rows = self.query(database, "SELECT table_name FROM information_schema.tables "
                                    "WHERE table_schema = 'main' OR table_catalog = 'temp'")
        return sorted({str(row[0]) for row in rows})

    def catalog_get_schema(self, table: str) -> list[Column]:
        database, name = split_table(table)
        rows = self.query(database, "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                                    "WHERE table_name = ? AND (table_schema = 'main' OR table_catalog = 'temp') "
                                    "ORDER BY ordinal_position", [name])
        if not rows:
            raise NotFound(f"table {table!r} does not exist in warehouse {database!r}; "
                           "create it with catalog.create_table or SQL")
        return [Column(str(r[0]), _portable(str(r[1])), r[2] == "YES") for r in rows]

    def catalog_create_table(self, database: str, table: str, columns: Mapping[str, str],
                             location: tuple[str, str], format: str = "csv", header: bool = True) -> None:
        name = check_name(database, "database")
        qualified = f"{name}.{check_name(table, 'table')}"
        checked = check_columns(columns, qualified)
        bucket, prefix = check_location(location, qualified)
        kind = check_format(format, qualified)
        if table in self.catalog_list_tables(name):
            raise AlreadyExists(f"table {qualified!r} already exists; drop_table it first to redefine it")
        self.query(name, f"INSERT INTO {_META} VALUES (?, ?, ?, ?, ?, ?)",
                   [table, json.dumps(checked), bucket, prefix, kind, bool(header)])

    def catalog_drop_table(self, database: str, table: str) -> None:
        name = check_name(database, "database")
        check_name(table, "table")
        if table not in self.catalog_list_tables(name):
            raise NotFound(f"table {name}.{table} does not exist; nothing to drop")
        registered = self.query(name, f"DELETE FROM {_META} WHERE name = ? RETURNING name", [table])
        if not registered:
            kind = self.query(name, "SELECT table_type FROM information_schema.tables WHERE table_name = ? "
                                    "AND table_schema = 'main'", [table])[0][0]
            self.query(name, f'DROP {"VIEW" if kind == "VIEW" else "TABLE"} "{table}"')

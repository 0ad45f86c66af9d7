"""The data domain on Azure: Synapse serverless SQL through pyodbc for queries and the catalog; jobs: data_synapse.py.

A warehouse is a serverless SQL database. The catalog reads INFORMATION_SCHEMA (the same
query works on PostgreSQL, which the tests run it against through psqlODBC). A table over
files is an EXTERNAL TABLE (csv, parquet) or, for JSON lines, a view over OPENROWSET, on an
external data source per container of the storage account of AZURE_STORAGE_ACCOUNT_URL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain
from os import PathLike

from infrar.data.rules import (
    check_columns,
    check_format,
    check_location,
    check_name,
    check_sql,
    engine_type,
    split_table,
)
from infrar.data.types import Column, Job, Row
from infrar.database import odbc_ops
from infrar.errors import AlreadyExists, ConfigurationError, NotFound
from infrar.providers._names import deployed_name
from infrar.providers.azure import data_synapse
from infrar.providers.azure._clients import synapse

_USER_SCHEMAS = "table_schema NOT IN ('information_schema', 'INFORMATION_SCHEMA', 'pg_catalog', 'sys')"
_PORTABLE = {"varchar": "STRING", "nvarchar": "STRING", "char": "STRING", "nchar": "STRING", "text": "STRING",
             "character varying": "STRING", "character": "STRING", "bigint": "INT64", "int": "INT64",
             "integer": "INT64", "smallint": "INT64", "tinyint": "INT64", "float": "FLOAT64", "real": "FLOAT64",
             "double precision": "FLOAT64", "bit": "BOOL", "boolean": "BOOL", "date": "DATE",
             "datetime2": "TIMESTAMP", "datetime": "TIMESTAMP", "datetimeoffset": "TIMESTAMP",
             "timestamp with time zone": "TIMESTAMP", "timestamp without time zone": "TIMESTAMP"}


def _portable(kind: str, precision: object, scale: object) -> str:
    if kind.lower() in ("decimal", "numeric"):
        return f"DECIMAL({precision},{scale})"
    return _PORTABLE.get(kind.lower(), kind.upper())


def _account_url() -> str:
    url = os.environ.get("AZURE_STORAGE_ACCOUNT_URL", "").rstrip("/")
    if not url:
        raise ConfigurationError("AZURE_STORAGE_ACCOUNT_URL is not set: tables over files need the storage "
                                 "account, https://ACCOUNT.blob.core.windows.net")
    return url.replace(".blob.", ".dfs.")


def external_table_sql(table: str, columns: dict[str, str], bucket: str, prefix: str, format: str,
                       header: bool) -> list[str]:
    """The T-SQL statements that register ``table`` over ``bucket/prefix`` in a serverless SQL database."""
    source = f"lake_{bucket.replace('-', '_')}"
    statements = [
        f"IF NOT EXISTS (SELECT * FROM sys.external_data_sources WHERE name = '{source}') "
        f"CREATE EXTERNAL DATA SOURCE [{source}] WITH (LOCATION = '{_account_url()}/{bucket}')"]
    typed = ", ".join(f"[{c}] {engine_type(t, 'synapse')}" for c, t in columns.items())
    if format == "json":
        values = ", ".join(f"CAST(JSON_VALUE(doc, '$.{c}') AS {engine_type(t, 'synapse')}) AS [{c}]"
                           for c, t in columns.items())
        statements.append(
            f"CREATE VIEW [{table}] AS SELECT {values} FROM OPENROWSET(BULK '{prefix}**', DATA_SOURCE = '{source}', "
            "FORMAT = 'CSV', FIELDTERMINATOR = '0x0b', FIELDQUOTE = '0x0b') WITH (doc NVARCHAR(MAX)) AS rows")
        return statements
    file_format = "lake_parquet" if format == "parquet" else f"lake_csv{'_header' if header else ''}"
    options = ("FORMAT_TYPE = PARQUET" if format == "parquet" else
               "FORMAT_TYPE = DELIMITEDTEXT, FORMAT_OPTIONS (FIELD_TERMINATOR = ',', STRING_DELIMITER = '\"', "
               f"FIRST_ROW = {2 if header else 1}, PARSER_VERSION = '2.0')")
    statements.append(f"IF NOT EXISTS (SELECT * FROM sys.external_file_formats WHERE name = '{file_format}') "
                      f"CREATE EXTERNAL FILE FORMAT [{file_format}] WITH ({options})")
    statements.append(f"CREATE EXTERNAL TABLE [{table}] ({typed}) WITH (LOCATION = '{prefix}**', "
                      f"DATA_SOURCE = [{source}], FILE_FORMAT = [{file_format}])")
    return statements


class AzureData:
    """The azure adapter of infrar.data."""

    def query(self, warehouse: str, sql: str, params: Sequence[object] | None = None) -> list[Row]:
        name = check_name(warehouse)
        text, values = check_sql(sql, name, params)
        return odbc_ops.query(synapse.client(name), name, text, values)

    def iter_query(self, warehouse: str, sql: str, params: Sequence[object] | None = None) -> Iterator[Row]:
        name = check_name(warehouse)
        text, values = check_sql(sql, name, params)
        rows = odbc_ops.iter_query(synapse.client(name), name, text, values)
        first = next(rows, None)  # read now, so a failing query raises at the call as on every provider
        return rows if first is None else chain((first,), rows)

    def run_job(self, name: str, script: str | PathLike[str] | tuple[str, str], schedule: str | None = None,
                args: Mapping[str, str] | None = None) -> Job:
        return data_synapse.run_job(name, script, schedule, args)

    def catalog_list_tables(self, database: str) -> list[str]:
        name = check_name(database, "database")
        rows = odbc_ops.query(synapse.client(name), name,
                              f"SELECT table_name FROM information_schema.tables WHERE {_USER_SCHEMAS}", ())
        return sorted(str(row[0]) for row in rows)

    def catalog_get_schema(self, table: str) -> list[Column]:
        database, name = split_table(table)
        rows = odbc_ops.query(synapse.client(database), database,
                              "SELECT column_name, data_type, numeric_precision, numeric_scale, is_nullable "
                              f"FROM information_schema.columns WHERE table_name = ? AND {_USER_SCHEMAS} "
                              "ORDER BY ordinal_position", [name])
        if not rows:
            raise NotFound(f"table {table!r} does not exist in warehouse {database!r}; create it with "
                           "catalog.create_table or SQL")
        return [Column(str(r[0]), _portable(str(r[1]), r[2], r[3]), r[4] == "YES") for r in rows]

    def catalog_create_table(self, database: str, table: str, columns: Mapping[str, str],
                             location: tuple[str, str], format: str = "csv", header: bool = True) -> None:
        name = check_name(database, "database")
        qualified = f"{name}.{check_name(table, 'table')}"
        checked = check_columns(columns, qualified)
        bucket, prefix = check_location(location, qualified)
        bucket = deployed_name("bucket", bucket)  # the bucket infrar.storage wrote to
        kind = check_format(format, qualified)
        if table in self.catalog_list_tables(name):
            raise AlreadyExists(f"table {qualified!r} already exists; drop_table it first to redefine it")
        for statement in external_table_sql(table, checked, bucket, prefix, kind, bool(header)):
            odbc_ops.execute(synapse.client(name), name, statement, ())

    def catalog_drop_table(self, database: str, table: str) -> None:
        name = check_name(database, "database")
        check_name(table, "table")
        found = odbc_ops.query(synapse.client(name), name, "SELECT table_type FROM information_schema.tables "
                               f"WHERE table_name = ? AND {_USER_SCHEMAS}", [table])
        if not found:
            raise NotFound(f"table {name}.{table} does not exist; nothing to drop")
        # Serverless SQL holds only external tables and views.
        kind = "VIEW" if found[0][0] == "VIEW" else "EXTERNAL TABLE"
        odbc_ops.execute(synapse.client(name), name, f'DROP {kind} "{table}"', ())  # "" quotes on both dialects

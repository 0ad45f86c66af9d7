"""The database domain on Azure SQL Database through pyodbc (or PostgreSQL through psqlODBC).

The shared ODBC implementation (``infrar.database.odbc_ops``) on this provider's
connection pools (``_clients/odbc.py``, which reads AZURE_SQL_CONNECTIONSTRING).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager

from infrar.database import odbc_ops
from infrar.database.rules import check_database
from infrar.database.types import Params, Row, Transaction
from infrar.providers.azure._clients import odbc


class AzureDatabase:
    """Adapter for INFRAR_PROVIDER=azure."""

    def query(self, database: str, sql: str, params: Params | None = None) -> list[Row]:
        name = check_database(database)
        return odbc_ops.query(odbc.client(name), name, sql, params)

    def execute(self, database: str, sql: str, params: Params | None = None) -> int:
        name = check_database(database)
        return odbc_ops.execute(odbc.client(name), name, sql, params)

    def execute_many(self, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
        name = check_database(database)
        return odbc_ops.execute_many(odbc.client(name), name, sql, seq_of_params)

    def iter_query(self, database: str, sql: str, params: Params | None = None) -> Iterator[Row]:
        name = check_database(database)
        return odbc_ops.iter_query(odbc.client(name), name, sql, params)

    def transaction(self, database: str) -> AbstractContextManager[Transaction]:
        name = check_database(database)
        return odbc_ops.transaction(odbc.client(name), name)

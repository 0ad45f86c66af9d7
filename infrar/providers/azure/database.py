"""The database domain on Azure SQL Database and Azure Database for PostgreSQL.

With ``AZURE_SQL_CONNECTIONSTRING`` set: pyodbc (``infrar.database.odbc_ops`` on
``_clients/odbc.py``): Azure SQL through Microsoft's driver, or PostgreSQL through psqlODBC.
Otherwise psycopg2 through libpq's variables (``infrar.database.pg_ops`` on
``_clients/postgres.py``), as on aws: what the generated infrastructure sets for PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager

from infrar.database import odbc_ops, pg_ops
from infrar.database.rules import check_database
from infrar.database.types import Params, Row, Transaction
from infrar.providers.azure._clients import odbc, postgres


class AzureDatabase:
    """Adapter for INFRAR_PROVIDER=azure."""

    def query(self, database: str, sql: str, params: Params | None = None) -> list[Row]:
        name = check_database(database)
        if odbc.configured():
            return odbc_ops.query(odbc.client(name), name, sql, params)
        return pg_ops.query(postgres.client(name), name, sql, params)

    def execute(self, database: str, sql: str, params: Params | None = None) -> int:
        name = check_database(database)
        if odbc.configured():
            return odbc_ops.execute(odbc.client(name), name, sql, params)
        return pg_ops.execute(postgres.client(name), name, sql, params)

    def execute_many(self, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
        name = check_database(database)
        if odbc.configured():
            return odbc_ops.execute_many(odbc.client(name), name, sql, seq_of_params)
        return pg_ops.execute_many(postgres.client(name), name, sql, seq_of_params)

    def iter_query(self, database: str, sql: str, params: Params | None = None) -> Iterator[Row]:
        name = check_database(database)
        if odbc.configured():
            return odbc_ops.iter_query(odbc.client(name), name, sql, params)
        return pg_ops.iter_query(postgres.client(name), name, sql, params)

    def transaction(self, database: str) -> AbstractContextManager[Transaction]:
        name = check_database(database)
        if odbc.configured():
            return odbc_ops.transaction(odbc.client(name), name)
        return pg_ops.transaction(postgres.client(name), name)

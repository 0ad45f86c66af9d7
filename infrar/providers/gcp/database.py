"""The database domain on Cloud SQL for PostgreSQL.

With ``INSTANCE_CONNECTION_NAME`` set: the Cloud SQL Python Connector with pg8000 and IAM
database authentication (``infrar.database.pg8000_ops`` on ``_clients/sql_connector.py``).
Otherwise psycopg2 through libpq's variables, for the Cloud SQL Auth Proxy or a private IP
(``infrar.database.pg_ops`` on ``_clients/postgres.py``), exactly as on aws.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager

from infrar.database import pg8000_ops, pg_ops
from infrar.database.rules import check_database
from infrar.database.types import Params, Row, Transaction
from infrar.providers.gcp._clients import postgres, sql_connector


class GcpDatabase:
    """Adapter for INFRAR_PROVIDER=gcp."""

    def query(self, database: str, sql: str, params: Params | None = None) -> list[Row]:
        name = check_database(database)
        if sql_connector.configured():
            return pg8000_ops.query(sql_connector.client(name), name, sql, params)
        return pg_ops.query(postgres.client(name), name, sql, params)

    def execute(self, database: str, sql: str, params: Params | None = None) -> int:
        name = check_database(database)
        if sql_connector.configured():
            return pg8000_ops.execute(sql_connector.client(name), name, sql, params)
        return pg_ops.execute(postgres.client(name), name, sql, params)

    def execute_many(self, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
        name = check_database(database)
        if sql_connector.configured():
            return pg8000_ops.execute_many(sql_connector.client(name), name, sql, seq_of_params)
        return pg_ops.execute_many(postgres.client(name), name, sql, seq_of_params)

    def iter_query(self, database: str, sql: str, params: Params | None = None) -> Iterator[Row]:
        name = check_database(database)
        if sql_connector.configured():
            return pg8000_ops.iter_query(sql_connector.client(name), name, sql, params)
        return pg_ops.iter_query(postgres.client(name), name, sql, params)

    def transaction(self, database: str) -> AbstractContextManager[Transaction]:
        name = check_database(database)
        if sql_connector.configured():
            return pg8000_ops.transaction(sql_connector.client(name), name)
        return pg_ops.transaction(postgres.client(name), name)

"""The database domain on RDS / Aurora PostgreSQL through psycopg2.

The shared PostgreSQL implementation (``infrar.database.pg_ops``) on this provider's
connection pools (``_clients/postgres.py``, which reads libpq's variables).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager

from infrar.database import pg_ops
from infrar.database.rules import check_database
from infrar.database.types import Params, Row, Transaction
from infrar.providers.aws._clients import postgres


class AwsDatabase:
    """Adapter for INFRAR_PROVIDER=aws."""

    def query(self, database: str, sql: str, params: Params | None = None) -> list[Row]:
        name = check_database(database)
        return pg_ops.query(postgres.client(name), name, sql, params)

    def execute(self, database: str, sql: str, params: Params | None = None) -> int:
        name = check_database(database)
        return pg_ops.execute(postgres.client(name), name, sql, params)

    def execute_many(self, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
        name = check_database(database)
        return pg_ops.execute_many(postgres.client(name), name, sql, seq_of_params)

    def iter_query(self, database: str, sql: str, params: Params | None = None) -> Iterator[Row]:
        name = check_database(database)
        return pg_ops.iter_query(postgres.client(name), name, sql, params)

    def transaction(self, database: str) -> AbstractContextManager[Transaction]:
        name = check_database(database)
        return pg_ops.transaction(postgres.client(name), name)

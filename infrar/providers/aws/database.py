"""The database domain on RDS / Aurora PostgreSQL through psycopg2 (see infrar.database.pg_adapter)."""

from __future__ import annotations

from infrar.database.pg_adapter import PostgresDatabase
from infrar.providers.aws._clients import postgres


class AwsDatabase(PostgresDatabase):
    """The aws adapter of infrar.database."""

    def __init__(self) -> None:
        super().__init__(postgres.connect)

"""The database domain on Cloud SQL for PostgreSQL through psycopg2 (see infrar.database.pg_adapter)."""

from __future__ import annotations

from infrar.database.pg_adapter import PostgresDatabase
from infrar.providers.gcp._clients import postgres


class GcpDatabase(PostgresDatabase):
    """The gcp adapter of infrar.database."""

    def __init__(self) -> None:
        super().__init__(postgres.connect)

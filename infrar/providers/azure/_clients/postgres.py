"""Connections to Azure Database for PostgreSQL through libpq's own variables, one pool per database and process.

Used when AZURE_SQL_CONNECTIONSTRING is unset (the generated infrastructure for `engine: postgres`
sets libpq's variables and PGPASSWORD as a secret): PGHOST, PGPORT, PGUSER,
PGPASSWORD, PGSSLMODE and PGSSLROOTCERT are read by libpq itself, so an erased program is a
plain psycopg2 program configured the same way. The database is the one the caller names.
"""

from __future__ import annotations

import os
from typing import Any

import psycopg2

from infrar.database.pg_ops import prepare
from infrar.database.pg_pool import Pool, per_database
from infrar.database.rules import server_name
from infrar.errors import ConfigurationError
from infrar.providers._keyed import PerResource


def connect(database: str) -> Any:
    """A new connection to the PostgreSQL database ``database``, ready for the adapter."""
    if not os.environ.get("PGHOST"):
        raise ConfigurationError(
            f"no server for database {database!r}: set AZURE_SQL_CONNECTIONSTRING (Azure SQL, or PostgreSQL "
            "through psqlODBC) or libpq's PGHOST, PGUSER and PGPASSWORD (Azure Database for PostgreSQL)"
        )
    return prepare(psycopg2.connect(dbname=server_name(database)))


_pools: PerResource[Pool] = per_database(connect)


def client(database: str) -> Pool:
    """The connection pool of ``database`` in this process, built on first use."""
    return _pools.get(database)


def reset() -> None:
    _pools.reset()

"""Connections to Cloud SQL for PostgreSQL through libpq's own variables, one pool per database and process.

Through the Cloud SQL Auth Proxy or the instance's private IP: PGHOST, PGPORT, PGUSER,
PGPASSWORD, PGSSLMODE and PGSSLROOTCERT are read by libpq itself, so an erased program is a
plain psycopg2 program configured the same way. The database is the one the caller names.
"""

from __future__ import annotations

from typing import Any

import psycopg2

from infrar.database.pg_ops import prepare
from infrar.database.pg_pool import Pool, per_database
from infrar.database.rules import server_name
from infrar.providers._keyed import PerResource


def connect(database: str) -> Any:
    """A new connection to the PostgreSQL database ``database``, ready for the adapter."""
    return prepare(psycopg2.connect(dbname=server_name(database)))


_pools: PerResource[Pool] = per_database(connect)


def client(database: str) -> Pool:
    """The connection pool of ``database`` in this process, built on first use."""
    return _pools.get(database)


def reset() -> None:
    _pools.reset()

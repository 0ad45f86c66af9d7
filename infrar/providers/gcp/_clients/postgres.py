"""Connections to Cloud SQL for PostgreSQL (Auth Proxy or private IP) through libpq's own variables.

The database is the one the caller names.

PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE and PGSSLROOTCERT are read by libpq itself, so
an erased program is a plain psycopg2 program configured the same way.
"""

from __future__ import annotations

from typing import Any

import psycopg2


def connect(database: str) -> Any:
    """A new connection to the PostgreSQL database ``database``."""
    return psycopg2.connect(dbname=database)


def reset() -> None:
    """Nothing cached here: the pools live in the adapter."""

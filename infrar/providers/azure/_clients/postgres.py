"""Connections to Azure Database for PostgreSQL through libpq's own variables, one pool per database and process.

Used when AZURE_SQL_CONNECTIONSTRING is unset: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE and
PGSSLROOTCERT are read by libpq itself, so an erased program is a plain psycopg2 program configured
the same way. Without PGPASSWORD and with ``AZURE_POSTGRES_ENTRA=true`` (what the generated
infrastructure sets: an Entra-only server, PGUSER the workload's own role), each new connection
sends a Microsoft Entra token of the workload's identity (azure-identity's DefaultAzureCredential,
``AZURE_SQL_CLIENTID`` for a user-assigned one; scope ossrdbms-aad) as the password, as Azure
Database for PostgreSQL takes it. libpq takes a token of any length (psqlODBC 13 overflows a
buffer on a connection string of about 1,000 characters, shorter than a token).
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
from infrar.providers.azure._clients import _entra


def connect(database: str) -> Any:
    """A new connection to the PostgreSQL database ``database``, ready for the adapter."""
    if not os.environ.get("PGHOST"):
        raise ConfigurationError(
            f"no server for database {database!r}: set AZURE_SQL_CONNECTIONSTRING (Azure SQL, or PostgreSQL "
            "through psqlODBC) or libpq's PGHOST, PGUSER and PGPASSWORD (Azure Database for PostgreSQL)"
        )
    return prepare(psycopg2.connect(dbname=server_name(database), **entra_password()))


_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"


def _credential(_: str) -> Any:
    return _entra.credential(managed_identity_client_id=os.environ.get("AZURE_SQL_CLIENTID") or None)


_credentials: PerResource[Any] = PerResource(_credential)


def entra_password() -> dict[str, Any]:
    """``{"password": <Entra token>}`` when the server is signed in to with Entra, else nothing."""
    if os.environ.get("PGPASSWORD") or os.environ.get("AZURE_POSTGRES_ENTRA", "").lower() not in ("1", "true", "yes"):
        return {}
    token: str = _credentials.get("postgres").get_token(_SCOPE).token
    return {"password": token}


_pools: PerResource[Pool] = per_database(connect)


def client(database: str) -> Pool:
    """The connection pool of ``database`` in this process, built on first use."""
    return _pools.get(database)


def reset() -> None:
    _pools.reset()
    _credentials.reset()

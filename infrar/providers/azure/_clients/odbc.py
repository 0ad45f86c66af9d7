"""pyodbc connections to Azure SQL Database (or PostgreSQL through psqlODBC), one pool per database.

``AZURE_SQL_CONNECTIONSTRING`` is the ODBC connection string (the name Azure's Service
Connector sets), e.g. ``Driver={ODBC Driver 18 for SQL Server};Server=tcp:NAME.database.windows.net,1433;
Encrypt=yes``. ``Database=<name>`` is added when it names no database (``Database`` or
``Initial Catalog``). Without a password (``PWD``/``Password``), an ``Authentication`` keyword or
``Trusted_Connection``, each new connection signs in with a Microsoft Entra token from
azure-identity's DefaultAzureCredential (``AZURE_SQL_CLIENTID``: a user-assigned identity),
passed as the access token (pre-connect attribute SQL_COPT_SS_ACCESS_TOKEN); to Azure Database for
PostgreSQL through psqlODBC the token (scope ossrdbms-aad) is the password, as Azure documents.
A Driver naming PostgreSQL (psqlODBC) gets ``BoolsAsChar=0`` (booleans as bits) and
``Protocol=7.4-1`` (an error rolls back the whole transaction, as PostgreSQL itself does, instead
of a SAVEPOINT around every statement) unless the string sets them.
ODBC connection pooling is on (``pyodbc.pooling``); our own bounded pool holds the live ones.
"""

from __future__ import annotations

import os
import re
import struct
from typing import Any

import pyodbc

from infrar.database.odbc_ops import Server, broken, opened
from infrar.database.pooled import Link
from infrar.database.rules import POOL_SIZE, server_name
from infrar.errors import ConfigurationError
from infrar.providers._keyed import ConnectionPool, PerResource
from infrar.providers.azure._clients import _entra

CONNECTION_STRING_VARIABLE = "AZURE_SQL_CONNECTIONSTRING"
SQL_COPT_SS_ACCESS_TOKEN = 1256  # msodbcsql.h: a pre-connect attribute carrying an Entra token
_SCOPE = "https://database.windows.net/.default"
_POSTGRES_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"
_PAIR = re.compile(r"\s*([^=;]+?)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)\s*(?:;|$)")
_WAIT_SECONDS = 30.0
# psqlODBC 13 (Debian 12's) copies the connection string into a 1,024-byte buffer and aborts the
# whole process ("buffer overflow detected") on a longer one; Entra tokens are longer than that.
_PSQLODBC_MAX = 1023

pyodbc.pooling = True  # read when pyodbc first allocates its ODBC environment


def configured() -> bool:
    """Whether the ODBC path is the one (``AZURE_SQL_CONNECTIONSTRING`` is set); else libpq's variables."""
    return bool(os.environ.get(CONNECTION_STRING_VARIABLE, "").strip())


def keywords(connection_string: str) -> dict[str, str]:
    """The keywords of an ODBC connection string, lower-cased, values as written."""
    return {match[1].lower(): match[2] for match in _PAIR.finditer(connection_string)}


def connection_string(database: str) -> str:
    """``AZURE_SQL_CONNECTIONSTRING`` for ``database``, with what the adapter needs added."""
    text = os.environ.get(CONNECTION_STRING_VARIABLE, "").strip().rstrip(";")
    if not text:
        raise ConfigurationError(
            f"{CONNECTION_STRING_VARIABLE} is not set: set it to the database's ODBC connection string "
            "(Driver={ODBC Driver 18 for SQL Server};Server=tcp:NAME.database.windows.net,1433;Encrypt=yes)"
        )
    found = keywords(text)
    if "database" not in found and "initial catalog" not in found:
        text += f";Database={server_name(database)}"
    if is_postgres(found) and "boolsaschar" not in found:
        text += ";BoolsAsChar=0"
    if is_postgres(found) and "protocol" not in found:
        text += ";Protocol=7.4-1"  # an error rolls back the transaction, as PostgreSQL does; no SAVEPOINT per statement
    return text


def is_postgres(found: dict[str, str]) -> bool:
    return "postgres" in found.get("driver", "").lower()


def needs_token(found: dict[str, str]) -> bool:
    """Whether the connection string leaves sign-in to us (no password, no driver-side method)."""
    return not any(key in found for key in ("pwd", "password", "authentication", "trusted_connection"))


def endpoint(found: dict[str, str]) -> str:
    """The server a message names: ``Server`` (SQL Server) or ``Servername:Port`` (psqlODBC)."""
    server = found.get("server") or found.get("servername") or found.get("address") or "(no server)"
    return f"{server}:{found['port']}" if "port" in found else server


def _credential() -> Any:
    return _entra.credential(managed_identity_client_id=os.environ.get("AZURE_SQL_CLIENTID") or None)


_credentials: PerResource[Any] = PerResource(lambda _: _credential())


def access_token() -> bytes:
    """An Entra token for Azure SQL as the driver wants it: UTF-16-LE, prefixed by its byte length."""
    token = _credentials.get("sql").get_token(_SCOPE).token.encode("utf-16-le")
    return struct.pack(f"<I{len(token)}s", len(token), token)


def postgres_token() -> str:
    """An Entra token for Azure Database for PostgreSQL: psqlODBC sends it as the password."""
    token: str = _credentials.get("sql").get_token(_POSTGRES_SCOPE).token
    return token


def connect(database: str) -> Link:
    """A new autocommit connection to ``database``."""
    text = connection_string(database)
    found = keywords(text)
    postgres = is_postgres(found)
    if needs_token(found) and postgres:
        text = f"{text};PWD={{{postgres_token()}}}"
    if postgres:
        native = pyodbc.connect(_fitting(text, database), autocommit=True)
    elif needs_token(found):
        native = pyodbc.connect(text, autocommit=True, attrs_before={SQL_COPT_SS_ACCESS_TOKEN: access_token()})
    else:
        native = pyodbc.connect(text, autocommit=True)
    return opened(native, postgres)


def _fitting(text: str, database: str) -> str:
    """``text`` if psqlODBC can take it; a longer one would abort the process, so it is refused."""
    if len(text) <= _PSQLODBC_MAX:
        return text
    raise ConfigurationError(
        f"the psqlODBC connection string for database {database!r} is {len(text)} characters (with the "
        f"Entra token or password), over the {_PSQLODBC_MAX} the driver takes; for Azure Database for "
        "PostgreSQL unset AZURE_SQL_CONNECTIONSTRING and set PGHOST, PGUSER and AZURE_POSTGRES_ENTRA=true "
        "to sign in through libpq"
    )


def _build(database: str) -> Server:
    found = keywords(connection_string(database))
    pool = ConnectionPool(database, lambda: connect(database), POOL_SIZE, _WAIT_SECONDS,
                          "the pool size (10 per database and process)", broken())
    return Server(pool, endpoint(found), is_postgres(found))


_servers: PerResource[Server] = PerResource(_build, on_reset=lambda server: server.pool.reset())


def client(database: str) -> Server:
    """The pool (and server name) of ``database`` in this process, built on first use."""
    return _servers.get(database)


def reset() -> None:
    _servers.reset()
    _credentials.reset()

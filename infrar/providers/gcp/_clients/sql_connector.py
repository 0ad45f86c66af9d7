"""Cloud SQL through the Cloud SQL Python Connector (``google.cloud.sql.connector``) with pg8000.

Selected by ``INSTANCE_CONNECTION_NAME`` (``project:region:instance``, the name Google's own
samples use); without it the gcp adapter connects through libpq's variables (``postgres.py``).
The user is ``DB_IAM_USER`` (an IAM database user: ``name@project.iam`` for a service account)
or else ``PGUSER``. With ``PGPASSWORD`` set it signs in with that password; otherwise with IAM
database authentication (``enable_iam_auth``: the connector fetches and refreshes the token).
``PRIVATE_IP`` set (to anything but empty) connects over the instance's private IP.
One Connector per process (it runs a background refresh thread; a forked child makes its own),
one pool of connections per database.
"""

from __future__ import annotations

import os
from typing import Any

import pg8000.dbapi

from infrar.database.pg8000_ops import Server, broken, opened
from infrar.database.pooled import Link
from infrar.database.rules import POOL_SIZE, server_name
from infrar.errors import ConfigurationError, InfrarError, NotFound, PermissionDenied, Unavailable
from infrar.providers._keyed import ConnectionPool, PerResource

INSTANCE_VARIABLE = "INSTANCE_CONNECTION_NAME"
_WAIT_SECONDS = 30.0


def configured() -> bool:
    """Whether the connector is to be used (``INSTANCE_CONNECTION_NAME`` is set)."""
    return bool(os.environ.get(INSTANCE_VARIABLE, "").strip())


def _connector(pid: str) -> tuple[int, Any]:
    from google.cloud.sql.connector import Connector

    return int(pid), Connector(refresh_strategy="LAZY")  # no background refresh between connections


def _close(made: tuple[int, Any]) -> None:
    if made[0] == os.getpid():  # a parent's connector is the parent's to close
        made[1].close()


_connectors: PerResource[tuple[int, Any]] = PerResource(_connector, on_reset=_close)


def arguments(database: str) -> dict[str, Any]:
    """The keyword arguments of ``Connector.connect`` for ``database`` (never logged: may hold a password)."""
    user = os.environ.get("DB_IAM_USER") or os.environ.get("PGUSER")
    if not user:
        raise ConfigurationError(
            f"{INSTANCE_VARIABLE} is set but no database user is: set DB_IAM_USER to the IAM database user "
            "(name@project.iam for a service account) or PGUSER"
        )
    password = os.environ.get("PGPASSWORD")
    found: dict[str, Any] = {"user": user, "db": server_name(database), "enable_iam_auth": not password,
                             "ip_type": "private" if os.environ.get("PRIVATE_IP") else "public"}
    if password:
        found["password"] = password
    return found


def connect(database: str) -> Link:
    """A new pg8000 connection to ``database`` on the instance ``INSTANCE_CONNECTION_NAME`` names."""
    _, connector = _connectors.get(str(os.getpid()))  # keyed by process: a forked child makes its own
    instance = os.environ[INSTANCE_VARIABLE].strip()
    try:
        native = connector.connect(instance, "pg8000", **arguments(database))
    except pg8000.dbapi.Error:
        raise  # the server answered: translated by SQLSTATE like every statement error
    except InfrarError:
        raise
    except Exception as error:
        raise connector_error(error, instance) from error
    return opened(native)


def connector_error(error: Exception, instance: str) -> InfrarError:
    """The infrar error for a failure of the connector itself (credentials, Cloud SQL Admin API, network)."""
    name = type(error).__name__
    status = getattr(error, "status", None) or getattr(error, "code", None)
    if name in ("DefaultCredentialsError", "RefreshError"):
        return PermissionDenied(
            f"the Cloud SQL connector found no usable Google credentials for {instance} ({name}): run as a "
            "service account or set GOOGLE_APPLICATION_CREDENTIALS"
        )
    if status in (401, 403):
        return PermissionDenied(f"Cloud SQL refused {instance} ({name} {status}): grant the workload's "
                                "service account roles/cloudsql.client and roles/cloudsql.instanceUser")
    if status == 404:
        return NotFound(f"Cloud SQL instance {instance} does not exist ({INSTANCE_VARIABLE}): "
                        "use project:region:instance")
    return Unavailable(f"cannot reach Cloud SQL instance {instance} through the connector: {name}: {error}")


def _build(database: str) -> Server:
    pool = ConnectionPool(database, lambda: connect(database), POOL_SIZE, _WAIT_SECONDS,
                          "the pool size (10 per database and process)", broken())
    return Server(pool, os.environ[INSTANCE_VARIABLE].strip())


_servers: PerResource[Server] = PerResource(_build, on_reset=lambda server: server.pool.reset())


def client(database: str) -> Server:
    """The pool (and instance name) of ``database`` in this process, built on first use."""
    return _servers.get(database)


def reset() -> None:
    _servers.reset()
    _connectors.reset()

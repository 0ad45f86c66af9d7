"""ODBC errors as infrar errors, by SQLSTATE: SQL Server's codes and PostgreSQL's (through psqlODBC).

pyodbc puts the SQLSTATE first in an error's ``args``. SQL Server's driver reports ODBC's own
codes (23000 for every integrity violation; the native error number, 2627 or 2601 for a
duplicate key, is in the message), psqlODBC passes PostgreSQL's five-character codes through.
Messages keep the server's text and never the connection string (it may hold a password).
"""

from __future__ import annotations

import re
from typing import NoReturn

from infrar.errors import AlreadyExists, InfrarError, InvalidArgument, NotFound, PermissionDenied, Timeout, Unavailable

_CODES: dict[str, type[InfrarError]] = {
    "23505": AlreadyExists,  # PostgreSQL unique_violation
    "42S02": NotFound,  # SQL Server: base table or view not found
    "42S22": NotFound,  # SQL Server: column not found
    "42P01": NotFound,  # PostgreSQL undefined_table
    "42703": NotFound,  # PostgreSQL undefined_column
    "3D000": NotFound,  # PostgreSQL invalid_catalog_name: no such database
    "42501": PermissionDenied,  # PostgreSQL insufficient_privilege
    "28000": PermissionDenied,  # invalid authorization specification (both)
    "28P01": PermissionDenied,  # PostgreSQL invalid_password
    "HYT00": Timeout,  # ODBC: timeout expired
    "HYT01": Timeout,  # ODBC: connection timeout expired
    "57014": Timeout,  # PostgreSQL query_canceled
    "40001": Unavailable,  # serialization failure / SQL Server deadlock victim: retry
    "40P01": Unavailable,  # PostgreSQL deadlock_detected
}
_CLASSES: dict[str, type[InfrarError]] = {
    "08": Unavailable,  # connection exception (08001 cannot connect, 08S01 link failure)
    "57": Unavailable,  # PostgreSQL operator intervention (shutting down)
    "53": Unavailable,  # PostgreSQL insufficient resources
    "28": PermissionDenied,
    "42": InvalidArgument,  # syntax error or access rule violation
    "22": InvalidArgument,  # data exception
    "23": InvalidArgument,  # other integrity violations (NOT NULL, CHECK, foreign key)
    "07": InvalidArgument,  # dynamic SQL error (wrong parameters)
    "21": InvalidArgument,  # cardinality violation
}
_SQLSERVER_DUPLICATE = re.compile(r"\((2627|2601)\)|Violation of (PRIMARY KEY|UNIQUE KEY)|duplicate key")
# SQL Server's login failures (18456) and Entra token refusals arrive as 28000 or 08001.
_CONNECTION_LOST = ("server closed the connection", "could not connect", "could not send", "connection was lost",
                    "no connection to the server", "communication link failure", "terminating connection")
_LOGIN_FAILED = ("Login failed", "password authentication failed", "no password supplied", "(18456)")


def kind_for(sqlstate: str, message: str) -> type[InfrarError]:
    """The infrar error class for an ODBC SQLSTATE and the driver's message."""
    if any(text in message for text in _LOGIN_FAILED):
        return PermissionDenied
    if sqlstate == "23000":
        return AlreadyExists if _SQLSERVER_DUPLICATE.search(message) else InvalidArgument
    found = _CODES.get(sqlstate) or _CLASSES.get(sqlstate[:2])
    if found is not None:
        return found
    if any(text in message.lower() for text in _CONNECTION_LOST):
        return Unavailable  # psqlODBC reports a dropped connection under a generic code
    return InvalidArgument


def raise_for(error: Exception, where: str) -> NoReturn:
    """Raise the infrar error for a pyodbc ``error`` (``where`` names database and server), chained."""
    args = error.args
    sqlstate = str(args[0]) if len(args) > 1 else ""
    message = str(args[1] if len(args) > 1 else (args[0] if args else type(error).__name__)).strip()
    raise kind_for(sqlstate, message)(f"{where}: {message} (SQLSTATE {sqlstate or 'none'})") from error

"""PostgreSQL errors as infrar errors, by SQLSTATE: one table for every psycopg2 adapter.

Shared by aws (RDS/Aurora) and gcp (Cloud SQL), which speak the same protocol; erase copies
it with the adapter. Messages keep the server's text and never the password (libpq's messages
do not contain it; the connection parameters are never formatted into one).
"""

from __future__ import annotations

from typing import NoReturn

from infrar.errors import AlreadyExists, InfrarError, InvalidArgument, NotFound, PermissionDenied, Timeout, Unavailable

# Exact codes first, then two-character classes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_CODES: dict[str, type[InfrarError]] = {
    "23505": AlreadyExists,  # unique_violation (primary keys too)
    "42P01": NotFound,  # undefined_table
    "42703": NotFound,  # undefined_column
    "3D000": NotFound,  # invalid_catalog_name: the database does not exist
    "42883": NotFound,  # undefined_function
    "42501": PermissionDenied,  # insufficient_privilege
    "57014": Timeout,  # query_canceled (statement_timeout)
    "40001": Unavailable,  # serialization_failure: retry the transaction
    "40P01": Unavailable,  # deadlock_detected: retry the transaction
}
_CLASSES: dict[str, type[InfrarError]] = {
    "08": Unavailable,  # connection exception
    "57": Unavailable,  # operator intervention (server shutting down)
    "53": Unavailable,  # insufficient resources (too many connections)
    "28": PermissionDenied,  # invalid authorization
    "42": InvalidArgument,  # syntax error or access rule violation
    "22": InvalidArgument,  # data exception
    "23": InvalidArgument,  # other integrity constraint violations
}
_AUTH_FAILED = ("password authentication failed", "no password supplied", "no pg_hba.conf entry")


def kind_for(code: str | None, message: str) -> type[InfrarError]:
    """The infrar error class for a SQLSTATE (``None`` when libpq failed before the server answered)."""
    if code:
        return _CODES.get(code) or _CLASSES.get(code[:2]) or InvalidArgument
    if any(text in message for text in _AUTH_FAILED):
        return PermissionDenied
    return Unavailable


def raise_for(error: Exception, code: str | None, where: str) -> NoReturn:
    """Raise the infrar error for ``error`` (``where`` names database, host and port), chained."""
    message = str(error).strip() or type(error).__name__
    raise kind_for(code, message)(f"{where}: {message}") from error

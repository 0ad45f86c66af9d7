"""Argument rules for the database domain, one definition shared by every adapter.

Adapters import this module so that one rule gives one message on every provider; erase
copies the functions an erased program reaches.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence

from infrar.errors import InvalidArgument

# A database name that is a file name locally and a database name on every server.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,62}$")


# Names found valid: the check is on every call's path, and an app uses a few names.
_VALID: set[str] = set()
_VALID_MAX = 1024


# What erase may run once, at erase time, on a literal argument (infrar/erase/fold.py): each check
# returns the argument at the first position listed unchanged when it is valid, and whether it is
# depends only on the arguments at the positions listed (the others only word the message).
ERASE_TIME_CHECKS = {"check_database": (0,), "check_sql": (0,)}


def check_database(database: object) -> str:
    """``database`` as a name valid on every provider, else InvalidArgument."""
    if type(database) is str and database in _VALID:
        return database
    if not isinstance(database, str) or not _NAME.match(database):
        raise InvalidArgument(
            f"database name {database!r} is invalid: use 1-63 letters, digits, '_' or '-', "
            "starting with a letter or '_' (a name every provider accepts)"
        )
    if len(_VALID) < _VALID_MAX:
        _VALID.add(database)
    return database


def server_name(database: str) -> str:
    """The name the server knows ``database`` by: ``PGDATABASE_<DATABASE>`` if set, else ``database``.

    Generated infrastructure sets it where an engine cannot take the name as written (RDS allows
    only letters, digits and '_': ``orders-db`` is created as ``orders_db``); read once per new
    connection, never per statement."""
    variable = "PGDATABASE_" + "".join(ch if ch.isalnum() else "_" for ch in database.upper())
    return os.environ.get(variable) or database


def check_sql(sql: object, database: str) -> str:
    """``sql`` as non-empty text."""
    if not isinstance(sql, str) or not sql.strip():
        raise InvalidArgument(f"sql for database {database!r} must be a non-empty string, got {sql!r}")
    return sql


def check_params(params: object, database: str) -> Sequence[object]:
    """``params`` as a sequence of positional values (``None`` is no parameters)."""
    if params is None:
        return ()
    if type(params) in (list, tuple):  # the usual case, without the slower abstract-class checks
        return params  # type: ignore[return-value]
    if isinstance(params, (str, bytes, bytearray, Mapping)) or not isinstance(params, Sequence):
        raise InvalidArgument(
            f"params for database {database!r} must be a list or tuple of values for the '?' "
            f"placeholders, got {type(params).__name__}"
        )
    return params


def check_many(seq_of_params: object, database: str) -> Iterable[Sequence[object]]:
    """``seq_of_params`` as an iterable of parameter sequences, each checked as it is used."""
    if isinstance(seq_of_params, (str, bytes, bytearray, Mapping)) or not isinstance(seq_of_params, Iterable):
        raise InvalidArgument(
            f"seq_of_params for database {database!r} must be an iterable of lists or tuples, "
            f"got {type(seq_of_params).__name__}"
        )
    return (check_params(params, database) for params in seq_of_params)



# Connections each database's pool may open per process: enough for a threaded server,
# far below a small managed server's connection limit.
POOL_SIZE = 10

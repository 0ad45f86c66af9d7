"""Argument rules for the data domain, one definition shared by every adapter.

Adapters import this module so that one rule gives one message on every provider; erase
copies the functions an erased program reaches. The portable column types live here too,
with their spelling on each engine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

from infrar.database.placeholders import count
from infrar.errors import InvalidArgument

# A warehouse (= database) or table name every engine accepts unquoted: Glue wants lower case.
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,127}$")
_JOB = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
_DECIMAL = re.compile(r"^DECIMAL\((\d{1,2}),\s*(\d{1,2})\)$")
FORMATS = ("csv", "parquet", "json")
# Portable type -> its spelling on each engine (DECIMAL(p,s) is handled apart).
TYPES: dict[str, dict[str, str]] = {
    "STRING": {"duckdb": "VARCHAR", "glue": "string", "bigquery": "STRING", "synapse": "VARCHAR(8000)"},
    "INT64": {"duckdb": "BIGINT", "glue": "bigint", "bigquery": "INT64", "synapse": "BIGINT"},
    "FLOAT64": {"duckdb": "DOUBLE", "glue": "double", "bigquery": "FLOAT64", "synapse": "FLOAT"},
    "BOOL": {"duckdb": "BOOLEAN", "glue": "boolean", "bigquery": "BOOL", "synapse": "BIT"},
    "DATE": {"duckdb": "DATE", "glue": "date", "bigquery": "DATE", "synapse": "DATE"},
    "TIMESTAMP": {"duckdb": "TIMESTAMPTZ", "glue": "timestamp", "bigquery": "TIMESTAMP", "synapse": "DATETIME2"},
}


# What erase may run once, at erase time, on a literal argument (infrar/erase/fold.py): each check
# returns the argument at the first position listed unchanged when it is valid, and whether it is
# depends only on the arguments at the positions listed (the others only word the message).
ERASE_TIME_CHECKS = {"check_name": (0,)}


def check_name(name: object, what: str = "warehouse") -> str:
    """A warehouse, database or table name valid on every engine, else InvalidArgument."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgument(
            f"{what} name {name!r} is invalid: use 1-128 lower-case letters, digits or '_', starting "
            "with a letter or '_' (a name Glue, BigQuery, Synapse and DuckDB all accept)"
        )
    return name


def split_table(table: object) -> tuple[str, str]:
    """``database.table`` as its two checked names."""
    if not isinstance(table, str) or table.count(".") != 1:
        raise InvalidArgument(f"table {table!r} must be written 'database.table', e.g. 'sales.orders'")
    database, _, name = table.partition(".")
    return check_name(database, "database"), check_name(name, "table")


def check_sql(sql: object, warehouse: str, params: object) -> tuple[str, Sequence[object]]:
    """``sql`` as non-empty text and ``params`` as one value per ``?`` placeholder."""
    if not isinstance(sql, str) or not sql.strip():
        raise InvalidArgument(f"sql for warehouse {warehouse!r} must be a non-empty string, got {sql!r}")
    if params is None:
        values: Sequence[object] = ()
    elif isinstance(params, (str, bytes, bytearray, Mapping)) or not isinstance(params, Sequence):
        raise InvalidArgument(
            f"params for warehouse {warehouse!r} must be a list or tuple of values for the '?' "
            f"placeholders, got {type(params).__name__}"
        )
    else:
        values = params
    expected = count(sql)
    if expected != len(values):
        raise InvalidArgument(
            f"the SQL for warehouse {warehouse!r} has {expected} '?' placeholder(s) but {len(values)} "
            "parameter(s) were given; pass one value per '?'"
        )
    return sql, values


def portable_type(raw: object, column: str) -> str:
    """``raw`` as a portable type (upper case, DECIMAL(p,s) with 1 <= p <= 38, 0 <= s <= p)."""
    text = raw.strip().upper() if isinstance(raw, str) else ""
    if text in TYPES:
        return text
    match = _DECIMAL.match(text)
    if match and 1 <= int(match.group(1)) <= 38 and int(match.group(2)) <= int(match.group(1)):
        return f"DECIMAL({int(match.group(1))},{int(match.group(2))})"
    raise InvalidArgument(
        f"column {column!r} has type {raw!r}; use one of {', '.join(TYPES)} or DECIMAL(p,s) with "
        "1 <= p <= 38 and 0 <= s <= p"
    )


def engine_type(portable: str, engine: str) -> str:
    """A checked portable type spelled for ``engine`` (duckdb, glue, bigquery, synapse)."""
    if portable.startswith("DECIMAL("):
        inner = portable[len("DECIMAL("):-1]
        return f"NUMERIC({inner})" if engine == "bigquery" else (
            f"decimal({inner})" if engine == "glue" else f"DECIMAL({inner})")
    return TYPES[portable][engine]


def check_columns(columns: object, table: str) -> dict[str, str]:
    """``columns`` as an ordered dict of checked column name to portable type."""
    if not isinstance(columns, Mapping) or not columns:
        raise InvalidArgument(
            f"columns of table {table!r} must be a non-empty dict of column name to type, "
            "e.g. {'day': 'DATE', 'amount': 'DECIMAL(10,2)'}"
        )
    return {check_name(name, "column"): portable_type(kind, str(name)) for name, kind in columns.items()}


def check_location(location: object, table: str) -> tuple[str, str]:
    """``(bucket, prefix)`` with the prefix as a folder: '' (the whole bucket) or ending in '/'."""
    if (not isinstance(location, (tuple, list)) or len(location) != 2
            or not all(isinstance(part, str) for part in location) or not location[0]):
        raise InvalidArgument(
            f"location of table {table!r} must be (bucket, prefix), e.g. ('sales-data', 'orders/'), "
            f"got {location!r}"
        )
    bucket, prefix = location[0], location[1].strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def check_format(format: object, table: str) -> str:
    if format not in FORMATS:
        raise InvalidArgument(f"format of table {table!r} is {format!r}; use one of {', '.join(FORMATS)}")
    return str(format)


def check_job(name: object, args: object) -> tuple[str, dict[str, str]]:
    """A job name every provider accepts, and ``args`` as a dict of str to str."""
    if not isinstance(name, str) or not _JOB.match(name):
        raise InvalidArgument(
            f"job name {name!r} is invalid: use 1-63 letters, digits, '_' or '-', starting with a letter"
        )
    if args is None:
        return name, {}
    if not isinstance(args, Mapping) or not all(
            isinstance(k, str) and re.match(r"^[A-Za-z][A-Za-z0-9_-]*$", k) and isinstance(v, str)
            for k, v in args.items()):
        raise InvalidArgument(
            f"args of job {name!r} must be a dict of str to str with keys like 'day' or 'out-bucket' "
            f"(each is passed as --key value), got {args!r}"
        )
    return name, dict(args)


def check_script(script: object, job: str) -> str | tuple[str, str]:
    """A local path to an existing Python file, or a storage location ``(bucket, key)``."""
    if isinstance(script, (tuple, list)) and len(script) == 2 and all(isinstance(p, str) and p for p in script):
        return (script[0], script[1])
    if isinstance(script, (str, os.PathLike)):
        path = os.fspath(script)
        if "://" in str(path):
            raise InvalidArgument(
                f"script of job {job!r} is the URL {path!r}; give a local path or a storage location "
                "(bucket, key) so that one program works on every provider"
            )
        if not os.path.isfile(path):
            raise InvalidArgument(f"script of job {job!r}: no file {path!r}; give the path of a Python file")
        return str(path)
    raise InvalidArgument(f"script of job {job!r} must be a local path or (bucket, key), got {script!r}")


def job_argv(args: Mapping[str, str]) -> list[str]:
    """``args`` as ``--key value`` arguments (Glue's convention, used on every provider)."""
    argv: list[str] = []
    for key, value in args.items():
        argv += [f"--{key}", value]
    return argv

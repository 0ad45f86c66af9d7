"""The warehouse's table catalog: list tables, read a schema, register tables over stored files.

Column types use one portable vocabulary: STRING, INT64, FLOAT64, DECIMAL(p,s), BOOL, DATE,
TIMESTAMP. ``create_table`` registers a table over files ``infrar.storage`` wrote (a Glue
table, a BigQuery external table, a Synapse external table, a DuckDB view).
"""

from __future__ import annotations

from collections.abc import Mapping

from infrar.data.types import Column
from infrar.dispatch import adapter as _adapter

__all__ = ["create_table", "drop_table", "get_schema", "list_tables"]

_DOMAIN = "data"


def list_tables(database: str) -> list[str]:
    """The table names of ``database``, sorted."""
    names: list[str] = _adapter(_DOMAIN).catalog_list_tables(database)
    return names


def get_schema(table: str) -> list[Column]:
    """The columns of ``table`` (written ``database.table``), in order."""
    columns: list[Column] = _adapter(_DOMAIN).catalog_get_schema(table)
    return columns


def create_table(database: str, table: str, columns: Mapping[str, str], location: tuple[str, str],
                 format: str = "csv", header: bool = True) -> None:
    """Register ``database.table`` over the files under ``location`` = ``(bucket, prefix)``.

    ``columns`` maps each column name, in order, to its portable type; ``format`` is csv,
    parquet or json (one object per line); ``header`` says a CSV's first line names the columns.
    AlreadyExists if the table exists.
    """
    _adapter(_DOMAIN).catalog_create_table(database, table, columns, location, format, header)


def drop_table(database: str, table: str) -> None:
    """Remove the table from the catalog (never its files); NotFound if it does not exist."""
    _adapter(_DOMAIN).catalog_drop_table(database, table)

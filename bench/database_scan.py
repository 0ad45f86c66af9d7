"""One side of the database scan benchmark, in a fresh process: ``python -m bench.database_scan SIDE SQL
PROVIDER`` reads every row of SQL (one column each) and prints its wall and CPU time and its peak RSS above
the baseline taken once imports and the connection are done (bench/database.py runs it per side)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Scan = tuple[Callable[[], Iterable[Any]], Callable[[Any], object]]  # (the rows, reading one column of a row)


def status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def infrar_side(sql: str) -> Scan:
    from infrar import database

    database.query("bench", "SELECT 1")  # connection and imports before the baseline
    return (lambda: database.iter_query("bench", sql)), (lambda row: row["name"])


def psycopg2_side(sql: str) -> Scan:
    import psycopg2

    connection = psycopg2.connect(dbname="bench")

    def rows() -> Iterator[Any]:
        with connection.cursor(name="scan") as cursor:
            cursor.itersize = 2000
            cursor.execute(sql)
            yield from cursor
        connection.rollback()
    return rows, (lambda row: row[1])


def sqlite3_side(sql: str) -> Scan:
    import sqlite3
    from decimal import Decimal

    cents = Decimal("0.01")  # the same Decimal values infrar returns
    sqlite3.register_converter("NUMERIC_S2", lambda raw: Decimal(raw.decode()).quantize(cents))
    connection = sqlite3.connect(os.environ["RAW_SQLITE"], detect_types=sqlite3.PARSE_DECLTYPES)
    return (lambda: connection.execute(sql)), (lambda row: row[1])


def sqlalchemy_side(sql: str) -> Scan:
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["SQLALCHEMY_URL"])

    def rows() -> Iterator[Any]:
        with engine.connect() as connection:
            yield from connection.execution_options(stream_results=True, max_row_buffer=2000).execute(text(sql))
    return rows, (lambda row: row[1])


SIDES: dict[str, Callable[[str], Scan]] = {"infrar": infrar_side, "psycopg2": psycopg2_side,
                                           "sqlite3": sqlite3_side, "sqlalchemy": sqlalchemy_side}


def main(side: str, sql: str) -> dict[str, float]:
    rows, read = SIDES[side](sql)
    baseline = status_kib("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    count = 0
    for row in rows():
        read(row)
        count += 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = status_kib("VmHWM")  # not ru_maxrss: Linux carries the parent's peak across fork and exec
    return {"rows": count, "wall": wall, "cpu": cpu, "above_kib": peak - baseline}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))

"""Database benchmarks: infrar.database against raw psycopg2 on one real PostgreSQL, and the
``local`` provider against raw sqlite3; SQLAlchemy Core on the same work when it is installed.

``python -m bench --only database`` (or ``python -m bench.database``). Starts its own Debian
PostgreSQL (``infrar.testing.postgres``) on a free 127.0.0.1 port. Every side does the same
work per operation: the same SQL (``?`` for infrar, ``%s``/``?`` for the raw drivers), the same
parameters, every row fetched and one column read. Raw psycopg2 gets the same session settings
infrar makes (autocommit, UTC), and bulk inserts use ``psycopg2.extras.execute_values`` as
infrar's ``execute_many`` does. The 1,000,000-row scan runs in a fresh process per side so that
its peak RSS above the process's own baseline (imports and connection done) is the scan's.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python bench/database.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Row, Sample, format_table, interleaved, log, median, provider

_ROOT = Path(__file__).resolve().parent.parent
TIME_TARGET = 1.05
RSS_TARGET_MIB = 64
BLOCK = 100  # statements per interleaved block
DB = "bench"


@contextmanager
def postgres() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL with the database ``bench``; yields libpq's variables for it."""
    from infrar.testing.postgres import PostgresService

    with tempfile.TemporaryDirectory(prefix="infrar-bench-postgres-") as logs:
        service = PostgresService(Path(logs))
        service.start()
        try:
            service.create_database(DB)
            yield service.environment()
        finally:
            service.stop()


def _raw_psycopg2() -> Any:
    import psycopg2

    connection = psycopg2.connect(dbname=DB)  # libpq's variables, as infrar's
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    return connection


def _sqlalchemy_engine(url: str) -> Any | None:
    try:
        import sqlalchemy
    except ImportError:
        return None
    return sqlalchemy.create_engine(url, pool_size=10)


def _setup(execute: Callable[[str], object], rows: int) -> None:
    execute("DROP TABLE IF EXISTS items")
    execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(12, 2))")
    execute("DROP TABLE IF EXISTS log")
    execute("CREATE TABLE log (n INTEGER, note TEXT)")
    execute("DROP TABLE IF EXISTS bulk")
    execute("CREATE TABLE bulk (n INTEGER, note TEXT)")
    execute(f"INSERT INTO items SELECT g, 'item ' || g, g / 100.0 FROM generate_series(1, {rows}) AS g"
            if rows else "SELECT 1")


# --------------------------------------------------------------------------- the sides


def select_sides(raw: Any, engine: Any | None) -> dict[str, Callable[[int], None]]:
    """BLOCK single-row SELECTs by primary key per block."""
    from infrar import database

    def infrar_side(block: int) -> None:
        for i in range(BLOCK):
            database.query(DB, "SELECT id, name, price FROM items WHERE id = ?", [block * BLOCK + i + 1])[0]["name"]

    def raw_side(block: int) -> None:
        cursor = raw.cursor()
        for i in range(BLOCK):
            cursor.execute("SELECT id, name, price FROM items WHERE id = %s", (block * BLOCK + i + 1,))
            cursor.fetchall()[0][1]

    sides: dict[str, Callable[[int], None]] = {"infrar": infrar_side, "psycopg2": raw_side}
    if engine is not None:
        sides["sqlalchemy"] = _sqlalchemy_select(engine)
    return sides


def _sqlalchemy_select(engine: Any) -> Callable[[int], None]:
    from sqlalchemy import text

    statement = text("SELECT id, name, price FROM items WHERE id = :id")

    def side(block: int) -> None:
        for i in range(BLOCK):
            with engine.connect() as connection:
                connection.execute(statement, {"id": block * BLOCK + i + 1}).fetchall()[0][1]

    return side


def insert_sides(raw: Any, engine: Any | None) -> dict[str, Callable[[int], None]]:
    """BLOCK single-row INSERTs per block, each committed on its own."""
    from infrar import database

    def infrar_side(block: int) -> None:
        for i in range(BLOCK):
            database.execute(DB, "INSERT INTO log (n, note) VALUES (?, ?)", [i, "infrar"])

    def raw_side(block: int) -> None:
        cursor = raw.cursor()
        for i in range(BLOCK):
            cursor.execute("INSERT INTO log (n, note) VALUES (%s, %s)", (i, "raw"))

    sides: dict[str, Callable[[int], None]] = {"infrar": infrar_side, "psycopg2": raw_side}
    if engine is not None:
        from sqlalchemy import text

        statement = text("INSERT INTO log (n, note) VALUES (:n, :note)")

        def sqlalchemy_side(block: int) -> None:
            for i in range(BLOCK):
                with engine.begin() as connection:
                    connection.execute(statement, {"n": i, "note": "sqlalchemy"})

        sides["sqlalchemy"] = sqlalchemy_side
    return sides


def bulk_sides(raw: Any, engine: Any | None, rows: int) -> dict[str, Callable[[int], None]]:
    """``rows`` rows in one transaction per block."""
    import psycopg2.extras

    from infrar import database

    data = [(i, f"note {i}") for i in range(rows)]

    def infrar_side(block: int) -> None:
        assert database.execute_many(DB, "INSERT INTO bulk (n, note) VALUES (?, ?)", data) == rows

    def raw_side(block: int) -> None:
        raw.autocommit = False
        with raw.cursor() as cursor:
            psycopg2.extras.execute_values(cursor, "INSERT INTO bulk (n, note) VALUES %s", data, page_size=1000)
        raw.commit()
        raw.autocommit = True

    sides: dict[str, Callable[[int], None]] = {"infrar": infrar_side, "psycopg2": raw_side}
    if engine is not None:
        from sqlalchemy import text

        statement = text("INSERT INTO bulk (n, note) VALUES (:n, :note)")
        mapped = [{"n": n, "note": note} for n, note in data]

        def sqlalchemy_side(block: int) -> None:
            with engine.begin() as connection:
                connection.execute(statement, mapped)

        sides["sqlalchemy"] = sqlalchemy_side
    return sides


# --------------------------------------------------------------------------- the scan, one process per side



def scan(side: str, sql: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "bench.database_scan", side, sql],
                          capture_output=True, text=True, env={**os.environ, **env}, check=True, cwd=_ROOT)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def scan_rows(title: str, sides: list[str], baseline: str, rows: int, reps: int, env: dict[str, str]) -> list[Row]:
    sql = "SELECT id, name, price FROM items ORDER BY id"
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for rep in range(reps):
        for side in (sides if rep % 2 == 0 else sides[::-1]):
            found = scan(side, sql, env)
            assert found["rows"] == rows, found
            results[side].append(found)
    wall = {side: [r["wall"] for r in found] for side, found in results.items()}
    cpu = {side: [r["cpu"] for r in found] for side, found in results.items()}
    above = {side: max(r["above_kib"] for r in found) / 1024 for side, found in results.items()}
    out = _time_rows(title, baseline, rows, wall, "rows", cpu=cpu)
    out.append(Row(f"{title}: peak RSS above baseline", "MiB", above["infrar"], above[baseline], baseline,
                   None, f"<= {RSS_TARGET_MIB} MiB", above["infrar"] <= RSS_TARGET_MIB,
                   note=", ".join(f"{side} {value:.1f}" for side, value in above.items())))
    return out


# --------------------------------------------------------------------------- rows of the table


def _time_rows(title: str, baseline: str, ops: int, wall: dict[str, list[float]], unit: str = "ops",
               cpu: dict[str, list[float]] | None = None) -> list[Row]:
    """The wall-time row; ``cpu`` (this process's CPU time per side) adds the client-side ratio,
    which a machine busy with other work disturbs far less than the wall time."""
    ratio = median(wall["infrar"]) / median(wall[baseline])
    paired = median([a / b for a, b in zip(wall["infrar"], wall[baseline], strict=True)])
    others = "".join(f"; {name} {median(values) / median(wall[baseline]):.3f}x {baseline}"
                     for name, values in wall.items() if name not in ("infrar", baseline))
    client = "" if cpu is None else (
        f"; client CPU {median(cpu['infrar']) / ops * 1e6:,.1f} vs {median(cpu[baseline]) / ops * 1e6:,.1f} us "
        f"per {unit[:-1]} ({median(cpu['infrar']) / median(cpu[baseline]):.3f})")
    return [Row(f"{title}: wall", "s", median(wall["infrar"]), median(wall[baseline]), baseline, ratio,
                f"<= {TIME_TARGET}", ratio <= TIME_TARGET,
                note=f"{len(wall['infrar'])} reps; median of per-rep ratios {paired:.3f}; "
                     f"infrar {median(wall['infrar']) / ops * 1e6:,.1f} us per {unit[:-1]}{others}{client}",
                samples=wall)]


def run(sides: dict[str, Callable[[int], None]], blocks: int,
        reps: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU seconds per side and repetition, the sides interleaved."""
    for side in sides.values():  # warm-up: connections, prepared types, imports
        side(0)
    samples: dict[str, list[Sample]] = interleaved(sides, blocks, reps)
    return ({name: [s.wall for s in values] for name, values in samples.items()},
            {name: [s.cpu for s in values] for name, values in samples.items()})


def _timed(title: str, baseline: str, ops: int, measured: tuple[dict[str, list[float]], dict[str, list[float]]],
           unit: str = "ops") -> list[Row]:
    return _time_rows(title, baseline, ops, measured[0], unit, cpu=measured[1])


def bench_postgres(ops: int, bulk: int, scan_size: int, reps: int) -> list[Row]:
    rows: list[Row] = []
    blocks = max(ops // BLOCK, 1)
    with postgres() as env, provider("aws", env):
        raw = _raw_psycopg2()
        url = f"postgresql+psycopg2://{env['PGUSER']}:{env['PGPASSWORD']}@{env['PGHOST']}:{env['PGPORT']}/{DB}"
        engine = _sqlalchemy_engine(url)
        _setup(lambda sql: raw.cursor().execute(sql), max(scan_size, ops + BLOCK))
        log(f"database: {ops:,} PK SELECTs x {reps} reps on PostgreSQL")
        rows += _timed(f"{ops:,} SELECT by primary key (PostgreSQL)", "psycopg2", ops,
                           run(select_sides(raw, engine), blocks, reps))
        log(f"database: {ops:,} INSERTs x {reps} reps")
        rows += _timed(f"{ops:,} INSERT, each committed (PostgreSQL)", "psycopg2", ops,
                           run(insert_sides(raw, engine), blocks, reps))
        log(f"database: execute_many of {bulk:,} rows x {reps} reps")
        rows += _timed(f"execute_many of {bulk:,} rows (PostgreSQL)", "psycopg2", bulk,
                           run(bulk_sides(raw, engine, bulk), 1, reps), "rows")
        log(f"database: {scan_size:,}-row iter_query scan, a fresh process per side x {reps} reps")
        scan_sides = ["infrar", "psycopg2"] + (["sqlalchemy"] if engine is not None else [])
        rows += scan_rows(f"iter_query of {scan_size:,} rows (PostgreSQL)", scan_sides, "psycopg2", scan_size,
                          reps, {**env, "INFRAR_PROVIDER": "aws", "SQLALCHEMY_URL": url})
        raw.close()
    return rows


def _sqlite_fill(connection: sqlite3.Connection, rows: int) -> None:
    connection.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC_S2(12, 2))")
    connection.execute("CREATE TABLE log (n INTEGER, note TEXT)")
    connection.execute("CREATE TABLE bulk (n INTEGER, note TEXT)")
    connection.execute(f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {rows}) "
                       "INSERT INTO items SELECT n, 'item ' || n, n / 100.0 FROM g")


def sqlite_sides(raw: sqlite3.Connection, bulk: int) -> dict[str, dict[str, Callable[[int], None]]]:
    from infrar import database

    data = [(i, f"note {i}") for i in range(bulk)]
    select = "SELECT id, name, price FROM items WHERE id = ?"
    insert = "INSERT INTO log (n, note) VALUES (?, ?)"

    def infrar_select(block: int) -> None:
        for i in range(BLOCK):
            database.query(DB, select, [block * BLOCK + i + 1])[0]["name"]

    def raw_select(block: int) -> None:
        for i in range(BLOCK):
            raw.execute(select, (block * BLOCK + i + 1,)).fetchall()[0][1]

    def infrar_insert(block: int) -> None:
        for i in range(BLOCK):
            database.execute(DB, insert, [i, "infrar"])

    def raw_insert(block: int) -> None:
        for i in range(BLOCK):
            raw.execute(insert, (i, "raw"))

    def infrar_bulk(block: int) -> None:
        assert database.execute_many(DB, "INSERT INTO bulk (n, note) VALUES (?, ?)", data) == bulk

    def raw_bulk(block: int) -> None:
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany("INSERT INTO bulk (n, note) VALUES (?, ?)", data)
        raw.execute("COMMIT")

    return {"select": {"infrar": infrar_select, "sqlite3": raw_select},
            "insert": {"infrar": infrar_insert, "sqlite3": raw_insert},
            "bulk": {"infrar": infrar_bulk, "sqlite3": raw_bulk}}


def bench_sqlite(ops: int, bulk: int, scan_size: int, reps: int) -> list[Row]:
    from infrar.providers.local._clients import sqlite

    rows: list[Row] = []
    blocks = max(ops // BLOCK, 1)
    with tempfile.TemporaryDirectory(prefix="infrar-bench-local-") as root, \
            provider("local", {"INFRAR_LOCAL_ROOT": root}):
        infrar_file = sqlite.connect(DB)  # the same settings as infrar's own connections
        _sqlite_fill(infrar_file, max(scan_size, ops + BLOCK))
        infrar_file.close()
        raw_path = Path(root) / "raw.sqlite"
        raw = sqlite3.connect(raw_path, isolation_level=None, detect_types=sqlite3.PARSE_DECLTYPES,
                              check_same_thread=False)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        _sqlite_fill(raw, max(scan_size, ops + BLOCK))
        sides = sqlite_sides(raw, bulk)
        log(f"database: {ops:,} PK SELECTs, {ops:,} INSERTs, execute_many of {bulk:,} on local SQLite")
        rows += _timed(f"{ops:,} SELECT by primary key (local SQLite)", "sqlite3", ops,
                           run(sides["select"], blocks, reps))
        rows += _timed(f"{ops:,} INSERT, each committed (local SQLite)", "sqlite3", ops,
                           run(sides["insert"], blocks, reps))
        rows += _timed(f"execute_many of {bulk:,} rows (local SQLite)", "sqlite3", bulk,
                           run(sides["bulk"], 1, reps), "rows")
        log(f"database: {scan_size:,}-row iter_query scan on local SQLite")
        rows += scan_rows(f"iter_query of {scan_size:,} rows (local SQLite)", ["infrar", "sqlite3"], "sqlite3",
                          scan_size, reps, {"INFRAR_PROVIDER": "local", "INFRAR_LOCAL_ROOT": root,
                                            "RAW_SQLITE": str(raw_path)})
        raw.close()
        sqlite.reset()
    return rows


def bench_database(ops: int = 2000, bulk: int = 100_000, scan_size: int = 1_000_000, reps: int = 5) -> list[Row]:
    """The database rows: PostgreSQL (aws adapter) against psycopg2, local against sqlite3."""
    return bench_postgres(ops, bulk, scan_size, reps) + bench_sqlite(ops, bulk, scan_size, reps)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.database", description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000, help="single-row SELECTs and INSERTs (default 2000)")
    parser.add_argument("--bulk", type=int, default=100_000, help="rows per execute_many (default 100000)")
    parser.add_argument("--scan", type=int, default=1_000_000, help="rows of the iter_query scan (default 1000000)")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions (default 5)")
    args: Any = parser.parse_args(argv)
    print(format_table(bench_database(args.ops, args.bulk, args.scan, args.reps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Data benchmark: ``infrar.data.iter_query`` over 1,000,000 rows against the raw client doing the same.

``python -m bench.data [--rows N] [--reps R] [--bqemulator]``. Local: a DuckDB warehouse file
holding a table of N rows (BIGINT, VARCHAR, DECIMAL, DATE); infrar iterates
``iter_query(...)`` rows, the raw side iterates ``duckdb`` ``fetchmany`` batches of the same
query. With ``--bqemulator`` (its venv from scripts/setup-bqemulator.sh) the same against
google-cloud-bigquery's ``result(page_size=...)`` on the emulator, on fewer rows by default.
Each run is a fresh process (interleaved infrar / raw), timing the full iteration; its peak
RSS above the process's baseline (after imports and one warm-up page) comes from VmHWM.
Targets: time ratio <= 1.05, peak RSS <= 64 MiB above baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python bench/data.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import MIB, Row, format_table, log, median

TIME_TARGET = 1.05
RSS_TARGET_MIB = 64.0
SQL = "SELECT id, name, amount, day FROM t"


def _peak() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _rss() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def _iterate(side: str, engine: str) -> int:
    """Rows seen; each row's first value is read, as a consumer would."""
    count = 0
    if side == "infrar":
        from infrar import data

        for row in data.iter_query("bench", SQL):
            row[0]
            count += 1
    elif engine == "local":
        import duckdb

        from infrar.providers.local._clients import duckdb_warehouse

        connection = duckdb.connect(str(duckdb_warehouse.path("bench")))
        cursor = connection.execute(SQL)
        while batch := cursor.fetchmany(10_000):
            for values in batch:
                values[0]
                count += 1
        connection.close()
    else:
        from google.cloud.bigquery import QueryJobConfig

        from infrar.providers.gcp._clients import bigquery as bq

        client = bq.client()
        config = QueryJobConfig(default_dataset=f"{client.project}.bench")
        for values in client.query(SQL, job_config=config).result(page_size=10_000):
            values[0]
            count += 1
    return count


def worker(side: str, engine: str) -> None:
    """One timed iteration in this process; prints JSON (seconds, rows, peak bytes above baseline)."""
    from infrar import data

    next(iter(data.iter_query("bench", "SELECT 1 AS x")))  # imports and first connection, not timed
    if side == "raw" and engine == "local":
        import duckdb  # noqa: F401
    baseline = _rss()
    _reset_peak()
    started = time.perf_counter()
    rows = _iterate(side, engine)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "peak": max(0, _peak() - baseline)}))


def _prepare_local(root: Path, rows: int) -> None:
    from infrar import data

    os.environ["INFRAR_LOCAL_ROOT"] = str(root)
    data.query("bench", "CREATE OR REPLACE TABLE t AS SELECT range AS id, 'name ' || range AS name, "
                        "(range % 1000)::DECIMAL(10,2) AS amount, DATE '2024-01-01' + (range % 365)::INT AS day "
                        f"FROM range({rows})")


def _run(side: str, engine: str, environment: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "bench.data", "--worker", side, "--engine", engine],
                            capture_output=True, text=True, env=environment, check=True, timeout=1800,
                            cwd=Path(__file__).resolve().parent.parent)
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def bench_engine(engine: str, environment: dict[str, str], rows: int, reps: int) -> list[Row]:
    samples: dict[str, list[dict[str, Any]]] = {"infrar": [], "raw": []}
    for rep in range(reps):
        for side in ("infrar", "raw") if rep % 2 == 0 else ("raw", "infrar"):
            samples[side].append(_run(side, engine, environment))
            assert samples[side][-1]["rows"] == rows, samples[side][-1]
        log(f"{engine} rep {rep + 1}/{reps} done")
    wall = {side: median([s["seconds"] for s in found]) for side, found in samples.items()}
    peak = max(s["peak"] for s in samples["infrar"]) / MIB
    raw_peak = max(s["peak"] for s in samples["raw"]) / MIB
    baseline = "duckdb" if engine == "local" else "google-cloud-bigquery"
    ratio = wall["infrar"] / wall["raw"]
    return [
        Row(f"data {engine}: iter_query {rows:,} rows", "s", wall["infrar"], wall["raw"], baseline, ratio,
            f"<= {TIME_TARGET}", ratio <= TIME_TARGET),
        Row(f"data {engine}: peak RSS above baseline", "MiB", peak, raw_peak, baseline, None,
            f"<= {RSS_TARGET_MIB:.0f}", peak <= RSS_TARGET_MIB),
    ]


def bench_data(rows: int = 1_000_000, reps: int = 5, bq_rows: int | None = None) -> list[Row]:
    found: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="infrar-bench-data-") as work:
        root = Path(work) / "root"
        _prepare_local(root, rows)
        environment = {**os.environ, "INFRAR_PROVIDER": "local", "INFRAR_LOCAL_ROOT": str(root)}
        found += bench_engine("local", environment, rows, reps)
        if bq_rows:
            found += _bench_bqemulator(Path(work), bq_rows, reps)
    return found


def _bench_bqemulator(work: Path, rows: int, reps: int) -> list[Row]:
    from infrar.testing.bqemulator import BigQueryEmulator

    service = BigQueryEmulator(work / "bqemulator")
    service.start()
    try:
        environment = {**os.environ, **service.environment(), "INFRAR_PROVIDER": "gcp"}
        os.environ.update(service.environment())
        from infrar.providers.gcp._clients import bigquery as bq

        client = bq.client()
        client.create_dataset("bench", exists_ok=True)
        client.query(f"CREATE TABLE bench.t AS SELECT x AS id, CONCAT('name ', CAST(x AS STRING)) AS name, "
                     "CAST(MOD(x, 1000) AS NUMERIC) AS amount, DATE_ADD(DATE '2024-01-01', INTERVAL MOD(x, 365) DAY) "
                     f"AS day FROM UNNEST(GENERATE_ARRAY(0, {rows} - 1)) AS x").result()
        return bench_engine("bqemulator", environment, rows, reps)
    finally:
        service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--bqemulator", type=int, nargs="?", const=100_000, default=None,
                        help="also run on bqemulator, with this many rows (default 100,000)")
    parser.add_argument("--worker", choices=("infrar", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.engine)
        return
    print(format_table(bench_data(args.rows, args.reps, args.bqemulator)))


if __name__ == "__main__":
    main()

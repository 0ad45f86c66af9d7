"""A data pipeline with infrar.data: files land in a bucket, become a table, a nightly job aggregates them.

    python examples/data_pipeline/pipeline.py                 # local: DuckDB and files under ./.infrar
    INFRAR_PROVIDER=aws PIPELINE_BUCKET=... PIPELINE_WAREHOUSE=... python examples/data_pipeline/pipeline.py

1. daily sales files (CSV) are written to a bucket with infrar.storage;
2. ``catalog.create_table`` makes them a table, ``sales``, of the warehouse;
3. ``run_job`` schedules ``aggregate.py`` for 02:00 every night, and runs it once now;
4. the job writes per-day totals as files and registers them as table ``daily_totals``;
5. a query reads the result.
On local, ``infrar jobs run-due --watch`` runs the nightly schedule.
"""

from __future__ import annotations

import os
from pathlib import Path

from infrar import data, storage
from infrar.data import catalog

BUCKET = os.environ.get("PIPELINE_BUCKET", "pipeline-data")
WAREHOUSE = os.environ.get("PIPELINE_WAREHOUSE", "shop")
JOB = Path(__file__).with_name("aggregate.py")
SALES = {
    "2026-11-01": [("ada", "19.90"), ("grace", "100.50")],
    "2026-11-02": [("ada", "7.00"), ("alan", "12.25"), ("grace", "3.10")],
    "2026-11-03": [("alan", "40.00")],
}


def land_files() -> None:
    for day, orders in SALES.items():
        lines = ["day,customer,amount"] + [f"{day},{customer},{amount}" for customer, amount in orders]
        storage.write_bytes(BUCKET, f"sales/{day}.csv", ("\n".join(lines) + "\n").encode())


def register_sales() -> None:
    if "sales" not in catalog.list_tables(WAREHOUSE):
        catalog.create_table(WAREHOUSE, "sales", {"day": "DATE", "customer": "STRING", "amount": "DECIMAL(12,2)"},
                             location=(BUCKET, "sales/"), format="csv", header=True)
    print("sales columns:", [(c.name, c.type) for c in catalog.get_schema(f"{WAREHOUSE}.sales")])


def main() -> None:
    land_files()
    register_sales()
    args = {"warehouse": WAREHOUSE, "bucket": BUCKET}
    nightly = data.run_job("nightly-totals", JOB, schedule="0 2 * * *", args=args)
    print("scheduled:", nightly.id, nightly.status())
    print("run now:", data.run_job("nightly-totals", JOB, args=args).wait(timeout=600))
    for row in data.query(WAREHOUSE, "SELECT day, orders, total FROM daily_totals WHERE total > ? ORDER BY day",
                          [10]):
        print(f"  {row['day']}  {row['orders']} orders  {row['total']}")


if __name__ == "__main__":
    main()

"""The nightly job of the data pipeline: per-day totals of ``sales``, written as files and registered as a table.

Run by ``infrar.data.run_job`` with ``--warehouse NAME --bucket NAME`` (on every provider the
job's arguments arrive as ``--key value``). Rerunning it replaces the totals.
"""

from __future__ import annotations

import argparse

from infrar import data, storage
from infrar.data import catalog


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--bucket", required=True)
    args = parser.parse_args()
    rows = data.query(args.warehouse, "SELECT day, count(*) AS orders, sum(amount) AS total FROM sales "
                                      "GROUP BY day ORDER BY day")
    lines = ["day,orders,total"] + [f"{r['day']},{r['orders']},{r['total']}" for r in rows]
    storage.write_bytes(args.bucket, "totals/daily.csv", ("\n".join(lines) + "\n").encode())
    if "daily_totals" not in catalog.list_tables(args.warehouse):
        catalog.create_table(args.warehouse, "daily_totals",
                             {"day": "DATE", "orders": "INT64", "total": "DECIMAL(14,2)"},
                             location=(args.bucket, "totals/"))
    print(f"wrote {len(rows)} daily totals")


if __name__ == "__main__":
    main()

"""A small real program on infrar.storage, .database, .cache and .messaging: archive daily reports, total them,
count runs, queue jobs and announce the reports on a topic.

With infrar.observability the whole run is one trace, every infrar call a child span; on local it is
written to .infrar/observability/spans.jsonl and the demo prints it at the end.

Runs unchanged on every provider:
    python examples/demo.py                       # local files under ./.infrar
    INFRAR_PROVIDER=aws APP_BUCKET=my-bucket python examples/demo.py
"""

from __future__ import annotations

import collections
import csv
import io
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path

from infrar import cache, database, messaging, observability, storage
from infrar.errors import NotFound

BUCKET = os.environ.get("APP_BUCKET", "demo-reports")
DATABASE = os.environ.get("APP_DATABASE", "demo")
CACHE = os.environ.get("APP_CACHE", "demo")
QUEUE = os.environ.get("APP_QUEUE", "demo-jobs")
TOPIC = os.environ.get("APP_TOPIC", "demo-reports")


def make_report(day: int) -> bytes:
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["day", "orders", "revenue"])
    writer.writerow([day, 10 * day, f"{123.45 * day:.2f}"])
    return rows.getvalue().encode()


def archive_reports(days: range) -> None:
    for day in days:
        storage.write_bytes(BUCKET, f"reports/2026-11-{day:02d}.csv", make_report(day))


def record_totals(days: range) -> None:
    """Keep each day's revenue in the database, all days in one transaction."""
    database.execute(DATABASE, "CREATE TABLE IF NOT EXISTS revenue (day INTEGER PRIMARY KEY, total NUMERIC(12, 2))")
    with database.transaction(DATABASE) as tx:
        tx.execute("DELETE FROM revenue")
        tx.execute_many("INSERT INTO revenue (day, total) VALUES (?, ?)",
                        [(day, Decimal(f"{123.45 * day:.2f}")) for day in days])
    best = database.query(DATABASE, "SELECT day, total FROM revenue ORDER BY total DESC LIMIT 1")[0]
    print(f"best day in the database: {best['day']} ({best['total']})")


def count_runs() -> None:
    """A run counter and a once-only lock in the cache (local: SQLite under .infrar/cache/)."""
    runs = cache.incr(CACHE, "runs")
    first = cache.add(CACHE, "first-run-lock", True, ttl=None)
    cache.set(CACHE, "last-summary", {"reports": 5, "runs": runs}, ttl=3600)
    print(f"cache: run {runs}, first run: {first}, summary: {cache.get(CACHE, 'last-summary')}")


def queue_and_announce(days: range) -> None:
    """A queue of jobs (each to one consumer) and a topic (each message to every subscription)."""
    for day in days:
        messaging.send_message(QUEUE, {"job": "thumbnail", "day": day})
    done = []
    while len(done) < len(days):
        for job in messaging.receive_messages(QUEUE, max_count=10, wait_seconds=2):
            done.append(job["day"])
            job.acknowledge()  # unacknowledged, it would come back after 30 s
    print(f"queue: {len(done)} jobs done, days {sorted(done)}")
    seen = []
    with messaging.subscribe(TOPIC, lambda message: seen.append(message["report"]), subscription="demo-mailer",
                             max_messages=len(days)) as mailer:
        for day in days:
            messaging.publish(TOPIC, {"report": f"reports/2026-11-{day:02d}.csv"})
        mailer.wait(timeout=30)
    print(f"topic: subscription {mailer.name} got {mailer.acknowledged} announcements, first {sorted(seen)[0]}")


def show_trace(trace_id: str) -> None:
    """This run's trace as local exported it: each span under its parent, repeats counted."""
    observability.shutdown()  # flush what is still batched
    if os.environ.get("INFRAR_PROVIDER", "local") != "local":
        print(f"trace {trace_id} exported to the provider's tracing service")
        return
    path = Path(os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar") / "observability" / "spans.jsonl"
    spans = [span for span in map(json.loads, path.read_text().splitlines()) if span["trace_id"] == trace_id]
    children = collections.defaultdict(list)
    for span in sorted(spans, key=lambda span: span["start_time_unix_nano"]):
        children[span["parent_span_id"]].append(span)
    print(f"trace of this run ({len(spans)} spans):")
    for root in children[None]:
        print(f"  {root['name']}")
        counts = collections.Counter(child["name"] for child in children[root["span_id"]])
        for name, count in counts.items():
            print(f"    {name}" + (f" x{count}" if count > 1 else ""))


def main() -> None:
    with observability.span("demo.run") as run:
        run_demo()
    show_trace(f"{run.get_span_context().trace_id:032x}")


def run_demo() -> None:
    log = observability.get_logger("demo")
    log.info("archiving reports", extra={"bucket": BUCKET, "days": 5})
    archive_reports(range(1, 6))
    record_totals(range(1, 6))
    count_runs()
    queue_and_announce(range(1, 6))
    with tempfile.TemporaryDirectory() as work:
        notes = Path(work) / "notes.txt"
        notes.write_text("archived by examples/demo.py\n")
        storage.upload(BUCKET, str(notes), "notes.txt")

        print("objects:")
        for info in storage.iter_objects(BUCKET, "reports/"):
            print(f"  {info.key:28} {info.size:4d} bytes")

        copy = Path(work) / "latest.csv"
        storage.download(BUCKET, "reports/2026-11-05.csv", str(copy))
        print("latest report:", copy.read_text().splitlines()[-1])

    storage.delete(BUCKET, "reports/2026-11-01.csv")
    print("after delete:", len(storage.list_objects(BUCKET, "reports/")), "reports")
    print("share link scheme:", storage.signed_url(BUCKET, "notes.txt", expires_in=300).split(":")[0])
    try:
        storage.read_bytes(BUCKET, "reports/1999-01-01.csv")
    except NotFound as exc:  # also a FileNotFoundError
        print("missing report handled:", type(exc).__name__)


if __name__ == "__main__":
    main()

"""A message carries the trace: the handler's spans and log lines continue the publisher's trace (local)."""

from __future__ import annotations

from pathlib import Path

from infrar import messaging, observability
from infrar.providers.local.observability_files import read_lines


def test_the_handler_continues_the_publishers_trace(local_root: Path) -> None:
    log = observability.get_logger("worker")

    def handle(message: messaging.Message) -> None:
        log.info("handled", extra={"n": message.body["n"]})

    subscription = messaging.subscribe("orders", handle, subscription="orders-worker", max_messages=1)
    with observability.span("checkout") as checkout:
        messaging.publish("orders", {"n": 7})
    assert subscription.wait(30)
    observability.shutdown()
    trace_id = f"{checkout.get_span_context().trace_id:032x}"
    (record,) = [r for r in read_lines("logs.jsonl") if r["message"] == "handled"]
    assert (record["trace_id"], record["fields"]) == (trace_id, {"n": 7})
    names = {span["name"] for span in read_lines("spans.jsonl") if span["trace_id"] == trace_id}
    assert {"checkout", "messaging.publish"} <= names

"""The shared pipeline with the SDK's in-memory exporters: infrar calls as child spans, global providers, failures."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from infrar import observability, storage
from infrar.observability import dispatch_tracing, pipeline
from infrar.observability.logs import BatchWriter, Fields, RecordHandler
from infrar.observability.redaction import Redactor
from tests.observability.conftest import reset_globals


class Memory:
    """A build function keeping everything in memory."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.reader = InMemoryMetricReader()
        self.logs: list[Fields] = []

    def __call__(self, resource: Resource, redactor: Redactor) -> pipeline.Exporters:
        handler = RecordHandler(self.logs.append, redactor, "memory")
        return pipeline.Exporters(self.spans, None, [handler], readers=[self.reader])


@pytest.fixture
def memory(local_root: Path) -> Memory:
    found = Memory()
    pipeline.configured(found, "tests")
    dispatch_tracing.listen()  # what the first call of the API does
    return found


def test_every_infrar_call_is_a_child_span_naming_its_resource(memory: Memory, local_root: Path) -> None:
    (local_root / "storage" / "photos").mkdir(parents=True)
    with observability.span("handler") as outer:
        storage.write_bytes("photos", "a.txt", b"hi")
        assert storage.read_bytes("photos", "a.txt") == b"hi"
    pipeline.shutdown()
    spans = {span.name: span for span in memory.spans.get_finished_spans()}
    assert set(spans) == {"handler", "storage.write_bytes", "storage.read_bytes"}
    child = spans["storage.write_bytes"]
    assert child.parent is not None and child.parent.span_id == outer.get_span_context().span_id
    assert child.attributes is not None
    assert child.attributes["infrar.bucket"] == "photos"
    assert child.attributes["infrar.resource"] == "photos"
    assert "a.txt" not in str(dict(child.attributes))  # only the resource name is recorded


def test_a_failing_infrar_call_marks_its_span(memory: Memory, local_root: Path) -> None:
    with pytest.raises(FileNotFoundError):
        storage.read_bytes("no-such-bucket", "k")
    pipeline.shutdown()
    (span,) = memory.spans.get_finished_spans()
    assert span.name == "storage.read_bytes"
    assert span.status.status_code is trace.StatusCode.ERROR


def test_infrar_calls_follow_whichever_pipeline_runs(memory: Memory, local_root: Path) -> None:
    (local_root / "storage" / "photos").mkdir(parents=True)
    storage.write_bytes("photos", "first", b"1")
    pipeline.shutdown()
    storage.write_bytes("photos", "between", b"2")  # no pipeline: straight through, no span
    assert storage.read_bytes("photos", "between") == b"2"
    assert [span.name for span in memory.spans.get_finished_spans()] == ["storage.write_bytes"]
    reset_globals()
    later = Memory()
    pipeline.configured(later, "tests")
    storage.write_bytes("photos", "after", b"3")
    pipeline.shutdown()
    assert [span.name for span in later.spans.get_finished_spans()] == ["storage.write_bytes"]
    assert len(memory.spans.get_finished_spans()) == 1


def test_the_providers_are_the_global_ones(memory: Memory) -> None:
    with trace.get_tracer("someone.else").start_as_current_span("theirs"):
        pass
    metrics.get_meter("someone.else").create_counter("their_counter").add(4)
    assert isinstance(trace.get_tracer_provider(), TracerProvider)
    pipeline.shutdown()
    assert [span.name for span in memory.spans.get_finished_spans()] == ["theirs"]
    data = memory.reader.get_metrics_data()
    assert data is not None
    names = [m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics]
    assert names == ["their_counter"]


def test_logger_fields_go_to_every_handler(memory: Memory) -> None:
    observability.get_logger("svc").error("bad %d", 3, extra={"order": "o-1"})
    (record,) = memory.logs
    assert (record["message"], record["severity"], record["fields"]) == ("bad 3", "ERROR", {"order": "o-1"})


def test_a_child_logger_is_exported_once(memory: Memory) -> None:
    observability.get_logger("svc")
    observability.get_logger("svc.db").info("once")
    assert [record["message"] for record in memory.logs] == ["once"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_dead_endpoint_never_raises_and_warns_once(local_root: Path, monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
    caplog.set_level(logging.WARNING, logger="observability.export")
    for n in range(3):
        with observability.span(f"lost-{n}"):
            observability.counter("lost").add(1)
        trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    observability.shutdown()
    warnings = [r for r in caplog.records if r.name == "observability.export"]
    assert len(warnings) == 1
    assert "OTLP collector" in warnings[0].getMessage()


def test_a_failing_log_sink_drops_boundedly_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    sent: list[int] = []

    def send(batch: list[Fields]) -> None:
        sent.append(len(batch))
        raise ConnectionError("refused")

    writer = BatchWriter(send, Redactor(), "the test sink", capacity=5, batch=2, interval=60)
    writer.closed = True  # no thread: drain by hand below
    for n in range(12):
        writer({"n": n})
    assert len(writer.queue) == 5  # the oldest were dropped
    caplog.set_level(logging.WARNING, logger="observability.export")
    writer.drain()
    assert sent == [2, 2, 1]
    assert len([r for r in caplog.records if "the test sink" in r.getMessage()]) == 1


def test_the_batch_writer_thread_sends_on_close() -> None:
    got: list[list[Fields]] = []
    writer = BatchWriter(got.append, Redactor(), "sink", batch=3, interval=0.05)
    for n in range(7):
        writer({"n": n})
    writer.close()
    assert [item["n"] for batch in got for item in batch] == list(range(7))
    assert all(len(batch) <= 3 for batch in got)


def test_a_flush_waits_for_the_batch_in_flight_and_sends_the_rest() -> None:
    import threading

    got: list[int] = []
    sending, release = threading.Event(), threading.Event()

    def send(batch: list[Fields]) -> None:
        sending.set()
        release.wait(5)
        got.extend(item["n"] for item in batch)

    writer = BatchWriter(send, Redactor(), "sink", batch=2, interval=60)
    writer({"n": 0})
    writer({"n": 1})  # a full batch: the thread wakes and sends it
    assert sending.wait(5)
    writer({"n": 2})
    flushing = threading.Thread(target=writer.drain)
    flushing.start()
    flushing.join(0.2)
    assert flushing.is_alive() and got == []  # waits for the batch in flight: batches leave in order
    release.set()
    flushing.join(5)
    assert got == [0, 1, 2]
    writer.close()


def test_a_forked_child_sends_its_own_log_batches() -> None:
    import os

    got: list[int] = []
    writer = BatchWriter(lambda batch: got.append(len(batch)), Redactor(), "sink", interval=0.05)
    writer({"n": 0})  # the parent's thread starts
    pid = os.fork()
    if pid == 0:  # the child: its own records (only those) go out through a thread of its own
        before = len(got)
        writer({"n": 1})
        writer.close()
        os._exit(0 if got[before:] == [1] else 1)
    _, status = os.waitpid(pid, 0)
    writer.close()
    assert os.waitstatus_to_exitcode(status) == 0
    assert got == [1]


def test_an_otlp_endpoint_receives_spans_and_metrics(local_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    from infrar.testing.capture import CaptureServer

    with CaptureServer() as collector:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
        with observability.span("to-collector"):
            observability.counter("collected").add(3)
        observability.shutdown()
        (traces,) = collector.received("/v1/traces")
        (sent_metrics,) = collector.received("/v1/metrics")
    spans = ExportTraceServiceRequest.FromString(traces.body).resource_spans[0].scope_spans[0].spans
    assert [span.name for span in spans] == ["to-collector"]
    exported = ExportMetricsServiceRequest.FromString(sent_metrics.body)
    names = [m.name for rm in exported.resource_metrics for sm in rm.scope_metrics for m in sm.metrics]
    assert names == ["collected"]
    assert not (local_root / "observability" / "spans.jsonl").exists()  # spans went to the collector instead

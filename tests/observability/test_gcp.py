"""gcp: Cloud Logging entries:write and Cloud Trace OTLP on an HTTP capture server, Cloud Monitoring on a gRPC one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from google.cloud.monitoring_v3 import CreateTimeSeriesRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from infrar import dispatch, observability
from infrar.testing.capture import CaptureServer, GrpcCaptureServer

PROJECT = "obs-project"


@dataclass
class Google:
    http: CaptureServer
    grpc: GrpcCaptureServer


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[Google]:
    with CaptureServer() as http, GrpcCaptureServer() as grpc_server:
        monkeypatch.setenv("INFRAR_PROVIDER", "gcp")
        monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
        monkeypatch.setenv("OTEL_SERVICE_NAME", "catalog")
        monkeypatch.setenv("INFRAR_CLOUD_LOGGING_ENDPOINT", http.url)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"{http.url}/v1/traces")
        monkeypatch.setenv("INFRAR_CLOUD_MONITORING_ENDPOINT", grpc_server.target)
        for name in ("K_SERVICE", "KUBERNETES_SERVICE_HOST", "OTEL_EXPORTER_OTLP_ENDPOINT"):
            monkeypatch.delenv(name, raising=False)
        dispatch.reset()
        yield Google(http, grpc_server)


def test_logs_reach_entries_write_with_severity_and_trace(google: Google) -> None:
    with observability.span("search") as current:
        observability.get_logger("catalog.search").error("index stale", extra={"shard": 3})
    observability.shutdown()
    (request,) = google.http.received("/v2/entries:write")
    body = request.json()
    assert body["logName"] == f"projects/{PROJECT}/logs/catalog"
    assert body["resource"] == {"type": "global", "labels": {"project_id": PROJECT}}
    (entry,) = body["entries"]
    assert entry["severity"] == "ERROR"
    assert entry["jsonPayload"] == {"message": "index stale", "logger": "catalog.search", "shard": 3}
    context = current.get_span_context()
    assert entry["trace"] == f"projects/{PROJECT}/traces/{context.trace_id:032x}"
    assert entry["spanId"] == f"{context.span_id:016x}"
    assert "authorization" not in request.headers  # no Google token to a non-Google host


def test_spans_reach_the_telemetry_api_over_otlp(google: Google) -> None:
    with observability.span("search", {"query": "lamp"}), observability.span("rank"):
        pass
    observability.shutdown()
    (request,) = google.http.received("/v1/traces")
    assert request.headers["x-goog-user-project"] == PROJECT
    exported = ExportTraceServiceRequest.FromString(request.body)
    (resource_spans,) = exported.resource_spans
    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert (resource["gcp.project_id"], resource["service.name"]) == (PROJECT, "catalog")
    spans = {span.name: span for scope in resource_spans.scope_spans for span in scope.spans}
    assert set(spans) == {"search", "rank"}
    assert spans["rank"].parent_span_id == spans["search"].span_id


def test_metrics_reach_cloud_monitoring(google: Google) -> None:
    observability.counter("lookups").add(4, {"index": "main"})
    observability.shutdown()
    requests = [CreateTimeSeriesRequest.deserialize(raw) for raw in google.grpc.received("/CreateTimeSeries")]
    series = [s for request in requests for s in request.time_series if s.metric.type.endswith("/lookups")]
    (found,) = series
    assert requests[0].name == f"projects/{PROJECT}"
    assert found.metric.labels["index"] == "main"
    assert found.points[0].value.int64_value == 4


def test_on_cloud_run_logs_are_structured_stdout_lines(google: Google, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("K_SERVICE", "catalog")
    with observability.span("serve") as current:
        observability.get_logger("catalog").warning("slow", extra={"ms": 900})
    observability.shutdown()
    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert (line["severity"], line["message"], line["ms"]) == ("WARNING", "slow", 900)
    trace_id = f"{current.get_span_context().trace_id:032x}"
    assert line["logging.googleapis.com/trace"] == f"projects/{PROJECT}/traces/{trace_id}"
    assert google.http.received("/v2/entries:write") == []


def test_no_canary_reaches_google(google: Google, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEARCH_API_TOKEN", "canary-gcp-env-1")
    with observability.span("search", {"auth_token": "canary-gcp-arg-2", "q": "canary-gcp-env-1"}):
        observability.get_logger("catalog").warning("token canary-gcp-env-1", extra={"secret": "canary-gcp-arg-3"})
        observability.counter("hits").add(1, {"password": "canary-gcp-arg-4"})
    observability.shutdown()
    sent = b"".join(request.body for request in google.http.requests)
    sent += b"".join(request for _, request in google.grpc.calls)
    assert b"search" in sent and b"hits" in sent
    canaries = (b"canary-gcp-env-1", b"canary-gcp-arg-2", b"canary-gcp-arg-3", b"canary-gcp-arg-4")
    assert [c for c in canaries if c in sent] == []

"""Erase proof on azure and gcp: the erased program sends the capture servers what the runtime one sends."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.cloud.monitoring_v3 import CreateTimeSeriesRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from infrar.testing.capture import CaptureServer, GrpcCaptureServer
from tests.erase._support import assert_no_infrar, erase, run
from tests.erase._traces import infrar_traces

PROGRAM = """
from infrar import observability

log = observability.get_logger("catalog")
with observability.span("reindex", {"shard": 2}):
    with observability.span("fetch"):
        observability.counter("documents").add(5, {"index": "main"})
    log.warning("shard %d slow", 2, extra={"ms": 900})
print("done")
"""


@pytest.fixture
def servers() -> Iterator[tuple[CaptureServer, GrpcCaptureServer]]:
    with CaptureServer() as http, GrpcCaptureServer() as grpc_server:
        yield http, grpc_server


def _environment(provider: str, http: CaptureServer, grpc_server: GrpcCaptureServer) -> dict[str, str]:
    if provider == "azure":
        return {"APPLICATIONINSIGHTS_CONNECTION_STRING":
                f"InstrumentationKey=00000000-0000-4000-8000-000000000002;IngestionEndpoint={http.url}/",
                "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true", "APPLICATIONINSIGHTS_SDKSTATS_DISABLED": "true"}
    return {"GOOGLE_CLOUD_PROJECT": "erase-project", "INFRAR_CLOUD_LOGGING_ENDPOINT": http.url,
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{http.url}/v1/traces",
            "INFRAR_CLOUD_MONITORING_ENDPOINT": grpc_server.target}


def _azure_sent(http: CaptureServer) -> Any:
    envelopes = [e for request in http.received("/v2.1/track") for e in request.json_lines()]
    kinds = {e["name"].rpartition(".")[2] for e in envelopes}
    spans = sorted(e["data"]["baseData"]["name"] for e in envelopes if e["name"].endswith("RemoteDependency"))
    messages = [e["data"]["baseData"]["message"] for e in envelopes if e["name"].endswith("Message")]
    metrics = sorted(m["name"] for e in envelopes if e["name"].endswith("Metric")
                     for m in e["data"]["baseData"]["metrics"])
    return kinds, spans, messages, metrics


def _gcp_sent(http: CaptureServer, grpc_server: GrpcCaptureServer) -> Any:
    entries = [entry["jsonPayload"] for request in http.received("/v2/entries:write")
               for entry in request.json()["entries"]]
    spans = sorted(span.name for request in http.received("/v1/traces")
                   for rs in ExportTraceServiceRequest.FromString(request.body).resource_spans
                   for scope in rs.scope_spans for span in scope.spans)
    series = [s.metric.type for raw in grpc_server.received("/CreateTimeSeries")
              for s in CreateTimeSeriesRequest.deserialize(raw).time_series]
    return entries, spans, series


@pytest.mark.parametrize("provider", ["azure", "gcp"])
def test_the_erased_program_sends_the_same(provider: str, servers: tuple[CaptureServer, GrpcCaptureServer],
                                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    http, grpc_server = servers
    for name, value in _environment(provider, http, grpc_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "catalog")
    source = textwrap.dedent(PROGRAM)
    erased = erase(source, provider)
    assert_no_infrar(erased)
    assert infrar_traces(erased, source) == []
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erased)
    sent = []
    for name, blocked in (("app.py", False), ("erased.py", True)):
        http.requests.clear()
        grpc_server.calls.clear()
        outcome = run(tmp_path / name, tmp_path / "root", blocked=blocked, provider=provider)
        assert (outcome.returncode, outcome.stdout) == (0, "done\n"), outcome.stderr
        sent.append(json.dumps(_azure_sent(http) if provider == "azure" else _gcp_sent(http, grpc_server),
                               sort_keys=True, default=sorted))
    assert sent[0] == sent[1]
    assert all(word in sent[0] for word in ("reindex", "fetch", "shard 2 slow", "documents"))

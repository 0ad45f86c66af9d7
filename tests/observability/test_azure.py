"""azure: the real Azure Monitor exporters send to a capture server, the IngestionEndpoint of the connection string."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infrar import dispatch, observability
from infrar.testing.capture import CaptureServer

IKEY = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def ingestion(monkeypatch: pytest.MonkeyPatch) -> Iterator[CaptureServer]:
    with CaptureServer() as server:
        monkeypatch.setenv("INFRAR_PROVIDER", "azure")
        monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING",
                           f"InstrumentationKey={IKEY};IngestionEndpoint={server.url}/")
        monkeypatch.setenv("APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL", "true")  # no usage reports to Microsoft
        monkeypatch.setenv("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true")  # nor the exporter's own metrics
        monkeypatch.setenv("OTEL_SERVICE_NAME", "billing")
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
        dispatch.reset()
        yield server


def _envelopes(server: CaptureServer) -> list[dict[str, Any]]:
    return [envelope for request in server.received("/v2.1/track") for envelope in request.json_lines()]


def _of(kind: str, server: CaptureServer) -> list[dict[str, Any]]:
    return [e for e in _envelopes(server) if e["name"] == f"Microsoft.ApplicationInsights.{kind}"]


def test_spans_arrive_as_request_and_dependency_envelopes(ingestion: CaptureServer) -> None:
    with observability.span("invoice", {"invoice": "i-9"}) as root:
        with pytest.raises(RuntimeError), observability.span("render"):
            raise RuntimeError("template missing")
    observability.shutdown()
    trace_hex = f"{root.get_span_context().trace_id:032x}"
    dependencies = {e["data"]["baseData"]["name"]: e for e in _of("RemoteDependency", ingestion)}
    assert set(dependencies) == {"invoice", "render"}
    invoice, render = dependencies["invoice"], dependencies["render"]
    assert invoice["iKey"] == IKEY
    assert invoice["tags"]["ai.operation.id"] == trace_hex
    assert invoice["tags"]["ai.cloud.role"] == "billing"
    assert invoice["data"]["baseData"]["properties"]["invoice"] == "i-9"
    assert render["tags"]["ai.operation.parentId"] == invoice["data"]["baseData"]["id"]
    assert render["data"]["baseData"]["success"] is False


def test_logs_arrive_as_message_envelopes_in_their_trace(ingestion: CaptureServer) -> None:
    with observability.span("pay") as current:
        observability.get_logger("billing.pay").warning("card declined", extra={"card": "visa", "attempt": 2})
    observability.shutdown()
    (message,) = _of("Message", ingestion)
    data = message["data"]["baseData"]
    assert data["message"] == "card declined"
    assert data["severityLevel"] == 2  # Application Insights: 0 verbose, 1 information, 2 warning
    assert data["properties"]["card"] == "visa"
    assert data["properties"]["attempt"] == "2"
    assert message["tags"]["ai.operation.id"] == f"{current.get_span_context().trace_id:032x}"


def test_metrics_arrive_as_metric_envelopes(ingestion: CaptureServer) -> None:
    observability.counter("invoices_sent").add(5, {"channel": "email"})
    observability.shutdown()
    metrics = [e["data"]["baseData"] for e in _of("Metric", ingestion)]
    (point,) = [m["metrics"][0] for m in metrics if m["metrics"][0]["name"] == "invoices_sent"]
    assert point["value"] == 5
    assert [m["properties"] for m in metrics if m["metrics"][0]["name"] == "invoices_sent"] == [{"channel": "email"}]


def test_without_a_connection_string_observability_warns_and_stays_off(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    monkeypatch.delenv("APPLICATIONINSIGHTS_CONNECTION_STRING", raising=False)
    with observability.span("quiet") as current:
        observability.get_logger("x").info("nowhere")
    assert not current.get_span_context().is_valid
    assert any("APPLICATIONINSIGHTS_CONNECTION_STRING" in r.getMessage() for r in caplog.records)


def test_no_canary_reaches_the_ingestion_endpoint(ingestion: CaptureServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_DB_PASSWORD", "canary-azure-env-1")
    with pytest.raises(ValueError), observability.span("login", {"password": "canary-azure-arg-2"}):
        observability.get_logger("auth").info("using canary-azure-env-1", extra={"api_key": "canary-azure-arg-3"})
        raise ValueError("rejected canary-azure-env-1")
    observability.shutdown()
    sent = b"".join(request.body for request in ingestion.requests).decode()
    assert "login" in sent and "rejected" in sent
    assert [c for c in ("canary-azure-env-1", "canary-azure-arg-2", "canary-azure-arg-3") if c in sent] == []

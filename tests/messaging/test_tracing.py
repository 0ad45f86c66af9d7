"""W3C trace context: with a tracer provider set, messages carry ``traceparent`` and handlers run in that trace."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from infrar import messaging
from infrar.messaging import Message
from tests.messaging._helpers import receive_all
from tests.messaging.conftest import Names


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """A real SDK provider as the configured one (the global can be set only once per process)."""
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    yield spans
    provider.shutdown()


def _trace_id(traceparent: str) -> int:
    return int(traceparent.split("-")[1], 16)


def test_send_message_carries_the_callers_trace(provider: str, names: Names, exporter: InMemorySpanExporter) -> None:
    tracer = trace.get_tracer_provider().get_tracer("test")
    with tracer.start_as_current_span("checkout") as span:
        messaging.send_message(names("jobs"), {"job": 1})
    [message] = receive_all(names("jobs"), 1)
    assert _trace_id(message.attributes["traceparent"]) == span.get_span_context().trace_id
    assert any(s.name == f"{names('jobs')} publish" and s.kind == trace.SpanKind.PRODUCER
               for s in exporter.get_finished_spans())


def test_the_handler_runs_inside_the_publishers_trace(provider: str, names: Names,
                                                       exporter: InMemorySpanExporter) -> None:
    seen: list[int] = []

    def handler(message: Message) -> None:
        seen.append(trace.get_current_span().get_span_context().trace_id)

    subscription = messaging.subscribe(names("orders"), handler, subscription=names("w"), max_messages=1)
    tracer = trace.get_tracer_provider().get_tracer("test")
    with tracer.start_as_current_span("order placed") as span:
        messaging.publish(names("orders"), {"order_id": 1})
    assert subscription.wait(30)
    assert seen == [span.get_span_context().trace_id]
    consumer = [s for s in exporter.get_finished_spans() if s.kind == trace.SpanKind.CONSUMER]
    assert len(consumer) == 1 and consumer[0].name.endswith(f"{names('w')} process")  # azure: topic/subscriptions/w


def test_without_a_tracer_provider_no_traceparent_is_added(provider: str, names: Names) -> None:
    messaging.send_message(names("jobs"), 1)
    [message] = receive_all(names("jobs"), 1)
    assert "traceparent" not in message.attributes

"""W3C trace context on messages, when OpenTelemetry is installed and a tracer provider is set.

``producing`` adds a ``traceparent`` attribute (from a short PRODUCER span, child of the
caller's span if any) to what ``publish`` and ``send_message`` send; ``consuming`` runs a
handler inside a CONSUMER span whose parent is that ``traceparent``. Without opentelemetry, or
with only its default no-op provider, both do nothing and cost one cached lookup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_TRACEPARENT = "traceparent"
_api: list[Any] = []  # [trace module, propagator] once imported, [None, None] when unavailable


def _opentelemetry() -> tuple[Any, Any]:
    if not _api:
        try:
            from opentelemetry import trace
            from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
        except ImportError:
            _api.extend((None, None))
        else:
            _api.extend((trace, TraceContextTextMapPropagator()))
    return _api[0], _api[1]


def _tracer() -> Any:
    """The configured tracer, or None (no opentelemetry, or no provider set)."""
    trace, _ = _opentelemetry()
    if trace is None:
        return None
    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return None
    return provider.get_tracer("messaging")


def producing(attributes: dict[str, str], destination: str) -> dict[str, str]:
    """``attributes`` with a ``traceparent`` added when tracing is on (the caller's own one wins)."""
    tracer = _tracer()
    if tracer is None or _TRACEPARENT in attributes:
        return attributes
    trace, propagator = _opentelemetry()
    with tracer.start_as_current_span(f"{destination} publish", kind=trace.SpanKind.PRODUCER):
        propagator.inject(attributes)
    return attributes


@contextlib.contextmanager
def consuming(attributes: dict[str, str], source: str) -> Iterator[None]:
    """Run the block in a CONSUMER span continuing the message's trace, when tracing is on."""
    tracer = _tracer() if _TRACEPARENT in attributes else None
    if tracer is None:
        yield
        return
    trace, propagator = _opentelemetry()
    parent = propagator.extract({_TRACEPARENT: attributes[_TRACEPARENT]})
    with tracer.start_as_current_span(f"{source} process", context=parent, kind=trace.SpanKind.CONSUMER):
        yield

"""Observability on local: JSON lines under ``<INFRAR_LOCAL_ROOT>/observability/``, readable lines on stderr."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry.metrics import Counter, Histogram, Meter, _Gauge
from opentelemetry.sdk.resources import Resource
from opentelemetry.trace import Span, Tracer

from infrar.observability import pipeline
from infrar.observability.logs import RecordHandler
from infrar.observability.redaction import Redactor
from infrar.providers.local.observability_files import JsonLinesMetricExporter, JsonLinesSpanExporter, write_log


def _exporters(resource: Resource, redactor: Redactor) -> pipeline.Exporters:
    handler = RecordHandler(write_log, redactor, "the local observability files")
    return pipeline.Exporters(JsonLinesSpanExporter(), JsonLinesMetricExporter(), [handler],
                              destination="the local observability files")


def tracer() -> Tracer:
    """The configured SDK's tracer (set up from the environment at first use)."""
    return pipeline.configured(_exporters).tracer


def meter() -> Meter:
    return pipeline.configured(_exporters).meter


def logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` once the pipeline (its handlers on the root logger) is set up."""
    return pipeline.logger(_exporters, name)


class LocalObservability:
    """Adapter for INFRAR_PROVIDER=local: each method is one OpenTelemetry (or stdlib logging) call."""

    def get_logger(self, name: str) -> logging.Logger:
        return logger(name)

    def counter(self, name: str, unit: str = "1", description: str = "") -> Counter:
        return meter().create_counter(name, unit=unit, description=description)

    def histogram(self, name: str, unit: str = "1", description: str = "") -> Histogram:
        return meter().create_histogram(name, unit=unit, description=description)

    def gauge(self, name: str, unit: str = "1", description: str = "") -> _Gauge:
        return meter().create_gauge(name, unit=unit, description=description)

    def span(self, name: str, attributes: Mapping[str, Any] | None = None) -> AbstractContextManager[Span]:
        return tracer().start_as_current_span(name, attributes=attributes)

    def traced(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return tracer().start_as_current_span(name)

    def setup(self, service_name: str | None = None) -> None:
        pipeline.configured(_exporters, service_name)

    def flush(self) -> None:
        pipeline.flush()

    def shutdown(self) -> None:
        pipeline.shutdown()

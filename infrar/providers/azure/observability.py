"""Observability on azure: traces, metrics and logs to Azure Monitor (Application Insights) via its OTel exporters."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry.metrics import Counter, Histogram, _Gauge
from opentelemetry.trace import Span

from infrar.observability import pipeline
from infrar.observability.logs import RecordHandler
from infrar.observability.otel_logs import otel_log_writer
from infrar.providers.azure._clients import monitor

DESTINATION = "Azure Monitor (APPLICATIONINSIGHTS_CONNECTION_STRING)"


def _exporters(settings: pipeline.Settings) -> pipeline.Exporters:
    write, close = otel_log_writer(monitor.log_exporter(), settings.resource, settings.redactor, DESTINATION)
    handler = RecordHandler(write, settings.redactor, DESTINATION)
    return pipeline.Exporters(monitor.trace_exporter(), monitor.metric_exporter(), [handler], closers=[close],
                              destination=DESTINATION)


class AzureObservability:
    """Adapter for INFRAR_PROVIDER=azure."""

    def get_logger(self, name: str) -> logging.Logger:
        return pipeline.logger(_exporters, name)

    def counter(self, name: str, unit: str = "1", description: str = "") -> Counter:
        return pipeline.meter(_exporters).create_counter(name, unit=unit, description=description)

    def histogram(self, name: str, unit: str = "1", description: str = "") -> Histogram:
        return pipeline.meter(_exporters).create_histogram(name, unit=unit, description=description)

    def gauge(self, name: str, unit: str = "1", description: str = "") -> _Gauge:
        return pipeline.meter(_exporters).create_gauge(name, unit=unit, description=description)

    def span(self, name: str, attributes: Mapping[str, Any] | None = None) -> AbstractContextManager[Span]:
        return pipeline.span(_exporters, name, attributes)

    def traced(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return pipeline.traced(_exporters, name)

    def setup(self, service_name: str | None = None) -> None:
        pipeline.setup(_exporters, service_name)

    def shutdown(self) -> None:
        pipeline.shutdown()

"""Observability on gcp: Cloud Logging, Cloud Monitoring (Google's exporter) and Cloud Trace (OTLP Telemetry API)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry.metrics import Counter, Histogram, _Gauge
from opentelemetry.trace import Span

from infrar.observability import pipeline
from infrar.observability.logs import BatchWriter, RecordHandler
from infrar.providers.gcp._clients import cloud_logging, cloud_monitoring, cloud_trace
from infrar.providers.gcp.observability_export import EntriesSender, StdoutWriter, ships_stdout

DESTINATION = "Cloud Logging, Cloud Monitoring and Cloud Trace"


def _log_handler(settings: pipeline.Settings, project: str) -> tuple[logging.Handler, list[Callable[[], None]]]:
    if ships_stdout():
        return RecordHandler(StdoutWriter(project), settings.redactor, "stdout"), []
    writer = BatchWriter(EntriesSender(project, settings.service_name), settings.redactor, "Cloud Logging")
    return RecordHandler(writer, settings.redactor, "Cloud Logging"), [writer.close]


def _exporters(settings: pipeline.Settings) -> pipeline.Exporters:
    project = cloud_logging.project()
    handler, closers = _log_handler(settings, project)
    return pipeline.Exporters(cloud_trace.exporter(project), cloud_monitoring.exporter(project), [handler],
                              closers=closers, destination=DESTINATION,
                              resource_attributes={"gcp.project_id": project})


class GcpObservability:
    """Adapter for INFRAR_PROVIDER=gcp."""

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

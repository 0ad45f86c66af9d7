"""Observability on local: JSON lines under ``<INFRAR_LOCAL_ROOT>/observability/``, readable lines on stderr."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry.metrics import Counter, Histogram, _Gauge
from opentelemetry.trace import Span

from infrar.observability import pipeline
from infrar.observability.logs import RecordHandler
from infrar.providers.local.observability_files import JsonLinesMetricExporter, JsonLinesSpanExporter, write_log


def _exporters(settings: pipeline.Settings) -> pipeline.Exporters:
    handler = RecordHandler(write_log, settings.redactor, "the local observability files")
    return pipeline.Exporters(JsonLinesSpanExporter(), JsonLinesMetricExporter(), [handler],
                              destination="the local observability files")


class LocalObservability:
    """Adapter for INFRAR_PROVIDER=local."""

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

"""Observability on aws: CloudWatch Logs, CloudWatch metrics and X-Ray (or OTLP), see observability_export."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry.metrics import Counter, Histogram, _Gauge
from opentelemetry.trace import Span

from infrar.observability import pipeline
from infrar.observability.logs import BatchWriter, RecordHandler
from infrar.providers.aws.observability_emf import EmfMetricExporter, lambda_parent, use_xray_headers
from infrar.providers.aws.observability_export import (
    CloudWatchLogsSender,
    CloudWatchMetricExporter,
    XRayIdGenerator,
    XRaySpanExporter,
    log_group,
    ships_stdout,
    write_stdout,
)

DESTINATION = "CloudWatch and X-Ray"


def _log_handler(settings: pipeline.Settings) -> tuple[logging.Handler, list[Callable[[], None]]]:
    if ships_stdout():
        return RecordHandler(write_stdout, settings.redactor, "stdout"), []
    sender = CloudWatchLogsSender(log_group(settings.service_name))
    writer = BatchWriter(sender, settings.redactor, f"CloudWatch Logs group {sender.group}")
    return RecordHandler(writer, settings.redactor, "CloudWatch Logs"), [writer.close]


def _exporters(settings: pipeline.Settings) -> pipeline.Exporters:
    handler, closers = _log_handler(settings)
    namespace = os.environ.get("INFRAR_METRICS_NAMESPACE") or settings.service_name
    # Where stdout reaches CloudWatch Logs, metrics ride on it (EMF): no API call, no permission.
    metrics = EmfMetricExporter(namespace) if ships_stdout() else CloudWatchMetricExporter(namespace)
    use_xray_headers()
    return pipeline.Exporters(XRaySpanExporter(settings.service_name), metrics, [handler], closers=closers,
                              destination=DESTINATION, id_generator=XRayIdGenerator(),
                              parent=lambda_parent if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else None)


class AwsObservability:
    """Adapter for INFRAR_PROVIDER=aws."""

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

"""Observability on aws: CloudWatch Logs, CloudWatch metrics and X-Ray (or OTLP), see observability_export."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry.metrics import Counter, Histogram, Meter, _Gauge
from opentelemetry.sdk.resources import Resource
from opentelemetry.trace import Span, Tracer

from infrar.observability import pipeline
from infrar.observability.logs import BatchWriter, RecordHandler
from infrar.observability.redaction import Redactor
from infrar.providers.aws.observability_emf import (
    EmfMetricExporter,
    lambda_parent,
    traced_in_invocation,
    use_xray_headers,
)
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


def _log_handler(service: str, redactor: Redactor) -> logging.Handler:
    if ships_stdout():
        return RecordHandler(write_stdout, redactor, "stdout")
    sender = CloudWatchLogsSender(log_group(service))
    writer = BatchWriter(sender, redactor, f"CloudWatch Logs group {sender.group}")
    return RecordHandler(writer, redactor, "CloudWatch Logs", writer.close, writer.drain)


def _exporters(resource: Resource, redactor: Redactor) -> pipeline.Exporters:
    service = str(resource.attributes["service.name"])
    namespace = os.environ.get("INFRAR_METRICS_NAMESPACE") or service
    # Where stdout reaches CloudWatch Logs, metrics ride on it (EMF): no API call, no permission.
    metrics = EmfMetricExporter(namespace) if ships_stdout() else CloudWatchMetricExporter(namespace)
    use_xray_headers()
    return pipeline.Exporters(XRaySpanExporter(service), metrics, [_log_handler(service, redactor)],
                              destination=DESTINATION, id_generator=XRayIdGenerator(),
                              parent=lambda_parent if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else None)


def tracer() -> Tracer:
    """The configured SDK's tracer (set up from the environment at first use)."""
    return pipeline.configured(_exporters).tracer


def meter() -> Meter:
    return pipeline.configured(_exporters).meter


def logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` once the pipeline (its handlers on the root logger) is set up."""
    return pipeline.logger(_exporters, name)


class AwsObservability:
    """Adapter for INFRAR_PROVIDER=aws: each method is one OpenTelemetry (or stdlib logging) call."""

    def get_logger(self, name: str) -> logging.Logger:
        return logger(name)

    def counter(self, name: str, unit: str = "1", description: str = "") -> Counter:
        return meter().create_counter(name, unit=unit, description=description)

    def histogram(self, name: str, unit: str = "1", description: str = "") -> Histogram:
        return meter().create_histogram(name, unit=unit, description=description)

    def gauge(self, name: str, unit: str = "1", description: str = "") -> _Gauge:
        return meter().create_gauge(name, unit=unit, description=description)

    def span(self, name: str, attributes: Mapping[str, Any] | None = None) -> AbstractContextManager[Span]:
        return tracer().start_as_current_span(name, context=lambda_parent(), attributes=attributes)

    def traced(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return traced_in_invocation(tracer, name)

    def setup(self, service_name: str | None = None) -> None:
        pipeline.configured(_exporters, service_name)

    def flush(self) -> None:
        pipeline.flush()

    def shutdown(self) -> None:
        pipeline.shutdown()

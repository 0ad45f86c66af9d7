"""Wrappers every exporter goes through: secrets are masked first, and a failure never reaches user code.

A failing destination (dead endpoint, missing permission) is reported once per destination
as a warning on the ``observability.export`` logger (never exported itself), and the batch is
dropped: the SDK's batch processors keep a bounded queue in front of these wrappers, so a
dead endpoint costs bounded memory and no exception.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricExportResult,
    MetricsData,
)
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

from infrar.observability.redaction import Redactor, sensitive_name

T = TypeVar("T")
WARNINGS = logging.getLogger("observability.export")
_warned: set[str] = set()
_warned_lock = threading.Lock()


def warn_once(destination: str, exc: BaseException, redactor: Redactor) -> None:
    """One warning per destination and process: the second failure is silent."""
    with _warned_lock:
        if destination in _warned:
            return
        _warned.add(destination)
    detail = redactor.text(f"{type(exc).__name__}: {exc}")[:300]
    WARNINGS.warning(
        "observability: exporting to %s failed (%s); dropping data from now on until it answers "
        "(check the endpoint and credentials; this warning is shown once)", destination, detail,
    )


def forget_warnings() -> None:
    """Tests and a new pipeline start with a clean slate."""
    with _warned_lock:
        _warned.clear()


def guarded(destination: str, redactor: Redactor, call: Callable[[], T], fallback: T) -> T:
    """``call()``, or ``fallback`` after one warning if it raises."""
    try:
        return call()
    except Exception as exc:
        warn_once(destination, exc, redactor)
        return fallback


def _masked_span(span: ReadableSpan, attributes: dict[str, Any], redactor: Redactor) -> ReadableSpan:
    events = [
        Event(event.name, redactor.attributes(event.attributes), event.timestamp) for event in span.events
    ]
    status = span.status
    if status.description:
        status = Status(status.status_code, redactor.text(status.description))
    return ReadableSpan(
        name=redactor.text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def redacted_span(span: ReadableSpan, redactor: Redactor) -> ReadableSpan:
    """``span`` itself when nothing in it needs masking (the common case), else a masked copy.

    Runs in the export thread for every span, so the common case is one frame: the SDK's
    attribute dict is read directly (the public ``span.attributes`` is a Python-level proxy over
    a Python-level Mapping, slow to iterate; any other shape falls back to it), the event count
    without building the tuple ``span.events`` builds, and each text's verdict from the
    redactor's memory before any scan.
    """
    attributes: Mapping[str, Any] | None = getattr(getattr(span, "_attributes", None), "_dict", None)
    if type(attributes) is not dict:
        attributes = span.attributes or {}
    events = getattr(span, "_events", None)
    verdicts, touches = redactor.verdicts, redactor.touches
    dirty = bool(len(events) if events is not None else span.events) or bool(span.status.description) \
        or (verdicts.get(span.name) is not False and touches(span.name))
    if not dirty:
        for name, value in attributes.items():
            kind = type(value)
            text = value if isinstance(value, str) else None
            if sensitive_name(name) or (text is not None and verdicts.get(text) is not False and touches(text)) \
                    or ((kind is list or kind is tuple) and not redactor.clean({name: value})):
                dirty = True
                break
    return _masked_span(span, redactor.attributes(attributes), redactor) if dirty else span


class SafeSpanExporter(SpanExporter):
    """Redacts, then exports; any exception becomes FAILURE and one warning."""

    def __init__(self, inner: SpanExporter, redactor: Redactor, destination: str) -> None:
        self.inner, self.redactor, self.destination = inner, redactor, destination

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        def send() -> SpanExportResult:
            return self.inner.export([redacted_span(span, self.redactor) for span in spans])

        result = guarded(self.destination, self.redactor, send, SpanExportResult.FAILURE)
        if result is not SpanExportResult.SUCCESS:
            warn_once(self.destination, RuntimeError("the exporter reported a failure"), self.redactor)
        return result

    def shutdown(self) -> None:
        guarded(self.destination, self.redactor, self.inner.shutdown, None)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return bool(guarded(self.destination, self.redactor, lambda: self.inner.force_flush(timeout_millis), False))


def _redact_point(point: Any, redactor: Redactor) -> Any:
    return dataclasses.replace(point, attributes=redactor.attributes(point.attributes))


def redacted_metrics(data: MetricsData, redactor: Redactor) -> MetricsData:
    resource_metrics = []
    for resource in data.resource_metrics:
        scopes = []
        for scope in resource.scope_metrics:
            metrics = []
            for metric in scope.metrics:
                points = [_redact_point(point, redactor) for point in metric.data.data_points]
                series: Any = metric.data
                metrics.append(dataclasses.replace(metric, data=dataclasses.replace(series, data_points=points)))
            scopes.append(dataclasses.replace(scope, metrics=metrics))
        resource_metrics.append(dataclasses.replace(resource, scope_metrics=scopes))
    return MetricsData(resource_metrics=resource_metrics)


class SafeMetricExporter(MetricExporter):
    """Redacts metric attributes, then exports; never raises."""

    def __init__(self, inner: MetricExporter, redactor: Redactor, destination: str) -> None:
        super().__init__(
            preferred_temporality=getattr(inner, "_preferred_temporality", None),
            preferred_aggregation=getattr(inner, "_preferred_aggregation", None),
        )
        self.inner, self.redactor, self.destination = inner, redactor, destination

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        def send() -> MetricExportResult:
            return self.inner.export(redacted_metrics(metrics_data, self.redactor), timeout_millis=timeout_millis)

        result = guarded(self.destination, self.redactor, send, MetricExportResult.FAILURE)
        if result is not MetricExportResult.SUCCESS:
            warn_once(self.destination, RuntimeError("the exporter reported a failure"), self.redactor)
        return result

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return bool(guarded(self.destination, self.redactor, lambda: self.inner.force_flush(timeout_millis), False))

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        guarded(self.destination, self.redactor, lambda: self.inner.shutdown(timeout_millis=timeout_millis), None)

"""Finished spans and metric points as plain JSON-ready dicts (the local files, and tests, read these)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.metrics.export import HistogramDataPoint, MetricsData, NumberDataPoint
from opentelemetry.sdk.trace import ReadableSpan


def _hex_ids(context: trace.SpanContext | None) -> tuple[str | None, str | None]:
    if context is None:
        return None, None
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


def span_dict(span: ReadableSpan) -> dict[str, Any]:
    trace_id, span_id = _hex_ids(span.context)
    start, end = span.start_time or 0, span.end_time or 0
    events = [{"name": event.name, "time_unix_nano": event.timestamp, "attributes": dict(event.attributes or {})}
              for event in span.events]
    return {"name": span.name, "trace_id": trace_id, "span_id": span_id, "parent_span_id": _hex_ids(span.parent)[1],
            "kind": span.kind.name, "start_time_unix_nano": start, "end_time_unix_nano": end,
            "duration_ms": round((end - start) / 1e6, 3), "status": span.status.status_code.name,
            "status_description": span.status.description, "attributes": dict(span.attributes or {}),
            "events": events, "resource": dict(span.resource.attributes)}


def _point_values(point: Any) -> dict[str, Any]:
    if isinstance(point, NumberDataPoint):
        return {"value": point.value}
    if isinstance(point, HistogramDataPoint):
        return {"count": point.count, "sum": point.sum, "min": point.min, "max": point.max,
                "bucket_counts": list(point.bucket_counts), "explicit_bounds": list(point.explicit_bounds)}
    return {"count": getattr(point, "count", None), "sum": getattr(point, "sum", None)}


def metric_points(data: MetricsData) -> Iterator[dict[str, Any]]:
    """One dict per data point: metric name, unit, kind (Sum, Gauge, Histogram), attributes, value(s)."""
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    yield {"name": metric.name, "unit": metric.unit, "description": metric.description,
                           "kind": type(metric.data).__name__, "attributes": dict(point.attributes or {}),
                           "time_unix_nano": point.time_unix_nano, "resource": dict(resource.resource.attributes),
                           **_point_values(point)}

"""AWS destinations: CloudWatch Logs (PutLogEvents, or JSON on stdout on ECS/Lambda), CloudWatch metrics, X-Ray.

Logs: on Lambda and ECS the platform already ships stdout to CloudWatch Logs, so a record is
one JSON line on stdout there (no API call, no credentials needed for logging); elsewhere
records are batched to PutLogEvents on the log group INFRAR_LOG_GROUP (default
``/apps/<service.name>``), stream ``<host>/<pid>/<start>``. Metrics: PutMetricData in the
namespace INFRAR_METRICS_NAMESPACE (default the service name), deltas per export interval,
attributes as dimensions. Traces: spans become X-Ray segment documents (a local root or a
span continuing a remote parent is a segment named after the service; its descendants are
subsegments), sent with PutTraceSegments; trace ids carry their start time in the first 32
bits, as X-Ray requires.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import socket
import sys
import time
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError
from opentelemetry.sdk.metrics import Counter, Histogram, ObservableCounter, ObservableUpDownCounter, UpDownCounter
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    HistogramDataPoint,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import StatusCode, format_span_id, format_trace_id

from infrar.observability.logs import Fields
from infrar.providers.aws._clients import cloudwatch, xray

UNITS = {"1": "Count", "ms": "Milliseconds", "s": "Seconds", "us": "Microseconds", "By": "Bytes",
          "kBy": "Kilobytes", "MBy": "Megabytes", "%": "Percent"}
DELTA = {kind: AggregationTemporality.DELTA for kind in (Counter, Histogram, UpDownCounter, ObservableCounter,
                                                           ObservableUpDownCounter)}
_ANNOTATION_KEY = re.compile(r"[^A-Za-z0-9_]")
_GROUP_REFUSED = re.compile(r"[^A-Za-z0-9._/#-]")
_EVENT_BYTES = 256 * 1024 - 26


def ships_stdout() -> bool:
    """True on Lambda and ECS, whose platforms send a container's stdout to CloudWatch Logs."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or os.environ.get("ECS_CONTAINER_METADATA_URI_V4"))


def log_group(service_name: str) -> str:
    """INFRAR_LOG_GROUP (the deployment's group), else ``/apps/<service>`` with the characters a group
    name refuses replaced."""
    return os.environ.get("INFRAR_LOG_GROUP") or "/apps/" + _GROUP_REFUSED.sub("-", service_name)


def write_stdout(fields: Fields) -> None:
    sys.stdout.write(json.dumps({key: value for key, value in fields.items() if key != "time_unix_nano"},
                                default=repr) + "\n")
    sys.stdout.flush()


def _event_message(fields: Fields) -> str:
    """The record as JSON, cut to what one CloudWatch event holds (256 KiB less its 26-byte overhead)."""
    text = json.dumps({key: value for key, value in fields.items() if key != "time_unix_nano"}, default=repr)
    data = text.encode()
    if len(data) <= _EVENT_BYTES:
        return text
    return data[:_EVENT_BYTES - 14].decode(errors="ignore") + "...[truncated]"


class CloudWatchLogsSender:
    """Sends batches of records to one log stream, creating the group and stream on first use."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.stream = f"{socket.gethostname()}/{os.getpid()}/{int(time.time())}"
        self.ready = False

    def _prepare(self) -> None:
        client = cloudwatch.logs()
        try:
            client.create_log_group(logGroupName=self.group)
        except ClientError:
            pass  # made by the infrastructure (with retention and KMS), or not ours to make: the stream tells
        try:
            client.create_log_stream(logGroupName=self.group, logStreamName=self.stream)
        except client.exceptions.ResourceAlreadyExistsException:
            pass
        self.ready = True

    def __call__(self, batch: list[Fields]) -> None:
        if not self.ready:
            self._prepare()
        events = [{"timestamp": fields["time_unix_nano"] // 1_000_000, "message": _event_message(fields)}
                  for fields in batch]
        events.sort(key=lambda event: event["timestamp"])  # PutLogEvents requires chronological order
        for chunk in _within_request_limit(events):
            cloudwatch.logs().put_log_events(logGroupName=self.group, logStreamName=self.stream, logEvents=chunk)


def _within_request_limit(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive runs of events, each under PutLogEvents' 1,048,576 bytes (message bytes + 26 per event)."""
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 0
    for event in events:
        cost = len(event["message"].encode()) + 26
        if chunks[-1] and size + cost > 1_048_576:
            chunks.append([])
            size = 0
        chunks[-1].append(event)
        size += cost
    return chunks


def _metric_datum(name: str, unit: str, point: Any) -> dict[str, Any] | None:
    datum: dict[str, Any] = {
        "MetricName": name,
        "Timestamp": datetime.datetime.fromtimestamp(point.time_unix_nano / 1e9, datetime.timezone.utc),
        "Unit": UNITS.get(unit, "None"),
        "Dimensions": [{"Name": str(key), "Value": str(value)} for key, value in (point.attributes or {}).items()][:30],
    }
    if isinstance(point, HistogramDataPoint):
        if point.count == 0:
            return None  # nothing recorded in this interval
        datum["StatisticValues"] = {"SampleCount": point.count, "Sum": point.sum,
                                    "Minimum": point.min, "Maximum": point.max}
    else:
        datum["Value"] = float(point.value)
    return datum


class CloudWatchMetricExporter(MetricExporter):
    """PutMetricData of each export's deltas (sums and histograms) and last values (gauges)."""

    def __init__(self, namespace: str) -> None:
        super().__init__(preferred_temporality=DELTA)  # type: ignore[arg-type]
        self.namespace = namespace

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        data = [datum for resource in metrics_data.resource_metrics for scope in resource.scope_metrics
                for metric in scope.metrics for point in metric.data.data_points
                if (datum := _metric_datum(metric.name, metric.unit or "", point)) is not None]
        for start in range(0, len(data), 500):
            cloudwatch.metrics().put_metric_data(Namespace=self.namespace, MetricData=data[start:start + 500])
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        pass


class XRayIdGenerator(IdGenerator):
    """Trace ids whose first 32 bits are the start time in seconds, as X-Ray requires."""

    def generate_span_id(self) -> int:
        return random.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        return (int(time.time()) << 96) | random.getrandbits(96)


def xray_trace_id(trace_id: int) -> str:
    text = format_trace_id(trace_id)
    return f"1-{text[:8]}-{text[8:]}"


def _annotations(attributes: dict[str, Any]) -> dict[str, Any]:
    return {_ANNOTATION_KEY.sub("_", key)[:500]: value for key, value in attributes.items()
            if isinstance(value, (str, int, float, bool))}


def segment(span: ReadableSpan, service_name: str) -> dict[str, Any]:
    """The X-Ray segment (or subsegment) document of one finished span."""
    context = span.context
    assert context is not None  # a finished SDK span always has one
    attributes = dict(span.attributes or {})
    local_child = span.parent is not None and not span.parent.is_remote
    document: dict[str, Any] = {
        "name": (span.name if local_child else service_name)[:200],
        "id": format_span_id(context.span_id),
        "trace_id": xray_trace_id(context.trace_id),
        "start_time": (span.start_time or 0) / 1e9,
        "end_time": (span.end_time or 0) / 1e9,
        "annotations": _annotations({**attributes, "otel_span_name": span.name}),
        "metadata": {"otel": {"kind": span.kind.name, "attributes": attributes, "events": [
            {"name": event.name, "attributes": dict(event.attributes or {})} for event in span.events]}},
    }
    if span.parent is not None:
        document["parent_id"] = format_span_id(span.parent.span_id)
    if local_child:
        document["type"] = "subsegment"
        if span.kind.name == "CLIENT":
            document["namespace"] = "remote"
    if span.status.status_code is StatusCode.ERROR:
        document["fault"] = True  # X-Ray counts only a present key, so it is set only on failure
        document["cause"] = {"exceptions": _exceptions(span)}
    return document


def _exceptions(span: ReadableSpan) -> list[dict[str, str]]:
    found = [{"id": _cause_id(), "type": str(event.attributes.get("exception.type", "")),
              "message": str(event.attributes.get("exception.message", ""))}
             for event in span.events if event.name == "exception" and event.attributes is not None]
    return found or [{"id": _cause_id(), "message": span.status.description or "error"}]


def _cause_id() -> str:
    return format_span_id(random.getrandbits(64) or 1)


class XRaySpanExporter(SpanExporter):
    """PutTraceSegments, 50 documents per call."""

    def __init__(self, service_name: str) -> None:
        self.service_name = service_name

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        documents = [json.dumps(segment(span, self.service_name), default=repr) for span in spans]
        for start in range(0, len(documents), 50):
            answer = xray.client().put_trace_segments(TraceSegmentDocuments=documents[start:start + 50])
            if answer.get("UnprocessedTraceSegments"):
                return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True

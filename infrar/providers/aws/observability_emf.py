"""Where the platform ships stdout (Lambda, ECS): metrics as Embedded Metric Format lines, traces continued.

EMF: CloudWatch Logs turns a log line that is an EMF document into metrics, so on Lambda and
ECS metrics need no API call and no ``cloudwatch:PutMetricData`` permission. Each export
writes one JSON line per distinct attribute set (the attributes are its dimensions), in the
namespace INFRAR_METRICS_NAMESPACE (default the service name): ``_aws.Timestamp`` (ms),
``_aws.CloudWatchMetrics`` (one directive: Namespace, Dimensions, Metrics with Name and Unit),
each dimension's value and each metric's value at the root. Sums and gauges are numbers;
histograms are the statistic set ``{"Max", "Min", "Count", "Sum"}`` that CloudWatch accepts
from OpenTelemetry's own EMF exporter (awsemf), since the format's plain values would need
every recorded number.

Traces: on Lambda a span opened with no current span continues the invocation's trace, named
by ``_X_AMZN_TRACE_ID`` (read at each such span: the runtime sets it per invocation); and the
global propagator also reads the ``X-Amzn-Trace-Id`` header form, so
``opentelemetry.propagate.extract(request.headers)`` continues a trace begun by a load
balancer or API Gateway (unless OTEL_PROPAGATORS chooses the propagators).
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from opentelemetry import context as otel_context
from opentelemetry import propagate
from opentelemetry.propagators.aws import AwsXRayLambdaPropagator, AwsXRayPropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.metrics.export import HistogramDataPoint, MetricExporter, MetricExportResult, MetricsData
from opentelemetry.trace import Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from infrar.providers.aws.observability_export import DELTA, UNITS

_DIMENSIONS = 30  # the most keys one EMF DimensionSet may hold
_METRICS = 100  # the most metrics one EMF directive may name
_LAMBDA = AwsXRayLambdaPropagator()
F = TypeVar("F", bound=Callable[..., Any])


def _value(point: Any) -> Any:
    if isinstance(point, HistogramDataPoint):
        if point.count == 0:
            return None  # nothing recorded in this interval
        return {"Max": point.max, "Min": point.min, "Count": point.count, "Sum": point.sum}
    return point.value


def documents(namespace: str, metrics_data: MetricsData, timestamp_ms: int) -> list[dict[str, Any]]:
    """The EMF documents of one export: one per attribute set (and per 100 metrics)."""
    grouped: dict[tuple[tuple[str, str], ...], list[tuple[str, str, Any]]] = {}
    for resource in metrics_data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    value = _value(point)
                    if value is not None:
                        dimensions = tuple((str(k), str(v)) for k, v in (point.attributes or {}).items())
                        grouped.setdefault(dimensions[:_DIMENSIONS], []).append(
                            (metric.name, UNITS.get(metric.unit or "", "None"), value))
    found = []
    for dimensions, points in grouped.items():
        for start in range(0, len(points), _METRICS):
            chunk = points[start:start + _METRICS]
            directive = {"Namespace": namespace, "Dimensions": [[key for key, _ in dimensions]],
                         "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in chunk]}
            document: dict[str, Any] = {"_aws": {"Timestamp": timestamp_ms, "CloudWatchMetrics": [directive]}}
            document.update(dimensions)
            document.update((name, value) for name, _, value in chunk)
            found.append(document)
    return found


class EmfMetricExporter(MetricExporter):
    """Each export's deltas (sums, histograms) and last values (gauges) as EMF lines on stdout."""

    def __init__(self, namespace: str) -> None:
        super().__init__(preferred_temporality=DELTA)  # type: ignore[arg-type]
        self.namespace = namespace

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        lines = [json.dumps(document) + "\n" for document in
                 documents(self.namespace, metrics_data, int(time.time() * 1000))]
        sys.stdout.write("".join(lines))
        sys.stdout.flush()
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        pass


def lambda_parent() -> otel_context.Context:
    """The context a new span starts in: the current one, or on Lambda the invocation's X-Ray trace."""
    return _LAMBDA.extract({}, context=otel_context.get_current())


def traced_in_invocation(tracer: Callable[[], Tracer], name: str) -> Callable[[F], F]:
    """``tracer().start_as_current_span(name)`` as a decorator, both read at each call.

    The SDK's own decorator reads its tracer and context once, where the function is decorated;
    a Lambda handler's calls each belong to their own invocation's trace, and to the pipeline
    set up again after the previous invocation's ``shutdown()``.
    """

    def decorate(function: F) -> F:
        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with tracer().start_as_current_span(name, context=lambda_parent()):
                    return await function(*args, **kwargs)

            return cast(F, run_async)

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with tracer().start_as_current_span(name, context=lambda_parent()):
                return function(*args, **kwargs)

        return cast(F, run)

    return decorate


def use_xray_headers() -> None:
    """Let ``opentelemetry.propagate`` read and write X-Amzn-Trace-Id as well as traceparent."""
    if not os.environ.get("OTEL_PROPAGATORS"):
        propagate.set_global_textmap(CompositePropagator([TraceContextTextMapPropagator(), AwsXRayPropagator()]))

"""The OpenTelemetry SDK setup every provider shares: resource, providers, processors, shutdown.

A provider's adapter supplies one function, ``build(resource, redactor) -> Exporters`` (its
native span and metric exporters and its log handlers); ``configured(build)`` sets the SDK up
with them on first use (secrets masked, failures never raised, see export.guarded), installs
the tracer and meter providers as OpenTelemetry's global ones (so any instrumentation, infrar's
messaging propagation included, shares them) and the log handlers on the root logger, and
flushes at ``flush()`` (and keeps running), ``shutdown()`` and at interpreter exit. Configuration is the environment's:
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_ENDPOINT (spans and metrics
then go over OTLP/HTTP to that collector instead), OTEL_SDK_DISABLED (nothing is set up: the
API's no-op tracer and meter), INFRAR_LOG_LEVEL (the level of a logger ``logger`` hands out,
default INFO). The adapters' methods are one OpenTelemetry call each on ``configured(build)``'s
tracer or meter, so erased programs call the SDK directly.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.metrics import Meter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Tracer

from infrar.observability.export import forget_warnings, guarded, redacted_metrics, redacted_spans, warn_once
from infrar.observability.redaction import Redactor, from_environment

SCOPE = "observability"


@dataclass
class Exporters:
    """A provider's destinations; its handlers are closed (so flushed) at shutdown."""

    spans: Any = None  # a SpanExporter
    metrics: Any = None  # a MetricExporter
    handlers: list[logging.Handler] = field(default_factory=list)
    readers: list[Any] = field(default_factory=list)  # extra MetricReaders (an in-memory one, say)
    destination: str = "the configured destination"
    id_generator: Any = None  # X-Ray wants the start time in the trace id
    resource: dict[str, str] = field(default_factory=dict)  # attributes the provider adds (gcp.project_id)
    # The context infrar's own calls start in outside any span (Lambda's trace on aws).
    parent: Callable[[], Context] | None = None


Build = Callable[[Resource, Redactor], Exporters]


class Pipeline(NamedTuple):
    """One configured SDK (or the disabled stand-in)."""

    tracer: Tracer
    meter: Meter
    stop: Callable[[], None]
    parent: Callable[[], Context] | None = None
    flush: Callable[[], None] = lambda: None


_current: Pipeline | None = None
_lock = threading.RLock()  # a build may itself log, or ask for the pipeline


def configured(build: Build, service_name: str | None = None) -> Pipeline:
    """The running pipeline, set up with ``build`` on first use (a later ``service_name`` changes nothing)."""
    global _current
    found = _current
    if found is None:
        with _lock:
            found = _current = _current or _configure(build, service_name)
        atexit.unregister(shutdown)  # once, however many pipelines a process runs
        atexit.register(shutdown)
    return found


def running() -> Pipeline | None:
    return _current


def logger(build: Build, name: str) -> logging.Logger:
    """The stdlib logger ``name`` (its level INFRAR_LOG_LEVEL unless set); the pipeline's handlers are on the root."""
    configured(build)
    found = logging.getLogger(name)
    if found.level == logging.NOTSET:
        found.setLevel(os.environ.get("INFRAR_LOG_LEVEL", "INFO").upper())
    return found


def flush() -> None:
    """Export everything recorded so far and keep running (a Lambda handler's end: its threads freeze next)."""
    found = _current
    if found is not None:
        found.flush()


def shutdown() -> None:
    """Flush and stop: every span, metric and log line recorded so far is exported (or dropped with a warning)."""
    global _current
    with _lock:
        found, _current = _current, None
    if found is not None:
        found.stop()


def _disabled() -> Pipeline:
    return Pipeline(trace.NoOpTracer(), metrics.NoOpMeter(SCOPE), lambda: None)


def sdk_disabled() -> bool:
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def _configure(build: Build, service_name: str | None) -> Pipeline:
    if sdk_disabled():
        return _disabled()
    forget_warnings()
    resource = Resource.create({"service.name": service_name} if service_name else {})
    redactor = from_environment()
    try:
        exporters = build(resource, redactor)
    except Exception as exc:  # missing configuration or SDK: observability must not stop the program
        warn_once("the provider's observability destination", exc, redactor)
        return _disabled()
    _use_otlp(exporters, redactor)
    resource = resource.merge(Resource(exporters.resource))
    # shutdown_on_exit off: our own exit hook stops logging first, then these.
    tracer_provider = TracerProvider(resource=resource, id_generator=exporters.id_generator, shutdown_on_exit=False)
    if exporters.spans is not None:
        guarded(exporters.spans, redactor, exporters.destination, redacted_spans)
        tracer_provider.add_span_processor(BatchSpanProcessor(exporters.spans))
    readers = list(exporters.readers)
    if exporters.metrics is not None:
        guarded(exporters.metrics, redactor, exporters.destination, redacted_metrics)
        readers.append(PeriodicExportingMetricReader(exporters.metrics))
    meter_provider = MeterProvider(resource=resource, metric_readers=readers, shutdown_on_exit=False)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    for handler in exporters.handlers:
        logging.getLogger().addHandler(handler)

    def stop() -> None:
        for handler in exporters.handlers:
            logging.getLogger().removeHandler(handler)
        tracer_provider.shutdown()
        meter_provider.shutdown()
        for handler in exporters.handlers:
            handler.close()  # a batching handler sends what it holds

    def flush() -> None:
        tracer_provider.force_flush()
        meter_provider.force_flush()
        for handler in exporters.handlers:
            handler.flush()  # a batching handler sends what it holds, in this thread

    return Pipeline(tracer_provider.get_tracer(SCOPE), meter_provider.get_meter(SCOPE), stop, exporters.parent, flush)


def _use_otlp(exporters: Exporters, redactor: Redactor) -> None:
    """With OTEL_EXPORTER_OTLP_ENDPOINT set, spans and metrics go to that collector (logs stay native).

    The OTLP exporter is imported only then: a program that never names a collector needs only
    the SDK. Without the package, the native destinations stay, after one warning.
    """
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:
        missing = ImportError(f"{exc}; pip install opentelemetry-exporter-otlp-proto-http")
        warn_once("the OTLP collector at OTEL_EXPORTER_OTLP_ENDPOINT", missing, redactor)
        return
    exporters.spans, exporters.metrics = OTLPSpanExporter(), OTLPMetricExporter()
    exporters.destination = "the OTLP collector at OTEL_EXPORTER_OTLP_ENDPOINT"

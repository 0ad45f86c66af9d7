"""The OpenTelemetry SDK setup every provider shares: resource, providers, processors, shutdown.

A provider's adapter supplies one function, ``build(settings) -> Exporters`` (its native span
and metric exporters and its log handlers); this module wraps them (secrets masked, failures
never raised), installs the tracer and meter providers as OpenTelemetry's global ones (so
any instrumentation, infrar's messaging propagation included, shares them), and flushes at
``shutdown()`` and at interpreter exit. The first use configures it from the environment:
OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_ENDPOINT (spans and metrics
then go over OTLP/HTTP to that collector instead), OTEL_SDK_DISABLED (nothing is set up: the
API's no-op tracer and meter, plain stdlib loggers), INFRAR_LOG_LEVEL (default INFO).
"""

from __future__ import annotations

import atexit
import functools
import inspect
import logging
import os
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.metrics import Meter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, Tracer

from infrar.observability.export import SafeMetricExporter, SafeSpanExporter, forget_warnings, warn_once
from infrar.observability.redaction import Redactor, from_environment

SCOPE = "observability"
# Called with the tracer once a pipeline runs and with None when it stops (infrar's dispatch
# listens, to trace every infrar call; nothing else needs to).
listeners: list[Callable[[Tracer | None], None]] = []
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Settings:
    """What a provider's ``build`` is given."""

    service_name: str
    redactor: Redactor
    attributes: dict[str, str]  # the resource attributes (service.name, OTEL_RESOURCE_ATTRIBUTES ...)
    resource: Any = None  # the SDK Resource itself, for exporters that take one


@dataclass
class Exporters:
    """A provider's destinations; ``closers`` run at shutdown after the handlers flush."""

    spans: object | None = None  # a SpanExporter
    metrics: object | None = None  # a MetricExporter
    handlers: list[logging.Handler] = field(default_factory=list)
    readers: list[object] = field(default_factory=list)  # extra MetricReaders (an in-memory one in tests)
    closers: list[Callable[[], None]] = field(default_factory=list)
    destination: str = "the configured destination"
    id_generator: object | None = None  # X-Ray wants the start time in the trace id
    resource_attributes: dict[str, str] = field(default_factory=dict)  # added by the provider (gcp.project_id)
    # The context each API span starts in, when not simply the current one (Lambda's trace on aws).
    parent: Callable[[], Context] | None = None


Build = Callable[[Settings], Exporters]


class Pipeline:
    """One configured SDK (or the disabled stand-in): its tracer, meter and log handlers."""

    def __init__(self, tracer: Tracer, meter: Meter, handlers: list[logging.Handler],
                 stop: Callable[[], None], parent: Callable[[], Context] | None = None) -> None:
        self.tracer, self.meter, self.handlers, self._stop = tracer, meter, handlers, stop
        self.parent = parent
        self.loggers: set[str] = set()
        # open(name, attributes=...) starts a current span: the SDK's own method when spans start
        # in the current context (no extra frame on the hot path), else one asking the provider.
        self.open: Callable[..., AbstractContextManager[Span]] = \
            tracer.start_as_current_span if parent is None else self._open_in_parent

    def _open_in_parent(self, name: str, attributes: Mapping[str, Any] | None = None) -> AbstractContextManager[Span]:
        assert self.parent is not None  # chosen only with one
        return self.tracer.start_as_current_span(name, context=self.parent(), attributes=attributes)

    def logger(self, name: str) -> logging.Logger:
        found = logging.getLogger(name)
        if name not in self.loggers and not self._ancestor_attached(name):
            for handler in self.handlers:
                found.addHandler(handler)
            if found.level == logging.NOTSET:
                found.setLevel(os.environ.get("INFRAR_LOG_LEVEL", "INFO").upper())
            self.loggers.add(name)
        return found

    def _ancestor_attached(self, name: str) -> bool:
        return any(name.startswith(attached + ".") for attached in self.loggers)

    def stop(self) -> None:
        for name in self.loggers:
            for handler in self.handlers:
                logging.getLogger(name).removeHandler(handler)
        self._stop()


_current: Pipeline | None = None
_lock = threading.RLock()
_exit_registered = False


def disabled() -> bool:
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def running() -> Pipeline | None:
    return _current


def current(build: Build, service_name: str | None = None) -> Pipeline:
    """The running pipeline, set up with ``build`` on first use."""
    found = _current
    if found is not None:
        return found
    return setup(build, service_name)


def setup(build: Build, service_name: str | None = None) -> Pipeline:
    """Configure once per process (a second call returns the running pipeline)."""
    global _current, _exit_registered
    with _lock:
        if _current is None:
            _current = _disabled() if disabled() else _configure(build, service_name)
            if not _exit_registered:
                atexit.register(shutdown)
                _exit_registered = True
        return _current


def tracer(build: Build) -> Tracer:
    return current(build).tracer


def meter(build: Build) -> Meter:
    return current(build).meter


def logger(build: Build, name: str) -> logging.Logger:
    return current(build).logger(name)


def shutdown() -> None:
    """Flush and stop: every span, metric and log line recorded so far is exported (or dropped with a warning)."""
    global _current
    with _lock:
        found, _current = _current, None
    if found is not None:
        found.stop()


def _disabled() -> Pipeline:
    return Pipeline(trace.NoOpTracer(), metrics.NoOpMeter(SCOPE), [], lambda: None)


def _configure(build: Build, service_name: str | None) -> Pipeline:
    forget_warnings()
    overrides = {"service.name": service_name} if service_name else {}
    resource = Resource.create(overrides)
    redactor = from_environment()
    attributes = {key: str(value) for key, value in resource.attributes.items()}
    settings = Settings(str(resource.attributes.get("service.name")), redactor, attributes, resource)
    try:
        exporters = build(settings)
    except Exception as exc:  # missing configuration or SDK: observability must not stop the program
        warn_once("the provider's observability destination", exc, redactor)
        return _disabled()
    _use_otlp(exporters, redactor)
    resource = resource.merge(Resource(exporters.resource_attributes))
    # shutdown_on_exit off: our own exit hook flushes the log handlers first, then these.
    tracer_provider = TracerProvider(resource=resource, id_generator=exporters.id_generator,  # type: ignore[arg-type]
                                     shutdown_on_exit=False)
    if exporters.spans is not None:
        safe = SafeSpanExporter(exporters.spans, redactor, exporters.destination)  # type: ignore[arg-type]
        tracer_provider.add_span_processor(BatchSpanProcessor(safe))
    readers = list(exporters.readers)
    if exporters.metrics is not None:
        safe_metrics = SafeMetricExporter(exporters.metrics, redactor, exporters.destination)  # type: ignore[arg-type]
        readers.append(PeriodicExportingMetricReader(safe_metrics))
    meter_provider = MeterProvider(resource=resource, metric_readers=readers,  # type: ignore[arg-type]
                                   shutdown_on_exit=False)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)

    def stop() -> None:
        for listener in listeners:
            listener(None)
        for handler in exporters.handlers:
            handler.flush()
        tracer_provider.shutdown()
        meter_provider.shutdown()
        for close in exporters.closers:
            close()

    pipeline = Pipeline(tracer_provider.get_tracer(SCOPE), meter_provider.get_meter(SCOPE), exporters.handlers, stop,
                        exporters.parent)
    for listener in listeners:
        listener(pipeline.tracer)
    return pipeline


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


def span(build: Build, name: str, attributes: Mapping[str, Any] | None) -> AbstractContextManager[Span]:
    """A child of the current span; an exception is recorded on it (status ERROR) and re-raised."""
    # The hot path of the API: no helper calls, no copy (the SDK copies the attributes itself).
    return (_current or setup(build)).open(name, attributes=attributes)


def traced(build: Build, name: str) -> Callable[[F], F]:
    """A decorator running each call inside ``span(build, name, None)``; for ``async def``, each await of it."""

    def decorate(function: F) -> F:
        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with (_current or setup(build)).open(name):
                    return await function(*args, **kwargs)

            return cast(F, run_async)

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with (_current or setup(build)).open(name):
                return function(*args, **kwargs)

        return cast(F, run)

    return decorate

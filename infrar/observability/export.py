"""Every exporter goes through ``guarded``: secrets are masked first, and a failure never reaches user code.

A failing destination (dead endpoint, missing permission) is reported once per destination
as a warning on the ``observability.export`` logger (never exported itself), and the batch is
dropped: the SDK's batch processors keep a bounded queue in front of the exporter, so a
dead endpoint costs bounded memory and no exception.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from opentelemetry.sdk.metrics.export import MetricsData
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.trace import Status

from infrar.observability.redaction import Redactor, sensitive_name

WARNINGS = logging.getLogger("observability.export")
_warned: set[str] = set()
_warned_lock = threading.Lock()


def warn_once(destination: str, exc: BaseException, redactor: Redactor) -> None:
    """One warning per destination and process: the second failure is silent."""
    with _warned_lock:
        if destination in _warned:
            return
        _warned.add(destination)
    WARNINGS.warning(
        "observability: exporting to %s failed (%s); dropping data from now on until it answers "
        "(check the endpoint and credentials; this warning is shown once)", destination,
        redactor.text(f"{type(exc).__name__}: {exc}")[:300],
    )


def forget_warnings() -> None:
    """Tests and a new pipeline start with a clean slate."""
    with _warned_lock:
        _warned.clear()


def guarded(exporter: Any, redactor: Redactor, destination: str, redact: Callable[[Any, Redactor], Any]) -> None:
    """Make ``exporter`` send ``redact(batch)`` from ``export``, and none of its methods raise.

    The SDK's processors and readers call these three methods and ignore what a failed call
    returns, so the methods are replaced on the instance: the exporter keeps its own class and
    settings (a metric exporter's temporality is read from it).
    """

    def wrap(name: str) -> Callable[..., Any]:
        call = getattr(exporter, name)

        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                if name == "export":
                    args = (redact(args[0], redactor), *args[1:])
                result = call(*args, **kwargs)
            except Exception as exc:
                warn_once(destination, exc, redactor)
                return None
            if name == "export" and getattr(result, "name", "SUCCESS") != "SUCCESS":
                warn_once(destination, RuntimeError("the exporter reported a failure"), redactor)
            return result

        return run

    for name in ("export", "force_flush", "shutdown"):
        setattr(exporter, name, wrap(name))


def _masked_span(span: ReadableSpan, attributes: dict[str, Any], redactor: Redactor) -> ReadableSpan:
    events = [Event(event.name, redactor.attributes(event.attributes), event.timestamp) for event in span.events]
    status = span.status
    if status.description:
        status = Status(status.status_code, redactor.text(status.description))
    return ReadableSpan(
        name=redactor.text(span.name), context=span.context, parent=span.parent, resource=span.resource,
        attributes=attributes, events=events, links=span.links, kind=span.kind, status=status,
        start_time=span.start_time, end_time=span.end_time, instrumentation_scope=span.instrumentation_scope,
    )


def redacted_span(span: ReadableSpan, redactor: Redactor) -> ReadableSpan:
    """``span`` itself when nothing in it needs masking (the common case), else a masked copy.

    Runs in the export thread for every span, so the common case is one frame: the SDK's
    attribute dict is read directly (the public ``span.attributes`` is a slow Python-level
    proxy; any other shape falls back to it), the event count without building the tuple
    ``span.events`` builds, and each text's verdict from the redactor's memory.
    """
    attributes: Mapping[str, Any] | None = getattr(getattr(span, "_attributes", None), "_dict", None)
    if type(attributes) is not dict:
        attributes = span.attributes or {}
    events = getattr(span, "_events", None)
    verdicts, touches = redactor.verdicts, redactor.touches
    dirty = bool(len(events) if events is not None else span.events) or bool(span.status.description) \
        or (verdicts.get(span.name) is not False and touches(span.name))
    if not dirty:  # the loop of redactor.clean, inlined: this is the export thread's hot path
        for name, value in attributes.items():
            if sensitive_name(name) or (type(value) is str and verdicts.get(value) is not False and touches(value)) \
                    or (type(value) in (list, tuple) and not redactor.clean({name: value})):
                dirty = True
                break
    return _masked_span(span, redactor.attributes(attributes), redactor) if dirty else span


def redacted_spans(spans: Sequence[ReadableSpan], redactor: Redactor) -> list[ReadableSpan]:
    return [redacted_span(span, redactor) for span in spans]


def redacted_metrics(data: MetricsData, redactor: Redactor) -> MetricsData:
    """A copy of ``data`` with every data point's attributes masked."""
    replace = dataclasses.replace

    def masked(metric: Any) -> Any:
        points = [replace(point, attributes=redactor.attributes(point.attributes)) for point in metric.data.data_points]
        return replace(metric, data=replace(metric.data, data_points=points))

    return MetricsData(resource_metrics=[
        replace(resource, scope_metrics=[replace(scope, metrics=[masked(metric) for metric in scope.metrics])
                                         for scope in resource.scope_metrics])
        for resource in data.resource_metrics])

"""Logs, metrics and traces on OpenTelemetry: one small API, each cloud's native destination.

- ``get_logger(name)``: a stdlib ``logging.Logger``; each record carries its ``extra=`` fields,
  the current trace and span ids and its severity to the provider's log service.
- ``counter`` / ``histogram`` / ``gauge``: OpenTelemetry instruments (``.add(n, attributes)``,
  ``.record(v, attributes)``, ``.set(v, attributes)``).
- ``span(name, attributes)``: a context manager opening a child of the current span;
  an exception is recorded on the span and re-raised. ``traced(name)``: the same as a decorator.
- ``setup(service_name)`` is optional (the first use configures everything from the
  environment); ``flush()`` exports what was recorded and goes on (the end of a Lambda handler);
  ``shutdown()`` flushes and stops, and runs by itself at interpreter exit.

While observability is on, every other infrar call (storage, database, cache ...) appears as a
child span named ``<domain>.<function>`` with the resource it names as an attribute.
Importing this module imports neither the OpenTelemetry SDK nor a cloud SDK.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from infrar.dispatch import adapter as _adapter

if TYPE_CHECKING:
    from opentelemetry.metrics import Counter, Histogram, _Gauge
    from opentelemetry.trace import Span

__all__ = ["counter", "flush", "gauge", "get_logger", "histogram", "setup", "shutdown", "span", "traced"]

_DOMAIN = "observability"
F = TypeVar("F", bound=Callable[..., Any])
_following = False


def _follow() -> None:
    """On first use, let dispatch trace every other infrar call while a pipeline runs.

    Not at import: following imports the OpenTelemetry SDK, which ``import infrar.observability``
    must not. Erased programs have no dispatch, so erase drops this with the function bodies.
    """
    global _following
    if not _following:
        from infrar.observability import dispatch_tracing

        dispatch_tracing.listen()
        _following = True


def get_logger(name: str) -> logging.Logger:
    """The stdlib logger ``name``, exporting to the provider's log service (and still propagating)."""
    _follow()
    found: logging.Logger = _adapter(_DOMAIN).get_logger(name)
    return found


def counter(name: str, unit: str = "1", description: str = "") -> Counter:
    """A monotonic sum: ``counter("orders").add(1, {"region": "eu"})``."""
    _follow()
    found: Counter = _adapter(_DOMAIN).counter(name, unit, description)
    return found


def histogram(name: str, unit: str = "1", description: str = "") -> Histogram:
    """A distribution: ``histogram("latency", "ms").record(12.5, {"route": "/"})``."""
    _follow()
    found: Histogram = _adapter(_DOMAIN).histogram(name, unit, description)
    return found


def gauge(name: str, unit: str = "1", description: str = "") -> _Gauge:
    """A last value: ``gauge("queue_depth").set(17, {"queue": "jobs"})``."""
    _follow()
    found: _Gauge = _adapter(_DOMAIN).gauge(name, unit, description)
    return found


def span(name: str, attributes: Mapping[str, Any] | None = None) -> AbstractContextManager[Span]:
    """``with span("checkout", {"cart.items": 3}):`` a child of the current span; exceptions recorded, re-raised."""
    if not _following:  # the hot path of the API: the flag, not a call
        _follow()
    found: AbstractContextManager[Span] = _adapter(_DOMAIN).span(name, attributes)
    return found


def traced(name: str) -> Callable[[F], F]:
    """``@traced("load_orders")``: each call of the decorated function runs inside ``span(name)``."""
    _follow()
    found: Callable[[F], F] = _adapter(_DOMAIN).traced(name)
    return found


def setup(service_name: str | None = None) -> None:
    """Configure now (otherwise the first use does), naming the service (default: OTEL_SERVICE_NAME)."""
    _follow()
    _adapter(_DOMAIN).setup(service_name)


def flush() -> None:
    """Export every span, metric point and log line recorded so far, now, and keep observing."""
    _follow()
    _adapter(_DOMAIN).flush()


def shutdown() -> None:
    """Flush everything recorded and stop exporting (also run at interpreter exit)."""
    _follow()
    _adapter(_DOMAIN).shutdown()

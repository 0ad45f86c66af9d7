"""Every infrar call as a child span while observability is on: ``<domain>.<function>``, resource attribute.

Dispatch stays as fast as before when observability is off: nothing here runs until a
pipeline is set up. Then ``follow`` asks dispatch to wrap each adapter it resolves in a
``TracedAdapter`` (once per adapter instance, kept in dispatch's cache), whose methods open a
span around the real call. The resource name comes from the plugin's manifest
(``resource: {parameter, kind}``), read once per method; it is the only argument recorded.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from opentelemetry.trace import SpanKind, Tracer

from infrar import dispatch, plugins
from infrar.observability import pipeline

# The observability domain itself is never wrapped: its calls are the spans.
_SKIP = frozenset({"observability"})


def _resource_of(domain: str, method: str) -> tuple[str, str] | None:
    """(parameter, kind) of the resource ``method`` names, from its plugin's manifest."""
    try:
        plugin = plugins.get(domain)
    except Exception:  # a domain without a manifest (a test double): no resource attribute
        return None
    for qualified, resource in plugin.resources.items():
        if plugins.method_name(plugin, qualified) == method:
            return resource.parameter, resource.kind
    return None


def _position(bound: Callable[..., Any], parameter: str) -> int | None:
    try:
        names = list(inspect.signature(bound).parameters)
    except (TypeError, ValueError):
        return None
    return names.index(parameter) if parameter in names else None


class TracedAdapter:
    """Stands in for one adapter: the same methods, each inside a span."""

    def __init__(self, domain: str, inner: Any, tracer: Tracer) -> None:
        self._domain, self._inner, self._tracer = domain, inner, tracer

    def __getattr__(self, method: str) -> Any:
        real = getattr(self._inner, method)
        if method.startswith("_") or not callable(real):
            return real
        wrapped = self._wrap(method, real)
        setattr(self, method, wrapped)  # later lookups skip __getattr__
        return wrapped

    def _wrap(self, method: str, real: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{self._domain}.{method}"
        parameter, kind = _resource_of(self._domain, method) or (None, None)
        position = _position(real, parameter) if parameter else None
        tracer = self._tracer
        # Where the provider starts spans in a context of its own (Lambda's trace on aws), so do
        # infrar calls made outside any span; read once per method: a new pipeline makes new proxies.
        running = pipeline.running()
        parent = running.parent if running is not None else None

        @functools.wraps(real)
        def traced(*args: Any, **kwargs: Any) -> Any:
            attributes: dict[str, Any] = {"infrar.domain": self._domain}
            if parameter is not None:
                value = kwargs.get(parameter, args[position] if position is not None and position < len(args) else None)
                if isinstance(value, str):
                    attributes[f"infrar.{kind}"] = value
                    attributes["infrar.resource"] = value
            context = parent() if parent is not None else None
            with tracer.start_as_current_span(name, context=context, kind=SpanKind.CLIENT, attributes=attributes):
                return real(*args, **kwargs)

        return traced


_proxies: dict[tuple[str, int], tuple[Any, TracedAdapter]] = {}


def wrap(domain: str, found: Any, tracer: Tracer) -> Any:
    if domain in _SKIP or domain.partition(".")[0] in _SKIP:
        return found
    key = (domain, id(found))
    entry = _proxies.get(key)
    if entry is None or entry[0] is not found:  # an id reused after dispatch.reset() is a new adapter
        entry = _proxies[key] = (found, TracedAdapter(domain, found, tracer))
    return entry[1]


def follow(tracer: Tracer | None) -> None:
    """The pipeline's listener: wrap adapters while a pipeline runs, serve them bare once it stops."""
    _proxies.clear()
    if tracer is None:
        dispatch.wrap_adapters(None)
    else:
        dispatch.wrap_adapters(lambda domain, found: wrap(domain, found, tracer))


def listen() -> None:
    """Follow the pipeline from now on (idempotent); a pipeline already running is followed at once."""
    if follow not in pipeline.listeners:
        pipeline.listeners.append(follow)
        running = pipeline.running()
        if running is not None:
            follow(running.tracer)

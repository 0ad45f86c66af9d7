"""Every infrar call as a child span while observability is on: ``<domain>.<function>``, resource attribute.

Dispatch stays as fast as before until observability is first used. Then ``listen`` asks
dispatch to wrap each adapter it resolves in a ``TracedAdapter`` (once per adapter instance,
kept in dispatch's cache), whose methods open a span around the real call on the pipeline
running at that moment (none after ``shutdown()``: the call goes straight through). Reading
the running pipeline per call keeps the pipeline itself free of hooks, so erased programs,
which have no dispatch, carry none. The resource name comes from the plugin's manifest
(``resource: {parameter, kind}``), read once per method; it is the only argument recorded.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from opentelemetry.trace import SpanKind

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
    """Stands in for one adapter: the same methods, each inside a span while a pipeline runs."""

    def __init__(self, domain: str, inner: Any) -> None:
        self._domain, self._inner = domain, inner

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

        @functools.wraps(real)
        def traced(*args: Any, **kwargs: Any) -> Any:
            running = pipeline.running()
            if running is None:
                return real(*args, **kwargs)
            attributes: dict[str, Any] = {"infrar.domain": self._domain}
            if parameter is not None:
                value = kwargs.get(parameter, args[position] if position is not None and position < len(args) else None)
                if isinstance(value, str):
                    attributes[f"infrar.{kind}"] = value
                    attributes["infrar.resource"] = value
            # Where the provider starts spans in a context of its own (Lambda's trace on aws), so do
            # infrar calls made outside any span.
            context = running.parent() if running.parent is not None else None
            with running.tracer.start_as_current_span(name, context=context, kind=SpanKind.CLIENT,
                                                      attributes=attributes):
                return real(*args, **kwargs)

        return traced


_proxies: dict[tuple[str, int], tuple[Any, TracedAdapter]] = {}


def wrap(domain: str, found: Any) -> Any:
    if domain in _SKIP or domain.partition(".")[0] in _SKIP or pipeline.sdk_disabled():
        return found
    key = (domain, id(found))
    entry = _proxies.get(key)
    if entry is None or entry[0] is not found:  # an id reused after dispatch.reset() is a new adapter
        entry = _proxies[key] = (found, TracedAdapter(domain, found))
    return entry[1]


_listening = False


def listen() -> None:
    """Trace infrar calls from now on, on whichever pipeline runs (idempotent)."""
    global _listening
    if not _listening:
        dispatch.wrap_adapters(wrap)
        _listening = True

"""(domain, provider) -> one adapter instance per process: lazy, thread-safe, fork-safe.

``adapter(domain)`` is the hot path of every SDK call: a C-level dict lookup in a per-domain
cache, about 30 ns, with no environment read. The cache is emptied whenever the selection
may change (see ``infrar.config``: a ``use_provider`` block opening or closing, a write of
INFRAR_PROVIDER through ``os.environ``), and holds nothing while a ``use_provider`` block
is open anywhere, since the override differs per context. A miss reads the selection,
imports the adapter module (and with it that provider's SDK, never another's) and builds
the instance.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from infrar import config
from infrar.errors import ConfigurationError, MissingDependency

if TYPE_CHECKING:
    from infrar.plugins import Plugin

_lock = threading.Lock()
_adapters: dict[tuple[str, str], Any] = {}
_cache_lock = threading.Lock()


class _SelectedAdapters(dict[str, Any]):
    """domain -> the adapter of the selected provider; a miss selects and, if still valid, keeps."""

    def __missing__(self, domain: str) -> Any:
        seen = config.selection_state()
        found = adapter_for(domain, config.selected_provider_raw())
        if _wrap is not None:  # observability is on: the cache keeps the tracing proxy
            found = _wrap(domain, found)
        if seen[1] == 0 and config.environ_watched():
            with _cache_lock:  # the check and the store are one step against _forget()
                if config.selection_state() == seen:
                    self[domain] = found
        return found


_selected = _SelectedAdapters()
_wrap: Callable[[str, Any], Any] | None = None

adapter: Callable[[str], Any] = _selected.__getitem__
"""The adapter instance serving ``domain`` on the selected provider (``adapter("storage")``)."""


def _forget_selection() -> None:
    with _cache_lock:
        _selected.clear()


config.on_selection_change(_forget_selection)


def wrap_adapters(wrapper: Callable[[str, Any], Any] | None) -> None:
    """Serve ``wrapper(domain, adapter)`` instead of each adapter from now on (None: the adapters themselves).

    infrar.observability installs its tracing proxy here; only a cache miss calls the
    wrapper, so the hot path costs the same with or without it.
    """
    global _wrap
    _wrap = wrapper
    _forget_selection()


def adapter_for(domain: str, provider: str) -> Any:
    """The adapter instance for an explicit provider (provider-only features use this)."""
    key = (domain, provider)
    found = _adapters.get(key)
    if found is None:
        found = _build(domain, provider)
    return found


def _build(domain: str, provider: str) -> Any:
    config.validate_provider(provider)
    with _lock:
        found = _adapters.get((domain, provider))
        if found is None:
            found = load_adapter_class(domain, provider)()
            _adapters[(domain, provider)] = found
    return found


def load_adapter_class(domain: str, provider: str) -> type:
    """Import the class named in the ``adapters`` table of ``domain``'s plugin for ``provider``."""
    # Imported here: plugin discovery reads YAML and package metadata, which
    # `import infrar.storage` must not pay for.
    from infrar import plugins

    return adapter_class(plugins.get(domain), provider)


def adapter_class(plugin: Plugin, provider: str) -> type:
    """Import the class ``plugin`` names for ``provider``; a missing SDK is MissingDependency."""
    target = plugin.adapters.get(provider)
    if target is None:
        offered = ", ".join(plugin.adapters) or "none"
        raise ConfigurationError(
            f"plugin {plugin.name} has no adapter for provider {provider!r} "
            f"(it offers: {offered}); set INFRAR_PROVIDER to one of those"
        )
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == module_name or module_name.startswith(exc.name + ".")):
            raise
        raise MissingDependency(
            f"{plugin.name} on {provider} needs the Python package providing {exc.name!r}, "
            f"which is not installed: {_install_command(plugin, provider)}"
        ) from exc
    cls: type = getattr(module, class_name)
    return cls


def _install_command(plugin: Plugin, provider: str) -> str:
    if plugin.package.partition(".")[0] == "infrar" or not plugin.requirements.get(provider):
        return f"pip install 'infrar[{provider}]'"
    return "pip install " + " ".join(f"'{r}'" for r in plugin.requirements[provider])


def reset() -> None:
    """Drop every adapter and every provider's cached clients.

    Called after ``fork`` (a client's sockets must not be shared with the parent) and by
    tests that point a provider at a new endpoint.
    """
    with _lock:
        _adapters.clear()
    _forget_selection()
    for provider in config.PROVIDERS:
        module = _loaded_clients_module(provider)
        if module is not None:
            module.reset()


def _loaded_clients_module(provider: str) -> Any:
    # Only reset what is already imported: resetting must never load a cloud SDK.
    return sys.modules.get(f"infrar.providers.{provider}._clients")


def _reset_after_fork() -> None:
    global _lock, _cache_lock
    _lock = threading.Lock()
    _cache_lock = threading.Lock()
    reset()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)

"""Provider selection and infrar-only settings, read from the environment.

Native settings (AWS_*, GOOGLE_CLOUD_PROJECT, AZURE_STORAGE_CONNECTION_STRING, ...) are
read by each provider's ``_clients/`` modules, never here, so erased code is configured the
same way as the runtime SDK. Which variables each plugin reads is in its ``plugin.yaml``.

The selection is the ``use_provider`` override of the current context, else
``INFRAR_PROVIDER``, else ``local``. Dispatch caches the adapter it chose and is told here
(``on_selection_change``) whenever that choice may have changed: when a ``use_provider``
block opens or closes, and when INFRAR_PROVIDER is written through ``os.environ`` (which
is what ``monkeypatch.setenv``/``delenv``, ``mock.patch.dict`` and scripts do). A change
made behind ``os.environ``'s back (``os.putenv``, C code) is invisible to ``os.environ``
itself and so to infrar too.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from infrar.errors import ConfigurationError

PROVIDERS: tuple[str, ...] = ("local", "aws", "gcp", "azure")
DEFAULT_PROVIDER = "local"
PROVIDER_VARIABLE = "INFRAR_PROVIDER"

# A contextvar, not a process-wide stack: a background thread (a subscriber loop, a pool
# worker) keeps the provider of the context it was started in, whatever another thread
# switches to meanwhile. Threads see an override only when started in a copy of the
# context (`spawn_thread` below, or ``contextvars.copy_context().run``).
_override: ContextVar[str | None] = ContextVar("infrar_provider_override", default=None)

_state_lock = threading.Lock()
_generation = 0  # bumped on every change that may alter the selection, in any thread
_open_overrides = 0  # use_provider blocks open in any context
_listeners: list[Callable[[], None]] = []


def validate_provider(name: str, source: str = PROVIDER_VARIABLE) -> str:
    """Return ``name`` if it is a known provider, else raise a ConfigurationError."""
    if name not in PROVIDERS:
        valid = ", ".join(PROVIDERS)
        raise ConfigurationError(
            f"{source}={name!r} is not a provider infrar knows; set it to one of: {valid}"
        )
    return name


def selected_provider_raw() -> str:
    """The provider name as configured, unvalidated: override first, then the environment."""
    return _override.get() or os.environ.get(PROVIDER_VARIABLE) or DEFAULT_PROVIDER


def current_provider() -> str:
    """The validated provider every SDK call dispatches to."""
    return validate_provider(selected_provider_raw())


def selection_state() -> tuple[int, int]:
    """(generation, open ``use_provider`` blocks): a cache of the selection is valid while
    the generation is unchanged, and only worth keeping while no override is open."""
    with _state_lock:
        return _generation, _open_overrides


def on_selection_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` (after the change is visible) whenever the selection may change."""
    _listeners.append(listener)


def environ_watched() -> bool:
    """Whether writes of INFRAR_PROVIDER through ``os.environ`` reach ``on_selection_change``."""
    return isinstance(getattr(os.environ, "_data", None), _WatchedEnviron)


def _selection_changed(opened: int = 0) -> None:
    global _generation, _open_overrides
    with _state_lock:
        _generation += 1
        _open_overrides += opened
    for listener in _listeners:
        listener()


class _WatchedEnviron(dict):  # type: ignore[type-arg]
    """``os.environ``'s own storage, reporting writes of INFRAR_PROVIDER.

    ``os.environ`` keeps its values in this dict (``_data``) and writes it only through
    ``[key] = value`` and ``del [key]``; every other method (update, pop, clear ...) is
    built on those two, so these overrides see every change made through ``os.environ``.
    """

    __slots__ = ()

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, value)
        if key == _PROVIDER_KEY:
            _selection_changed()

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, key)
        if key == _PROVIDER_KEY:
            _selection_changed()


def _watch_environ() -> Any:
    data = getattr(os.environ, "_data", None)
    encode = getattr(os.environ, "encodekey", None)
    if type(data) is not dict or encode is None:  # not CPython's os._Environ: dispatch won't cache
        return None
    os.environ._data = _WatchedEnviron(data)  # type: ignore[attr-defined]
    return encode(PROVIDER_VARIABLE)


_PROVIDER_KEY: Any = None
_PROVIDER_KEY = _watch_environ()


def spawn_thread(target: Callable[..., object], *args: object, name: str | None = None,
                 daemon: bool | None = None) -> threading.Thread:
    """An unstarted thread that runs ``target(*args)`` in a copy of the caller's context.

    Infrar starts its own threads this way, so work begun inside ``use_provider`` keeps
    dispatching to that provider; user code can do the same, or submit
    ``contextvars.copy_context().run`` to an executor.
    """
    context = contextvars.copy_context()
    return threading.Thread(target=context.run, args=(target, *args), name=name, daemon=daemon)


@contextmanager
def use_provider(name: str) -> Iterator[str]:
    """Dispatch to ``name`` inside the block, whatever INFRAR_PROVIDER says.

    The choice belongs to the current context (thread or asyncio task): other threads keep
    theirs, and a thread started inside sees it only if started in a copy of this context
    (``spawn_thread``).

    >>> with use_provider("local"):
    ...     pass
    """
    validate_provider(name, source="use_provider")
    token = _override.set(name)
    _selection_changed(opened=1)
    try:
        yield name
    finally:
        _override.reset(token)
        _selection_changed(opened=-1)

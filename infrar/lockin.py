"""Provider-only features: a warning the first time each one is used in a process."""

from __future__ import annotations

import threading
import warnings

from infrar import config, dispatch
from infrar.errors import ConfigurationError

_lock = threading.Lock()
_warned: set[str] = set()


class LockInWarning(UserWarning):
    """Code used a feature only one provider has; it can no longer move to the others."""


def warn_lock_in(feature: str, provider: str) -> None:
    """Warn once per feature per process that ``feature`` ties the program to ``provider``."""
    with _lock:
        if feature in _warned:
            return
        _warned.add(feature)
    others = ", ".join(p for p in config.PROVIDERS if p not in ("local", provider))
    warnings.warn(
        f"{feature} exists only on {provider}: using it rules out {others} "
        f"(erasing this program to another provider will fail); "
        "prefer a provider-neutral infrar API where one exists",
        LockInWarning,
        stacklevel=4,
    )


def provider_only_adapter(domain: str, feature: str, provider: str) -> object:
    """Warn about lock-in, check INFRAR_PROVIDER matches, and return the provider's adapter."""
    warn_lock_in(feature, provider)
    selected = config.current_provider()
    if selected != provider:
        raise ConfigurationError(
            f"{feature} is a {provider}-only feature but INFRAR_PROVIDER is {selected!r}; "
            f"run with INFRAR_PROVIDER={provider} or remove the call"
        )
    return dispatch.adapter_for(domain, provider)


def reset_warnings() -> None:
    """Warn again for every feature (tests use this)."""
    with _lock:
        _warned.clear()
